#include "daemon/delivery/checkpoint_tracker.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace hearth::daemon::delivery {

CheckpointTracker::Source& CheckpointTracker::source(uint32_t id) {
  if (Source* existing = find(id)) return *existing;
  std::unique_lock lock(sources_mutex_);
  auto& slot = sources_[id];
  if (!slot) {
    slot = std::make_unique<Source>();
    if (id < kDirect) direct_[id].store(slot.get(), std::memory_order_release);
  }
  return *slot;
}

CheckpointTracker::Source* CheckpointTracker::find(uint32_t id) const {
  if (id < kDirect) return direct_[id].load(std::memory_order_acquire);
  std::shared_lock lock(sources_mutex_);
  const auto it = sources_.find(id);
  return it == sources_.end() ? nullptr : it->second.get();
}

CheckpointTracker::Interval& CheckpointTracker::Source::intervalOf(uint64_t seq) {
  // Acknowledgements mostly hit the newest interval (checkpoints are rare next to events) or the
  // oldest (the one holding the commit back); look there before searching.
  if (seq >= intervals.back().first_seq) return intervals.back();
  if (intervals.size() < 2 || seq < intervals[1].first_seq) return intervals.front();
  const auto after = std::upper_bound(
      intervals.begin(), intervals.end(), seq,
      [](uint64_t value, const Interval& interval) { return value < interval.first_seq; });
  return *std::prev(after);
}

void CheckpointTracker::Source::retireAcknowledged() {
  // The open (last) interval has no token yet, so the loop always leaves it in place.
  while (intervals.front().closing_token && intervals.front().unacked == 0) {
    committable = std::move(intervals.front().closing_token);
    intervals.pop_front();
  }
}

uint64_t CheckpointTracker::onEmitted(uint32_t id) {
  Source& s = source(id);
  std::lock_guard lock(s.mutex);
  ++s.intervals.back().unacked;
  ++s.unacked;
  return s.next_seq++;
}

void CheckpointTracker::onCheckpoint(uint32_t id, std::string token) {
  Source& s = source(id);
  std::lock_guard lock(s.mutex);
  Interval& open = s.intervals.back();
  const bool no_events_since_last_checkpoint = open.first_seq == s.next_seq;
  if (no_events_since_last_checkpoint && s.intervals.size() >= 2) {
    // Nothing separates the two checkpoints, so the newer one becomes committable exactly when
    // the older one would have: replace it rather than queue an empty interval.
    s.intervals[s.intervals.size() - 2].closing_token = std::move(token);
    return;
  }
  open.closing_token = std::move(token);
  s.intervals.emplace_back().first_seq = s.next_seq;
  s.retireAcknowledged();
}

void CheckpointTracker::onAcked(uint32_t id, std::span<const uint64_t> seqs) {
  Source* s = find(id);
  assert(s != nullptr && "acknowledged an event of a source that never emitted");
  if (s == nullptr) return;
  std::lock_guard lock(s->mutex);
  for (const uint64_t seq : seqs) {
    assert(seq < s->next_seq && "acknowledged an event that was never emitted");
    if (seq >= s->next_seq || seq < s->intervals.front().first_seq) continue;
    Interval& interval = s->intervalOf(seq);
    assert(interval.unacked > 0 && "acknowledged an event twice");
    if (interval.unacked == 0) continue;
    --interval.unacked;
    --s->unacked;
    if (&interval == &s->intervals.front()) s->retireAcknowledged();
  }
}

std::optional<std::string> CheckpointTracker::takeCommittable(uint32_t id) {
  Source* s = find(id);
  if (s == nullptr) return std::nullopt;
  std::lock_guard lock(s->mutex);
  if (s->committable) s->saving = true;
  return std::exchange(s->committable, std::nullopt);
}

void CheckpointTracker::onSaved(uint32_t id) {
  Source* s = find(id);
  if (s == nullptr) return;
  std::lock_guard lock(s->mutex);
  s->saving = false;
}

bool CheckpointTracker::checkpointPending(uint32_t id) const {
  Source* s = find(id);
  if (s == nullptr) return false;
  std::lock_guard lock(s->mutex);
  return s->saving || s->committable.has_value() || s->intervals.size() > 1;
}

uint64_t CheckpointTracker::outstanding(uint32_t id) const {
  Source* s = find(id);
  if (s == nullptr) return 0;
  std::lock_guard lock(s->mutex);
  return s->unacked;
}

uint64_t CheckpointTracker::sinceCommittable(uint32_t id) const {
  Source* s = find(id);
  if (s == nullptr) return 0;
  std::lock_guard lock(s->mutex);
  // The oldest interval starts right after the newest retired checkpoint.
  return s->next_seq - s->intervals.front().first_seq;
}

size_t CheckpointTracker::pendingCheckpoints(uint32_t id) const {
  Source* s = find(id);
  if (s == nullptr) return 0;
  std::lock_guard lock(s->mutex);
  return s->intervals.size() - 1;
}

}  // namespace hearth::daemon::delivery
