#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hearth::connectors::common {

/// What a file looked like when it was last read whole. A file that is replaced rather than
/// appended to (a yearly census, an XML return) is read again from its start when any of this
/// changes, unless its content hash is still the same (a touch or a copy of the same bytes).
struct WholeFileState {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t modified_ms = 0;
  uint64_t hash = 0;  // 64-bit FNV-1a of the whole content

  /// True when the cheap metadata (device, inode, size, modification time) is unchanged.
  bool sameMetadata(const WholeFileState& other) const {
    return device == other.device && inode == other.inode && size == other.size &&
           modified_ms == other.modified_ms;
  }
  friend bool operator==(const WholeFileState&, const WholeFileState&) = default;
};

/// The states of several files by name, serialised into a JSON object
/// {"<file>":{"device":..,"inode":..,"size":..,"modified_ms":..,"hash":"<16 hex digits>"}}.
using WholeFileStates = std::map<std::string, WholeFileState, std::less<>>;

/// The JSON text of `states`.
std::string serializeStates(const WholeFileStates& states);

/// Reads the JSON text written by serializeStates; empty text is no states.
Result<WholeFileStates> parseStates(std::string_view json);

/// The metadata of an open file; the hash is left 0.
Result<WholeFileState> describeFile(int fd);

/// The 64-bit FNV-1a hash of everything in the open file.
Result<uint64_t> hashWholeFile(int fd);

/// Continues a 64-bit FNV-1a hash over `bytes`; start with kFnvOffset.
inline constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
inline uint64_t fnv1a(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace hearth::connectors::common
