#pragma once

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>

namespace hearth::pipelines {

/// Calls `work(from, to)` on the two halves of [0, count), the first on a second thread, when
/// there are at least `parallel_from` items: a whole council's first evaluation has millions
/// while every connector is done and a core idles. Without a thread to be had, both halves run
/// on this one, one after the other. `work` must touch nothing the other half does.
template <class Work>
void forHalvesInParallel(size_t count, size_t parallel_from, Work work) {
  const size_t middle = count / 2;
  if (count < 2 || count < parallel_from) {
    work(size_t{0}, middle);
    work(middle, count);
    return;
  }
  std::thread other;
  try {
    other = std::thread([&] { work(size_t{0}, middle); });
  } catch (const std::system_error&) {
    work(size_t{0}, middle);
  }
  work(middle, count);
  if (other.joinable()) other.join();
}

/// Sorts [first, last) by `before`, a strict total order, its halves on two threads when there
/// are at least `parallel_from` elements, then merges them. With a total order the result is the
/// one std::sort gives.
template <class Iterator, class Before>
void sortInParallel(Iterator first, Iterator last, Before before, size_t parallel_from = 100'000) {
  const auto count = static_cast<size_t>(last - first);
  if (count < 2 || count < parallel_from) {
    std::sort(first, last, before);
    return;
  }
  forHalvesInParallel(count, parallel_from,
                      [&](size_t from, size_t to) { std::sort(first + from, first + to, before); });
  std::inplace_merge(first, first + count / 2, last, before);
}

}  // namespace hearth::pipelines
