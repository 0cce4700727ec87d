#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "connectors/trust_ssd/copy_text.hpp"
#include "connectors/trust_ssd/row_block.hpp"

namespace hearth::connectors::trust_ssd {

/// libpq keyword/value pairs (host, port, dbname, user, password, sslmode) for the server that
/// an ODBC connection string names with psqlODBC's keys (Server, Port, Database, Uid, Pwd,
/// SSLmode and their synonyms). Keys it does not know are left out; later values win.
std::vector<std::pair<std::string, std::string>> libpqParameters(std::string_view odbc_string);

/// True when COPY's text of every column is the text the ODBC read gives (psqlODBC's type names:
/// text, numbers, dates and timestamps without time zone); other types (booleans, time zones,
/// binary) print differently, and such a table is read over ODBC.
bool copyRendersLikeOdbc(const std::vector<ColumnInfo>& columns);

/// One libpq connection, set to print dates and timestamps in ISO form and text in UTF-8.
class PgConnection {
 public:
  /// Connects with `parameters` (a password among them is never put into a message). Every
  /// failure is a retry. `statement_timeout_s` > 0 limits each statement, as the ODBC
  /// statement timeout does.
  static Result<std::unique_ptr<PgConnection>> open(
      const std::vector<std::pair<std::string, std::string>>& parameters, long connect_timeout_s,
      long statement_timeout_s);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* handle() const noexcept { return conn_; }

  /// `text` as an SQL string literal, with its quotes.
  std::string quoteLiteral(std::string_view text) const;

  /// Starts `COPY (select) TO STDOUT`; rows then come from a CopyBlock.
  Result<void> startCopy(const std::string& select, std::string_view what);

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
};

/// The error for a failed libpq call: a retry when the connection was lost, the server is
/// shutting down or out of resources, or the statement timed out; a plain failure otherwise.
Error pgError(PGconn* conn, const PGresult* result, std::string_view what);

/// The rows of a COPY under way, a block of up to `rows` at a time, with the same accessors as
/// RowBlock so a read takes either. Rows COPY's text format does not allow are not in a block
/// but in malformed(), to be rejected.
class CopyBlock {
 public:
  struct Malformed {
    uint64_t row = 0;  // 1-based, in the whole COPY
    std::string reason;
    std::string raw;
  };

  CopyBlock(PGconn* conn, std::vector<ColumnInfo> columns, size_t rows);

  /// Reads the next block; returns how many rows it holds, 0 at the end of the COPY.
  Result<size_t> fetch();

  const std::vector<ColumnInfo>& columns() const { return columns_; }
  const std::vector<Malformed>& malformed() const { return malformed_; }

  bool isNull(size_t row, size_t column) const {
    return fields_[row * columns_.size() + column].length == kNullField;
  }
  /// The text of a value: timestamps with the record's 'T'. Valid until the next fetch().
  Result<std::string_view> value(size_t row, size_t column) const {
    const CopyField& field = fields_[row * columns_.size() + column];
    if (field.length == kNullField) return std::string_view();
    return std::string_view(text_.data() + field.offset, static_cast<size_t>(field.length));
  }

 private:
  PGconn* conn_;
  std::vector<ColumnInfo> columns_;
  std::vector<bool> timestamps_;
  size_t capacity_;
  bool done_ = false;
  uint64_t rows_seen_ = 0;
  std::string text_;               // the decoded values of the block
  std::vector<CopyField> fields_;  // row-major, columns_.size() per row
  std::vector<Malformed> malformed_;
};

}  // namespace hearth::connectors::trust_ssd
