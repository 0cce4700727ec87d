#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace hearth::testing {

/// A throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, listening
/// on a free loopback port and on a Unix socket in that directory, with one database and one
/// login role. The server is stopped and its directory removed on destruction.
///
/// PostgreSQL refuses to run as root, so when the test runs as root the server and the client
/// tools run as the unprivileged user `postgres` (created by the postgresql package), or as the
/// user named by HEARTH_PG_USER. HEARTH_PG_BIN overrides where initdb, postgres and psql are.
class PostgresServer {
 public:
  struct Options {
    std::string database = "ssd";
    std::string role = "hearth";
    std::string password = "hearth-test-password";
    /// Extra `-c name=value` server settings, space-separated "name=value" pairs.
    std::string settings;
  };

  /// Starts a server; throws std::runtime_error, with the tool's output, when it cannot.
  static std::unique_ptr<PostgresServer> start(const Options& options);
  static std::unique_ptr<PostgresServer> start() { return start(Options{}); }

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  uint16_t port() const { return port_; }
  const std::string& database() const { return options_.database; }
  const std::string& role() const { return options_.role; }
  const std::string& password() const { return options_.password; }

  /// An ODBC connection string for psqlODBC reaching the database over TCP as the login role,
  /// without the password (callers append Pwd= the way the connector does).
  std::string odbcConnectionString() const;

  /// Runs SQL through psql as the superuser in the test database, stopping at the first error;
  /// returns what psql printed (unaligned, tuples only). Throws std::runtime_error on failure.
  std::string runSql(std::string_view sql) const;
  /// The same for a file, which may hold COPY ... FROM stdin blocks.
  std::string runSqlFile(const std::filesystem::path& file) const;
  /// The single value a query returns, e.g. a count.
  std::string queryValue(std::string_view sql) const;

 private:
  explicit PostgresServer(Options options);
  void launch();
  void stop() noexcept;
  std::string runPsql(const std::filesystem::path& file, const std::string& database) const;

  Options options_;
  std::filesystem::path dir_;
  std::filesystem::path bin_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  mutable uint64_t scripts_ = 0;
};

}  // namespace hearth::testing
