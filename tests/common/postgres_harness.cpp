#include "tests/common/postgres_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace hearth::testing {
namespace {

// The bootstrap superuser of the throwaway cluster; it only connects over the Unix socket.
constexpr const char* kSuperuser = "postgres";
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr int kPortAttempts = 5;

// Who the server and the client tools run as: the current user, or, for root, an unprivileged
// account, because initdb and postgres refuse to run as root.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Account serverAccount() {
  if (::geteuid() != 0) return {};
  const char* name = std::getenv("HEARTH_PG_USER");
  if (name == nullptr || *name == '\0') name = "postgres";
  const passwd* entry = ::getpwnam(name);
  if (entry == nullptr) {
    throw std::runtime_error(
        std::string("running as root, PostgreSQL needs an unprivileged user, ") + "and user '" +
        name + "' does not exist (set HEARTH_PG_USER)");
  }
  return {true, entry->pw_uid, entry->pw_gid};
}

std::filesystem::path binDirectory() {
  if (const char* bin = std::getenv("HEARTH_PG_BIN"); bin != nullptr && *bin != '\0') return bin;
  const std::filesystem::path preferred = "/usr/lib/postgresql/15/bin";
  if (std::filesystem::exists(preferred / "postgres")) return preferred;
  std::vector<std::filesystem::path> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
    if (std::filesystem::exists(entry.path() / "bin" / "postgres")) {
      found.push_back(entry.path() / "bin");
    }
  }
  if (found.empty()) {
    throw std::runtime_error(
        "PostgreSQL server binaries not found under /usr/lib/postgresql (install postgresql-15 "
        "or set HEARTH_PG_BIN)");
  }
  std::sort(found.begin(), found.end());
  return found.back();
}

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  ::chmod(path.c_str(), 0644);
}

// A free loopback port at the time of asking; the server may still lose a race for it, which
// start() handles by trying another.
uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket(): " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port: " + why);
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Starts `args` with stdout and stderr going to `output`, as `account`, in `cwd`.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output,
            const std::filesystem::path& cwd, const Account& account) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot create " + output.string());
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    throw std::runtime_error("fork(): " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    const int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (account.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(account.gid) != 0 ||
          ::setuid(account.uid) != 0) {
        ::_exit(126);
      }
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// Runs a tool to completion; throws with its output when it fails.
std::string runTool(const std::vector<std::string>& args, const std::filesystem::path& output,
                    const std::filesystem::path& cwd, const Account& account) {
  const int code = waitExit(spawn(args, output, cwd, account));
  std::string text = readText(output);
  if (code != 0) {
    throw std::runtime_error(args.front() + " failed (exit " + std::to_string(code) + "): " + text);
  }
  return text;
}

std::string quoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

PostgresServer::PostgresServer(Options options) : options_(std::move(options)) {}

std::unique_ptr<PostgresServer> PostgresServer::start(const Options& options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer(options));
  server->launch();
  return server;
}

void PostgresServer::launch() {
  const Account account = serverAccount();
  bin_ = binDirectory();
  // Short, because the Unix socket path lives inside it and must fit in sun_path.
  std::string pattern = "/tmp/hearth_pg_XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(): " + std::string(std::strerror(errno)));
  }
  dir_ = pattern;
  if (account.switch_user && ::chown(dir_.c_str(), account.uid, account.gid) != 0) {
    const std::string why = std::strerror(errno);
    stop();
    throw std::runtime_error("cannot hand " + dir_.string() + " to the server user: " + why);
  }
  try {
    runTool({(bin_ / "initdb").string(), "-D", (dir_ / "data").string(), "-U", kSuperuser, "-E",
             "UTF8", "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256", "-N"},
            dir_ / "initdb.log", dir_, account);

    for (int attempt = 1;; ++attempt) {
      port_ = freeLoopbackPort();
      std::vector<std::string> args = {
          (bin_ / "postgres").string(), "-D", (dir_ / "data").string(), "-p", std::to_string(port_),
          "-k", dir_.string(), "-c", "listen_addresses=127.0.0.1",
          // A test cluster is thrown away: durability only costs time.
          "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"};
      std::istringstream settings(options_.settings);
      for (std::string setting; settings >> setting;) {
        args.push_back("-c");
        args.push_back(setting);
      }
      pid_ = spawn(args, dir_ / "server.log", dir_, account);

      const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
      bool ready = false;
      while (!ready && std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        const pid_t probe = spawn({(bin_ / "pg_isready").string(), "-q", "-h", "127.0.0.1", "-p",
                                   std::to_string(port_), "-U", kSuperuser, "-d", "postgres"},
                                  dir_ / "pg_isready.log", dir_, account);
        ready = waitExit(probe) == 0;
        if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (ready) break;
      const std::string log = readText(dir_ / "server.log");
      const bool port_taken = pid_ < 0 && log.find("could not bind") != std::string::npos;
      if (!port_taken || attempt == kPortAttempts) {
        throw std::runtime_error("PostgreSQL did not start on port " + std::to_string(port_) +
                                 ": " + log);
      }
    }

    writeText(dir_ / "bootstrap.sql", "CREATE ROLE " + options_.role + " LOGIN PASSWORD " +
                                          quoteLiteral(options_.password) + ";\nCREATE DATABASE " +
                                          options_.database + " OWNER " + options_.role + ";\n");
    runTool({(bin_ / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", dir_.string(),
             "-p", std::to_string(port_), "-U", kSuperuser, "-d", "postgres", "-f",
             (dir_ / "bootstrap.sql").string()},
            dir_ / "bootstrap.log", dir_, account);
  } catch (...) {
    stop();
    throw;
  }
}

PostgresServer::~PostgresServer() { stop(); }

void PostgresServer::stop() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGINT);  // fast shutdown: roll back sessions and exit
    const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
}

std::string PostgresServer::odbcConnectionString() const {
  return "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=" + std::to_string(port_) +
         ";Database=" + options_.database + ";Uid=" + options_.role + ";";
}

std::string PostgresServer::runPsql(const std::filesystem::path& file,
                                    const std::string& database) const {
  const uint64_t n = ++scripts_;
  // The login role owns the database, so what a test creates is readable by the connector.
  return runTool({(bin_ / "psql").string(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                  dir_.string(), "-p", std::to_string(port_), "-U", options_.role, "-d", database,
                  "-f", file.string()},
                 dir_ / ("psql_" + std::to_string(n) + ".log"), dir_, serverAccount());
}

std::string PostgresServer::runSql(std::string_view sql) const {
  const std::filesystem::path file = dir_ / ("script_" + std::to_string(scripts_ + 1) + ".sql");
  writeText(file, sql);
  return runPsql(file, options_.database);
}

std::string PostgresServer::runSqlFile(const std::filesystem::path& file) const {
  // A copy inside the cluster's directory, which the server user can always read.
  const std::filesystem::path copy = dir_ / ("script_" + std::to_string(scripts_ + 1) + ".sql");
  std::filesystem::copy_file(file, copy, std::filesystem::copy_options::overwrite_existing);
  ::chmod(copy.c_str(), 0644);
  return runPsql(copy, options_.database);
}

std::string PostgresServer::queryValue(std::string_view sql) const {
  std::string value = runSql(sql);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace hearth::testing
