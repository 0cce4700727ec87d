#include "pipelines/events/event_id.hpp"

#include <xxhash.h>

#include <cstdint>
#include <new>

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
EventIdBuilder::EventIdBuilder(EventIdBuilder&&) noexcept = default;
EventIdBuilder& EventIdBuilder::operator=(EventIdBuilder&&) noexcept = default;

void EventIdBuilder::spill() {
  if (!streaming_) {
    if (!stream_) stream_ = std::make_unique<Stream>();
    XXH3_128bits_reset(stream_->state);
    streaming_ = true;
  }
  XXH3_128bits_update(stream_->state, input_.data(), input_.size());
  input_.clear();
}

void EventIdBuilder::add(std::string_view part) {
  const auto size = static_cast<uint32_t>(part.size());
  const char prefix[4] = {static_cast<char>(size), static_cast<char>(size >> 8),
                          static_cast<char>(size >> 16), static_cast<char>(size >> 24)};
  input_.append(prefix, sizeof prefix);
  input_.append(part);
  if (input_.size() > kGatherLimit) spill();
}

KeyHash EventIdBuilder::finish() {
  XXH128_hash_t hash;
  if (streaming_) {
    XXH3_128bits_update(stream_->state, input_.data(), input_.size());
    hash = XXH3_128bits_digest(stream_->state);
    streaming_ = false;
  } else {
    hash = XXH3_128bits(input_.data(), input_.size());
  }
  input_.clear();
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
