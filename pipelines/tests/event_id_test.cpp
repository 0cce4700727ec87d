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
