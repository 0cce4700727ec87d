#include "daemon/state/key_rows.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace hearth::daemon::state {
namespace {

TEST(KeyRows, FindsSetsAndErasesLikeAMapThroughGrowthAndCollidingHomes) {
  KeyRows rows;
  std::unordered_map<uint64_t, int64_t> truth;
  std::mt19937_64 random(7);
  // Hashes confined to a few low bits collide on their home slot: the probing and the backward
  // shift on erase are what keep them findable.
  for (int i = 0; i < 200000; ++i) {
    const uint64_t hash = (random() % 4096) << (i % 2 == 0 ? 0 : 40);
    switch (random() % 4) {
      case 0:
        rows.erase(hash);
        truth.erase(hash);
        break;
      default: {
        const int64_t row = static_cast<int64_t>(i + 1);
        rows.set(hash, row);
        truth[hash] = row;
      }
    }
    if (i % 10000 == 0) {
      for (const auto& [h, r] : truth) ASSERT_EQ(rows.find(h), r) << h;
    }
  }
  EXPECT_EQ(rows.size(), truth.size());
  for (const auto& [h, r] : truth) EXPECT_EQ(rows.find(h), r);
  EXPECT_EQ(rows.find(uint64_t{1} << 63), 0);
  rows.clear();
  EXPECT_EQ(rows.size(), 0u);
  EXPECT_EQ(rows.find(truth.begin()->first), 0);
}

TEST(KeyRows, AnEmptyTableFindsNothingAndErasesNothing) {
  KeyRows rows;
  EXPECT_EQ(rows.find(0), 0);
  rows.erase(0);
  rows.set(0, 5);  // hash 0 is a hash like any other
  EXPECT_EQ(rows.find(0), 5);
  EXPECT_EQ(rows.size(), 1u);
}

}  // namespace
}  // namespace hearth::daemon::state
