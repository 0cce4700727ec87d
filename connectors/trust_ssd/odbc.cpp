#include "connectors/trust_ssd/odbc.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

constexpr int kMaxDiagnosticRecords = 5;

}  // namespace

std::string diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle) {
  std::string text;
  for (SQLSMALLINT record = 1; record <= kMaxDiagnosticRecords; ++record) {
    SQLCHAR state[6] = {};
    SQLINTEGER native = 0;
    SQLCHAR message[1024] = {};
    SQLSMALLINT length = 0;
    const SQLRETURN rc = SQLGetDiagRec(handle_type, handle, record, state, &native, message,
                                       sizeof(message), &length);
    if (!succeeded(rc)) break;
    if (!text.empty()) text += "; ";
    text += "[";
    text += reinterpret_cast<const char*>(state);
    text += "] ";
    std::string line = reinterpret_cast<const char*>(message);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    text += line;
  }
  return text.empty() ? "no diagnostic record" : text;
}

std::string firstSqlState(SQLSMALLINT handle_type, SQLHANDLE handle) {
  SQLCHAR state[6] = {};
  SQLINTEGER native = 0;
  SQLSMALLINT length = 0;
  if (!succeeded(SQLGetDiagRec(handle_type, handle, 1, state, &native, nullptr, 0, &length))) {
    return {};
  }
  return reinterpret_cast<const char*>(state);
}

Error statementError(SQLHSTMT statement, std::string_view what) {
  const std::string state = firstSqlState(SQL_HANDLE_STMT, statement);
  std::string message = std::string(what) + ": " + diagnostics(SQL_HANDLE_STMT, statement);
  if (state.rfind("08", 0) == 0 || state == "HYT00" || state == "HYT01") {
    return sdk::retryLater(std::move(message));
  }
  return makeError("ssd.query", std::move(message));
}

Result<std::unique_ptr<OdbcConnection>> OdbcConnection::open(const std::string& connection_string,
                                                             long login_timeout_s) {
  SQLHENV raw_env = SQL_NULL_HENV;
  if (!succeeded(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &raw_env))) {
    return sdk::retryLater("ODBC: cannot allocate an environment handle");
  }
  EnvHandle env(raw_env);
  if (!succeeded(SQLSetEnvAttr(env.get(), SQL_ATTR_ODBC_VERSION,
                               reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0))) {
    return sdk::retryLater("ODBC: cannot select ODBC 3: " + diagnostics(SQL_HANDLE_ENV, env.get()));
  }
  SQLHDBC raw_dbc = SQL_NULL_HDBC;
  if (!succeeded(SQLAllocHandle(SQL_HANDLE_DBC, env.get(), &raw_dbc))) {
    return sdk::retryLater("ODBC: cannot allocate a connection handle: " +
                           diagnostics(SQL_HANDLE_ENV, env.get()));
  }
  // Owned by a plain free until connected, so a failed connect is not followed by SQLDisconnect.
  std::unique_ptr<void, OdbcHandleFree<SQL_HANDLE_DBC>> unconnected(raw_dbc);
  if (login_timeout_s > 0) {
    SQLSetConnectAttr(raw_dbc, SQL_ATTR_LOGIN_TIMEOUT,
                      reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(login_timeout_s)), 0);
  }
  SQLSMALLINT out_length = 0;
  std::string completed(4096, '\0');
  const SQLRETURN rc = SQLDriverConnect(
      raw_dbc, nullptr, reinterpret_cast<SQLCHAR*>(const_cast<char*>(connection_string.c_str())),
      SQL_NTS, reinterpret_cast<SQLCHAR*>(completed.data()),
      static_cast<SQLSMALLINT>(completed.size()), &out_length, SQL_DRIVER_NOPROMPT);
  if (!succeeded(rc)) {
    return sdk::retryLater("cannot connect to the SSD database: " +
                           diagnostics(SQL_HANDLE_DBC, raw_dbc));
  }
  ConnectionHandle dbc(unconnected.release());

  SQLCHAR quote[8] = {};
  SQLSMALLINT quote_length = 0;
  std::string quote_char = "\"";
  if (succeeded(
          SQLGetInfo(dbc.get(), SQL_IDENTIFIER_QUOTE_CHAR, quote, sizeof(quote), &quote_length))) {
    quote_char = reinterpret_cast<const char*>(quote);
    if (quote_char == " ") quote_char.clear();  // the source does not quote identifiers
  }
  SQLCHAR dbms[64] = {};
  SQLSMALLINT dbms_length = 0;
  bool enforces_types = true;
  bool is_postgresql = false;
  if (succeeded(SQLGetInfo(dbc.get(), SQL_DBMS_NAME, dbms, sizeof(dbms), &dbms_length))) {
    const std::string_view name(reinterpret_cast<const char*>(dbms));
    enforces_types = name.find("SQLite") == std::string_view::npos;
    is_postgresql = name == "PostgreSQL";
  }
  completed.resize(std::min(completed.find('\0'), completed.size()));
  auto connection = std::unique_ptr<OdbcConnection>(new OdbcConnection(
      std::move(env), std::move(dbc), std::move(quote_char), enforces_types, is_postgresql));
  connection->completed_ = std::move(completed);
  SQLUINTEGER get_data = 0;
  if (succeeded(SQLGetInfo(connection->handle(), SQL_GETDATA_EXTENSIONS, &get_data,
                           sizeof(get_data), nullptr))) {
    connection->gets_data_in_blocks_ = (get_data & SQL_GD_BLOCK) != 0;
  }
  return connection;
}

Result<StatementHandle> OdbcConnection::statement(long timeout_s) const {
  SQLHSTMT raw = SQL_NULL_HSTMT;
  if (!succeeded(SQLAllocHandle(SQL_HANDLE_STMT, dbc_.get(), &raw))) {
    return sdk::retryLater("ODBC: cannot allocate a statement: " +
                           diagnostics(SQL_HANDLE_DBC, dbc_.get()));
  }
  StatementHandle statement(raw);
  if (timeout_s > 0) {
    SQLSetStmtAttr(raw, SQL_ATTR_QUERY_TIMEOUT,
                   reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(timeout_s)), 0);
  }
  return statement;
}

std::string OdbcConnection::quoteIdentifier(std::string_view identifier) const {
  if (quote_.empty()) return std::string(identifier);
  std::string quoted = quote_;
  for (char c : identifier) {
    quoted += c;
    if (std::string_view(&c, 1) == quote_) quoted += c;
  }
  return quoted + quote_;
}

}  // namespace hearth::connectors::trust_ssd
