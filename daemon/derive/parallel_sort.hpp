#pragma once

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>

namespace hearth::daemon::derive {

/// Sorts [first, last) by `before`, a strict total order, its halves on two threads when there
/// are at least `parallel_from` elements, then merges them: a whole council's first evaluation
/// sorts millions of keys while every connector is done and a core idles. With a total order the
/// result is the one std::sort gives. Without a thread to be had, it sorts on this one.
template <class Iterator, class Before>
void sortInParallel(Iterator first, Iterator last, Before before, size_t parallel_from = 100'000) {
  const auto count = last - first;
  if (count < 2 || static_cast<size_t>(count) < parallel_from) {
    std::sort(first, last, before);
    return;
  }
  const Iterator middle = first + count / 2;
  std::thread other;
  try {
    other = std::thread([&] { std::sort(first, middle, before); });
  } catch (const std::system_error&) {
    std::sort(first, last, before);
    return;
  }
  std::sort(middle, last, before);
  other.join();
  std::inplace_merge(first, middle, last, before);
}

}  // namespace hearth::daemon::derive
