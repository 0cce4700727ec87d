#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "connectors/csv/csv_reader.hpp"

namespace hearth::connectors::csv {

/// An open file descriptor, closed when the handle goes.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

/// What identifies an open file and how much of it there is.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t modified_ms = 0;  // Unix epoch milliseconds
};

/// How many leading bytes a file's fingerprint covers at most.
inline constexpr size_t kFingerprintBytes = 1024;

/// Names of the regular files in `directory` matching the glob `pattern`, sorted by name.
Result<std::vector<std::string>> listMatchingFiles(const std::string& directory,
                                                   const std::string& pattern);

/// Opens a file for reading.
Result<UniqueFd> openForReading(const std::string& path);

Result<FileIdentity> identify(int fd);

/// A hash (64-bit FNV-1a) of the file's first `bytes` (at most kFingerprintBytes) bytes, which
/// must exist.
Result<uint64_t> fingerprint(int fd, size_t bytes);

/// Reads the rows of one open file, from a position on, through a buffer it refills in blocks.
class FileScanner {
 public:
  /// Bytes read from the file at a time.
  static constexpr size_t kBlockBytes = size_t{1} << 20;
  /// The buffer a scanner needs for rows of up to `max_row_bytes`.
  static size_t bufferBytes(size_t max_row_bytes);

  /// `buffer` must hold bufferBytes(options.max_row_bytes); the scanner borrows it. A row
  /// without a final line break is taken once the file has been unmodified for `settle_ms`.
  FileScanner(int fd, std::span<char> buffer, const CsvOptions& options, Position start,
              int64_t settle_ms);

  /// kRow: row() holds the next row. kEnd: the file is read to its end. kNeedMore: what is left
  /// is an incomplete row of a file that may still grow; come back later.
  Result<ReadStatus> next();
  const Row& row() const { return reader_.row(); }
  /// A row boundary to continue from later.
  Position resumePosition() const { return reader_.resumePosition(); }

 private:
  enum class EndOfFile { kGrown, kSettled, kStillChanging };
  EndOfFile checkEndOfFile() const;

  int fd_;
  std::span<char> buffer_;
  CsvReader reader_;
  int64_t settle_ms_;
  uint64_t buffer_offset_;  // file offset of buffer_[0]
  size_t buffered_ = 0;
  bool at_end_of_file_ = false;
  bool final_ = false;
};

}  // namespace hearth::connectors::csv
