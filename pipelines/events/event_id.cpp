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
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[32];
  char* digit = hex;
  for (const uint64_t half : {hash.high64, hash.low64}) {
    for (int shift = 60; shift >= 0; shift -= 4) *digit++ = kHex[(half >> shift) & 0xF];
  }
  out.append(hex, sizeof hex);
  input_.clear();
}

KeyHash keyHash(std::string_view key) {
  const XXH128_hash_t hash = XXH3_128bits(key.data(), key.size());
  return {hash.low64, hash.high64};
}

}  // namespace hearth::pipelines
