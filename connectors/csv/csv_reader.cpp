#include "connectors/csv/csv_reader.hpp"

#include <algorithm>
#include <cstring>

namespace hearth::connectors::csv {
namespace {

constexpr char kQuote = '"';
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Room past max_row_bytes for the longest line ending, so that a row of exactly the maximum
// length is still seen whole.
constexpr size_t kLineEndingBytes = 2;

// The first `c` in [from, to), or null.
const char* find(const char* from, const char* to, char c) {
  if (from >= to) return nullptr;
  return static_cast<const char*>(std::memchr(from, c, static_cast<size_t>(to - from)));
}

// The first line break (CR or LF) in [from, to), or null.
const char* findBreak(const char* from, const char* to) {
  const char* newline = find(from, to, '\n');
  const char* carriage_return = find(from, newline != nullptr ? newline : to, '\r');
  return carriage_return != nullptr ? carriage_return : newline;
}

// The length of the line break at `at` (LF, CRLF or a lone CR), or 0 for a CR that ends input
// which is not final: only the next byte tells a CRLF from a lone CR.
size_t breakLength(const char* at, const char* end, bool final) {
  if (*at == '\n') return 1;
  if (at + 1 < end) return at[1] == '\n' ? 2 : 1;
  return final ? 1 : 0;
}

// Line breaks in [from, to): LF, CRLF and lone CR count one each; a CR at `to` counts too.
uint64_t countLines(const char* from, const char* to) {
  uint64_t lines = 0;
  for (const char* at = findBreak(from, to); at != nullptr; at = findBreak(at, to)) {
    ++lines;
    at += (*at == '\r' && at + 1 < to && at[1] == '\n') ? 2 : 1;
  }
  return lines;
}

std::string_view view(const char* from, const char* to) {
  return {from, static_cast<size_t>(to - from)};
}

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

std::string_view reasonCode(RowError error) {
  switch (error) {
    case RowError::kNone:
      return {};
    case RowError::kBadQuote:
      return "csv.bad_quote";
    case RowError::kUnterminatedQuote:
      return "csv.unterminated_quote";
    case RowError::kInvalidUtf8:
      return "csv.invalid_utf8";
    case RowError::kRowTooLong:
      return "csv.row_too_long";
  }
  return "csv.unknown";
}

std::string describe(const Row& row, const CsvOptions& options) {
  const std::string column = std::to_string(row.error_column);
  switch (row.error) {
    case RowError::kNone:
      return {};
    case RowError::kBadQuote:
      return "bad quoting in column " + column + ": " + std::string(row.error_detail);
    case RowError::kUnterminatedQuote:
      return "unterminated quote: the quoted field in column " + column +
             " is still open at the end of the file";
    case RowError::kInvalidUtf8:
      return "invalid UTF-8 in column " + column;
    case RowError::kRowTooLong: {
      std::string message =
          "row longer than the limit of " + std::to_string(options.max_row_bytes) + " bytes";
      if (!row.error_detail.empty()) {
        message += ": " + std::string(row.error_detail) + " (column " + column + ")";
      }
      return message;
    }
  }
  return "unreadable row";
}

bool isValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    // Almost all text here is ASCII: test 16 bytes at a time for a set high bit.
    while (end - p >= 16) {
      uint64_t a;
      uint64_t b;
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + 8, 8);
      if (((a | b) & 0x8080808080808080ULL) != 0) break;
      p += 16;
    }
    if (p == end) break;
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    // The lead byte fixes the length and the range of the second byte (RFC 3629 table 3-7):
    // that range is what rules out overlong forms, surrogates and values past U+10FFFF.
    size_t length;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < length) return false;
    if (p[1] < low || p[1] > high) return false;
    for (size_t i = 2; i < length; ++i) {
      if (!isContinuation(p[i])) return false;
    }
    p += length;
  }
  return true;
}

CsvReader::CsvReader(const CsvOptions& options, Position start) : options_(options), scan_(start) {
  fields_.reserve(64);
}

ReadStatus CsvReader::next(std::string_view input, bool final) {
  if (skipping_) return continueSkip(input, final);

  const char* p = input.data();
  const char* const end = p + input.size();

  if (scan_.offset == 0 && !input.empty()) {
    const size_t seen = std::min(input.size(), kByteOrderMark.size());
    if (input.substr(0, seen) == kByteOrderMark.substr(0, seen)) {
      if (seen == kByteOrderMark.size()) {
        p += seen;
        scan_.offset += seen;
      } else if (!final) {
        return ReadStatus::kNeedMore;  // the start of a byte order mark, or of a character
      }
    }
  }

  // Blank lines are not rows.
  while (p == end || *p == '\n' || *p == '\r') {
    if (p == end) return final ? ReadStatus::kEnd : ReadStatus::kNeedMore;
    const size_t length = breakLength(p, end, final);
    if (length == 0) return ReadStatus::kNeedMore;
    p += length;
    scan_.offset += length;
    ++scan_.line;
  }

  // Most rows are one line without quotes: split those with memchr alone.
  const size_t window =
      std::min(static_cast<size_t>(end - p), options_.max_row_bytes + kLineEndingBytes);
  const char* const window_end = p + window;
  if (const char* line_break = findBreak(p, window_end)) {
    if (find(p, line_break, kQuote) == nullptr) {
      const size_t length = breakLength(line_break, end, final);
      if (length == 0) return ReadStatus::kNeedMore;
      return readSimpleRow(p, line_break, line_break + length);
    }
  } else if (final && window_end == end && find(p, end, kQuote) == nullptr) {
    return readSimpleRow(p, end, end);
  }
  return readGeneralRow(p, end, final);
}

ReadStatus CsvReader::readSimpleRow(const char* begin, const char* content_end, const char* next) {
  fields_.clear();
  doubled_quotes_.clear();
  const char delimiter = options_.delimiter;
  const char* field = begin;
  for (;;) {
    const char* stop = find(field, content_end, delimiter);
    if (stop == nullptr) {
      fields_.push_back({view(field, content_end), false});
      break;
    }
    fields_.push_back({view(field, stop), false});
    field = stop + 1;
  }
  return finishRow(begin, content_end, next, next > content_end ? 1 : 0);
}

ReadStatus CsvReader::readGeneralRow(const char* begin, const char* end, bool final) {
  fields_.clear();
  doubled_quotes_.clear();

  // The reader looks at most one maximum row (and its line ending) ahead, so that what it decides
  // about a row never depends on how much input the caller happened to have.
  const size_t available = static_cast<size_t>(end - begin);
  const size_t window = std::min(available, options_.max_row_bytes + kLineEndingBytes);
  const char* const window_end = begin + window;
  const bool truncated = available > window;
  const bool window_is_final = final && !truncated;
  const char delimiter = options_.delimiter;
  const Broken too_long_here = {RowError::kRowTooLong, 0, {}, window_end};

  uint64_t lines = 0;
  const char* line_end = nullptr;  // first line feed at or after pos, or window_end if none
  const char* pos = begin;
  for (;;) {
    const size_t column = fields_.size() + 1;

    if (pos < window_end && *pos == kQuote) {
      const char* const open = pos;
      const char* close = nullptr;
      bool doubled = false;
      for (const char* scan = open + 1;;) {
        const char* quote = find(scan, window_end, kQuote);
        if (quote == nullptr) break;
        if (quote + 1 < window_end && quote[1] == kQuote) {
          doubled = true;
          scan = quote + 2;
          continue;
        }
        close = quote;
        break;
      }
      if (close == nullptr) {
        if (truncated) {
          return breakRow(begin, end, final,
                          {RowError::kRowTooLong, column,
                           "its quoted field does not close within the limit", open});
        }
        if (!final) return ReadStatus::kNeedMore;
        return breakRow(begin, end, final, {RowError::kUnterminatedQuote, column, {}, open});
      }
      const char* const after = close + 1;
      if (after == window_end && !window_is_final) {
        // Whether this quote closes the field or starts a doubled quote is beyond the window.
        if (truncated) return breakRow(begin, end, final, too_long_here);
        return ReadStatus::kNeedMore;
      }
      if (doubled) doubled_quotes_.push_back(static_cast<uint32_t>(fields_.size()));
      fields_.push_back({view(open + 1, close), true});
      lines += countLines(open + 1, close);

      if (after == window_end) return finishRow(begin, after, after, lines);
      if (*after == delimiter) {
        pos = after + 1;
        continue;
      }
      if (*after == '\n' || *after == '\r') {
        const size_t length = breakLength(after, end, final);
        if (length == 0) return ReadStatus::kNeedMore;
        return finishRow(begin, after, after + length, lines + 1);
      }
      return breakRow(begin, end, final,
                      {RowError::kBadQuote, column, "text after a closing quote", after});
    }

    if (line_end == nullptr || line_end < pos) {
      line_end = findBreak(pos, window_end);
      if (line_end == nullptr) line_end = window_end;
    }
    const char* const delimiter_at = find(pos, line_end, delimiter);
    const char* const field_end = delimiter_at != nullptr ? delimiter_at : line_end;
    if (const char* quote = find(pos, field_end, kQuote)) {
      return breakRow(begin, end, final,
                      {RowError::kBadQuote, column, "a quote inside an unquoted field", quote});
    }
    if (delimiter_at != nullptr) {
      fields_.push_back({view(pos, delimiter_at), false});
      pos = delimiter_at + 1;
      continue;
    }
    if (line_end < window_end) {
      const size_t length = breakLength(line_end, end, final);
      if (length == 0) return ReadStatus::kNeedMore;
      fields_.push_back({view(pos, line_end), false});
      return finishRow(begin, line_end, line_end + length, lines + 1);
    }
    if (window_is_final) {
      fields_.push_back({view(pos, window_end), false});
      return finishRow(begin, window_end, window_end, lines);
    }
    if (truncated) return breakRow(begin, end, final, too_long_here);
    return ReadStatus::kNeedMore;
  }
}

ReadStatus CsvReader::finishRow(const char* begin, const char* content_end, const char* next,
                                uint64_t lines) {
  Broken broken = {RowError::kNone, 0, {}, nullptr};
  if (static_cast<size_t>(content_end - begin) > options_.max_row_bytes) {
    broken.error = RowError::kRowTooLong;
  } else if (!isValidUtf8(view(begin, content_end))) {
    broken.error = RowError::kInvalidUtf8;
    const auto bad = std::find_if(fields_.begin(), fields_.end(),
                                  [](const Field& field) { return !isValidUtf8(field.value); });
    broken.column = static_cast<size_t>(bad - fields_.begin()) + 1;
  }
  unquoteFields();
  setRow(begin, content_end, next, lines, broken);
  return ReadStatus::kRow;
}

ReadStatus CsvReader::breakRow(const char* begin, const char* end, bool final,
                               const Broken& broken) {
  // The search for the line break runs past the window, over all the input there is: where a
  // broken row ends must not depend on how far the reader looked ahead.
  const char* line_break = findBreak(broken.resync_from, end);
  if (line_break != nullptr) {
    if (const size_t length = breakLength(line_break, end, final); length > 0) {
      unquoteFields();
      setRow(begin, line_break, line_break + length, countLines(begin, line_break + length),
             broken);
      return ReadStatus::kRow;
    }
    // A CR ending the input: whether a line feed follows is still to come.
  }
  if (final) {
    unquoteFields();
    setRow(begin, end, end, countLines(begin, end), broken);
    return ReadStatus::kRow;
  }
  if (static_cast<size_t>(end - begin) <= options_.max_row_bytes + kLineEndingBytes) {
    return ReadStatus::kNeedMore;
  }
  // More than a maximum row is waiting and its line has not ended: skip forward without keeping
  // the bytes (up to a CR ending the input, which the next call decides on), and report the row
  // once its line ends.
  const char* const stop = line_break != nullptr ? line_break : end;
  skipping_ = true;
  pending_ = Row{};
  pending_.start = scan_;
  pending_.error = broken.error;
  pending_.error_column = broken.column;
  pending_.error_detail = broken.detail;
  pending_lines_ = countLines(begin, stop);
  pending_raw_.assign(begin, std::min(static_cast<size_t>(stop - begin), options_.max_raw_bytes));
  scan_.offset += static_cast<uint64_t>(stop - begin);
  return ReadStatus::kNeedMore;
}

ReadStatus CsvReader::continueSkip(std::string_view input, bool final) {
  const char* const begin = input.data();
  const char* const end = begin + input.size();
  const char* const line_break = findBreak(begin, end);
  const char* const stop = line_break != nullptr ? line_break : end;
  if (pending_raw_.size() < options_.max_raw_bytes) {
    const size_t room = options_.max_raw_bytes - pending_raw_.size();
    pending_raw_.append(begin, std::min(room, static_cast<size_t>(stop - begin)));
  }
  scan_.offset += static_cast<uint64_t>(stop - begin);
  if (line_break == nullptr && !final) return ReadStatus::kNeedMore;
  if (line_break != nullptr) {
    const size_t length = breakLength(line_break, end, final);
    if (length == 0) return ReadStatus::kNeedMore;
    scan_.offset += length;
    ++pending_lines_;
  }
  skipping_ = false;
  scan_.line = pending_.start.line + pending_lines_;
  row_ = pending_;
  row_.fields = {};
  row_.raw = pending_raw_;
  row_.end = scan_;
  return ReadStatus::kRow;
}

void CsvReader::unquoteFields() {
  if (doubled_quotes_.empty()) return;
  size_t total = 0;
  for (uint32_t index : doubled_quotes_) total += fields_[index].value.size();
  // Size the scratch buffer first: growing it later would move values already pointing into it.
  if (scratch_.size() < total) scratch_.resize(total);
  char* out = scratch_.data();
  for (uint32_t index : doubled_quotes_) {
    const std::string_view value = fields_[index].value;
    char* const start = out;
    // Inside a quoted field every quote is the first of a pair: keep it, drop its twin.
    size_t i = 0;
    while (i < value.size()) {
      const char* quote = find(value.data() + i, value.data() + value.size(), kQuote);
      const size_t keep =
          quote == nullptr ? value.size() - i : static_cast<size_t>(quote - value.data()) - i + 1;
      std::memcpy(out, value.data() + i, keep);
      out += keep;
      i += keep + (quote == nullptr ? 0 : 1);
    }
    fields_[index].value = view(start, out);
  }
  doubled_quotes_.clear();
}

void CsvReader::setRow(const char* begin, const char* content_end, const char* next, uint64_t lines,
                       const Broken& broken) {
  size_t raw_bytes = static_cast<size_t>(content_end - begin);
  if (broken.error != RowError::kNone) raw_bytes = std::min(raw_bytes, options_.max_raw_bytes);
  row_.fields = fields_;
  row_.raw = std::string_view(begin, raw_bytes);
  row_.start = scan_;
  row_.end = {scan_.offset + static_cast<uint64_t>(next - begin), scan_.line + lines};
  row_.error = broken.error;
  row_.error_column = broken.column;
  row_.error_detail = broken.detail;
  scan_ = row_.end;
}

}  // namespace hearth::connectors::csv
