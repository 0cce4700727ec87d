#include "daemon/state/key_rows.hpp"

namespace hearth::daemon::state {
namespace {

// Doubled when more than 7/8 full: a key costs 18 to 37 bytes (64 MB for a council's 2.5 million
// stored records, which hashes spread evenly).
constexpr size_t kInitialSlots = 1024;
bool tooFull(size_t size, size_t slots) { return size * 8 > slots * 7; }

}  // namespace

int64_t KeyRows::find(uint64_t hash) const {
  if (slots_.empty()) return 0;
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(hash);; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.row == 0) return 0;
    if (slot.hash == hash) return slot.row;
  }
}

void KeyRows::set(uint64_t hash, int64_t row) {
  if (slots_.empty() || tooFull(size_ + 1, slots_.size())) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(hash);; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.row == 0) {
      slot = {hash, row};
      ++size_;
      return;
    }
    if (slot.hash == hash) {
      slot.row = row;
      return;
    }
  }
}

void KeyRows::erase(uint64_t hash) {
  if (slots_.empty()) return;
  const size_t mask = slots_.size() - 1;
  size_t hole = home(hash);
  for (;; hole = (hole + 1) & mask) {
    if (slots_[hole].row == 0) return;
    if (slots_[hole].hash == hash) break;
  }
  // Backward shift: each later slot of the run moves into the hole unless its home lies
  // cyclically after the hole, so that no probe ever stops short of what it looks for.
  for (size_t next = (hole + 1) & mask; slots_[next].row != 0; next = (next + 1) & mask) {
    const size_t want = home(slots_[next].hash);
    const bool stays = hole <= next ? (hole < want && want <= next) : (hole < want || want <= next);
    if (stays) continue;
    slots_[hole] = slots_[next];
    hole = next;
  }
  slots_[hole] = Slot{};
  --size_;
}

void KeyRows::clear() {
  std::vector<Slot>().swap(slots_);
  size_ = 0;
}

void KeyRows::grow() {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? kInitialSlots : old.size() * 2, Slot{});
  size_ = 0;
  for (const Slot& slot : old) {
    if (slot.row != 0) set(slot.hash, slot.row);
  }
}

}  // namespace hearth::daemon::state
