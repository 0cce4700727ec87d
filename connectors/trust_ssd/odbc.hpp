#pragma once

#include <sql.h>
#include <sqlext.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hearth::connectors::trust_ssd {

/// Frees an ODBC handle of one kind; stateless, so a handle costs one pointer.
template <SQLSMALLINT kHandleType>
struct OdbcHandleFree {
  void operator()(SQLHANDLE handle) const noexcept { SQLFreeHandle(kHandleType, handle); }
};

/// Disconnects (if connected) and frees a connection handle.
struct OdbcConnectionFree {
  void operator()(SQLHANDLE handle) const noexcept {
    SQLDisconnect(handle);
    SQLFreeHandle(SQL_HANDLE_DBC, handle);
  }
};

using EnvHandle = std::unique_ptr<void, OdbcHandleFree<SQL_HANDLE_ENV>>;
using ConnectionHandle = std::unique_ptr<void, OdbcConnectionFree>;
using StatementHandle = std::unique_ptr<void, OdbcHandleFree<SQL_HANDLE_STMT>>;

/// True for SQL_SUCCESS and SQL_SUCCESS_WITH_INFO.
constexpr bool succeeded(SQLRETURN rc) noexcept {
  return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO;
}

/// The diagnostic records of a handle as "[SQLSTATE] message" joined with "; ".
std::string diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle);

/// The SQLSTATE of a handle's first diagnostic record, or empty.
std::string firstSqlState(SQLSMALLINT handle_type, SQLHANDLE handle);

/// The error for a failed statement call: a retry when the connection was lost or timed out
/// (SQLSTATE class 08, HYT00, HYT01), a plain failure otherwise.
Error statementError(SQLHSTMT statement, std::string_view what);

/// One open ODBC connection with its environment.
class OdbcConnection {
 public:
  /// Connects with a full connection string (which may hold a password: it is never put into a
  /// message). Every failure is a retry: the source may come back.
  static Result<std::unique_ptr<OdbcConnection>> open(const std::string& connection_string,
                                                      long login_timeout_s);

  SQLHDBC handle() const noexcept { return dbc_.get(); }

  /// A new statement handle, with a per-statement timeout when `timeout_s` > 0.
  Result<StatementHandle> statement(long timeout_s) const;

  /// Quotes an identifier for this source, doubling any quote character inside it.
  std::string quoteIdentifier(std::string_view identifier) const;

  /// False for a source whose columns hold any value whatever their declared type (SQLite):
  /// there a "datetime" column may hold text no driver can convert, so values are read as text.
  bool enforcesColumnTypes() const noexcept { return enforces_column_types_; }

  /// True when the source is PostgreSQL, whose own text of dates and timestamps is cheaper to
  /// read than psqlODBC's conversion of them (see the connector's select list).
  bool isPostgreSql() const noexcept { return is_postgresql_; }

  /// The connection string the driver completed (with a DSN's values filled in): it may hold
  /// the password, so it is never put into a message.
  const std::string& completedConnectionString() const noexcept { return completed_; }

  /// True when the driver reads a long value (SQLGetData) on any row of a fetched block
  /// (SQL_GD_BLOCK); without it only the row fetched last can be read so (SQLite's driver).
  bool getsDataInBlocks() const noexcept { return gets_data_in_blocks_; }

 private:
  OdbcConnection(EnvHandle env, ConnectionHandle dbc, std::string quote, bool enforces_types,
                 bool is_postgresql)
      : env_(std::move(env)),
        dbc_(std::move(dbc)),
        quote_(std::move(quote)),
        enforces_column_types_(enforces_types),
        is_postgresql_(is_postgresql) {}

  EnvHandle env_;
  ConnectionHandle dbc_;  // freed before env_: members are destroyed in reverse order
  std::string quote_;
  bool enforces_column_types_;
  bool is_postgresql_;
  std::string completed_;
  bool gets_data_in_blocks_ = false;
};

}  // namespace hearth::connectors::trust_ssd
