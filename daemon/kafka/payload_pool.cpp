#include "daemon/kafka/payload_pool.hpp"

namespace hearth::daemon::kafka {

PayloadPool::PayloadPool(size_t max_kept, size_t max_capacity)
    : max_kept_(max_kept), max_capacity_(max_capacity) {}

std::unique_ptr<PooledEvent> PayloadPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<PooledEvent> event = std::move(idle_.back());
      idle_.pop_back();
      return event;
    }
  }
  return std::make_unique<PooledEvent>();
}

void PayloadPool::release(std::unique_ptr<PooledEvent> event) {
  if (event == nullptr || event->payload.capacity() > max_capacity_) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_kept_) idle_.push_back(std::move(event));
}

size_t PayloadPool::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace hearth::daemon::kafka
