#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>

namespace hearth::daemon::delivery {

/// Decides when a source's checkpoint may be stored: only once every event the source emitted
/// before that checkpoint is durable, although deliveries are acknowledged out of order.
///
/// A source (a connector slot) numbers its events in emission order. Its checkpoints cut that
/// stream into intervals; each interval counts its unacknowledged events, so emitting,
/// acknowledging and checkpointing cost O(1) (acknowledging an event of an older, still-open
/// interval adds a binary search over the open intervals, of which there are few). Memory is
/// proportional to the checkpoints still waiting, not to the events in flight.
///
/// Thread-safe: events are emitted on connector threads and acknowledged on the Kafka delivery
/// thread. Each source has its own lock, so sources do not contend with each other.
class CheckpointTracker {
 public:
  CheckpointTracker() = default;
  CheckpointTracker(const CheckpointTracker&) = delete;
  CheckpointTracker& operator=(const CheckpointTracker&) = delete;

  /// Registers the source's next event and returns its sequence number (0, 1, 2, ...).
  uint64_t onEmitted(uint32_t source);

  /// Records a checkpoint the source emitted after every event registered so far.
  void onCheckpoint(uint32_t source, std::string token);

  /// Marks an event durable. Each sequence number must be acknowledged exactly once.
  void onAcked(uint32_t source, uint64_t seq) { onAcked(source, {&seq, 1}); }
  /// Marks events of one source durable, under one lock (a poll's confirmations come in runs).
  void onAcked(uint32_t source, std::span<const uint64_t> seqs);

  /// The newest checkpoint that became committable since the last call, if any: every event
  /// emitted before it is acknowledged. Older committable checkpoints are superseded. The caller
  /// saves it, then calls onSaved.
  std::optional<std::string> takeCommittable(uint32_t source);

  /// The checkpoint takeCommittable last gave is saved.
  void onSaved(uint32_t source);

  /// Whether a checkpoint of the source waits for acknowledgements or to be saved: false once
  /// everything the source emitted is durable and its last checkpoint is in the state store.
  bool checkpointPending(uint32_t source) const;

  /// Events emitted and not yet acknowledged.
  uint64_t outstanding(uint32_t source) const;

  /// Events emitted since the newest checkpoint that is committable (or committed): what a crash
  /// now would make the source emit again, less what falls between checkpoints.
  uint64_t sinceCommittable(uint32_t source) const;

  /// Checkpoints recorded and still waiting for acknowledgements.
  size_t pendingCheckpoints(uint32_t source) const;

 private:
  // Events [first_seq, next interval's first_seq); closed by a checkpoint token, except the last
  // interval, which is still receiving events.
  struct Interval {
    uint64_t first_seq = 0;
    uint64_t unacked = 0;
    std::optional<std::string> closing_token;
  };

  struct Source {
    mutable std::mutex mutex;
    uint64_t next_seq = 0;
    uint64_t unacked = 0;
    std::deque<Interval> intervals{Interval{}};
    std::optional<std::string> committable;
    bool saving = false;  // taken and not yet saved

    Interval& intervalOf(uint64_t seq);
    void retireAcknowledged();
  };

  Source& source(uint32_t id);
  Source* find(uint32_t id) const;

  mutable std::shared_mutex sources_mutex_;
  std::unordered_map<uint32_t, std::unique_ptr<Source>> sources_;
  // The sources with the lowest ids (the connectors' slots), found without the lock: every
  // event a connector emits, and every acknowledgement, looks its source up. A source is never
  // removed, so a pointer once published stays good.
  static constexpr uint32_t kDirect = 256;
  std::array<std::atomic<Source*>, kDirect> direct_{};
};

}  // namespace hearth::daemon::delivery
