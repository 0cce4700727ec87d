#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::pipelines {

struct KeyHash;

/// Builds deterministic event ids: 128 bits of XXH3 over length-prefixed parts, as 32 hex
/// characters. The id only has to be stable and collision-free in practice (consumers deduplicate
/// on it); it protects nothing, so a fast non-cryptographic hash with a fixed specification is
/// the right tool. The parts are gathered into one buffer and hashed in one call: XXH3's
/// streaming interface costs more than the copy for parts this small. A long input (a digest over
/// a whole council's subjects) goes through that interface a buffer at a time instead, so it is
/// never held whole; the id is the same either way. Reusable; not thread-safe.
class EventIdBuilder {
 public:
  EventIdBuilder();
  ~EventIdBuilder();
  EventIdBuilder(EventIdBuilder&&) noexcept;
  EventIdBuilder& operator=(EventIdBuilder&&) noexcept;

  /// Adds a part; ("ab","c") and ("a","bc") give different ids.
  void add(std::string_view part);
  /// Appends the id of everything added since the last finish() and starts afresh.
  void finishInto(std::string& out);
  /// The hash of everything added since the last finish, as finishInto() writes it; starts afresh.
  KeyHash finish();

 private:
  struct Stream;
  /// What is gathered before it goes to the stream: past this, an input is hashed in pieces.
  static constexpr size_t kGatherLimit = 64 * 1024;
  void spill();
  void grow(size_t more);  // room for `more` bytes after what is gathered

  std::unique_ptr<char[]> gather_;  // the parts of the current input not yet hashed
  size_t gathered_ = 0;
  size_t room_ = 0;
  std::unique_ptr<Stream> stream_;  // made at the first spill, kept for the next long input
  bool streaming_ = false;          // part of the current input went to the stream
};

/// 128 bits of XXH3 over a key: what a set of many long keys holds in their place, where a
/// collision would be as unlikely as one of event ids.
struct KeyHash {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const KeyHash&) const = default;
};
KeyHash keyHash(std::string_view key);
/// Appends `hash` as 32 lower-case hex digits, its high half first, as event ids are written.
void appendHex(std::string& out, const KeyHash& hash);
/// Appends `value` as 16 lower-case hex digits.
void appendHex(std::string& out, uint64_t value);
/// The hash appendHex wrote as `hex`; none for any other text.
std::optional<KeyHash> parseHex(std::string_view hex);
struct KeyHashHasher {
  size_t operator()(const KeyHash& hash) const { return hash.low; }
};

}  // namespace hearth::pipelines
