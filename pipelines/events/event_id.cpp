#include "pipelines/events/event_id.hpp"

#include <xxhash.h>

#include <cstdint>

namespace hearth::pipelines {

void EventIdBuilder::add(std::string_view part) {
  const auto size = static_cast<uint32_t>(part.size());
  const char prefix[4] = {static_cast<char>(size), static_cast<char>(size >> 8),
                          static_cast<char>(size >> 16), static_cast<char>(size >> 24)};
  input_.append(prefix, sizeof prefix);
  input_.append(part);
}

void EventIdBuilder::finishInto(std::string& out) {
  const XXH128_hash_t hash = XXH3_128bits(input_.data(), input_.size());
  appendHex(out, KeyHash{hash.low64, hash.high64});
  input_.clear();
}

KeyHash keyHash(std::string_view key) {
  const XXH128_hash_t hash = XXH3_128bits(key.data(), key.size());
  return {hash.low64, hash.high64};
}

void appendHex(std::string& out, const KeyHash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[32];
  char* digit = hex;
  for (const uint64_t half : {hash.high, hash.low}) {
    for (int shift = 60; shift >= 0; shift -= 4) *digit++ = kHex[(half >> shift) & 0xF];
  }
  out.append(hex, sizeof hex);
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
