#include "daemon/app/state_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

namespace hearth::daemon::app {
namespace {

std::string errnoText(int error) { return std::generic_category().message(error); }

// The pid written by the holder; empty if unreadable.
std::string holderPid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return {};
  std::string_view text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return {};
  return std::string(text);
}

}  // namespace

Result<std::unique_ptr<StateDirLock>> StateDirLock::acquire(
    const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    return makeError("state.lock",
                     "cannot create state directory " + state_dir.string() + ": " + ec.message());
  }
  const auto path = state_dir / kFileName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return makeError("state.lock", "cannot open " + path.string() + ": " + errnoText(errno));
  }
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int error = errno;
    const std::string pid = holderPid(fd);
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return makeError("state.locked", "state directory " + state_dir.string() +
                                           " is in use by another hearthd (pid " +
                                           (pid.empty() ? std::string("unknown") : pid) +
                                           "); stop it first or give this one its own state_dir");
    }
    return makeError("state.lock", "cannot lock " + path.string() + ": " + errnoText(error));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // Best effort: without the pid the lock still holds; only a refused daemon's message is poorer.
  [[maybe_unused]] const bool noted =
      ::ftruncate(fd, 0) == 0 &&
      ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  return std::unique_ptr<StateDirLock>(new StateDirLock(path, fd));
}

StateDirLock::~StateDirLock() {
  // Unlocked by the close; the file stays, as removing it could race a daemon that opened it.
  ::close(fd_);
}

std::optional<std::string> StateDirLock::problem() const {
  struct stat held {};
  struct stat now {};
  if (::fstat(fd_, &held) != 0) return std::nullopt;
  if (::stat(path_.c_str(), &now) != 0) {
    return "the state directory " + path_.parent_path().string() + " (or its " + kFileName +
           ") was deleted while running";
  }
  if (now.st_dev != held.st_dev || now.st_ino != held.st_ino) {
    return "the state directory " + path_.parent_path().string() + " (or its " + kFileName +
           ") was replaced while running";
  }
  return std::nullopt;
}

}  // namespace hearth::daemon::app
