// libFuzzer target for the CSV reader. The first input byte picks the options, the second the
// chunk size; the rest is the CSV text. Besides crashes and sanitizer reports it checks what
// must hold for every input: the reader ends, every byte belongs to a row or to skipped blank
// lines, line numbers add up, good rows are valid UTF-8, and reading the text in chunks gives
// exactly the rows of reading it whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/csv/csv_reader.hpp"
#include "connectors/csv/tests/csv_test_support.hpp"

namespace {

using hearth::connectors::csv::CsvOptions;
using hearth::connectors::csv::CsvReader;
using hearth::connectors::csv::Field;
using hearth::connectors::csv::isValidUtf8;
using hearth::connectors::csv::Position;
using hearth::connectors::csv::ReadStatus;
using hearth::connectors::csv::RowError;
using hearth::connectors::csv::testing::lineBreaks;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

struct Seen {
  Position start;
  Position end;
  RowError error;
  std::string raw;
  std::vector<std::string> fields;
};

// Reads `text` handing over at most `chunk` new bytes at a time. Each call gets its input in a
// heap block of exactly that size, so that AddressSanitizer catches any read past its end.
std::vector<Seen> readAll(std::string_view text, const CsvOptions& options, size_t chunk) {
  CsvReader reader(options);
  std::vector<Seen> rows;
  std::string pending;
  uint64_t pending_offset = 0;
  size_t fed = 0;
  for (int calls = 0;; ++calls) {
    require(calls < 10 * static_cast<int>(text.size()) + 100);  // it always makes progress
    const bool final = fed == text.size();
    const size_t skip = static_cast<size_t>(reader.scanOffset() - pending_offset);
    require(skip <= pending.size());
    const size_t size = pending.size() - skip;
    std::unique_ptr<char[]> exact(new char[size == 0 ? 1 : size]);
    std::memcpy(exact.get(), pending.data() + skip, size);
    const ReadStatus status = reader.next(std::string_view(exact.get(), size), final);
    if (status == ReadStatus::kRow) {
      const auto& row = reader.row();
      Seen seen{row.start, row.end, row.error, std::string(row.raw), {}};
      for (const Field& field : row.fields) seen.fields.emplace_back(field.value);
      rows.push_back(std::move(seen));
      continue;
    }
    if (status == ReadStatus::kEnd) return rows;
    require(!final);
    pending.erase(0, static_cast<size_t>(reader.scanOffset() - pending_offset));
    pending_offset = reader.scanOffset();
    const size_t take = std::min(chunk, text.size() - fed);
    pending.append(text.substr(fed, take));
    fed += take;
  }
}

// Bytes between rows may only be blank lines and the byte order mark.
uint64_t skippedLines(std::string_view text, uint64_t from, uint64_t to) {
  uint64_t i = from;
  if (i == 0 && text.substr(0, 3) == "\xEF\xBB\xBF" && to >= 3) i = 3;
  for (uint64_t at = i; at < to; ++at) require(text[at] == '\n' || text[at] == '\r');
  return lineBreaks(text, i, to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  CsvOptions options;
  options.delimiter = (data[0] & 1) != 0 ? ';' : ',';
  options.max_row_bytes = (data[0] & 2) != 0 ? 16 + (data[0] >> 2) : options.max_row_bytes;
  options.max_raw_bytes = 1 + (data[0] >> 3);
  const size_t chunk = 1 + data[1];
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  const std::vector<Seen> whole = readAll(text, options, text.size() + 1);
  Position at;
  for (const Seen& row : whole) {
    require(at.offset <= row.start.offset);
    require(row.start.line == at.line + skippedLines(text, at.offset, row.start.offset));
    require(row.start.offset < row.end.offset && row.end.offset <= text.size());
    require(row.end.line - row.start.line == lineBreaks(text, row.start.offset, row.end.offset));
    if (row.error == RowError::kNone) {
      require(!row.fields.empty() && isValidUtf8(row.raw));
      require(row.raw.size() <= options.max_row_bytes);
    } else {
      require(row.raw.size() <= options.max_raw_bytes);
    }
    at = row.end;
  }
  skippedLines(text, at.offset, text.size());

  const std::vector<Seen> chunked = readAll(text, options, chunk);
  require(chunked.size() == whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    require(chunked[i].start == whole[i].start && chunked[i].end == whole[i].end);
    require(chunked[i].error == whole[i].error && chunked[i].raw == whole[i].raw);
    if (whole[i].error == RowError::kNone) require(chunked[i].fields == whole[i].fields);
  }
  return 0;
}
