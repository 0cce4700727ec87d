#include "connectors/csv/csv_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace hearth::connectors::csv {
namespace {

Error ioError(const std::string& what, int error) {
  return makeError("csv.io", what + ": " + std::strerror(error));
}

// Closes a directory stream; a stateless deleter, as for any C handle.
struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<std::string>> listMatchingFiles(const std::string& directory,
                                                   const std::string& pattern) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(directory.c_str()));
  if (dir == nullptr) {
    const int error = errno;
    return ioError("cannot list directory " + directory, error);
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;  // readdir() reports an error only through errno
    const dirent* entry = ::readdir(dir.get());
    if (entry == nullptr) {
      const int error = errno;
      if (error != 0) return ioError("cannot list directory " + directory, error);
      break;
    }
    // FNM_PERIOD: "*.csv" should not pick up hidden files, such as an editor's swap file.
    if (::fnmatch(pattern.c_str(), entry->d_name, FNM_PERIOD) != 0) continue;
    struct stat info;
    if (::fstatat(::dirfd(dir.get()), entry->d_name, &info, 0) == 0 && S_ISREG(info.st_mode)) {
      names.emplace_back(entry->d_name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<UniqueFd> openForReading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return ioError("cannot open " + path, error);
  }
  return UniqueFd(fd);
}

Result<FileIdentity> identify(int fd) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return ioError("cannot stat", errno);
  return FileIdentity{
      .device = static_cast<uint64_t>(info.st_dev),
      .inode = static_cast<uint64_t>(info.st_ino),
      .size = static_cast<uint64_t>(info.st_size),
      .modified_ms = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 +
                     static_cast<int64_t>(info.st_mtim.tv_nsec) / 1'000'000,
  };
}

Result<uint64_t> fingerprint(int fd, size_t bytes) {
  char head[kFingerprintBytes];
  bytes = std::min(bytes, sizeof(head));
  size_t have = 0;
  while (have < bytes) {
    const ssize_t n = ::pread(fd, head + have, bytes - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read", errno);
    if (n == 0) return makeError("csv.io", "file is shorter than its fingerprint");
    have += static_cast<size_t>(n);
  }
  uint64_t hash = 14695981039346656037ULL;
  for (size_t i = 0; i < bytes; ++i) {
    hash ^= static_cast<unsigned char>(head[i]);
    hash *= 1099511628211ULL;
  }
  return hash;
}

size_t FileScanner::bufferBytes(size_t max_row_bytes) {
  // One maximum row (with a CRLF and a byte to spare) is the most the reader keeps pending, so
  // after compaction there is always a whole block free.
  return max_row_bytes + 3 + kBlockBytes;
}

FileScanner::FileScanner(int fd, std::span<char> buffer, const CsvOptions& options, Position start,
                         int64_t settle_ms)
    : fd_(fd),
      buffer_(buffer),
      reader_(options, start),
      settle_ms_(settle_ms),
      buffer_offset_(start.offset) {}

Result<ReadStatus> FileScanner::next() {
  for (;;) {
    const size_t consumed = static_cast<size_t>(reader_.scanOffset() - buffer_offset_);
    const std::string_view input(buffer_.data() + consumed, buffered_ - consumed);
    const ReadStatus status = reader_.next(input, final_);
    if (status != ReadStatus::kNeedMore) return status;
    if (final_) return ReadStatus::kEnd;

    if (at_end_of_file_) {
      switch (checkEndOfFile()) {
        case EndOfFile::kGrown:
          at_end_of_file_ = false;
          continue;
        case EndOfFile::kSettled:
          final_ = true;
          continue;
        case EndOfFile::kStillChanging:
          return ReadStatus::kNeedMore;
      }
    }

    std::memmove(buffer_.data(), input.data(), input.size());
    buffer_offset_ = reader_.scanOffset();
    buffered_ = input.size();
    const size_t room = buffer_.size() - buffered_;
    ssize_t n;
    do {
      n = ::pread(fd_, buffer_.data() + buffered_, room,
                  static_cast<off_t>(buffer_offset_ + buffered_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return ioError("cannot read", errno);
    if (n == 0) at_end_of_file_ = true;
    buffered_ += static_cast<size_t>(n);
  }
}

FileScanner::EndOfFile FileScanner::checkEndOfFile() const {
  const Result<FileIdentity> now = identify(fd_);
  if (!now.ok()) return EndOfFile::kStillChanging;
  if (now->size > buffer_offset_ + buffered_) return EndOfFile::kGrown;
  if (settle_ms_ == 0 || nowMs() - now->modified_ms >= settle_ms_) return EndOfFile::kSettled;
  return EndOfFile::kStillChanging;
}

}  // namespace hearth::connectors::csv
