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

template <class KindAt, class MoveTo>
void PackedRecords::build(size_t count, KindAt kind_at, MoveTo move_to, std::string_view extra) {
  if (count == 0) return;
  // Where each record goes, then the index, then the extra bytes.
  std::vector<uint32_t> offsets(count);
  size_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t kind = kind_at(i);
    at = alignUp(at, kAlignments[kind]);
    offsets[i] = static_cast<uint32_t>(at);
    at += kSizes[kind];
  }
  uint32_t index = static_cast<uint32_t>(kind_at(0));
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
  for (size_t i = 0; i < count; ++i) move_to(i, data + offsets[i]);
  if (count > 1) {
    std::memcpy(data + index, offsets.data(), count * sizeof(uint32_t));
    auto* kinds = reinterpret_cast<uint8_t*>(data + index + count * sizeof(uint32_t));
    for (size_t i = 0; i < count; ++i) kinds[i] = static_cast<uint8_t>(kind_at(i));
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

PackedRecords::PackedRecords(std::vector<Record>& records, std::string_view extra) {
  build(
      records.size(), [&](size_t i) { return records[i].index(); },
      [&](size_t i, std::byte* to) {
        std::visit(
            [&](auto& r) {
              using T = std::decay_t<decltype(r)>;
              ::new (static_cast<void*>(to)) T(std::move(r));
            },
            records[i]);
      },
      extra);
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
