#include "connectors/trust_ssd/trust_ssd_connector.hpp"

#include <sqlext.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/source_timestamp.hpp"
#include "connectors/trust_ssd/pg_copy.hpp"
#include "connectors/trust_ssd/row_block.hpp"
#include "connectors/trust_ssd/trust_ssd_checkpoint.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

// How much of a rejected row a reject carries.
constexpr size_t kMaxRawBytes = 4096;
// Error code of a table that cannot be read as configured; the other tables carry on.
constexpr std::string_view kTableProblem = "ssd.table";

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// An ODBC connection-string value in braces, so that ';' and '=' inside it are data.
std::string braced(std::string_view value) {
  std::string text = "{";
  for (char c : value) {
    text += c;
    if (c == '}') text += '}';
  }
  return text + "}";
}

std::string_view truncateText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t length = limit;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return text.substr(0, length);
}

// A table's columns and where its key, timestamp and id columns are among them.
struct TableShape {
  std::vector<ColumnInfo> columns;
  std::vector<size_t> key;
  std::optional<size_t> timestamp;
  size_t id = 0;
};

// How each column of a read is selected and bound.
struct ReadPlan {
  std::vector<ColumnBinding> bindings;
  std::vector<bool> as_text;  // selected as CAST(column AS text)
  bool any_as_text = false;
};

// PostgreSQL's own text of a date or timestamp without time zone is already the record's text
// (ISO, psqlODBC sets DateStyle ISO; the fraction without trailing zeros), and psqlODBC copies text
// as it is, whereas for a date or timestamp column it parses every value with sscanf, even when
// bound natively: a third of the client's time. So there those columns are selected as text.
// Time zones, and sources where two columns share a name (a select list could not name them),
// keep the native binding.
ReadPlan planRead(const OdbcConnection& db, const TableShape& shape) {
  ReadPlan plan;
  const std::vector<ColumnInfo>& columns = shape.columns;
  bool names_unique = true;
  for (size_t i = 0; i < columns.size() && names_unique; ++i) {
    for (size_t j = i + 1; j < columns.size(); ++j) {
      if (sameName(columns[i].name, columns[j].name)) names_unique = false;
    }
  }
  for (const ColumnInfo& column : columns) {
    ColumnBinding binding = bindingOf(column.sql_type, db.enforcesColumnTypes());
    bool as_text = false;
    if (db.isPostgreSql() && names_unique) {
      // psqlODBC 13 names it "timestamp without time zone"; the short name is accepted too.
      if (binding == ColumnBinding::kTimestamp &&
          (column.type_name == "timestamp" || column.type_name == "timestamp without time zone")) {
        binding = ColumnBinding::kIsoTimestampText;
        as_text = true;
      } else if (binding == ColumnBinding::kDate && column.type_name == "date") {
        binding = ColumnBinding::kText;
        as_text = true;
      }
    }
    plan.bindings.push_back(binding);
    plan.as_text.push_back(as_text);
    plan.any_as_text = plan.any_as_text || as_text;
  }
  return plan;
}

// The alias of a query stream's derived table, and of a table whose select list has output
// columns of the same names as its columns (so that ORDER BY can name the source's).
constexpr std::string_view kSourceAlias = "stream_rows";

std::string schemaPrefix(const OdbcConnection& db, const TrustSsdConfig& config) {
  return config.schema.empty() ? std::string() : db.quoteIdentifier(config.schema) + ".";
}

// What a stream's SELECT reads from: its table, or its query as a derived table, so that the
// cursor's WHERE and ORDER BY apply to a query exactly as to a table.
std::string sourceOf(const OdbcConnection& db, const TrustSsdConfig& config,
                     const TableConfig& table) {
  const std::string prefix = schemaPrefix(db, config);
  if (table.query.empty()) return prefix + db.quoteIdentifier(table.name);
  std::string query = table.query;
  for (size_t at = 0; (at = query.find(kSchemaPlaceholder, at)) != std::string::npos;) {
    query.replace(at, kSchemaPlaceholder.size(), prefix);
    at += prefix.size();
  }
  return "(" + query + ") " + std::string(kSourceAlias);
}

Result<size_t> columnIndex(const std::vector<ColumnInfo>& columns, const TableConfig& table,
                           const std::string& column, std::string_view role) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (sameName(columns[i].name, column)) return i;
  }
  return makeError(std::string(kTableProblem), "table " + table.name + " has no " +
                                                   std::string(role) + " column '" + column + "'");
}

// Learns a table's columns from a query that returns no rows.
Result<TableShape> shapeOf(const OdbcConnection& db, const TrustSsdConfig& config,
                           const TableConfig& table) {
  auto statement = db.statement(config.query_timeout_s);
  if (!statement.ok()) return statement.error();
  const std::string sql = "SELECT * FROM " + sourceOf(db, config, table) + " WHERE 1=0";
  const SQLRETURN rc = SQLExecDirect(
      statement->get(), reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())), SQL_NTS);
  if (!succeeded(rc)) {
    Error error = statementError(
        statement->get(),
        (table.query.empty() ? "cannot read table " : "cannot run the query of stream ") +
            table.name);
    if (error.code != sdk::kRetryCode) error.code = std::string(kTableProblem);
    return error;
  }
  auto columns = describeColumns(statement->get());
  if (!columns.ok()) return columns.error();
  TableShape shape;
  shape.columns = std::move(*columns);
  for (const std::string& key : table.key_columns) {
    auto index = columnIndex(shape.columns, table, key, "key");
    if (!index.ok()) return index.error();
    shape.key.push_back(*index);
  }
  if (!table.cursor.timestamp_column.empty()) {
    auto index = columnIndex(shape.columns, table, table.cursor.timestamp_column, "timestamp");
    if (!index.ok()) return index.error();
    shape.timestamp = *index;
  }
  auto id = columnIndex(shape.columns, table, table.cursor.id_column, "id");
  if (!id.ok()) return id.error();
  shape.id = *id;
  return shape;
}

// A cursor value in a query: given its text and column, what the SQL says in its place (a
// placeholder bound as a parameter, or a literal).
using ParameterSql = std::function<std::string(const std::string& text, const ColumnInfo* column)>;

// A statement parameter: text converted by the driver to the column's own type.
struct Parameter {
  std::string text;
  const ColumnInfo* column = nullptr;
  SQLLEN length = 0;
};

// The work of one read(): every table in turn, from its cursor on.
class ReadPass {
 public:
  // `connection_string` is the one ODBC connected with (password included), for libpq.
  ReadPass(TrustSsdConnector& owner, const TrustSsdConfig& config, const sdk::HostApi& host,
           const sdk::Emitter& emitter, Checkpoint checkpoint, std::function<bool()> stop_requested,
           std::string connection_string)
      : owner_(owner),
        config_(config),
        host_(host),
        emitter_(emitter),
        checkpoint_(std::move(checkpoint)),
        stop_requested_(std::move(stop_requested)),
        connection_string_(std::move(connection_string)) {}

  Result<void> run(const OdbcConnection& db) {
    for (const TableConfig& table : config_.tables) {
      if (stop_requested_()) return sdk::cancelled();
      Result<void> read = readTable(db, table);
      if (read.ok()) continue;
      if (read.error().code != kTableProblem) return read;
      // A table that is missing or misconfigured should not hold up the others.
      host_.log(HEARTH_LOG_WARN,
                "trust_ssd: skipping table " + table.name + ": " + read.error().message);
      host_.counterAdd("tables_unreadable", 1);
    }
    return {};
  }

 private:
  Result<void> readTable(const OdbcConnection& db, const TableConfig& table) {
    TableCursor& cursor = checkpoint_.cursor(table.name);
    const bool incremental = !table.cursor.timestamp_column.empty();
    if (!incremental && !cursor.id && cursor.full_read_done_ms != 0 &&
        host_.nowMs() - cursor.full_read_done_ms < config_.full_read_interval_s * 1000) {
      return {};  // read in full recently enough
    }

    auto shape = shapeOf(db, config_, table);
    if (!shape.ok()) return shape.error();
    auto pg = copyConnection(db, *shape);
    if (!pg.ok()) return pg.error();
    if (*pg != nullptr) return readByCopy(db, **pg, table, *shape, cursor, incremental);

    const ReadPlan plan = planRead(db, *shape);
    auto statement = db.statement(config_.query_timeout_s);
    if (!statement.ok()) return statement.error();

    std::vector<Parameter> parameters;
    const std::string sql =
        buildQuery(db, table, *shape, plan, cursor,
                   [&parameters](const std::string& text, const ColumnInfo* column) {
                     parameters.push_back({text, column});
                     return std::string("?");
                   });
    for (size_t i = 0; i < parameters.size(); ++i) {
      Parameter& parameter = parameters[i];
      parameter.length = static_cast<SQLLEN>(parameter.text.size());
      const SQLULEN size = std::max<SQLULEN>(parameter.column->size, parameter.text.size());
      if (!succeeded(SQLBindParameter(statement->get(), static_cast<SQLUSMALLINT>(i + 1),
                                      SQL_PARAM_INPUT, SQL_C_CHAR, parameter.column->sql_type, size,
                                      parameter.column->decimal_digits, parameter.text.data(),
                                      parameter.length, &parameter.length))) {
        return statementError(statement->get(), "cannot bind the cursor of table " + table.name);
      }
    }

    owner_.setActiveStatement(statement->get());
    const SQLRETURN rc = SQLExecDirect(
        statement->get(), reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())), SQL_NTS);
    Result<void> read =
        succeeded(rc) || rc == SQL_NO_DATA
            ? readOdbcRows(statement->get(), db.getsDataInBlocks(), table, *shape, plan, cursor,
                           incremental)
            : Result<void>(statementError(statement->get(), "cannot query table " + table.name));
    owner_.setActiveStatement(SQL_NULL_HSTMT);
    return read;
  }

  // The libpq connection a table is read through, or null to read it over ODBC.
  Result<PgConnection*> copyConnection(const OdbcConnection& db, const TableShape& shape) {
    if (config_.reader == Reader::kOdbc) return nullptr;
    if (!db.isPostgreSql()) {
      if (config_.reader == Reader::kAuto) return nullptr;
      return makeError("ssd.config",
                       "reader copy needs a PostgreSQL source, and the ODBC "
                       "driver reports another");
    }
    // COPY's text of a type psqlODBC converts (booleans, time zones) would change the records.
    if (!copyRendersLikeOdbc(shape.columns)) return nullptr;
    if (pg_ != nullptr) return pg_.get();
    if (pg_unavailable_) return nullptr;
    // The driver's completed string supplies what a DSN holds; the configured one wins.
    auto opened = PgConnection::open(
        libpqParameters(db.completedConnectionString() + ";" + connection_string_),
        static_cast<long>(config_.login_timeout_s), static_cast<long>(config_.query_timeout_s));
    if (opened.ok()) {
      pg_ = std::move(*opened);
      return pg_.get();
    }
    if (config_.reader == Reader::kCopy) return opened.error();
    pg_unavailable_ = true;
    host_.log(HEARTH_LOG_WARN, "trust_ssd: reading over ODBC, as libpq could not connect: " +
                                   opened.error().message);
    return nullptr;
  }

  Result<void> readByCopy(const OdbcConnection& db, PgConnection& pg, const TableConfig& table,
                          const TableShape& shape, TableCursor& cursor, bool incremental) {
    // COPY takes no parameters: cursor values go in as literals, which the server converts to
    // the column's type as it does a bound parameter.
    const std::string select = buildQuery(
        db, table, shape, ReadPlan{}, cursor,
        [&pg](const std::string& text, const ColumnInfo*) { return pg.quoteLiteral(text); });
    Result<void> read = pg.startCopy(select, "cannot query table " + table.name);
    if (read.ok()) {
      PGcancel* cancel = PQgetCancel(pg.handle());
      owner_.setActiveCopy(cancel);
      CopyBlock rows(pg.handle(), shape.columns, config_.fetch_rows);
      read = readRows(rows, table, shape, cursor, incremental);
      owner_.setActiveCopy(nullptr);
      PQfreeCancel(cancel);
      host_.counterAdd("tables_read_by_copy", 1);
    }
    if (read.ok()) return read;
    // A COPY cut short leaves the connection mid-stream (or gone): the next table reconnects.
    pg_.reset();
    Error error = read.error();
    if (error.code != sdk::kCancelledCode)
      error.message = "table " + table.name + ": " + error.message;
    return error;
  }

  std::string buildQuery(const OdbcConnection& db, const TableConfig& table,
                         const TableShape& shape, const ReadPlan& plan, const TableCursor& cursor,
                         const ParameterSql& parameter) {
    // WHERE sees only source columns; ORDER BY would take an output column of the same name
    // (the text) first, losing the index order, so it names the source's.
    const std::string order_prefix =
        plan.any_as_text ? std::string(kSourceAlias) + "." : std::string();
    const std::string id = db.quoteIdentifier(shape.columns[shape.id].name);
    std::string sql =
        "SELECT " + selectList(db, shape, plan) + " FROM " + sourceOf(db, config_, table);
    if (plan.any_as_text && table.query.empty()) sql += " " + std::string(kSourceAlias);
    if (!shape.timestamp) {
      if (cursor.id)
        sql += " WHERE " + id + " > " + parameter(*cursor.id, &shape.columns[shape.id]);
      return sql + " ORDER BY " + order_prefix + id;
    }
    const ColumnInfo* ts_column = &shape.columns[*shape.timestamp];
    const std::string ts = db.quoteIdentifier(ts_column->name);
    const std::optional<std::string> lagged =
        cursor.timestamp && config_.lag_seconds > 0
            ? subtractSeconds(*cursor.timestamp, config_.lag_seconds)
            : std::nullopt;
    if (!cursor.timestamp) {
      sql += " WHERE " + ts + " IS NOT NULL";
    } else if (lagged) {
      sql += " WHERE " + ts + " >= " + parameter(*lagged, ts_column);
    } else if (cursor.id) {
      // Left to right, so that placeholders meet their parameters in order.
      const std::string after = parameter(*cursor.timestamp, ts_column);
      const std::string at = parameter(*cursor.timestamp, ts_column);
      const std::string after_id = parameter(*cursor.id, &shape.columns[shape.id]);
      sql += " WHERE " + ts + " > " + after + " OR (" + ts + " = " + at + " AND " + id + " > " +
             after_id + ")";
    } else {
      sql += " WHERE " + ts + " > " + parameter(*cursor.timestamp, ts_column);
    }
    return sql + " ORDER BY " + order_prefix + ts + ", " + order_prefix + id;
  }

  static std::string selectList(const OdbcConnection& db, const TableShape& shape,
                                const ReadPlan& plan) {
    if (!plan.any_as_text) return "*";
    std::string list;
    for (size_t i = 0; i < shape.columns.size(); ++i) {
      if (i > 0) list += ", ";
      const std::string name = db.quoteIdentifier(shape.columns[i].name);
      list += plan.as_text[i] ? "CAST(" + name + " AS text) AS " + name : name;
    }
    return list;
  }

  Result<void> readOdbcRows(SQLHSTMT statement, bool gets_data_in_blocks, const TableConfig& table,
                            const TableShape& shape, const ReadPlan& plan, TableCursor& cursor,
                            bool incremental) {
    auto block = RowBlock::bind(statement, shape.columns, plan.bindings, config_.fetch_rows,
                                config_.max_bound_bytes, gets_data_in_blocks);
    if (!block.ok()) return block.error();
    return readRows(**block, table, shape, cursor, incremental);
  }

  // Rows is a RowBlock (ODBC) or a CopyBlock (libpq COPY): they read alike.
  template <class Rows>
  Result<void> readRows(Rows& rows, const TableConfig& table, const TableShape& shape,
                        TableCursor& cursor, bool incremental) {
    prepareFields(rows.columns());
    location_prefix_ = table.name + ":";

    for (;;) {
      if (stop_requested_()) return sdk::cancelled();
      auto fetched = rows.fetch();
      // stop() cancels the statement, which then fails.
      if (!fetched.ok()) return stop_requested_() ? sdk::cancelled() : fetched.error();
      if (Result<void> rejected = rejectMalformed(rows, table); !rejected.ok()) return rejected;
      if (*fetched == 0) break;
      for (size_t row = 0; row < *fetched; ++row) {
        auto emitted = emitRow(rows, row, table, shape);
        if (!emitted.ok()) return emitted.error();
      }
      if (Result<void> moved = advanceCursor(rows, *fetched, shape, cursor, incremental);
          !moved.ok()) {
        return moved;
      }
      rows_done_ += *fetched;
      host_.counterAdd("rows_read", static_cast<double>(*fetched));
      emitter_.progress(rows_done_, 0, "rows");
      if (const hearth_status saved = emitter_.checkpoint(checkpoint_.serialize());
          saved != HEARTH_OK) {
        return sdk::emitterRefused(saved);
      }
    }
    if (!incremental) {
      cursor.id.reset();
      cursor.full_read_done_ms = host_.nowMs();
      if (const hearth_status saved = emitter_.checkpoint(checkpoint_.serialize());
          saved != HEARTH_OK) {
        return sdk::emitterRefused(saved);
      }
    }
    return {};
  }

  void prepareFields(const std::vector<ColumnInfo>& columns) {
    fields_.clear();
    field_types_.clear();
    scratch_.assign(columns.size(), std::string());
    for (const ColumnInfo& column : columns) {
      fields_.push_back({sdk::toStr(column.name), {}, HEARTH_FIELD_NULL});
      field_types_.push_back(fieldTypeOf(column.sql_type));
    }
  }

  Result<void> rejectMalformed(const RowBlock&, const TableConfig&) { return {}; }

  // Rows COPY's text format does not allow (which PostgreSQL never sends) are rejected whole.
  Result<void> rejectMalformed(const CopyBlock& rows, const TableConfig& table) {
    for (const CopyBlock::Malformed& row : rows.malformed()) {
      const std::string location = table.name + ": COPY row " + std::to_string(row.row);
      const hearth_status status = emitter_.reject({.stream = table.name,
                                                    .source_key = {},
                                                    .reason_code = "ssd.malformed_row",
                                                    .message = row.reason,
                                                    .location = location,
                                                    .raw = truncateText(row.raw, kMaxRawBytes)});
      host_.counterAdd("rows_malformed", 1);
      if (status != HEARTH_OK) return sdk::emitterRefused(status);
    }
    return {};
  }

  // Emits one row as a record, or as a reject when part of its key is NULL.
  template <class Rows>
  Result<void> emitRow(Rows& rows, size_t row, const TableConfig& table, const TableShape& shape) {
    key_.clear();
    const ColumnInfo* null_key = nullptr;
    for (size_t i = 0; i < shape.key.size(); ++i) {
      if (i > 0) key_ += '|';
      if (rows.isNull(row, shape.key[i])) {
        null_key = &shape.columns[shape.key[i]];
        key_ += "NULL";
        continue;
      }
      auto part = rows.value(row, shape.key[i]);
      if (!part.ok()) return part.error();
      key_ += *part;
    }
    location_.assign(location_prefix_).append(key_);
    if (null_key != nullptr) return rejectRow(rows, row, table, *null_key);

    for (size_t i = 0; i < fields_.size(); ++i) {
      hearth_field& field = fields_[i];
      if (rows.isNull(row, i)) {
        field.value = {};
        field.type = HEARTH_FIELD_NULL;
        continue;
      }
      auto value = rows.value(row, i);
      if (!value.ok()) return value.error();
      std::string_view text = *value;
      field.type = field_types_[i];
      if (field.type == HEARTH_FIELD_TIMESTAMP && text.size() > 10 && text[10] == ' ') {
        // ISO 8601 separates date and time with 'T'; drivers print a space.
        scratch_[i].assign(text);
        scratch_[i][10] = 'T';
        text = scratch_[i];
      } else if (field.type == HEARTH_FIELD_BOOL) {
        text = text == "1"   ? std::string_view("true")
               : text == "0" ? std::string_view("false")
                             : text;
      }
      field.value = sdk::toStr(text);
    }
    int64_t source_time_ms = 0;
    if (shape.timestamp && fields_[*shape.timestamp].type != HEARTH_FIELD_NULL) {
      source_time_ms =
          parseSourceTimestampMs(sdk::toView(fields_[*shape.timestamp].value), config_.time_zone)
              .value_or(0);
    }
    const hearth_record record = {
        .stream = sdk::toStr(table.name),
        .source_key = sdk::toStr(key_),
        .source_time_ms = source_time_ms,
        .location = sdk::toStr(location_),
        .fields = fields_.data(),
        .field_count = fields_.size(),
    };
    if (const hearth_status status = emitter_.record(record); status != HEARTH_OK) {
      return sdk::emitterRefused(status);
    }
    return {};
  }

  template <class Rows>
  Result<void> rejectRow(Rows& rows, size_t row, const TableConfig& table,
                         const ColumnInfo& null_key) {
    nlohmann::json raw = nlohmann::json::object();
    for (size_t i = 0; i < rows.columns().size(); ++i) {
      if (rows.isNull(row, i)) {
        raw[rows.columns()[i].name] = nullptr;
        continue;
      }
      auto value = rows.value(row, i);
      if (!value.ok()) return value.error();
      raw[rows.columns()[i].name] = std::string(*value);
    }
    const std::string raw_text = raw.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string message = "key column " + null_key.name + " is NULL";
    const hearth_status status = emitter_.reject({.stream = table.name,
                                                  .source_key = {},
                                                  .reason_code = "ssd.missing_key",
                                                  .message = message,
                                                  .location = location_,
                                                  .raw = truncateText(raw_text, kMaxRawBytes)});
    host_.counterAdd("rows_missing_key", 1);
    if (status != HEARTH_OK) return sdk::emitterRefused(status);
    return {};
  }

  // Moves the table's cursor past the block just emitted.
  template <class Rows>
  Result<void> advanceCursor(Rows& rows, size_t fetched, const TableShape& shape,
                             TableCursor& cursor, bool incremental) {
    const size_t last = fetched - 1;
    if (incremental) {
      auto ts = rows.value(last, *shape.timestamp);
      if (!ts.ok()) return ts.error();
      cursor.timestamp = std::string(*ts);
      // Checkpoints keep the SQL form with a space, which text comparisons (SQLite) order right.
      if (cursor.timestamp->size() > 10 && (*cursor.timestamp)[10] == 'T') {
        (*cursor.timestamp)[10] = ' ';
      }
      if (rows.isNull(last, shape.id)) {
        cursor.id.reset();
        return {};
      }
      auto id = rows.value(last, shape.id);
      if (!id.ok()) return id.error();
      cursor.id = std::string(*id);
      return {};
    }
    // A full pass resumes after the last id it saw; rows with a NULL id are rejected anyway.
    for (size_t row = fetched; row-- > 0;) {
      if (rows.isNull(row, shape.id)) continue;
      auto id = rows.value(row, shape.id);
      if (!id.ok()) return id.error();
      cursor.id = std::string(*id);
      break;
    }
    return {};
  }

  TrustSsdConnector& owner_;
  const TrustSsdConfig& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Checkpoint checkpoint_;
  std::function<bool()> stop_requested_;
  std::string connection_string_;
  std::unique_ptr<PgConnection> pg_;  // opened by the first table read through COPY
  bool pg_unavailable_ = false;       // libpq could not connect: ODBC for the rest of the pass
  std::vector<hearth_field> fields_;  // names set once per table; values per row
  std::vector<hearth_field_type> field_types_;
  std::vector<std::string> scratch_;  // per column: a value rewritten for the record
  std::string key_;
  std::string location_;
  std::string location_prefix_;
  uint64_t rows_done_ = 0;
};

}  // namespace

TrustSsdConnector::TrustSsdConnector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {}

Result<std::string> TrustSsdConnector::connectionString() const {
  std::string connection =
      config_.dsn.empty() ? config_.connection_string : "DSN=" + braced(config_.dsn) + ";";
  if (!connection.empty() && connection.back() != ';') connection += ';';
  if (!config_.password_secret.empty()) {
    const std::optional<std::string> password = host().secret(config_.password_secret);
    if (!password) {
      return makeError("ssd.secret", "password_secret " + config_.password_secret +
                                         " could not be resolved by the host");
    }
    connection += "Pwd=" + braced(*password) + ";";
  }
  return connection;
}

Result<std::unique_ptr<OdbcConnection>> TrustSsdConnector::connect() const {
  auto connection = connectionString();
  if (!connection.ok()) return connection.error();
  return OdbcConnection::open(*connection, static_cast<long>(config_.login_timeout_s));
}

Result<void> TrustSsdConnector::check() {
  auto db = connect();
  if (!db.ok()) return db.error();
  auto statement = (*db)->statement(config_.query_timeout_s);
  if (!statement.ok()) return statement.error();
  const SQLRETURN rc = SQLExecDirect(
      statement->get(), reinterpret_cast<SQLCHAR*>(const_cast<char*>("SELECT 1")), SQL_NTS);
  if (!succeeded(rc)) return statementError(statement->get(), "SELECT 1 failed");
  if (!succeeded(SQLFetch(statement->get()))) {
    return statementError(statement->get(), "SELECT 1 returned no row");
  }
  return {};
}

Result<std::string> TrustSsdConnector::discover() {
  auto db = connect();
  if (!db.ok()) return db.error();
  nlohmann::json streams = nlohmann::json::array();
  for (const TableConfig& table : config_.tables) {
    nlohmann::json stream = {{"name", table.name}, {"key", table.key_columns}};
    stream["cursor"] = {{"id_column", table.cursor.id_column}};
    if (!table.cursor.timestamp_column.empty()) {
      stream["cursor"]["timestamp_column"] = table.cursor.timestamp_column;
    }
    if (!table.query.empty()) stream["query"] = table.query;
    auto shape = shapeOf(**db, config_, table);
    if (!shape.ok()) {
      if (shape.error().code != kTableProblem) return shape.error();
      stream["error"] = shape.error().message;
      stream["fields"] = nlohmann::json::array();
    } else {
      nlohmann::json fields = nlohmann::json::array();
      for (const ColumnInfo& column : shape->columns) {
        fields.push_back(
            {{"name", column.name}, {"type", fieldTypeName(fieldTypeOf(column.sql_type))}});
      }
      stream["fields"] = std::move(fields);
    }
    streams.push_back(std::move(stream));
  }
  return nlohmann::json{{"streams", std::move(streams)}}.dump();
}

Result<void> TrustSsdConnector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto saved = Checkpoint::parse(checkpoint);
  if (!saved.ok()) return saved.error();
  auto connection = connectionString();
  if (!connection.ok()) return connection.error();
  auto db = OdbcConnection::open(*connection, static_cast<long>(config_.login_timeout_s));
  if (!db.ok()) return db.error();
  ReadPass pass(
      *this, config_, host(), emitter, std::move(*saved), [this] { return stopRequested(); },
      std::move(*connection));
  return pass.run(**db);
}

void TrustSsdConnector::stop() noexcept {
  Connector::stop();
  std::lock_guard<std::mutex> lock(active_mutex_);
  if (active_statement_ != SQL_NULL_HSTMT) SQLCancel(active_statement_);
  if (active_copy_ != nullptr) {
    char reason[256];
    PQcancel(active_copy_, reason, sizeof(reason));
  }
}

void TrustSsdConnector::setActiveCopy(PGcancel* cancel) {
  std::lock_guard<std::mutex> lock(active_mutex_);
  active_copy_ = cancel;
}

void TrustSsdConnector::setActiveStatement(SQLHSTMT statement) {
  std::lock_guard<std::mutex> lock(active_mutex_);
  active_statement_ = statement;
}

}  // namespace hearth::connectors::trust_ssd
