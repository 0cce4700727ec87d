#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "pipelines/events/event_id.hpp"

namespace hearth::pipelines {

/// A map from key hashes to small values, in one flat table: linear probing, one slot of the key
/// and the value each, no allocation per entry. It holds what a whole council keeps by the
/// million (digests of published keys, pairs published, the owner of each record, the row of
/// each stored key), where a node-based map cost an allocation and two cache misses per entry.
/// `Key` is a 64-bit hash or a 128-bit KeyHash: uniform already, so its low bits pick the slot.
///
/// Pointers to values stay valid until the next insertion or erasure. Not thread-safe.
template <class Key, class Value>
class FlatHashMap {
 public:
  /// The value stored under `key`, or nullptr.
  Value* find(const Key& key) { return const_cast<Value*>(std::as_const(*this).find(key)); }
  const Value* find(const Key& key) const {
    if (isZero(key)) return has_zero_ ? &zero_value_ : nullptr;
    if (slots_.empty()) return nullptr;
    for (size_t i = home(key);; i = next(i)) {
      const Slot& slot = slots_[i];
      if (isZero(slot.key)) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }
  bool contains(const Key& key) const { return find(key) != nullptr; }
  /// Asks the processor for the cache line where a probe for `key` begins: a loop over many keys
  /// prefetches some ahead of the one it looks up, so the misses of a big table overlap.
  void prefetch(const Key& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }
  /// Calls `visit(key, value)` for every entry, in no particular order.
  template <class Visit>
  void forEach(Visit visit) {
    if (has_zero_) visit(Key{}, zero_value_);
    for (Slot& slot : slots_) {
      if (!isZero(slot.key)) visit(slot.key, slot.value);
    }
  }

  /// Adds `key` with `value` unless it is present: the stored value, and whether it was added.
  std::pair<Value*, bool> tryEmplace(const Key& key, Value value = Value{}) {
    if (isZero(key)) {
      const bool added = !has_zero_;
      if (added) {
        zero_value_ = std::move(value);
        has_zero_ = true;
        ++size_;
      }
      return {&zero_value_, added};
    }
    if (tooFull(slotted() + 1, slots_.size()))
      rehash(slots_.empty() ? kInitialSlots : slots_.size() * 2);
    for (size_t i = home(key);; i = next(i)) {
      Slot& slot = slots_[i];
      if (isZero(slot.key)) {
        slot.key = key;
        slot.value = std::move(value);
        ++size_;
        return {&slot.value, true};
      }
      if (slot.key == key) return {&slot.value, false};
    }
  }

  /// Removes `key`; false if it was not there.
  bool erase(const Key& key) {
    if (isZero(key)) {
      if (!has_zero_) return false;
      has_zero_ = false;
      zero_value_ = Value{};
      --size_;
      return true;
    }
    if (slots_.empty()) return false;
    size_t hole = home(key);
    for (;; hole = next(hole)) {
      if (isZero(slots_[hole].key)) return false;
      if (slots_[hole].key == key) break;
    }
    // Backward shift: each later slot of the run moves into the hole unless its home lies
    // cyclically after the hole, so that no probe ever stops short of what it looks for.
    for (size_t later = next(hole); !isZero(slots_[later].key); later = next(later)) {
      const size_t want = home(slots_[later].key);
      const bool stays =
          hole <= later ? (hole < want && want <= later) : (hole < want || want <= later);
      if (stays) continue;
      slots_[hole] = std::move(slots_[later]);
      hole = later;
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }

  /// Room for `entries` without growing.
  void reserve(size_t entries) {
    size_t slots = slots_.empty() ? kInitialSlots : slots_.size();
    while (tooFull(entries, slots)) slots *= 2;
    if (slots != slots_.size()) rehash(slots);
  }
  void clear() {
    std::vector<Slot>().swap(slots_);
    has_zero_ = false;
    zero_value_ = Value{};
    size_ = 0;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  // Doubled when more than 7/8 full.
  static constexpr size_t kInitialSlots = 1024;
  static bool tooFull(size_t entries, size_t slots) { return entries * 8 > slots * 7; }

  struct Slot {
    Key key{};  // all zero: empty
    [[no_unique_address]] Value value{};
  };
  // The one key that cannot sit in a slot, all zero bits, is kept beside them.
  static bool isZero(const Key& key) { return key == Key{}; }
  static uint64_t lowBits(uint64_t key) { return key; }
  static uint64_t lowBits(const KeyHash& key) { return key.low; }
  size_t home(const Key& key) const { return lowBits(key) & (slots_.size() - 1); }
  size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }
  size_t slotted() const { return size_ - (has_zero_ ? 1 : 0); }

  void rehash(size_t slots) {
    std::vector<Slot> old(slots);
    old.swap(slots_);
    for (Slot& slot : old) {
      if (isZero(slot.key)) continue;
      size_t i = home(slot.key);
      while (!isZero(slots_[i].key)) i = next(i);
      slots_[i] = std::move(slot);
    }
  }

  std::vector<Slot> slots_;
  bool has_zero_ = false;
  Value zero_value_{};
  size_t size_ = 0;
};

/// 128-bit key hashes to values: 16 bytes a slot and the value's.
template <class Value>
using KeyHashMap = FlatHashMap<KeyHash, Value>;

/// A set of key hashes, as KeyHashMap: 16 bytes a slot.
class KeyHashSet {
 public:
  /// Adds `key`: false if it was there already.
  bool insert(const KeyHash& key) { return map_.tryEmplace(key).second; }
  bool contains(const KeyHash& key) const { return map_.contains(key); }
  bool erase(const KeyHash& key) { return map_.erase(key); }
  void reserve(size_t entries) { map_.reserve(entries); }
  void clear() { map_.clear(); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

 private:
  struct Nothing {};
  KeyHashMap<Nothing> map_;
};

}  // namespace hearth::pipelines
