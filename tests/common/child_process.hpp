#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hearth::testing {

/// A child process for end-to-end tests: started with posix_spawn, its stdout and stderr
/// redirected to files (so a test can read what it logged), killed on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
               const std::filesystem::path& log_dir, const std::string& name);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo);
  /// Waits for exit; returns the exit status (or 128 + signal), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();

  std::string stdoutText() const;
  std::string stderrText() const;
  const std::filesystem::path& stderrPath() const { return stderr_path_; }

  /// Polls stderr until a line contains `needle`; returns that line.
  std::optional<std::string> waitForStderr(const std::string& needle,
                                           std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
};

/// A child process that talks over pipes: its stdin is writable, its stdout readable line by
/// line (used for the out-of-process mock Kafka cluster).
class PipedProcess {
 public:
  PipedProcess(const std::filesystem::path& program, const std::vector<std::string>& args);
  ~PipedProcess();
  PipedProcess(const PipedProcess&) = delete;
  PipedProcess& operator=(const PipedProcess&) = delete;

  std::optional<std::string> readLine(std::chrono::milliseconds timeout);
  void writeLine(const std::string& line);
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

std::string readFile(const std::filesystem::path& path);

}  // namespace hearth::testing
