#pragma once

// Drives a CsvReader over a whole text the way the connector drives it over a file: input in
// chunks of a given size, the unconsumed tail kept between calls.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/csv/csv_reader.hpp"

namespace hearth::connectors::csv::testing {

/// A row copied out of the reader.
struct ParsedRow {
  std::vector<std::string> fields;
  std::string raw;
  Position start;
  Position end;
  RowError error = RowError::kNone;
  size_t error_column = 0;

  bool ok() const { return error == RowError::kNone; }
};

/// The outcome of reading a whole text.
struct Parsed {
  std::vector<ParsedRow> rows;
  bool ended = false;  // next() said kEnd once the input was final
};

inline constexpr size_t kWholeInput = std::numeric_limits<size_t>::max();

/// Line breaks in text[from, to) as the reader counts them: LF, CRLF and a lone CR one each.
inline uint64_t lineBreaks(std::string_view text, uint64_t from, uint64_t to) {
  uint64_t lines = 0;
  for (uint64_t i = from; i < to; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
      ++lines;
    }
  }
  return lines;
}

/// Reads `text`, handing the reader at most `chunk` new bytes at a time.
inline Parsed parseText(std::string_view text, const CsvOptions& options = {},
                        size_t chunk = kWholeInput, Position start = {}) {
  CsvReader reader(options, start);
  Parsed parsed;
  std::string buffer;
  uint64_t buffer_offset = start.offset;  // stream offset of buffer[0]
  size_t fed = 0;
  for (;;) {
    const bool final = fed == text.size();
    const std::string_view input =
        std::string_view(buffer).substr(reader.scanOffset() - buffer_offset);
    const ReadStatus status = reader.next(input, final);
    if (status == ReadStatus::kRow) {
      const Row& row = reader.row();
      ParsedRow copy{{}, std::string(row.raw), row.start, row.end, row.error, row.error_column};
      for (const Field& field : row.fields) copy.fields.emplace_back(field.value);
      parsed.rows.push_back(std::move(copy));
      continue;
    }
    if (status == ReadStatus::kEnd || final) {
      parsed.ended = status == ReadStatus::kEnd;
      return parsed;
    }
    buffer.erase(0, reader.scanOffset() - buffer_offset);
    buffer_offset = reader.scanOffset();
    const size_t take = std::min(chunk, text.size() - fed);
    buffer.append(text.substr(fed, take));
    fed += take;
  }
}

}  // namespace hearth::connectors::csv::testing
