#include "daemon/derive/held_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace hearth::daemon::derive {
namespace {

struct Entry {
  HeldKey key;
};

// The order the held keys must come in: their whole texts, then the order given.
std::vector<uint32_t> byWholeTexts(const std::vector<std::string>& names,
                                   const std::vector<Entry>& batch) {
  std::vector<uint32_t> order(batch.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return names[batch[a].key.stream] + std::string(batch[a].key.source_key.view()) <
           names[batch[b].key.stream] + std::string(batch[b].key.source_key.view());
  });
  return order;
}

// Keys that agree in their first eight bytes or differ only past them, short and long, with
// zero and high bytes, repeated: every way a packed prefix could mislead.
std::vector<Entry> entries(const std::vector<std::string>& names, size_t count, unsigned seed) {
  std::mt19937 random(seed);
  const std::vector<std::string> stems = {"",
                                          "a",
                                          "ab",
                                          std::string("ab\0", 3),
                                          "abcdefgh",
                                          "abcdefgh1",
                                          "abcdefgi",
                                          "\xff\xfe",
                                          "ZZ",
                                          "12345678",
                                          "b\x1f"
                                          "ab",
                                          "b\x1f",
                                          "b"};
  std::vector<Entry> out;
  for (size_t i = 0; i < count; ++i) {
    std::string key = stems[random() % stems.size()];
    for (unsigned tail = random() % 3; tail > 0; --tail) key.push_back("\0a\xff"[random() % 3]);
    out.push_back({HeldKey{pipelines::canonical::CompactString(key),
                           static_cast<uint32_t>(random() % names.size())}});
  }
  return out;
}

TEST(HeldKeys, SortAsTheirWholeTextsThenAsGiven) {
  const std::vector<std::string> names = {
      "trust\x1f"
      "referrals\x1f",
      "census\x1f"
      "pupils\x1f",
      "trust\x1f"
      "cla\x1f",
      "\x1f\x1f"};
  const std::vector<Entry> batch = entries(names, 20'000, 3);
  EXPECT_EQ(inKeyOrder(names, batch), byWholeTexts(names, batch));
}

TEST(HeldKeys, SortAsTheirWholeTextsWhenOneStreamsNameBeginsAnothers) {
  // A stream named "a\x1fb" of connector "c" reads as stream "a" of "c" followed by "b".
  const std::vector<std::string> names = {
      "c\x1f"
      "a\x1f"
      "b\x1f",
      "c\x1f"
      "a\x1f",
      "d\x1f"
      "a\x1f"};
  const std::vector<Entry> batch = entries(names, 20'000, 5);
  const std::vector<uint32_t> order = inKeyOrder(names, batch);
  EXPECT_EQ(order, byWholeTexts(names, batch));
  // The mingling that needs whole texts happened: a key of the shorter name's stream ("b\x1fab")
  // sorts between two of the longer's ("a" and "ab").
  bool mingled = false;
  for (size_t n = 2; n < order.size() && !mingled; ++n) {
    mingled = batch[order[n - 2]].key.stream == 0 && batch[order[n - 1]].key.stream == 1 &&
              batch[order[n]].key.stream == 0;
  }
  EXPECT_TRUE(mingled);
}

}  // namespace
}  // namespace hearth::daemon::derive
