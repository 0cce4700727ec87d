#include "connectors/trust_ssd/pg_copy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

// How much of a malformed row its reject carries.
constexpr size_t kMaxMalformedRawBytes = 4096;

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// psqlODBC's connection-string keys (and their long and short synonyms) for what libpq needs.
const char* libpqKeyword(std::string_view odbc_key) {
  static constexpr std::array<std::pair<std::string_view, const char*>, 12> kKeys = {{
      {"server", "host"},
      {"servername", "host"},
      {"host", "host"},
      {"port", "port"},
      {"database", "dbname"},
      {"db", "dbname"},
      {"uid", "user"},
      {"username", "user"},
      {"user", "user"},
      {"pwd", "password"},
      {"password", "password"},
      {"sslmode", "sslmode"},
  }};
  const std::string key = lowered(odbc_key);
  for (const auto& [odbc, libpq] : kKeys) {
    if (key == odbc) return libpq;
  }
  return nullptr;
}

bool isRetryState(std::string_view state) {
  // Connection exceptions, the server shutting down or the backend terminated (57P01..57P05),
  // lack of resources, a statement timeout, serialization failures and deadlocks.
  return state.starts_with("08") || state.starts_with("57P") || state.starts_with("53") ||
         state == "57014" || state == "40001" || state == "40P01";
}

std::string withoutTrailingSpace(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> libpqParameters(std::string_view odbc_string) {
  std::vector<std::pair<std::string, std::string>> parameters;
  size_t at = 0;
  while (at < odbc_string.size()) {
    const size_t equals = odbc_string.find('=', at);
    if (equals == std::string_view::npos) break;
    const std::string_view key = trimmed(odbc_string.substr(at, equals - at));
    std::string value;
    size_t next = equals + 1;
    while (next < odbc_string.size() && odbc_string[next] == ' ') ++next;
    if (next < odbc_string.size() && odbc_string[next] == '{') {
      // A braced value holds ';' and '=' as data, and "}}" stands for '}'.
      ++next;
      while (next < odbc_string.size()) {
        if (odbc_string[next] == '}') {
          if (next + 1 < odbc_string.size() && odbc_string[next + 1] == '}') {
            value += '}';
            next += 2;
            continue;
          }
          ++next;
          break;
        }
        value += odbc_string[next++];
      }
      const size_t semicolon = odbc_string.find(';', next);
      next = semicolon == std::string_view::npos ? odbc_string.size() : semicolon + 1;
    } else {
      const size_t semicolon = odbc_string.find(';', next);
      const size_t value_end = semicolon == std::string_view::npos ? odbc_string.size() : semicolon;
      value = std::string(trimmed(odbc_string.substr(next, value_end - next)));
      next = semicolon == std::string_view::npos ? odbc_string.size() : semicolon + 1;
    }
    at = next;
    const char* keyword = libpqKeyword(key);
    if (keyword == nullptr || value.empty()) continue;
    auto same = std::find_if(parameters.begin(), parameters.end(),
                             [keyword](const auto& pair) { return pair.first == keyword; });
    if (same != parameters.end()) {
      same->second = std::move(value);
    } else {
      parameters.emplace_back(keyword, std::move(value));
    }
  }
  return parameters;
}

bool copyRendersLikeOdbc(const std::vector<ColumnInfo>& columns) {
  static constexpr std::array<std::string_view, 14> kTypes = {
      "text", "varchar", "bpchar", "char",   "name", "int2",      "int4",
      "int8", "numeric", "float4", "float8", "date", "timestamp", "timestamp without time zone"};
  return std::all_of(columns.begin(), columns.end(), [](const ColumnInfo& column) {
    return std::find(kTypes.begin(), kTypes.end(), column.type_name) != kTypes.end();
  });
}

Error pgError(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string message = std::string(what) + ": ";
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* detail = result != nullptr ? PQresultErrorMessage(result) : nullptr;
  message +=
      withoutTrailingSpace(detail != nullptr && *detail != '\0' ? detail : PQerrorMessage(conn));
  if (PQstatus(conn) == CONNECTION_BAD || (state != nullptr && isRetryState(state))) {
    return sdk::retryLater(std::move(message));
  }
  return makeError("ssd.query", std::move(message));
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(
    const std::vector<std::pair<std::string, std::string>>& parameters, long connect_timeout_s,
    long statement_timeout_s) {
  // DateStyle ISO prints dates and timestamps as the records carry them; any positive
  // extra_float_digits prints the shortest exact text of a float, as psqlODBC has it.
  std::string options = "-c DateStyle=ISO,YMD -c extra_float_digits=2";
  if (statement_timeout_s > 0) {
    options += " -c statement_timeout=" + std::to_string(statement_timeout_s * 1000);
  }
  std::vector<std::string> keys;
  std::vector<std::string> values;
  for (const auto& [key, value] : parameters) {
    keys.push_back(key);
    values.push_back(value);
  }
  keys.insert(keys.end(), {"client_encoding", "application_name", "options"});
  values.insert(values.end(), {"UTF8", "hearthd trust_ssd", options});
  if (connect_timeout_s > 0) {
    keys.push_back("connect_timeout");
    values.push_back(std::to_string(connect_timeout_s));
  }
  std::vector<const char*> key_pointers;
  std::vector<const char*> value_pointers;
  for (size_t i = 0; i < keys.size(); ++i) {
    key_pointers.push_back(keys[i].c_str());
    value_pointers.push_back(values[i].c_str());
  }
  key_pointers.push_back(nullptr);
  value_pointers.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(key_pointers.data(), value_pointers.data(), 0);
  if (conn == nullptr) return sdk::retryLater("libpq: cannot allocate a connection");
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return sdk::retryLater("cannot connect to the SSD database through libpq: " +
                           withoutTrailingSpace(PQerrorMessage(conn)));
  }
  return connection;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::string PgConnection::quoteLiteral(std::string_view text) const {
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  if (quoted == nullptr) return "NULL";  // only for text that is not valid in the encoding
  std::string literal(quoted);
  PQfreemem(quoted);
  return literal;
}

Result<void> PgConnection::startCopy(const std::string& select, std::string_view what) {
  const std::string sql = "COPY (" + select + ") TO STDOUT";
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COPY_OUT) {
    PQclear(result);
    return {};
  }
  Error error = pgError(conn_, result, what);
  PQclear(result);
  return error;
}

CopyBlock::CopyBlock(PGconn* conn, std::vector<ColumnInfo> columns, size_t rows)
    : conn_(conn), columns_(std::move(columns)), capacity_(std::max<size_t>(rows, 1)) {
  for (const ColumnInfo& column : columns_) {
    timestamps_.push_back(fieldTypeOf(column.sql_type) == HEARTH_FIELD_TIMESTAMP);
  }
}

Result<size_t> CopyBlock::fetch() {
  text_.clear();
  fields_.clear();
  malformed_.clear();
  size_t rows = 0;
  while (!done_ && rows < capacity_) {
    char* line = nullptr;
    const int length = PQgetCopyData(conn_, &line, 0);
    if (length == -1) {
      // The COPY is over: its result says whether it ended well. A server that ends the session
      // mid-COPY (an administrator, a restart) says so here when its message arrives whole, and
      // the connection simply drops (below) when it does not: both say how far the rows came.
      done_ = true;
      PGresult* result = PQgetResult(conn_);
      const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
      Result<void> outcome = ok ? Result<void>()
                                : Result<void>(pgError(conn_, result,
                                                       "the COPY ended with an error after row " +
                                                           std::to_string(rows_seen_)));
      PQclear(result);
      while ((result = PQgetResult(conn_)) != nullptr) PQclear(result);
      if (!outcome.ok()) return outcome.error();
      break;
    }
    if (length < 0) {
      done_ = true;
      PGresult* result = PQgetResult(conn_);
      Error error =
          pgError(conn_, result, "the COPY was cut off after row " + std::to_string(rows_seen_));
      PQclear(result);
      return error;
    }
    ++rows_seen_;
    const std::string_view row(line, static_cast<size_t>(length));
    const size_t text_before = text_.size();
    std::string problem = decodeCopyTextRow(row, columns_.size(), text_, fields_);
    if (!problem.empty()) {
      text_.resize(text_before);
      malformed_.push_back(
          {rows_seen_, std::move(problem), std::string(row.substr(0, kMaxMalformedRawBytes))});
      PQfreemem(line);
      continue;
    }
    PQfreemem(line);
    const CopyField* values = fields_.data() + rows * columns_.size();
    for (size_t column = 0; column < columns_.size(); ++column) {
      // ISO 8601 separates date and time with 'T'; PostgreSQL prints a space.
      if (timestamps_[column] && values[column].length > 10 &&
          text_[values[column].offset + 10] == ' ') {
        text_[values[column].offset + 10] = 'T';
      }
    }
    ++rows;
  }
  return rows;
}

}  // namespace hearth::connectors::trust_ssd
