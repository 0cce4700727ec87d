#include "connectors/trust_ssd/row_block.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <utility>

#include "connectors/trust_ssd/odbc.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

// A block never takes more than this, however wide its rows. Each table gets a block of its own,
// and a driver that pads every slot (SQLite's declares TEXT as 65,536 bytes, bound at
// max_bound_bytes) writes all of it: a 256 MiB block was page-faulted in afresh for every table,
// a tenth of a whole council's run. A few hundred rows per fetch already spread the call's cost.
constexpr size_t kMaxBlockBytes = size_t{16} << 20;
// Text of a number, date or time is short; this leaves room for sign, point and exponent.
constexpr size_t kMinNonTextBytes = 48;
// A column whose size the driver does not declare (SQLite's TEXT) gets a slot this big; longer
// values are read through fetchLong(). Drivers such as SQLite's fill the whole slot for every
// value (strncpy pads it), so binding max_bound_bytes here cost a zeroed 8 KiB per column per
// row: most of the connector's time.
constexpr size_t kUndeclaredTextBytes = 256;

size_t alignUp(size_t value, size_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

bool isText(SQLSMALLINT type) {
  switch (type) {
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR:
      return true;
    default:
      return false;
  }
}

// Bytes for a value's text, NUL included: the declared size when it is known and not above the
// cap. Multi-byte text that overflows its slot is still read whole, through fetchLong().
SQLLEN slotBytes(const ColumnInfo& column, ColumnBinding binding, size_t max_bound_bytes) {
  switch (binding) {
    case ColumnBinding::kInteger:
      return sizeof(SQLBIGINT);
    case ColumnBinding::kDate:
      return sizeof(SQL_DATE_STRUCT);
    case ColumnBinding::kTimestamp:
      return sizeof(SQL_TIMESTAMP_STRUCT);
    case ColumnBinding::kText:
    case ColumnBinding::kIsoTimestampText:
      break;
  }
  size_t bytes = column.size;
  if (!isText(column.sql_type)) bytes = std::max(bytes + 8, kMinNonTextBytes);
  if (column.size == 0) bytes = kUndeclaredTextBytes;
  if (bytes > max_bound_bytes) bytes = max_bound_bytes;
  return static_cast<SQLLEN>(bytes + 1);
}

SQLSMALLINT cTypeOf(ColumnBinding binding) {
  switch (binding) {
    case ColumnBinding::kInteger:
      return SQL_C_SBIGINT;
    case ColumnBinding::kDate:
      return SQL_C_TYPE_DATE;
    case ColumnBinding::kTimestamp:
      return SQL_C_TYPE_TIMESTAMP;
    case ColumnBinding::kText:
    case ColumnBinding::kIsoTimestampText:
      break;
  }
  return SQL_C_CHAR;
}

// Fixed-width decimal digits, written from the right; the formatting below runs for every
// date and timestamp value read, so it avoids printf.
char* putDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

char* putDate(char* out, int year, unsigned month, unsigned day) {
  if (year < 0) {
    *out++ = '-';
    year = -year;
  }
  out = putDigits(out, static_cast<unsigned>(year), year > 9999 ? 5 : 4);
  *out++ = '-';
  out = putDigits(out, month, 2);
  *out++ = '-';
  return putDigits(out, day, 2);
}

// ISO 8601 with a 'T', as the record format documents; the fraction (nanoseconds in ODBC)
// without trailing zeros, and none when it is zero.
char* putTimestamp(char* out, const SQL_TIMESTAMP_STRUCT& ts) {
  out = putDate(out, ts.year, ts.month, ts.day);
  *out++ = 'T';
  out = putDigits(out, ts.hour, 2);
  *out++ = ':';
  out = putDigits(out, ts.minute, 2);
  *out++ = ':';
  out = putDigits(out, ts.second, 2);
  if (ts.fraction == 0) return out;
  unsigned fraction = ts.fraction % 1'000'000'000u;
  int width = 9;
  while (fraction % 10 == 0) {
    fraction /= 10;
    --width;
  }
  *out++ = '.';
  return putDigits(out, fraction, width);
}

}  // namespace

ColumnBinding bindingOf(SQLSMALLINT sql_type, bool native) {
  if (!native) return ColumnBinding::kText;
  switch (sql_type) {
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      return ColumnBinding::kInteger;
    case SQL_TYPE_DATE:
    case SQL_DATE:
      return ColumnBinding::kDate;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      return ColumnBinding::kTimestamp;
    default:
      return ColumnBinding::kText;
  }
}

hearth_field_type fieldTypeOf(SQLSMALLINT sql_type) {
  switch (sql_type) {
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      return HEARTH_FIELD_INT;
    case SQL_DECIMAL:
    case SQL_NUMERIC:
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE:
      return HEARTH_FIELD_NUMBER;
    case SQL_BIT:
      return HEARTH_FIELD_BOOL;
    case SQL_TYPE_DATE:
    case SQL_DATE:
      return HEARTH_FIELD_DATE;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      return HEARTH_FIELD_TIMESTAMP;
    default:
      return HEARTH_FIELD_STRING;
  }
}

const char* fieldTypeName(hearth_field_type type) {
  switch (type) {
    case HEARTH_FIELD_INT:
      return "int";
    case HEARTH_FIELD_NUMBER:
      return "number";
    case HEARTH_FIELD_BOOL:
      return "bool";
    case HEARTH_FIELD_DATE:
      return "date";
    case HEARTH_FIELD_TIMESTAMP:
      return "timestamp";
    default:
      return "string";
  }
}

Result<std::vector<ColumnInfo>> describeColumns(SQLHSTMT statement) {
  SQLSMALLINT count = 0;
  if (!succeeded(SQLNumResultCols(statement, &count))) {
    return statementError(statement, "cannot count result columns");
  }
  std::vector<ColumnInfo> columns;
  for (SQLUSMALLINT i = 1; i <= static_cast<SQLUSMALLINT>(count); ++i) {
    SQLCHAR name[512] = {};
    SQLSMALLINT name_length = 0;
    ColumnInfo column;
    SQLSMALLINT nullable = 0;
    if (!succeeded(SQLDescribeCol(statement, i, name, sizeof(name), &name_length, &column.sql_type,
                                  &column.size, &column.decimal_digits, &nullable))) {
      return statementError(statement, "cannot describe result column " + std::to_string(i));
    }
    column.name = reinterpret_cast<const char*>(name);
    SQLCHAR type_name[128] = {};
    SQLSMALLINT type_name_length = 0;
    // Only a hint (which PostgreSQL columns may be selected as text): a driver without it is fine.
    if (succeeded(SQLColAttribute(statement, i, SQL_DESC_TYPE_NAME, type_name, sizeof(type_name),
                                  &type_name_length, nullptr))) {
      column.type_name = reinterpret_cast<const char*>(type_name);
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

RowBlock::RowBlock(SQLHSTMT statement, std::vector<ColumnInfo> columns, std::vector<Slot> slots,
                   size_t stride, size_t rows, bool row_by_row)
    : statement_(statement),
      columns_(std::move(columns)),
      slots_(std::move(slots)),
      stride_(stride),
      rows_(rows),
      buffer_(new char[stride * rows]),
      row_status_(rows),
      long_values_(columns_.size()),
      printed_(columns_.size()),
      row_by_row_(row_by_row) {}

RowBlock::~RowBlock() {
  // The statement may outlive the block: leave it pointing at nothing of ours.
  SQLFreeStmt(statement_, SQL_UNBIND);
  SQLSetStmtAttr(statement_, SQL_ATTR_ROWS_FETCHED_PTR, nullptr, 0);
  SQLSetStmtAttr(statement_, SQL_ATTR_ROW_STATUS_PTR, nullptr, 0);
  if (row_by_row_) SQLSetStmtAttr(statement_, SQL_ATTR_ROW_BIND_OFFSET_PTR, nullptr, 0);
}

Result<std::unique_ptr<RowBlock>> RowBlock::bind(SQLHSTMT statement,
                                                 std::vector<ColumnInfo> columns,
                                                 const std::vector<ColumnBinding>& bindings,
                                                 size_t rows, size_t max_bound_bytes,
                                                 bool gets_data_in_blocks) {
  std::vector<Slot> slots;
  size_t stride = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    Slot slot;
    slot.binding = i < bindings.size() ? bindings[i] : ColumnBinding::kText;
    slot.capacity = slotBytes(columns[i], slot.binding, max_bound_bytes);
    slot.indicator_offset = alignUp(stride, alignof(SQLLEN));
    // SQLLEN alignment also suits the native structs (at most 8-byte members).
    slot.value_offset = slot.indicator_offset + sizeof(SQLLEN);
    stride = slot.value_offset + static_cast<size_t>(slot.capacity);
    slots.push_back(slot);
  }
  stride = alignUp(std::max<size_t>(stride, 1), alignof(SQLLEN));
  rows = std::clamp<size_t>(kMaxBlockBytes / stride, 1, rows);

  const bool row_by_row = !gets_data_in_blocks;
  std::unique_ptr<RowBlock> block(
      new RowBlock(statement, std::move(columns), std::move(slots), stride, rows, row_by_row));
  auto set = [statement](SQLINTEGER attribute, SQLPOINTER value) {
    return succeeded(SQLSetStmtAttr(statement, attribute, value, 0));
  };
  if (row_by_row && !set(SQL_ATTR_ROW_BIND_OFFSET_PTR, &block->bind_offset_)) {
    return statementError(statement, "cannot set up row by row fetches");
  }
  if (!set(SQL_ATTR_ROW_BIND_TYPE, reinterpret_cast<SQLPOINTER>(stride)) ||
      !set(SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(row_by_row ? 1 : rows)) ||
      !set(SQL_ATTR_ROWS_FETCHED_PTR, &block->fetched_) ||
      !set(SQL_ATTR_ROW_STATUS_PTR, block->row_status_.data())) {
    return statementError(statement, "cannot set up block fetches");
  }
  for (size_t i = 0; i < block->slots_.size(); ++i) {
    const Slot& slot = block->slots_[i];
    char* first = block->buffer_.get();
    if (!succeeded(SQLBindCol(statement, static_cast<SQLUSMALLINT>(i + 1), cTypeOf(slot.binding),
                              first + slot.value_offset, slot.capacity,
                              reinterpret_cast<SQLLEN*>(first + slot.indicator_offset)))) {
      return statementError(statement, "cannot bind column " + block->columns_[i].name);
    }
  }
  return block;
}

Result<size_t> RowBlock::fetch() {
  if (row_by_row_) return fetchRowByRow();
  fetched_ = 0;
  const SQLRETURN rc = SQLFetch(statement_);
  if (rc == SQL_NO_DATA) return size_t{0};
  if (!succeeded(rc)) return statementError(statement_, "cannot fetch rows");
  for (SQLULEN row = 0; row < fetched_; ++row) {
    if (row_status_[row] == SQL_ROW_ERROR) {
      return statementError(
          statement_, "the driver could not read row " + std::to_string(row + 1) + " of a block");
    }
  }
  return static_cast<size_t>(fetched_);
}

Result<std::string_view> RowBlock::value(size_t row, size_t column) {
  const SQLLEN length = indicator(row, column);
  const Slot& slot = slots_[column];
  if (slot.binding != ColumnBinding::kText && slot.binding != ColumnBinding::kIsoTimestampText) {
    if (length < 0) return std::string_view();
    return print(row, column);
  }
  if (length == SQL_NO_TOTAL || length >= slot.capacity) return fetchLong(row, column);
  if (length < 0) return std::string_view();
  char* const text = base(row) + slot.value_offset;
  // The buffer is ours until the next fetch, so the separator is fixed where it lies.
  if (slot.binding == ColumnBinding::kIsoTimestampText && length > 10 && text[10] == ' ') {
    text[10] = 'T';
  }
  return std::string_view(text, static_cast<size_t>(length));
}

std::string_view RowBlock::print(size_t row, size_t column) {
  const Slot& slot = slots_[column];
  const char* value = base(row) + slot.value_offset;
  char* const begin = printed_[column].data();
  char* end = begin;
  switch (slot.binding) {
    case ColumnBinding::kInteger: {
      SQLBIGINT number = 0;
      std::memcpy(&number, value, sizeof(number));
      end = std::to_chars(begin, begin + printed_[column].size(), number).ptr;
      break;
    }
    case ColumnBinding::kDate: {
      SQL_DATE_STRUCT date;
      std::memcpy(&date, value, sizeof(date));
      end = putDate(begin, date.year, date.month, date.day);
      break;
    }
    case ColumnBinding::kTimestamp: {
      SQL_TIMESTAMP_STRUCT timestamp;
      std::memcpy(&timestamp, value, sizeof(timestamp));
      end = putTimestamp(begin, timestamp);
      break;
    }
    case ColumnBinding::kText:
    case ColumnBinding::kIsoTimestampText:
      break;
  }
  return std::string_view(begin, static_cast<size_t>(end - begin));
}

Result<size_t> RowBlock::fetchRowByRow() {
  long_by_row_.clear();
  size_t row = 0;
  for (; row < rows_ && !ended_; ++row) {
    // The driver writes this row into its own slot of the block.
    bind_offset_ = row * stride_;
    fetched_ = 0;
    const SQLRETURN rc = SQLFetch(statement_);
    if (rc == SQL_NO_DATA) {
      ended_ = true;
      break;
    }
    if (!succeeded(rc)) return statementError(statement_, "cannot fetch rows");
    if (row_status_[0] == SQL_ROW_ERROR) {
      return statementError(
          statement_, "the driver could not read row " + std::to_string(row + 1) + " of a block");
    }
    for (size_t column = 0; column < slots_.size(); ++column) {
      const Slot& slot = slots_[column];
      if (slot.binding != ColumnBinding::kText &&
          slot.binding != ColumnBinding::kIsoTimestampText) {
        continue;
      }
      const SQLLEN length = indicator(row, column);
      if (length != SQL_NO_TOTAL && length < slot.capacity) continue;
      std::string& value = long_by_row_[row * slots_.size() + column];
      // Reading a value in parts, SQLite's driver stores its length through the column's bound
      // indicator without the bind offset, over the first row's: put that back.
      SQLLEN* const first_row = reinterpret_cast<SQLLEN*>(base(0) + slot.indicator_offset);
      const SQLLEN first_row_length = *first_row;
      Result<void> read = getWhole(column, value);
      *first_row = first_row_length;
      if (!read.ok()) return read.error();
    }
  }
  return row;
}

Result<std::string_view> RowBlock::fetchLong(size_t row, size_t column) {
  if (row_by_row_) {
    // Read when the row arrived: the driver can no longer go back to it.
    const auto found = long_by_row_.find(row * slots_.size() + column);
    if (found == long_by_row_.end()) return std::string_view();
    return std::string_view(found->second);
  }
  if (!succeeded(SQLSetPos(statement_, static_cast<SQLSETPOSIROW>(row + 1), SQL_POSITION,
                           SQL_LOCK_NO_CHANGE))) {
    return statementError(statement_, "cannot position on a row to read a long value of column " +
                                          columns_[column].name);
  }
  std::string& value = long_values_[column];
  if (Result<void> read = getWhole(column, value); !read.ok()) return read.error();
  return std::string_view(value);
}

Result<void> RowBlock::getWhole(size_t column, std::string& value) {
  value.clear();
  char chunk[16384];
  for (;;) {
    SQLLEN length = 0;
    const SQLRETURN rc = SQLGetData(statement_, static_cast<SQLUSMALLINT>(column + 1), SQL_C_CHAR,
                                    chunk, sizeof(chunk), &length);
    if (rc == SQL_NO_DATA) break;
    if (!succeeded(rc)) {
      return statementError(statement_,
                            "cannot read a long value of column " + columns_[column].name);
    }
    if (length == SQL_NULL_DATA) break;
    // Each part but the last fills the chunk, less its terminating NUL.
    const size_t part = (length == SQL_NO_TOTAL || length >= static_cast<SQLLEN>(sizeof(chunk)))
                            ? sizeof(chunk) - 1
                            : static_cast<size_t>(length);
    value.append(chunk, part);
    if (rc == SQL_SUCCESS) break;
  }
  return {};
}

}  // namespace hearth::connectors::trust_ssd
