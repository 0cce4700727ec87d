#include "daemon/app/private_state.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace hearth::daemon::app {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms kOthersAndGroup = fs::perms::group_all | fs::perms::others_all;

std::string octalMode(fs::perms perms) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(perms & fs::perms::mask));
  return text;
}

Result<void> refuse(const fs::path& path, fs::perms perms, bool directory) {
  return makeError("state.not_private", path.string() + " is open to other users (mode " +
                                            octalMode(perms) + ") and may hold personal data: " +
                                            (directory ? "chmod 700 " : "chmod 600 ") +
                                            path.string());
}

}  // namespace

Result<void> checkPrivateStateDir(const fs::path& state_dir) {
  std::error_code ec;
  if (!fs::exists(state_dir, ec)) {
    // Only the last component is ours to make private; parents are the administrator's.
    fs::create_directories(state_dir.parent_path(), ec);
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return makeError("state.create", "cannot create state directory " + state_dir.string() +
                                           ": " + std::strerror(errno));
    }
  }
  const auto root = fs::status(state_dir, ec);
  if (ec) return makeError("state.stat", state_dir.string() + ": " + ec.message());
  if ((root.permissions() & kOthersAndGroup) != fs::perms::none) {
    return refuse(state_dir, root.permissions(), true);
  }
  for (fs::recursive_directory_iterator it(state_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_symlink(status)) continue;  // what it points to is checked where it lives
    if ((status.permissions() & kOthersAndGroup) != fs::perms::none) {
      return refuse(it->path(), status.permissions(), fs::is_directory(status));
    }
  }
  if (ec) return makeError("state.stat", state_dir.string() + ": " + ec.message());
  return {};
}

}  // namespace hearth::daemon::app
