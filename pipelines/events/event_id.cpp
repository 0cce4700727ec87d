#include "pipelines/events/event_id.hpp"

// The streaming state lives inline in EventIdBuilder::State, which needs its definition.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstdint>

namespace hearth::pipelines {

struct EventIdBuilder::State {
  XXH3_state_t xxh;
};

EventIdBuilder::EventIdBuilder() : state_(std::make_unique<State>()) {
  XXH3_128bits_reset(&state_->xxh);
}
EventIdBuilder::~EventIdBuilder() = default;
EventIdBuilder::EventIdBuilder(EventIdBuilder&&) noexcept = default;
EventIdBuilder& EventIdBuilder::operator=(EventIdBuilder&&) noexcept = default;

void EventIdBuilder::add(std::string_view part) {
  const auto size = static_cast<uint32_t>(part.size());
  const unsigned char prefix[4] = {
      static_cast<unsigned char>(size), static_cast<unsigned char>(size >> 8),
      static_cast<unsigned char>(size >> 16), static_cast<unsigned char>(size >> 24)};
  XXH3_128bits_update(&state_->xxh, prefix, sizeof prefix);
  XXH3_128bits_update(&state_->xxh, part.data(), part.size());
}

void EventIdBuilder::finishInto(std::string& out) {
  const XXH128_hash_t hash = XXH3_128bits_digest(&state_->xxh);
  static constexpr char kHex[] = "0123456789abcdef";
  for (const uint64_t half : {hash.high64, hash.low64}) {
    for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(half >> shift) & 0xF]);
  }
  XXH3_128bits_reset(&state_->xxh);
}

}  // namespace hearth::pipelines
