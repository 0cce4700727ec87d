#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hearth::pipelines {

/// Threads kept for work shared out again and again: a whole council's evaluation hands out
/// hundreds of batches. A thread started for each costs its start, and at its end leaves its
/// allocator's heap abandoned with what it allocated still in use (the outcomes it worked out,
/// which the people's states keep). The threads start at the first run() that needs them and
/// end with the pool.
class WorkerPool {
 public:
  /// A pool that runs work on the calling thread and up to `helpers` threads of its own.
  explicit WorkerPool(size_t helpers) : helpers_(helpers) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t helpers() const noexcept { return helpers_; }

  /// Calls `work(part)` for each part in [0, parts): part 0 on the calling thread, the others on
  /// the pool's threads (parts is at most helpers() + 1). Returns once every part has returned,
  /// and rethrows what the first failing part threw. One run at a time.
  void run(size_t parts, const std::function<void(size_t)>& work);

 private:
  void serve(size_t part);

  const size_t helpers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  const std::function<void(size_t)>* work_ = nullptr;
  size_t parts_ = 0;
  size_t running_ = 0;       // the helpers' parts of this run not yet finished
  unsigned long round_ = 0;  // which run the helpers are to take part in
  bool stopping_ = false;
  std::vector<std::exception_ptr> failures_;
};

}  // namespace hearth::pipelines
