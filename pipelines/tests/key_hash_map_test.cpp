#include "pipelines/events/key_hash_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace hearth::pipelines {
namespace {

TEST(KeyHashMap, FindsWhatWasAddedAndKeepsTheFirstValue) {
  KeyHashMap<uint64_t> map;
  const KeyHash a = keyHash("a");
  const KeyHash b = keyHash("b");
  EXPECT_EQ(map.find(a), nullptr);
  EXPECT_TRUE(map.tryEmplace(a, 1).second);
  const auto [again, added] = map.tryEmplace(a, 2);
  EXPECT_FALSE(added);
  EXPECT_EQ(*again, 1u);
  *again = 3;
  EXPECT_EQ(*map.find(a), 3u);
  EXPECT_FALSE(map.contains(b));
  EXPECT_EQ(map.size(), 1u);
  EXPECT_TRUE(map.erase(a));
  EXPECT_FALSE(map.erase(a));
  EXPECT_TRUE(map.empty());
}

TEST(KeyHashMap, TheAllZeroKeyIsAKeyLikeAnyOther) {
  KeyHashMap<uint64_t> map;
  const KeyHash zero{};
  EXPECT_FALSE(map.contains(zero));
  EXPECT_TRUE(map.tryEmplace(zero, 7).second);
  EXPECT_EQ(*map.find(zero), 7u);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_TRUE(map.erase(zero));
  EXPECT_FALSE(map.contains(zero));
  EXPECT_EQ(map.size(), 0u);
}

// Keys whose low bits agree pile up in one run of slots; erasing from the middle of such runs is
// where backward shifting can go wrong. A std::unordered_map is the truth throughout.
TEST(KeyHashMap, AgreesWithAStandardMapThroughManyInsertionsAndErasures) {
  std::mt19937_64 random(2025);
  auto hashes = [](const KeyHash& k) { return k.low ^ (k.high * 31); };
  std::unordered_map<KeyHash, uint64_t, decltype(hashes)> truth(16, hashes);
  KeyHashMap<uint64_t> map;
  for (int round = 0; round < 200000; ++round) {
    // Few distinct low halves (crowded runs), the high half telling keys apart.
    const KeyHash key{(random() % 2048) * 0x9E3779B97F4A7C15u, random() % 8};
    const uint64_t value = random();
    switch (random() % 3) {
      case 0: {
        const bool added = truth.emplace(key, value).second;
        EXPECT_EQ(map.tryEmplace(key, value).second, added);
        break;
      }
      case 1:
        ASSERT_EQ(map.erase(key), truth.erase(key) == 1) << round;
        break;
      default: {
        const auto it = truth.find(key);
        const uint64_t* found = map.find(key);
        ASSERT_EQ(found != nullptr, it != truth.end()) << round;
        if (found != nullptr) {
          ASSERT_EQ(*found, it->second) << round;
        }
      }
    }
    ASSERT_EQ(map.size(), truth.size());
  }
  for (const auto& [key, value] : truth) {
    const uint64_t* found = map.find(key);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, value);
  }
}

TEST(KeyHashMap, ReserveAndGrowthKeepEveryEntry) {
  KeyHashMap<uint32_t> map;
  map.reserve(5000);
  for (uint32_t i = 0; i < 20000; ++i) {
    map.tryEmplace(keyHash(std::to_string(i)), i);
  }
  EXPECT_EQ(map.size(), 20000u);
  for (uint32_t i = 0; i < 20000; ++i) {
    const uint32_t* found = map.find(keyHash(std::to_string(i)));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, i);
  }
  map.clear();
  EXPECT_FALSE(map.contains(keyHash("1")));
  EXPECT_TRUE(map.tryEmplace(keyHash("1"), 1).second);
}

TEST(KeyHashSet, InsertsOnceAndForgets) {
  KeyHashSet set;
  EXPECT_TRUE(set.insert(keyHash("link:a:b")));
  EXPECT_FALSE(set.insert(keyHash("link:a:b")));
  EXPECT_TRUE(set.contains(keyHash("link:a:b")));
  EXPECT_FALSE(set.contains(keyHash("link:b:a")));
  EXPECT_TRUE(set.erase(keyHash("link:a:b")));
  EXPECT_TRUE(set.empty());
}

}  // namespace
}  // namespace hearth::pipelines
