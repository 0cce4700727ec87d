#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "pipelines/canonical/model.hpp"

namespace hearth::pipelines::canonical {

/// Whether `T` is one of Record's kinds.
template <class T>
inline constexpr bool kIsKind = []<size_t... I>(std::index_sequence<I...>) {
  return (std::is_same_v<T, std::variant_alternative_t<I, Record>> || ...);
}
(std::make_index_sequence<std::variant_size_v<Record>>());

/// The place of record kind `T` among Record's alternatives.
template <class T>
requires kIsKind<T>
inline constexpr size_t kKindOf = [] {
  return []<size_t... I>(std::index_sequence<I...>) {
    size_t at = 0;
    ((std::is_same_v<T, std::variant_alternative_t<I, Record>> ? (at = I, true) : false) || ...);
    return at;
  }
  (std::make_index_sequence<std::variant_size_v<Record>>());
}();

/// A view of one canonical record of any kind, wherever it is held: in a Record, or packed at
/// its own size (PackedRecords). Read like the variant: index(), holds<T>(), get_if<T>(),
/// visit(f). Valid while what it views is.
class RecordRef {
 public:
  /// A view of `record`, so that every function taking a RecordRef takes a Record too.
  RecordRef(const Record& record) noexcept  // NOLINT(google-explicit-constructor)
      : at_(std::visit([](const auto& r) -> const void* { return &r; }, record)),
        kind_(static_cast<uint8_t>(record.index())) {}
  /// A view of a record of kind `T`.
  template <class T>
  requires kIsKind<T> RecordRef(const T& record)
  noexcept  // NOLINT(google-explicit-constructor)
      : at_(&record), kind_(static_cast<uint8_t>(kKindOf<T>)) {}
  RecordRef(uint8_t kind, const void* at) noexcept : at_(at), kind_(kind) {}

  size_t index() const noexcept { return kind_; }
  template <class T>
  bool holds() const noexcept {
    return kind_ == kKindOf<T>;
  }
  template <class T>
  const T* get_if() const noexcept {
    return holds<T>() ? static_cast<const T*>(at_) : nullptr;
  }
  /// Calls `f` with the record as its own kind, as std::visit does.
  template <class F>
  decltype(auto) visit(F&& f) const {
    return visitAt(f, std::make_index_sequence<std::variant_size_v<Record>>());
  }
  /// The record copied into a Record of its own.
  Record copy() const;

 private:
  template <class F, size_t... I>
  decltype(auto) visitAt(F& f, std::index_sequence<I...>) const {
    using Result = std::invoke_result_t<F&, const std::variant_alternative_t<0, Record>&>;
    using Call = Result (*)(F&, const void*);
    static constexpr Call kCalls[] = {+[](F& g, const void* at) -> Result {
      return g(*static_cast<const std::variant_alternative_t<I, Record>*>(at));
    }...};
    return kCalls[kind_](f, at_);
  }

  const void* at_;
  uint8_t kind_;
};

inline Record RecordRef::copy() const {
  return visit([](const auto& r) { return Record(r); });
}

std::string_view recordKind(RecordRef record);
const Provenance& provenanceOf(RecordRef record);
const Subject& subjectOf(RecordRef record);

/// A source record's canonical records, each at its own kind's size, in one allocation: a
/// Record is as large as its largest kind (a Person), and most records of a council are far
/// smaller (a pupil's attendance, an SEN provision). Immutable once made; read through RecordRef.
/// The allocation may end with bytes the holder keeps with the records (`extra`).
class PackedRecords {
 public:
  PackedRecords() noexcept = default;
  /// Moves each of `records` in, then copies `extra` after them; the records are left moved from.
  explicit PackedRecords(std::vector<Record>& records, std::string_view extra = {});
  PackedRecords(PackedRecords&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        index_(std::exchange(other.index_, 0)) {}
  PackedRecords& operator=(PackedRecords&& other) noexcept {
    PackedRecords taken(std::move(other));
    std::swap(data_, taken.data_);
    std::swap(size_, taken.size_);
    std::swap(index_, taken.index_);
    return *this;
  }
  PackedRecords(const PackedRecords&) = delete;
  PackedRecords& operator=(const PackedRecords&) = delete;
  ~PackedRecords() { release(); }

  size_t size() const noexcept { return size_ & kCountMask; }
  bool empty() const noexcept { return size() == 0; }
  /// The bytes its one allocation holds: the records at their own sizes, their index, `extra`.
  size_t bytes() const noexcept;
  /// What was given as `extra`.
  std::string_view extra() const noexcept;
  RecordRef operator[](size_t i) const noexcept {
    if (size() == 1) return RecordRef(static_cast<uint8_t>(index_), data_);
    const auto* offsets = reinterpret_cast<const uint32_t*>(data_ + index_);
    const auto* kinds = reinterpret_cast<const uint8_t*>(offsets + size());
    return RecordRef(kinds[i], data_ + offsets[i]);
  }

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = RecordRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = RecordRef;
    Iterator() = default;
    Iterator(const PackedRecords* records, size_t at) : records_(records), at_(at) {}
    RecordRef operator*() const { return (*records_)[at_]; }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator was = *this;
      ++at_;
      return was;
    }
    bool operator==(const Iterator& other) const { return at_ == other.at_; }

   private:
    const PackedRecords* records_ = nullptr;
    size_t at_ = 0;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size()); }

 private:
  size_t recordsEnd() const noexcept;  // where the records and their index end
  void release() noexcept;

  static constexpr uint32_t kHasExtra = 1u << 31;  // in size_
  static constexpr uint32_t kCountMask = kHasExtra - 1;

  // The records one after another, each at its kind's alignment; after them, when there are two
  // or more, the index: each one's offset (uint32_t), then each one's kind (one byte); then,
  // when given, the extra bytes' length (uint32_t, aligned) and the bytes.
  std::byte* data_ = nullptr;
  uint32_t size_ = 0;   // the records' count, and kHasExtra
  uint32_t index_ = 0;  // one record: its kind; more: where the index begins
};

}  // namespace hearth::pipelines::canonical
