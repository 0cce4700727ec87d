#pragma once

#include <cstddef>
#include <cstdint>

#include "pipelines/events/key_hash_map.hpp"

namespace hearth::daemon::state {

/// Where the record store keeps each key's row: 64-bit key hash -> row id, in memory, in one flat
/// table (pipelines::FlatHashMap, 16 bytes a slot, doubled when 7/8 full: a key costs 18 to 37
/// bytes, 64 MB for a council's 2.5 million stored records). It stands in for an index on disk,
/// whose pages every commit rewrote, because keys arrive in no order. Row ids are positive; 0
/// means "none".
class KeyRows {
 public:
  /// The row stored under `hash`, or 0.
  int64_t find(uint64_t hash) const {
    const int64_t* row = rows_.find(hash);
    return row != nullptr ? *row : 0;
  }
  /// Asks for the cache line where a look-up of `hash` begins, ahead of it.
  void prefetch(uint64_t hash) const { rows_.prefetch(hash); }
  /// Sets the row of `hash`, adding it if new.
  void set(uint64_t hash, int64_t row) { *rows_.tryEmplace(hash, row).first = row; }
  /// Removes `hash`, if present.
  void erase(uint64_t hash) { rows_.erase(hash); }
  void clear() { rows_.clear(); }
  size_t size() const { return rows_.size(); }

 private:
  pipelines::FlatHashMap<uint64_t, int64_t> rows_;
};

}  // namespace hearth::daemon::state
