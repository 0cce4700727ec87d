#include "daemon/state/checkpoint_offsets.hpp"

#include <gtest/gtest.h>

namespace hearth::daemon::state {
namespace {

using nlohmann::json;

constexpr std::string_view kCsvToken =
    R"({"version":1,"streams":{"referrals":{"referrals_1.csv":{"offset":120,"line":4}},)"
    R"("episodes":{"episodes.csv":{"offset":80,"line":3}}}})";

TEST(CheckpointOffsets, ShowsEachStreamOfATokenThatKeepsThemApart) {
  const json offsets = offsetsJson(kCsvToken).at("offsets");
  ASSERT_EQ(offsets.size(), 2u);
  EXPECT_EQ(offsets[0]["partition"]["stream"], "episodes");
  EXPECT_EQ(offsets[0]["offset"]["episodes.csv"]["line"], 3);
  EXPECT_EQ(offsets[1]["partition"]["stream"], "referrals");
  EXPECT_EQ(offsets[1]["offset"]["referrals_1.csv"]["offset"], 120);
}

TEST(CheckpointOffsets, ShowsTablesAsStreamsAndAnyOtherTokenWhole) {
  const json tables = offsetsJson(R"({"version":1,"tables":{"ssd_person":{"id":"P77"}}})");
  EXPECT_EQ(tables["offsets"][0]["partition"]["stream"], "ssd_person");
  const json opaque = offsetsJson("line 42");
  ASSERT_EQ(opaque["offsets"].size(), 1u);
  EXPECT_TRUE(opaque["offsets"][0]["partition"].empty());
  EXPECT_EQ(opaque["offsets"][0]["offset"]["token"], "line 42");
  EXPECT_TRUE(offsetsJson("")["offsets"].empty());
}

TEST(CheckpointOffsets, ResettingAStreamKeepsTheOthersWhereTheyWere) {
  auto reset = withoutStream(kCsvToken, "referrals");
  ASSERT_TRUE(reset.ok()) << reset.error().message;
  const json token = json::parse(*reset);
  EXPECT_FALSE(token["streams"].contains("referrals"));
  EXPECT_EQ(token["streams"]["episodes"]["episodes.csv"]["offset"], 80);
  EXPECT_EQ(token["version"], 1);
}

TEST(CheckpointOffsets, AStreamWithoutAPositionLeavesTheTokenAsItWas) {
  auto reset = withoutStream(kCsvToken, "placements");
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*reset, kCsvToken);
  EXPECT_EQ(withoutStream("", "referrals").value(), "");
}

TEST(CheckpointOffsets, RefusesAStreamResetOfATokenThatDoesNotKeepStreamsApart) {
  for (std::string_view token :
       {R"({"version":1,"files":{}})", "not json", "[1,2]", R"({"streams":"referrals"})"}) {
    auto reset = withoutStream(token, "referrals");
    ASSERT_FALSE(reset.ok()) << token;
    EXPECT_EQ(reset.error().code, "state.stream_reset_unsupported");
  }
}

}  // namespace
}  // namespace hearth::daemon::state
