#include "pipelines/events/event_id.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace hearth::pipelines {

// XXH3's streaming state, made and freed by the library (its layout is not public).
struct EventIdBuilder::Stream {
  Stream() : state(XXH3_createState()) {
    if (state == nullptr) throw std::bad_alloc();
  }
  ~Stream() { XXH3_freeState(state); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  XXH3_state_t* state;
};

EventIdBuilder::EventIdBuilder() = default;
EventIdBuilder::~EventIdBuilder() = default;
EventIdBuilder::EventIdBuilder(EventIdBuilder&& other) noexcept
    : gather_(std::move(other.gather_)),
      gathered_(std::exchange(other.gathered_, 0)),
      room_(std::exchange(other.room_, 0)),
      stream_(std::move(other.stream_)),
      streaming_(std::exchange(other.streaming_, false)) {}

EventIdBuilder& EventIdBuilder::operator=(EventIdBuilder&& other) noexcept {
  gather_ = std::move(other.gather_);
  gathered_ = std::exchange(other.gathered_, 0);
  room_ = std::exchange(other.room_, 0);
  stream_ = std::move(other.stream_);
  streaming_ = std::exchange(other.streaming_, false);
  return *this;
}

void EventIdBuilder::spill() {
  if (!streaming_) {
    if (!stream_) stream_ = std::make_unique<Stream>();
    XXH3_128bits_reset(stream_->state);
    streaming_ = true;
  }
  XXH3_128bits_update(stream_->state, gather_.get(), gathered_);
  gathered_ = 0;
}

void EventIdBuilder::add(std::string_view part) {
  // An id gathers dozens of parts (a record's every field name and value): each is copied in
  // with its length prefix, into room made ahead, with no check but the one for room.
  const auto size = static_cast<uint32_t>(part.size());
  if (gathered_ + sizeof size + part.size() > room_) grow(sizeof size + part.size());
  char* out = gather_.get() + gathered_;
  out[0] = static_cast<char>(size);
  out[1] = static_cast<char>(size >> 8);
  out[2] = static_cast<char>(size >> 16);
  out[3] = static_cast<char>(size >> 24);
  if (!part.empty()) std::memcpy(out + sizeof size, part.data(), part.size());
  gathered_ += sizeof size + part.size();
  if (gathered_ > kGatherLimit) spill();
}

void EventIdBuilder::grow(size_t more) {
  const size_t room = std::max({room_ * 2, gathered_ + more, size_t{1024}});
  auto bigger = std::make_unique_for_overwrite<char[]>(room);
  if (gathered_ > 0) std::memcpy(bigger.get(), gather_.get(), gathered_);
  gather_ = std::move(bigger);
  room_ = room;
}

KeyHash EventIdBuilder::finish() {
  XXH128_hash_t hash;
  if (streaming_) {
    XXH3_128bits_update(stream_->state, gather_.get(), gathered_);
    hash = XXH3_128bits_digest(stream_->state);
    streaming_ = false;
  } else {
    hash = XXH3_128bits(gather_.get(), gathered_);
  }
  gathered_ = 0;
  return KeyHash{hash.low64, hash.high64};
}

void EventIdBuilder::finishInto(std::string& out) { appendHex(out, finish()); }

KeyHash keyHash(std::string_view key) {
  const XXH128_hash_t hash = XXH3_128bits(key.data(), key.size());
  return {hash.low64, hash.high64};
}

void appendHex(std::string& out, uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[16];
  char* digit = hex;
  for (int shift = 60; shift >= 0; shift -= 4) *digit++ = kHex[(value >> shift) & 0xF];
  out.append(hex, sizeof hex);
}

void appendHex(std::string& out, const KeyHash& hash) {
  appendHex(out, hash.high);
  appendHex(out, hash.low);
}

std::optional<KeyHash> parseHex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  KeyHash hash;
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    uint64_t& half = i < 16 ? hash.high : hash.low;
    half = half << 4 | digit;
  }
  return hash;
}

}  // namespace hearth::pipelines
