#include "tests/common/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace hearth::testing {
namespace {

std::vector<char*> argv(const std::filesystem::path& program, const std::vector<std::string>& args,
                        std::string& program_storage) {
  program_storage = program.string();
  std::vector<char*> out{program_storage.data()};
  for (const auto& arg : args) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::optional<int> waitPid(pid_t pid, std::optional<int>& status,
                           std::chrono::milliseconds timeout) {
  if (status) return status;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int raw = 0;
    const pid_t done = ::waitpid(pid, &raw, WNOHANG);
    if (done == pid) {
      status = decodeStatus(raw);
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

ChildProcess::ChildProcess(const std::filesystem::path& program,
                           const std::vector<std::string>& args,
                           const std::filesystem::path& log_dir, const std::string& name)
    : stdout_path_(log_dir / (name + ".stdout")), stderr_path_(log_dir / (name + ".stderr")) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string storage;
  auto args_c = argv(program, args, storage);
  const int rc = posix_spawn(&pid_, storage.c_str(), &actions, nullptr, args_c.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + program.string());
}

ChildProcess::~ChildProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

void ChildProcess::signal(int signo) {
  if (!status_) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  return waitPid(pid_, status_, timeout);
}

bool ChildProcess::running() { return !wait(std::chrono::milliseconds(0)).has_value(); }

std::string ChildProcess::stdoutText() const { return readFile(stdout_path_); }
std::string ChildProcess::stderrText() const { return readFile(stderr_path_); }

std::optional<std::string> ChildProcess::waitForStderr(const std::string& needle,
                                                       std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(stderrText());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

PipedProcess::PipedProcess(const std::filesystem::path& program,
                           const std::vector<std::string>& args) {
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  std::string storage;
  auto args_c = argv(program, args, storage);
  const int rc = posix_spawn(&pid_, storage.c_str(), &actions, nullptr, args_c.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  if (rc != 0) throw std::runtime_error("cannot start " + program.string());
}

PipedProcess::~PipedProcess() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (!status_ && pid_ > 0) {
    if (!wait(std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      wait(std::chrono::seconds(5));
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::optional<std::string> PipedProcess::readLine(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void PipedProcess::writeLine(const std::string& line) {
  const std::string data = line + "\n";
  [[maybe_unused]] const ssize_t n = ::write(stdin_fd_, data.data(), data.size());
}

std::optional<int> PipedProcess::wait(std::chrono::milliseconds timeout) {
  return waitPid(pid_, status_, timeout);
}

}  // namespace hearth::testing
