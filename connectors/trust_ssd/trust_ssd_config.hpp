#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_zone.hpp"

namespace hearth::connectors::trust_ssd {

/// How a table is read again after the first time.
struct CursorConfig {
  /// A column the source bumps on every insert and update. Empty: the table has none, and it is
  /// read in full (by id) once every full_read_interval_s instead.
  std::string timestamp_column;
  /// A unique column that orders rows sharing a timestamp, and orders full reads.
  std::string id_column;
};

/// One stream: a table of the reporting database read as the stream of the same name, or the
/// result of a configured SELECT (like Kafka Connect JDBC's query mode).
struct TableConfig {
  std::string name;
  std::vector<std::string> key_columns;  // the primary key; values joined with '|'
  CursorConfig cursor;
  /// A SELECT whose result columns become the fields; empty: the table `name` itself. It is
  /// read as a derived table, so key and cursor columns name its result columns. "{schema}"
  /// stands for the configured schema and a dot (nothing when no schema is configured).
  std::string query;
};

/// The placeholder a query uses for the schema prefix.
inline constexpr std::string_view kSchemaPlaceholder = "{schema}";

/// The built-in query of the ssd_cla_episodes stream: each CLA episode with what the SSDA903
/// episode carries beside it, from the placement it names, the legal status open on its start
/// date and the home address open when the period of care began.
extern const char kClaEpisodesQuery[];

/// How rows are read: kAuto reads a PostgreSQL source through libpq's COPY ... TO STDOUT and
/// any other over ODBC (falling back to ODBC when libpq cannot connect); kCopy insists on COPY;
/// kOdbc never uses it.
enum class Reader { kAuto, kCopy, kOdbc };

/// The connector's configuration.
struct TrustSsdConfig {
  std::string connection_string;  // exactly one of connection_string and dsn
  std::string dsn;
  std::string password_secret;  // a secret reference, resolved through the host
  std::string schema;           // empty: the connection's default search path
  std::vector<TableConfig> tables;
  size_t fetch_rows = 10000;
  int64_t query_timeout_s = 0;  // 0: no limit
  int64_t login_timeout_s = 15;
  int64_t lag_seconds = 0;
  int64_t full_read_interval_s = 86400;
  size_t max_bound_bytes = 8192;
  Reader reader = Reader::kAuto;
  /// The zone of the database's clock, for timestamps stored without an offset (parseConfig
  /// defaults it to Europe/London).
  TimeZone time_zone = TimeZone::utc();
};

/// The JSON Schema of the configuration (draft 2020-12), as the plugin table publishes it.
extern const char kConfigSchema[];

/// The 16 Standard Safeguarding Dataset streams read when the configuration lists none, with the
/// primary keys of the SSD data model. The model has no last-modified column, so none of them
/// has a timestamp cursor by default. ssd_cla_episodes is read through kClaEpisodesQuery.
std::span<const TableConfig> ssdDefaultTables();

/// Reads a configuration. Throws std::invalid_argument, naming the key at fault, when it does
/// not satisfy kConfigSchema, names a table twice or names a time zone the tz database lacks.
TrustSsdConfig parseConfig(std::string_view json);

}  // namespace hearth::connectors::trust_ssd
