#include "pipelines/canonical/compact_string.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "pipelines/canonical/model.hpp"

namespace hearth::pipelines::canonical {
namespace {

TEST(CompactString, HoldsShortTextInPlaceAndLongTextOnTheHeap) {
  static_assert(sizeof(CompactString) == 16);
  const CompactString code = "C2";
  const CompactString fifteen = "exactly15charsX";
  const CompactString sixteen = "sixteen chars!!!";
  const CompactString long_text = std::string("Long term support: Nursing care");
  EXPECT_EQ(code, "C2");
  EXPECT_EQ(code.size(), 2u);
  EXPECT_EQ(fifteen.size(), 15u);
  EXPECT_EQ(fifteen, "exactly15charsX");
  EXPECT_EQ(sixteen.size(), 16u);
  EXPECT_EQ(sixteen, "sixteen chars!!!");
  EXPECT_EQ(long_text.view(), "Long term support: Nursing care");
  // In place, the characters live inside the object.
  EXPECT_GE(code.data(), reinterpret_cast<const char*>(&code));
  EXPECT_LT(code.data(), reinterpret_cast<const char*>(&code) + sizeof code);
}

TEST(CompactString, EmptyByDefaultAndWhenCleared) {
  const CompactString from_null_view = std::string_view();  // no pointer at all
  EXPECT_TRUE(from_null_view.empty());
  CompactString text;
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(text, "");
  text = "a value longer than fifteen characters";
  EXPECT_FALSE(text.empty());
  text.clear();
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(text.view(), std::string_view());
}

TEST(CompactString, CopiesOwnTheirTextAndMovesLeaveTheSourceEmpty) {
  const std::string long_value = "Long term support: Residential care";
  CompactString a = long_value;
  CompactString b = a;
  EXPECT_EQ(b, a);
  EXPECT_NE(b.data(), a.data());  // its own copy on the heap
  CompactString c = std::move(a);
  EXPECT_EQ(c, long_value);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved from, it is empty
  a = c;
  const CompactString& alias = a;
  a = alias;  // self-assignment keeps the text
  EXPECT_EQ(a, long_value);
  b = "N1";
  c = std::move(b);
  EXPECT_EQ(c, "N1");
  std::swap(a, c);
  EXPECT_EQ(a, "N1");
  EXPECT_EQ(c, long_value);
}

TEST(CompactString, ManyCopiesInAVectorSurviveGrowthAndClearing) {
  std::vector<CompactString> values;
  for (int i = 0; i < 10'000; ++i) {
    values.push_back(i % 2 == 0 ? CompactString("short")
                                : CompactString("x" + std::to_string(i) + " and enough to spill"));
  }
  const std::vector<CompactString> copies = values;
  values.clear();
  EXPECT_EQ(copies[0], "short");
  EXPECT_EQ(copies[9'999], "x9999 and enough to spill");
}

TEST(CompactString, ReadsAndComparesAsAString) {
  const CompactString postcode = "AB1 2CD";
  const std::string copied = postcode;
  const std::string_view viewed = postcode;
  EXPECT_EQ(copied, "AB1 2CD");
  EXPECT_EQ(viewed, "AB1 2CD");
  EXPECT_EQ(postcode, copied);
  EXPECT_EQ(postcode.substr(0, 3), "AB1");
  EXPECT_EQ(postcode.find(' '), 3u);
  EXPECT_TRUE(postcode.starts_with("AB"));
  EXPECT_EQ(postcode.front(), 'A');
  EXPECT_EQ(postcode.back(), 'D');
  EXPECT_EQ(std::string("in ") + postcode, "in AB1 2CD");
  EXPECT_LT(CompactString("A"), CompactString("B"));
  EXPECT_LT(CompactString("AB"), "ABC");
}

// The record kinds with the most fields set the size of every canonical record a council holds.
TEST(CompactString, KeepsTheLargestRecordKindsSmall) {
  EXPECT_LE(sizeof(Subject), 32u);
  EXPECT_LE(sizeof(Identifier), 64u);
  EXPECT_LE(sizeof(Person), 312u);
  EXPECT_LE(sizeof(ClaEpisode), 312u);
  EXPECT_LE(sizeof(AdultCareEvent), 312u);
  EXPECT_LE(sizeof(Record), 320u);
}

}  // namespace
}  // namespace hearth::pipelines::canonical
