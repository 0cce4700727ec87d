#include "daemon/app/disk_reserve.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <system_error>

namespace hearth::daemon::app {

bool DiskReserve::release() {
  std::error_code ec;
  held_ = false;
  return std::filesystem::remove(path_, ec);
}

bool DiskReserve::replenish(uint64_t floor) {
  if (held_) return true;
  struct statvfs vfs {};
  if (::statvfs(path_.parent_path().c_str(), &vfs) != 0) return false;
  const uint64_t free_bytes = uint64_t{vfs.f_bavail} * vfs.f_frsize;
  if (free_bytes < floor + kBytes) return false;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return false;
  // posix_fallocate allocates the blocks, so the space is really held (a sparse file would not).
  held_ = ::posix_fallocate(fd, 0, static_cast<off_t>(kBytes)) == 0;
  ::close(fd);
  if (!held_) release();
  return held_;
}

}  // namespace hearth::daemon::app
