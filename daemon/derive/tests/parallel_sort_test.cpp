#include "pipelines/common/parallel_sort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace hearth::daemon::derive {
namespace {

using pipelines::forHalvesInParallel;
using pipelines::sortInParallel;

// Keys with a long shared prefix and many repeats, ordered as the derive orders source records:
// by key, then by arrival.
std::vector<std::string> keys(size_t count) {
  std::mt19937 random(7);
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    out.push_back("school_census\x1fpupils\x1f" + std::to_string(random() % (count / 3 + 1)));
  }
  return out;
}

void expectSameAsOneSort(size_t count, size_t parallel_from) {
  const std::vector<std::string> key = keys(count);
  const auto before = [&](uint32_t a, uint32_t b) {
    const int compared = key[a].compare(key[b]);
    return compared != 0 ? compared < 0 : a < b;
  };
  std::vector<uint32_t> expected(count);
  std::iota(expected.begin(), expected.end(), 0u);
  std::vector<uint32_t> order = expected;
  std::sort(expected.begin(), expected.end(), before);
  sortInParallel(order.begin(), order.end(), before, parallel_from);
  EXPECT_EQ(order, expected);
}

TEST(ParallelSort, TwoHalvesMergedGiveWhatOneSortGives) { expectSameAsOneSort(250'001, 1000); }

TEST(ParallelSort, ShortAndEmptyRangesAreSortedInPlace) {
  expectSameAsOneSort(999, 1000);
  expectSameAsOneSort(1, 0);
  std::vector<uint32_t> none;
  sortInParallel(none.begin(), none.end(), std::less<uint32_t>{}, 0);
  EXPECT_TRUE(none.empty());
}

// Each item is worked once, by one half or the other, whether or not the halves ran apart.
TEST(ParallelSort, HalvesCoverEveryItemOnce) {
  for (const size_t count : {size_t{0}, size_t{1}, size_t{7}, size_t{100'001}}) {
    std::vector<int> worked(count, 0);
    forHalvesInParallel(count, 1000, [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) ++worked[i];
    });
    EXPECT_EQ(std::count(worked.begin(), worked.end(), 1), static_cast<long>(count)) << count;
  }
}

}  // namespace
}  // namespace hearth::daemon::derive
