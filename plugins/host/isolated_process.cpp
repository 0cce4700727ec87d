#include "plugins/host/isolated_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace hearth::host {
namespace {

// The descriptor the child reports a failed exec on; everything above it is closed.
constexpr int kExecErrorFd = 3;

// Everything the child needs, built before fork(): between fork() and exec() only
// async-signal-safe calls are allowed, so nothing there may allocate.
struct PreparedExec {
  std::vector<std::string> storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* work_dir = nullptr;
};

[[noreturn]] void childFails(int fd, int error) {
  const ssize_t written = ::write(fd, &error, sizeof error);
  (void)written;
  ::_exit(127);
}

void setLimit(int resource, uint64_t value, int error_fd) {
  if (value == 0) return;
  const rlimit limit{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  if (::setrlimit(resource, &limit) != 0) childFails(error_fd, errno);
}

// Runs in the child between fork() and exec().
[[noreturn]] void becomeChild(const PreparedExec& exec, const ProcessLimits& limits, int out_fd,
                              int err_fd, int error_fd) {
  ::setpgid(0, 0);
  // The daemon's blocked signals and ignored SIGPIPE would otherwise survive exec().
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);

  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) childFails(error_fd, errno);
  if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
      ::dup2(err_fd, STDERR_FILENO) < 0) {
    childFails(error_fd, errno);
  }
  if (error_fd != kExecErrorFd) {
    if (::dup3(error_fd, kExecErrorFd, O_CLOEXEC) < 0) childFails(error_fd, errno);
    error_fd = kExecErrorFd;
  }
  // Nothing of the daemon's (sockets, the state database, other children's pipes) leaks in.
  if (::syscall(SYS_close_range, kExecErrorFd + 1, ~0U, 0) != 0) {
    for (int fd = kExecErrorFd + 1; fd < 65536; ++fd) ::close(fd);
  }
  setLimit(RLIMIT_AS, limits.address_space_bytes, error_fd);
  setLimit(RLIMIT_CPU, limits.cpu_seconds, error_fd);
  setLimit(RLIMIT_NOFILE, limits.open_files, error_fd);
  if (exec.work_dir != nullptr && ::chdir(exec.work_dir) != 0) childFails(error_fd, errno);
  ::execve(exec.argv[0], exec.argv.data(), exec.envp.data());
  childFails(error_fd, errno);
}

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<IsolatedProcess>> IsolatedProcess::spawn(const ProcessSpec& spec) {
  if (spec.argv.empty()) return makeError("process.spawn", "no command to run");
  PreparedExec exec;
  exec.storage.reserve(spec.argv.size() + spec.env.size());
  for (const auto& arg : spec.argv) exec.storage.push_back(arg);
  for (const auto& [name, value] : spec.env) exec.storage.push_back(name + "=" + value);
  for (size_t i = 0; i < spec.argv.size(); ++i) exec.argv.push_back(exec.storage[i].data());
  exec.argv.push_back(nullptr);
  for (size_t i = spec.argv.size(); i < exec.storage.size(); ++i) {
    exec.envp.push_back(exec.storage[i].data());
  }
  exec.envp.push_back(nullptr);
  const std::string work_dir = spec.work_dir.string();
  if (!work_dir.empty()) exec.work_dir = work_dir.c_str();

  int out[2], err[2], status_pipe[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return makeError("process.spawn", std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return makeError("process.spawn", std::strerror(errno));
  }
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    return makeError("process.spawn", std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], err[0], err[1], status_pipe[0], status_pipe[1]}) ::close(fd);
    return makeError("process.spawn", std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) becomeChild(exec, spec.limits, out[1], err[1], status_pipe[1]);

  // Both sides set the group, so that a kill sent right after fork() already reaches it.
  ::setpgid(pid, pid);
  ::close(out[1]);
  ::close(err[1]);
  ::close(status_pipe[1]);
  std::unique_ptr<IsolatedProcess> process(new IsolatedProcess(pid, out[0], err[0]));
  int child_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (got == sizeof child_errno) {
    process->wait(std::chrono::seconds(5));
    return makeError("process.spawn",
                     "cannot run " + spec.argv[0] + ": " + std::strerror(child_errno));
  }
  return process;
}

IsolatedProcess::~IsolatedProcess() {
  closeStdout();
  closeStderr();
  if (!status_) {
    killGroup();
    wait(std::chrono::seconds(10));
  }
}

void IsolatedProcess::closeStdout() { closeFd(stdout_fd_); }
void IsolatedProcess::closeStderr() { closeFd(stderr_fd_); }

void IsolatedProcess::killGroup() {
  // The group id is the child's pid; it stays reserved while the child is unreaped.
  ::kill(-pid_, SIGKILL);
}

bool IsolatedProcess::exited() const {
  if (status_) return true;
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid_;
}

std::optional<int> IsolatedProcess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    // Looked at without reaping first: while the child is a zombie its pid still names the
    // group, so what it left running there can be killed without hitting a reused pid.
    siginfo_t info{};
    const int seen = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (seen == 0 && info.si_pid == pid_) {
      ::kill(-pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      status_ = status;
      return status_;
    }
    if (seen < 0 && errno != EINTR) {
      status_ = W_EXITCODE(127, 0);  // not our child any more: nothing left to wait for
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

std::string describeExit(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const int signal = WTERMSIG(wait_status);
    const char* name = ::strsignal(signal);
    return "killed by signal " + std::to_string(signal) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "ended with wait status " + std::to_string(wait_status);
}

}  // namespace hearth::host
