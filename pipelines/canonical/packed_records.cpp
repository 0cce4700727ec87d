#include "pipelines/canonical/packed_records.hpp"

#include <cstring>
#include <memory>
#include <new>

namespace hearth::pipelines::canonical {
namespace {

constexpr size_t kKinds = std::variant_size_v<Record>;

template <size_t... I>
constexpr std::array<uint16_t, kKinds> sizesOf(std::index_sequence<I...>) {
  return {static_cast<uint16_t>(sizeof(std::variant_alternative_t<I, Record>))...};
}
template <size_t... I>
constexpr std::array<uint8_t, kKinds> alignmentsOf(std::index_sequence<I...>) {
  return {static_cast<uint8_t>(alignof(std::variant_alternative_t<I, Record>))...};
}
constexpr auto kSizes = sizesOf(std::make_index_sequence<kKinds>());
constexpr auto kAlignments = alignmentsOf(std::make_index_sequence<kKinds>());
static_assert(kKinds <= 256, "a record's kind is held in one byte");
static_assert(alignof(Record) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

size_t alignUp(size_t at, size_t alignment) { return (at + alignment - 1) / alignment * alignment; }

}  // namespace

PackedRecords::PackedRecords(std::vector<Record>& records) {
  if (records.empty()) return;
  // Where each record goes, then the index.
  std::vector<uint32_t> offsets(records.size());
  size_t at = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t kind = records[i].index();
    at = alignUp(at, kAlignments[kind]);
    offsets[i] = static_cast<uint32_t>(at);
    at += kSizes[kind];
  }
  size_t total = at;
  if (records.size() > 1) {
    at = alignUp(at, alignof(uint32_t));
    total = at + records.size() * (sizeof(uint32_t) + 1);
  }
  data_ = static_cast<std::byte*>(::operator new(total));
  size_ = static_cast<uint32_t>(records.size());
  index_ =
      records.size() > 1 ? static_cast<uint32_t>(at) : static_cast<uint32_t>(records[0].index());
  for (size_t i = 0; i < records.size(); ++i) {
    std::visit(
        [&](auto& r) {
          using T = std::decay_t<decltype(r)>;
          ::new (static_cast<void*>(data_ + offsets[i])) T(std::move(r));
        },
        records[i]);
  }
  if (records.size() > 1) {
    std::memcpy(data_ + index_, offsets.data(), records.size() * sizeof(uint32_t));
    auto* kinds = reinterpret_cast<uint8_t*>(data_ + index_ + records.size() * sizeof(uint32_t));
    for (size_t i = 0; i < records.size(); ++i) kinds[i] = static_cast<uint8_t>(records[i].index());
  }
}

size_t PackedRecords::bytes() const noexcept {
  if (size_ == 0) return 0;
  if (size_ == 1) return kSizes[index_];
  return index_ + size_ * (sizeof(uint32_t) + 1);
}

PackedRecords::~PackedRecords() {
  if (data_ == nullptr) return;
  for (size_t i = 0; i < size_; ++i) {
    (*this)[i].visit([](const auto& r) {
      using T = std::decay_t<decltype(r)>;
      std::destroy_at(const_cast<T*>(&r));
    });
  }
  ::operator delete(data_);
}

}  // namespace hearth::pipelines::canonical
