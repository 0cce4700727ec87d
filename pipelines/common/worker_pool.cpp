#include "pipelines/common/worker_pool.hpp"

#include <algorithm>

namespace hearth::pipelines {

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::run(size_t parts, const std::function<void(size_t)>& work) {
  parts = std::min(parts, helpers_ + 1);
  if (parts <= 1) {
    if (parts == 1) work(0);
    return;
  }
  while (threads_.size() < helpers_) {
    threads_.emplace_back([this, part = threads_.size() + 1] { serve(part); });
  }
  {
    std::lock_guard lock(mutex_);
    work_ = &work;
    parts_ = parts;
    running_ = parts - 1;
    failures_.assign(parts, nullptr);
    ++round_;
  }
  start_.notify_all();
  try {
    work(0);
  } catch (...) {
    failures_[0] = std::current_exception();  // the helpers write only their own
  }
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return running_ == 0; });
  work_ = nullptr;
  for (const std::exception_ptr& failure : failures_) {
    if (failure) std::rethrow_exception(failure);
  }
}

void WorkerPool::serve(size_t part) {
  unsigned long seen = 0;
  std::unique_lock lock(mutex_);
  while (true) {
    start_.wait(lock, [&] { return stopping_ || round_ != seen; });
    if (stopping_) return;
    seen = round_;
    if (part >= parts_) continue;  // a run of fewer parts than the pool has threads
    const std::function<void(size_t)>& work = *work_;
    lock.unlock();
    std::exception_ptr failure;
    try {
      work(part);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    failures_[part] = failure;
    if (--running_ == 0) done_.notify_one();
  }
}

}  // namespace hearth::pipelines
