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

PackedRecords::PackedRecords(std::vector<Record>& records, std::string_view extra) {
  const size_t count = records.size();
  if (count == 0) return;
  // The records' end, then the index's place and the extra bytes' (a block per source record of
  // a council: its layout is worked out without allocating).
  size_t at = 0;
  for (const Record& record : records) {
    at = alignUp(at, kAlignments[record.index()]) + kSizes[record.index()];
  }
  uint32_t index = static_cast<uint32_t>(records[0].index());
  if (count > 1) {
    at = alignUp(at, alignof(uint32_t));
    index = static_cast<uint32_t>(at);
    at += count * (sizeof(uint32_t) + 1);
  }
  size_t extra_at = 0;
  if (!extra.empty()) {
    extra_at = alignUp(at, alignof(uint32_t));
    at = extra_at + sizeof(uint32_t) + extra.size();
  }
  auto* data = static_cast<std::byte*>(::operator new(at));
  // Each record moved to its place, which the index notes when there is one.
  size_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t kind = records[i].index();
    offset = alignUp(offset, kAlignments[kind]);
    std::visit(
        [&](auto& r) {
          using T = std::decay_t<decltype(r)>;
          ::new (static_cast<void*>(data + offset)) T(std::move(r));
        },
        records[i]);
    if (count > 1) {
      const auto place = static_cast<uint32_t>(offset);
      std::memcpy(data + index + i * sizeof(uint32_t), &place, sizeof place);
      data[index + count * sizeof(uint32_t) + i] = static_cast<std::byte>(kind);
    }
    offset += kSizes[kind];
  }
  if (!extra.empty()) {
    const auto length = static_cast<uint32_t>(extra.size());
    std::memcpy(data + extra_at, &length, sizeof length);
    std::memcpy(data + extra_at + sizeof length, extra.data(), extra.size());
  }
  data_ = data;
  size_ = static_cast<uint32_t>(count) | (extra.empty() ? 0 : kHasExtra);
  index_ = index;
}

size_t PackedRecords::recordsEnd() const noexcept {
  if (size() == 0) return 0;
  if (size() == 1) return kSizes[index_];
  return index_ + size() * (sizeof(uint32_t) + 1);
}

std::string_view PackedRecords::extra() const noexcept {
  if ((size_ & kHasExtra) == 0) return {};
  const size_t at = alignUp(recordsEnd(), alignof(uint32_t));
  uint32_t length = 0;
  std::memcpy(&length, data_ + at, sizeof length);
  return std::string_view(reinterpret_cast<const char*>(data_ + at + sizeof length), length);
}

size_t PackedRecords::bytes() const noexcept {
  if ((size_ & kHasExtra) == 0) return recordsEnd();
  return alignUp(recordsEnd(), alignof(uint32_t)) + sizeof(uint32_t) + extra().size();
}

void PackedRecords::release() noexcept {
  if (data_ == nullptr) return;
  for (size_t i = 0; i < size(); ++i) {
    (*this)[i].visit([](const auto& r) {
      using T = std::decay_t<decltype(r)>;
      std::destroy_at(const_cast<T*>(&r));
    });
  }
  ::operator delete(data_);
  data_ = nullptr;
  size_ = 0;
  index_ = 0;
}

}  // namespace hearth::pipelines::canonical
