#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace hearth::pipelines::identity {

/// Runs work(i) for i in [0, count) on up to `threads` threads, the caller's among them; each i
/// is handled exactly once and writes only its own output slot, so results never depend on
/// scheduling.
template <typename Work>
void runParallel(std::size_t count, unsigned threads, Work work) {
  std::atomic<std::size_t> next{0};
  auto loop = [&] {
    for (std::size_t i = next++; i < count; i = next++) work(i);
  };
  const std::size_t used = std::min<std::size_t>(threads, count);
  std::vector<std::thread> pool;
  pool.reserve(used > 1 ? used - 1 : 0);
  for (std::size_t t = 1; t < used; ++t) pool.emplace_back(loop);
  loop();
  for (std::thread& thread : pool) thread.join();
}

}  // namespace hearth::pipelines::identity
