#include "pipelines/events/event_id.hpp"

#include <gtest/gtest.h>

namespace hearth::pipelines {
namespace {

std::string idOf(std::initializer_list<std::string_view> parts) {
  EventIdBuilder builder;
  for (auto part : parts) builder.add(part);
  std::string id;
  builder.finishInto(id);
  return id;
}

TEST(EventId, IsThirtyTwoHexCharactersAndStableAcrossBuilds) {
  // Pinned: a change here changes every published id, which breaks consumers' deduplication.
  EXPECT_EQ(idOf({"trust_903", "episodes", "C1|2017-05-01"}), "148ad5d3b2dcb27d2395326f6a52b020");
  const std::string id = idOf({"a"});
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(KeyHash, HexRoundTripsAndRefusesAnythingElse) {
  const KeyHash hash = keyHash("link:v1.aa:v1.bb");
  std::string hex;
  appendHex(hex, hash);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(parseHex(hex), hash);
  EXPECT_EQ(parseHex("000000000000000100000000000000ff"), (KeyHash{0xff, 1}));
  EXPECT_FALSE(parseHex(hex.substr(1)).has_value());
  EXPECT_FALSE(parseHex(hex + "0").has_value());
  EXPECT_FALSE(parseHex("000000000000000100000000000000fF").has_value());
  EXPECT_FALSE(parseHex("link:v1.aa:v1.bb0123456789abcdef").has_value());
}

TEST(EventId, PartBoundariesMatter) {
  EXPECT_NE(idOf({"ab", "c"}), idOf({"a", "bc"}));
  EXPECT_NE(idOf({"", "x"}), idOf({"x", ""}));
}

TEST(EventId, BuilderStartsAfreshAfterFinish) {
  EventIdBuilder builder;
  builder.add("first");
  std::string one;
  builder.finishInto(one);
  builder.add("first");
  std::string two;
  builder.finishInto(two);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace hearth::pipelines
