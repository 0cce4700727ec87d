#include "daemon/config/file_access.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hearth::config {
namespace {

struct FileCloser {
  int fd;
  ~FileCloser() { ::close(fd); }
};

Error unreadable(const std::filesystem::path& path, int error) {
  return makeError("file.unreadable", "cannot read " + path.string() + ": " + std::strerror(error));
}

}  // namespace

Result<std::string> readRegularFile(const std::filesystem::path& path, std::size_t max_bytes) {
  // Non-blocking, so that opening a FIFO returns at once; the type is checked on the open file,
  // not on the path, so nothing can be swapped in between.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return unreadable(path, errno);
  const FileCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return unreadable(path, errno);
  if (S_ISDIR(info.st_mode)) {
    return makeError("file.not_regular", path.string() + " is a directory, not a file");
  }
  if (!S_ISREG(info.st_mode)) {
    return makeError("file.not_regular",
                     path.string() + " is not a regular file (a FIFO, socket or device)");
  }
  if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    return makeError("file.too_large", path.string() + " is " + std::to_string(info.st_size) +
                                           " bytes; the limit is " + std::to_string(max_bytes));
  }
  // One byte more than the file's size, to see it end (or grow past the limit).
  std::string content(std::min(max_bytes, static_cast<std::size_t>(info.st_size)) + 1, '\0');
  std::size_t used = 0;
  while (used <= max_bytes) {
    if (used == content.size()) content.resize(std::min(max_bytes + 1, content.size() * 2));
    const ssize_t got = ::read(fd, content.data() + used, content.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return unreadable(path, errno);
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  if (used > max_bytes) {
    return makeError("file.too_large", path.string() + " is larger than the limit of " +
                                           std::to_string(max_bytes) + " bytes");
  }
  content.resize(used);
  return content;
}

Result<void> checkWritableDirectory(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::path existing = directory;
  while (!std::filesystem::exists(existing, ec) && existing.has_relative_path()) {
    existing = existing.parent_path();
  }
  if (!std::filesystem::is_directory(existing, ec)) {
    return makeError("file.not_directory", existing.string() + " is not a directory");
  }
  const std::filesystem::path probe =
      existing / (".hearth-write-check-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    return makeError("file.not_writable", existing.string() + " is not writable by uid " +
                                              std::to_string(::geteuid()) + ": " +
                                              std::strerror(error));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

}  // namespace hearth::config
