#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::connectors::csv {

/// How a CsvReader splits its input.
struct CsvOptions {
  char delimiter = ',';
  /// A row longer than this, not counting its line ending, is rejected as csv.row_too_long.
  size_t max_row_bytes = size_t{1} << 20;
  /// How much of a rejected row's text a reject carries.
  size_t max_raw_bytes = 4096;
};

/// Why a row could not be read.
enum class RowError : uint8_t {
  kNone,
  kBadQuote,           // a quote inside an unquoted field, or text after a closing quote
  kUnterminatedQuote,  // a quoted field still open at the end of the input
  kInvalidUtf8,
  kRowTooLong,
};

/// The stable reason code of `error`: "csv.bad_quote", ...
std::string_view reasonCode(RowError error);

/// One field of a row. Quoted tells an empty quoted field ("") from an empty unquoted one.
struct Field {
  std::string_view value;
  bool quoted = false;
};

/// A place in the input: byte offset from the start of the file, and 1-based physical line.
struct Position {
  uint64_t offset = 0;
  uint64_t line = 1;

  friend bool operator==(const Position&, const Position&) = default;
};

/// A row the reader found, good or rejected. Views stay valid until the next call to next().
struct Row {
  /// The fields; for a rejected row, those read before it broke (maybe none).
  std::span<const Field> fields;
  /// The row's text without its line ending; for a rejected row at most max_raw_bytes of it.
  std::string_view raw;
  Position start;  // where the row begins
  Position end;    // where the row's line ending ends: the next row may begin here
  RowError error = RowError::kNone;
  /// 1-based column where the row broke, or 0 when the error is about the whole row.
  size_t error_column = 0;
  /// How the row broke, in a few words (static text); empty for a good row.
  std::string_view error_detail;
};

/// A human-readable reason for a rejected row, without any of the row's content.
std::string describe(const Row& row, const CsvOptions& options);

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool isValidUtf8(std::string_view text);

/// What next() found.
enum class ReadStatus {
  kRow,       // row() holds a row, good or rejected
  kNeedMore,  // the input ends inside a row: call again with more bytes
  kEnd,       // the input is exhausted and was final
};

/// An incremental RFC 4180 reader. It owns no input: each call to next() gets the bytes of the
/// stream from scanOffset() on, as much as the caller has, and whether they reach the end of
/// the stream. It copies nothing but fields with doubled quotes, which it unquotes into a scratch
/// buffer it reuses.
///
/// A line ends with LF, CRLF or a lone CR (as classic Mac exports write), each one line break;
/// inside a quoted field they are data. "\r\r\n" is a lone CR, then a blank line. A UTF-8 byte
/// order mark at offset 0 is skipped; blank lines are skipped. A broken row is returned with its
/// error and reading resumes at the next line break after the point where it broke (for an
/// unterminated quote: after the line the quote opened on).
///
/// The outcome never depends on how the input is split between calls.
class CsvReader {
 public:
  explicit CsvReader(const CsvOptions& options, Position start = {});

  /// Reads the next row from `input`, which must begin at scanOffset(). `final` says that the
  /// stream ends where `input` does. On kNeedMore the caller passes, next time, the bytes from
  /// the new scanOffset() with more appended; it must be able to hold max_row_bytes + 2 of them.
  ReadStatus next(std::string_view input, bool final);

  const Row& row() const { return row_; }
  /// The stream offset of the first byte next() wants.
  uint64_t scanOffset() const { return scan_.offset; }
  /// Where a new reader should start to continue after the rows returned so far: always a row
  /// boundary, so it is what a checkpoint records.
  Position resumePosition() const { return skipping_ ? pending_.start : scan_; }

 private:
  // How a row's parse ended before it became a row.
  struct Broken {
    RowError error;
    size_t column;
    std::string_view detail;
    const char* resync_from;  // resume after the first line break at or after this
  };

  ReadStatus readSimpleRow(const char* begin, const char* content_end, const char* next);
  ReadStatus readGeneralRow(const char* begin, const char* end, bool final);
  ReadStatus finishRow(const char* begin, const char* content_end, const char* next,
                       uint64_t lines);
  ReadStatus breakRow(const char* begin, const char* end, bool final, const Broken& broken);
  ReadStatus continueSkip(std::string_view input, bool final);
  void unquoteFields();
  void setRow(const char* begin, const char* content_end, const char* next, uint64_t lines,
              const Broken& broken);

  CsvOptions options_;
  Position scan_;
  Row row_;
  std::vector<Field> fields_;
  std::vector<uint32_t> doubled_quotes_;  // fields whose value still holds "" pairs
  std::string scratch_;                   // their unquoted values

  // A row longer than the input the caller can hold is rejected only once its line ends, so
  // that a rejected row's extent does not depend on buffer sizes. Meanwhile the reader skips
  // ahead with this state.
  bool skipping_ = false;
  Row pending_;
  uint64_t pending_lines_ = 0;
  std::string pending_raw_;
};

}  // namespace hearth::connectors::csv
