#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hearth::daemon::kafka {

/// An event's payload while librdkafka holds it, with the ids its delivery report needs.
struct PooledEvent {
  std::string payload;
  uint32_t source = 0;
  uint64_t seq = 0;
};

/// Payload buffers lent to librdkafka, which sends them without a copy of its own and hands them
/// back in the delivery report. A copy made by librdkafka is a fresh ~1 KB block per event,
/// allocated on the publishing thread and freed on the delivery thread: glibc pays for each with
/// locking the other thread's arena, consolidating and trimming, more than for the event's
/// encoding. Pooled buffers are allocated once and reused, whichever thread returns them.
/// Thread-safe.
class PayloadPool {
 public:
  /// Keeps at most `max_kept` idle buffers, none larger than `max_capacity` bytes: what a burst
  /// needed beyond that is freed when it comes back.
  explicit PayloadPool(size_t max_kept = kDefaultKept, size_t max_capacity = kDefaultCapacity);

  /// An idle buffer (its old content is left for the caller to overwrite), or a new one.
  std::unique_ptr<PooledEvent> acquire();
  /// Takes a buffer back for reuse.
  void release(std::unique_ptr<PooledEvent> event);
  /// Idle buffers held.
  size_t idle() const;

  static constexpr size_t kDefaultKept = 32'768;
  static constexpr size_t kDefaultCapacity = 16 * 1024;

 private:
  const size_t max_kept_;
  const size_t max_capacity_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<PooledEvent>> idle_;  // under mutex_; the warmest last
};

}  // namespace hearth::daemon::kafka
