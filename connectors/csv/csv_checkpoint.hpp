#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hearth::connectors::csv {

/// How far one file has been read, and how to recognise the same file next time.
struct FileCheckpoint {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t offset = 0;             // a row boundary: reading continues here
  uint64_t line = 1;               // the physical line at offset
  uint64_t fingerprint = 0;        // hash of the file's first fingerprint_bytes bytes
  uint64_t fingerprint_bytes = 0;  // at most kFingerprintBytes

  friend bool operator==(const FileCheckpoint&, const FileCheckpoint&) = default;
};

/// The connector's checkpoint token: a FileCheckpoint per stream and file name, as a small JSON
/// document: {"version":1,"streams":{"<stream>":{"<file>":{"device":..,"inode":..,"offset":..,
/// "line":..,"fingerprint":"<16 hex digits>","fingerprint_bytes":..}}}}.
class Checkpoint {
 public:
  /// Reads a token; the empty token is the empty checkpoint.
  static Result<Checkpoint> parse(std::string_view token);
  std::string serialize() const;

  /// The saved state of a file, or null.
  const FileCheckpoint* find(std::string_view stream, std::string_view file) const;
  void set(std::string_view stream, std::string_view file, const FileCheckpoint& state);
  /// Forgets the files of `stream` that are not in `present`, so the token does not grow with
  /// every file that ever passed through the directory.
  void retainOnly(std::string_view stream, const std::vector<std::string>& present);

 private:
  using Files = std::map<std::string, FileCheckpoint, std::less<>>;
  std::map<std::string, Files, std::less<>> streams_;
};

}  // namespace hearth::connectors::csv
