#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hearth::host {

/// Resource limits applied to a child before it runs; 0 leaves a limit as the daemon's own.
struct ProcessLimits {
  uint64_t address_space_bytes = 0;  // RLIMIT_AS
  uint64_t cpu_seconds = 0;          // RLIMIT_CPU
  uint64_t open_files = 0;           // RLIMIT_NOFILE
  bool operator==(const ProcessLimits&) const = default;
};

/// What to run and how to fence it in.
struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's path
  /// The child's whole environment: nothing of the daemon's own is passed on.
  std::map<std::string, std::string> env;
  ProcessLimits limits;
  std::filesystem::path work_dir;  // empty: the daemon's
};

/// A child process in a process group of its own, with stdin on /dev/null, stdout and stderr
/// on pipes, no other descriptor of the daemon, and the limits of its spec. Destroying it kills
/// the whole group and reaps the child.
class IsolatedProcess {
 public:
  static Result<std::unique_ptr<IsolatedProcess>> spawn(const ProcessSpec& spec);

  ~IsolatedProcess();
  IsolatedProcess(const IsolatedProcess&) = delete;
  IsolatedProcess& operator=(const IsolatedProcess&) = delete;

  pid_t pid() const { return pid_; }
  int stdoutFd() const { return stdout_fd_; }
  int stderrFd() const { return stderr_fd_; }
  void closeStdout();
  void closeStderr();

  /// SIGKILL to every process of the group (the child and whatever it started).
  void killGroup();
  /// Whether the child has ended (it is not reaped: wait() still gives its status).
  bool exited() const;
  /// Waits up to `timeout` for the child to end and returns its wait status; nullopt if it is
  /// still running. Kills the rest of its group once it has ended.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  IsolatedProcess(pid_t pid, int stdout_fd, int stderr_fd)
      : pid_(pid), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {}

  pid_t pid_;
  int stdout_fd_;
  int stderr_fd_;
  std::optional<int> status_;
};

/// "exited with status 3", "killed by signal 11 (Segmentation fault)".
std::string describeExit(int wait_status);

}  // namespace hearth::host
