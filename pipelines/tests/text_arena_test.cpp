#include "pipelines/common/text_arena.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hearth::pipelines {
namespace {

TEST(TextArena, ViewsStayValidAsMorePiecesAreAdded) {
  TextArena arena(64);  // a new piece every few texts
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string value = std::to_string(i * 7919);
    views.push_back(arena.add({"system", "/", value}));
    expected.push_back("system/" + value);
  }
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], expected[i]) << i;
  EXPECT_GE(arena.capacity(), 12000u);  // "system/" and the digits, 1000 times
}

TEST(TextArena, TakesATextLongerThanAPieceAndEmptyOnes) {
  TextArena arena(16);
  const std::string long_text(100, 'x');
  const std::string_view first = arena.add("short");
  const std::string_view empty = arena.add({"", ""});
  const std::string_view big = arena.add(long_text);
  const std::string_view after = arena.add({"a", "", "b"});
  EXPECT_EQ(first, "short");
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(big, long_text);
  EXPECT_EQ(after, "ab");
}

}  // namespace
}  // namespace hearth::pipelines
