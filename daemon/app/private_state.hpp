#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace hearth::daemon::app {

/// Creates the state directory if needed (0700) and checks that nothing in it is open to other
/// users: the record store, the state store, the spool and the dead letters hold source records
/// with names and identifiers, so each file must be 0600 and each directory 0700 whatever the
/// umask was when they were made. The error names the first entry that is not, and its mode.
Result<void> checkPrivateStateDir(const std::filesystem::path& state_dir);

}  // namespace hearth::daemon::app
