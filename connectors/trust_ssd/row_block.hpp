#pragma once

#include <sql.h>
#include <sqlext.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "plugins/sdk/hearth_connector.h"

namespace hearth::connectors::trust_ssd {

/// A result column as the driver describes it.
struct ColumnInfo {
  std::string name;
  SQLSMALLINT sql_type = SQL_UNKNOWN_TYPE;
  SQLULEN size = 0;  // characters for text, precision for numbers; 0 when unknown
  SQLSMALLINT decimal_digits = 0;
  std::string type_name;  // the source's own name of the type, e.g. "timestamp", "timestamptz"
};

/// The record field type that carries values of an SQL type.
hearth_field_type fieldTypeOf(SQLSMALLINT sql_type);
/// The catalogue's name of a field type: "string", "int", ...
const char* fieldTypeName(hearth_field_type type);

/// The columns of an executed statement's result set.
Result<std::vector<ColumnInfo>> describeColumns(SQLHSTMT statement);

/// How a column is bound: as the driver's text, or in its native C form, printed by value().
/// kIsoTimestampText is a timestamp the query selects as ISO text ("YYYY-MM-DD HH:MM:SS[.f]"),
/// bound as text; value() gives it the record's 'T'.
enum class ColumnBinding { kText, kInteger, kDate, kTimestamp, kIsoTimestampText };

/// The binding for a column of an SQL type. `native` allows native binding of integers, dates
/// and timestamps; without it (or for any other type) the column is bound as text.
ColumnBinding bindingOf(SQLSMALLINT sql_type, bool native);

/// Block fetches of an executed statement with row-wise binding into one buffer of `rows`
/// fixed-size row slots, so one SQLFetch fills a whole block. Text values longer than their
/// slot are fetched again whole with SQLGetData. A driver that reads long values only on the row
/// it fetched last (no SQL_GD_BLOCK) has the slots filled one row per SQLFetch instead, each
/// row's long values read as it arrives.
class RowBlock {
 public:
  /// Binds every column of `statement` as `bindings` says (one per column, see bindingOf()). A
  /// text slot holds the column's declared size, at most `max_bound_bytes`; the block is made
  /// smaller if a very wide row would make it huge. Natively bound integers, dates and
  /// timestamps (SQL_C_SBIGINT, SQL_C_TYPE_DATE, SQL_C_TYPE_TIMESTAMP) are printed by value(),
  /// far faster than a driver converts them to text.
  static Result<std::unique_ptr<RowBlock>> bind(SQLHSTMT statement, std::vector<ColumnInfo> columns,
                                                const std::vector<ColumnBinding>& bindings,
                                                size_t rows, size_t max_bound_bytes,
                                                bool gets_data_in_blocks);

  ~RowBlock();
  RowBlock(const RowBlock&) = delete;
  RowBlock& operator=(const RowBlock&) = delete;

  /// Fetches the next block; returns how many rows it holds, 0 at the end of the result set.
  Result<size_t> fetch();

  const std::vector<ColumnInfo>& columns() const { return columns_; }
  size_t capacity() const { return rows_; }

  bool isNull(size_t row, size_t column) const { return indicator(row, column) == SQL_NULL_DATA; }
  /// The text of a value, whole: integers in decimal, dates "YYYY-MM-DD", timestamps
  /// "YYYY-MM-DDTHH:MM:SS[.fraction]". Valid until the next fetch() or the next value() of the
  /// same column.
  Result<std::string_view> value(size_t row, size_t column);

 private:
  struct Slot {
    ColumnBinding binding = ColumnBinding::kText;
    size_t value_offset = 0;
    size_t indicator_offset = 0;
    SQLLEN capacity = 0;  // bytes; for text including the terminating NUL
  };
  // Room for the text of a natively bound value: a timestamp with nanoseconds is 29 characters.
  using PrintBuffer = std::array<char, 40>;

  RowBlock(SQLHSTMT statement, std::vector<ColumnInfo> columns, std::vector<Slot> slots,
           size_t stride, size_t rows, bool row_by_row);

  char* base(size_t row) const { return buffer_.get() + row * stride_; }
  SQLLEN indicator(size_t row, size_t column) const {
    return *reinterpret_cast<const SQLLEN*>(base(row) + slots_[column].indicator_offset);
  }
  Result<size_t> fetchRowByRow();
  Result<std::string_view> fetchLong(size_t row, size_t column);
  // Reads the current row's value of `column` whole into `value`.
  Result<void> getWhole(size_t column, std::string& value);
  std::string_view print(size_t row, size_t column);

  SQLHSTMT statement_;
  std::vector<ColumnInfo> columns_;
  std::vector<Slot> slots_;
  size_t stride_;
  size_t rows_;
  std::unique_ptr<char[]> buffer_;
  std::vector<SQLUSMALLINT> row_status_;
  SQLULEN fetched_ = 0;
  std::vector<std::string> long_values_;  // per column: the last value too long for its slot
  std::vector<PrintBuffer> printed_;      // per column: the last natively bound value printed
  // Row by row (no SQL_GD_BLOCK): where the driver writes the current row, and the block's long
  // values by row * columns + column, read as their rows arrived.
  bool row_by_row_;
  bool ended_ = false;
  SQLULEN bind_offset_ = 0;
  std::unordered_map<size_t, std::string> long_by_row_;
};

}  // namespace hearth::connectors::trust_ssd
