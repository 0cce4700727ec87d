#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace hearth::daemon::app {

/// An exclusive lock on a state directory, so that two daemons never share one spool and one
/// set of checkpoints: flock(2) on `<state_dir>/hearthd.lock`, which holds the owner's pid. The
/// kernel releases it when the process ends, however it ends, so a stale file never blocks a
/// restart. Verbs that only read state (`indicators --offline`, ...) do not take it.
class StateDirLock {
 public:
  static constexpr const char* kFileName = "hearthd.lock";

  /// Creates the directory if needed and takes the lock; fails, naming the holder's pid, if
  /// another process has it.
  static Result<std::unique_ptr<StateDirLock>> acquire(const std::filesystem::path& state_dir);

  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

  /// What went wrong if the lock file is no longer the one locked (the directory, or the file,
  /// was deleted or replaced while running): another daemon could then take the directory.
  std::optional<std::string> problem() const;

 private:
  StateDirLock(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::filesystem::path path_;
  int fd_;
};

}  // namespace hearth::daemon::app
