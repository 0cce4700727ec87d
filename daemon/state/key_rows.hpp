#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hearth::daemon::state {

/// Where the record store keeps each key's row: 64-bit key hash -> row id, in memory, in one flat
/// table (linear probing, 16 bytes a slot). It stands in for an index on disk, whose pages every
/// commit rewrote, because keys arrive in no order. Row ids are positive; 0 means "none".
class KeyRows {
 public:
  /// The row stored under `hash`, or 0.
  int64_t find(uint64_t hash) const;
  /// Sets the row of `hash`, adding it if new.
  void set(uint64_t hash, int64_t row);
  /// Removes `hash`, if present.
  void erase(uint64_t hash);
  void clear();
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    int64_t row = 0;  // 0: empty
  };
  size_t home(uint64_t hash) const { return hash & (slots_.size() - 1); }
  void grow();

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace hearth::daemon::state
