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

// A long input is hashed a piece at a time (never held whole); its id must be the one a single
// call over the same length-prefixed bytes gives, and the builder must be ready for a short one
// after it.
TEST(EventId, ALongInputHashedInPiecesHasTheIdOfTheWholeInput) {
  std::string whole;
  EventIdBuilder builder;
  for (int i = 0; i < 50'000; ++i) {
    const std::string part = "subject/" + std::to_string(i * 7919);
    builder.add(part);
    const auto size = static_cast<uint32_t>(part.size());
    whole.push_back(static_cast<char>(size));
    whole.append(3, '\0');
    whole.append(part);
  }
  ASSERT_GT(whole.size(), 512u * 1024);  // many times the gathering buffer
  EXPECT_EQ(builder.finish(), keyHash(whole));
  builder.add("trust_903");
  builder.add("episodes");
  builder.add("C1|2017-05-01");
  std::string id;
  builder.finishInto(id);
  EXPECT_EQ(id, "148ad5d3b2dcb27d2395326f6a52b020");
  EventIdBuilder moved = std::move(builder);
  moved.add("a");
  EXPECT_EQ(moved.finish(), keyHash(std::string("\x01\0\0\0a", 5)));
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

TEST(EventId, ABuilderMovedFromHalfWayStartsEmptyAndTheOtherCarriesOn) {
  EventIdBuilder from;
  from.add("trust_903");
  from.add("episodes");
  EventIdBuilder to(std::move(from));
  to.add("C1|2017-05-01");
  std::string id;
  to.finishInto(id);
  EXPECT_EQ(id, "148ad5d3b2dcb27d2395326f6a52b020");
  from.add("a");  // NOLINT(bugprone-use-after-move): a moved-from builder is empty, and usable
  EXPECT_EQ(from.finish(), keyHash(std::string("\x01\0\0\0a", 5)));
  // Parts far longer than the room first made for them.
  EventIdBuilder grown;
  const std::string big(5000, 'x');
  for (int i = 0; i < 3; ++i) grown.add(big);
  std::string whole;
  for (int i = 0; i < 3; ++i) whole += std::string("\x88\x13\0\0", 4) + big;
  EXPECT_EQ(grown.finish(), keyHash(whole));
}

}  // namespace
}  // namespace hearth::pipelines
