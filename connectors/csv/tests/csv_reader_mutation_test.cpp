// Feeds the reader thousands of deterministic pseudo-random corruptions of a valid CSV file and
// checks what must hold for any input: it returns, it ends, every byte of the input belongs to a
// row, a reject or a skipped blank line, line numbers add up, and the chunking of the input
// changes nothing. (tests/fuzz/csv_reader_fuzz.cpp explores further with libFuzzer under clang.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "connectors/csv/csv_reader.hpp"
#include "connectors/csv/tests/csv_test_support.hpp"

namespace hearth::connectors::csv {
namespace {

using testing::lineBreaks;
using testing::Parsed;
using testing::parseText;

constexpr int kMutants = 4000;

std::string validCsv() {
  std::string text =
      "\xEF\xBB\xBF"
      "CHILD,DOB,NAME,NOTE\r\n";
  for (int i = 0; i < 12; ++i) {
    text += std::to_string(100000 + i) + ",0" + std::to_string(1 + i % 9) + "/05/2012,";
    text += (i % 3 == 0) ? "\"Smith, J\"" : "Jones";
    text += (i % 4 == 0) ? ",\"said \"\"hi\"\"\non two lines\"" : ",caf\xC3\xA9";
    text += (i % 5 == 0) ? "\n" : "\r\n";
    if (i % 6 == 0) text += "\n";
  }
  return text;
}

// Bytes that matter to a CSV reader, so that mutations hit its decisions more often than chance.
char interestingByte(std::mt19937& random) {
  static constexpr char kBytes[] = {'"',    ',',    '\n',   '\r',   ';',    'a',    ' ', '\xEF',
                                    '\xBB', '\xBF', '\xC3', '\xA9', '\xFF', '\x80', '\0'};
  return kBytes[random() % sizeof(kBytes)];
}

std::string mutate(std::string text, std::mt19937& random) {
  const int edits = 1 + static_cast<int>(random() % 6);
  for (int e = 0; e < edits; ++e) {
    const size_t at = text.empty() ? 0 : random() % (text.size() + 1);
    switch (random() % 4) {
      case 0:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), interestingByte(random));
        break;
      case 1:
        if (at < text.size()) text.erase(at, 1 + random() % 8);
        break;
      case 2:
        if (at < text.size()) text[at] = interestingByte(random);
        break;
      default:
        if (at < text.size()) text.insert(at, text.substr(at, random() % 40));
        break;
    }
  }
  return text;
}

// A gap between rows may hold only what the reader skips on purpose: blank lines and a byte
// order mark at offset 0.
bool isSkippable(std::string_view text, uint64_t from, uint64_t to, uint64_t& lines) {
  uint64_t i = from;
  if (i == 0 && text.substr(0, 3) == "\xEF\xBB\xBF" && to >= 3) i = 3;
  for (uint64_t at = i; at < to; ++at) {
    if (text[at] != '\n' && text[at] != '\r') return false;
  }
  lines += lineBreaks(text, i, to);
  return true;
}

void expectEveryByteAccountedFor(std::string_view text, const Parsed& parsed) {
  ASSERT_TRUE(parsed.ended);
  Position at;
  for (const auto& row : parsed.rows) {
    uint64_t blank_lines = 0;
    ASSERT_LE(at.offset, row.start.offset);
    ASSERT_TRUE(isSkippable(text, at.offset, row.start.offset, blank_lines))
        << "unaccounted bytes before offset " << row.start.offset;
    ASSERT_EQ(row.start.line, at.line + blank_lines);
    ASSERT_LT(row.start.offset, row.end.offset) << "a row must consume input";
    ASSERT_LE(row.end.offset, text.size());
    ASSERT_EQ(row.end.line - row.start.line, lineBreaks(text, row.start.offset, row.end.offset));
    if (row.ok()) {
      ASSERT_FALSE(row.fields.empty());
      ASSERT_TRUE(isValidUtf8(row.raw));
    }
    at = row.end;
  }
  uint64_t blank_lines = 0;
  ASSERT_TRUE(isSkippable(text, at.offset, text.size(), blank_lines))
      << "unaccounted bytes after offset " << at.offset;
}

void expectSameRows(const Parsed& a, const Parsed& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    ASSERT_EQ(a.rows[i].start, b.rows[i].start);
    ASSERT_EQ(a.rows[i].end, b.rows[i].end);
    ASSERT_EQ(a.rows[i].error, b.rows[i].error);
    ASSERT_EQ(a.rows[i].raw, b.rows[i].raw);
    if (a.rows[i].ok()) {
      ASSERT_EQ(a.rows[i].fields, b.rows[i].fields);
    }
  }
}

TEST(CsvReaderMutations, EveryMutantIsReadToTheEndWithEveryByteAccountedFor) {
  std::mt19937 random(20240611);  // fixed: a failure must reproduce
  const std::string original = validCsv();
  for (int i = 0; i < kMutants; ++i) {
    const std::string text = mutate(original, random);
    CsvOptions options;
    options.max_row_bytes = (i % 3 == 0) ? 16 + random() % 48 : options.max_row_bytes;
    options.max_raw_bytes = 8 + random() % 64;
    if (i % 7 == 0) options.delimiter = ';';
    SCOPED_TRACE("mutant " + std::to_string(i));

    const Parsed whole = parseText(text, options);
    expectEveryByteAccountedFor(text, whole);
    const Parsed chunked = parseText(text, options, 1 + random() % 97);
    expectSameRows(whole, chunked);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(CsvReaderMutations, TheUnmutatedFileReadsCleanly) {
  const std::string text = validCsv();
  const Parsed parsed = parseText(text);
  expectEveryByteAccountedFor(text, parsed);
  ASSERT_EQ(parsed.rows.size(), 13u);
  for (const auto& row : parsed.rows) {
    EXPECT_TRUE(row.ok()) << row.raw;
    EXPECT_EQ(row.fields.size(), 4u) << row.raw;
  }
}

}  // namespace
}  // namespace hearth::connectors::csv
