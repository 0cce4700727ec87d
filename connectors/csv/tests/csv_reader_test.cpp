#include "connectors/csv/csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/csv/tests/csv_test_support.hpp"

namespace hearth::connectors::csv {
namespace {

using testing::kWholeInput;
using testing::Parsed;
using testing::parseText;
using Fields = std::vector<std::string>;

// Every split of the input into chunks must read the same rows as the whole input at once.
void expectSameInAnyChunks(std::string_view text, const CsvOptions& options = {}) {
  const Parsed whole = parseText(text, options);
  for (size_t chunk = 1; chunk <= 9; ++chunk) {
    const Parsed chunked = parseText(text, options, chunk);
    ASSERT_EQ(chunked.rows.size(), whole.rows.size()) << "chunk " << chunk;
    for (size_t i = 0; i < whole.rows.size(); ++i) {
      const auto& a = whole.rows[i];
      const auto& b = chunked.rows[i];
      EXPECT_EQ(a.start, b.start) << "row " << i << " chunk " << chunk;
      EXPECT_EQ(a.end, b.end) << "row " << i << " chunk " << chunk;
      EXPECT_EQ(a.error, b.error) << "row " << i << " chunk " << chunk;
      EXPECT_EQ(a.raw, b.raw) << "row " << i << " chunk " << chunk;
      if (a.ok()) {
        EXPECT_EQ(a.fields, b.fields) << "row " << i << " chunk " << chunk;
      }
    }
  }
}

TEST(CsvReader, ReadsRfc4180RecordsWithCrlfLineBreaks) {
  const std::string text = "aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"aaa", "bbb", "ccc"}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"zzz", "yyy", "xxx"}));
  EXPECT_EQ(parsed.rows[1].start, (Position{13, 2}));
  EXPECT_EQ(parsed.rows[1].end, (Position{26, 3}));
  EXPECT_TRUE(parsed.ended);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, ReadsALastRecordWithoutALineBreakOnlyOnceTheInputIsFinal) {
  const std::string text = "aaa,bbb,ccc\nzzz,yyy,xxx";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"zzz", "yyy", "xxx"}));
  EXPECT_EQ(parsed.rows[1].end, (Position{23, 2}));

  CsvReader reader{CsvOptions{}};
  ASSERT_EQ(reader.next(text, false), ReadStatus::kRow);
  EXPECT_EQ(reader.next(std::string_view(text).substr(reader.scanOffset()), false),
            ReadStatus::kNeedMore);
  EXPECT_EQ(reader.resumePosition(), (Position{12, 2}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, UnquotesQuotedFields) {
  const Parsed parsed = parseText("\"aaa\",\"bbb\",\"ccc\"\r\nzzz,yyy,xxx\r\n");
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"aaa", "bbb", "ccc"}));
  EXPECT_TRUE(parsed.rows[0].ok());
}

TEST(CsvReader, KeepsLineBreaksInsideQuotesAndCountsPhysicalLines) {
  const std::string text =
      "\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx\r\n\"x\ny\nz\",w\nlast,row\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 4u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"aaa", "b\r\nbb", "ccc"}));
  EXPECT_EQ(parsed.rows[0].start.line, 1u);
  EXPECT_EQ(parsed.rows[1].start.line, 3u);
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"x\ny\nz", "w"}));
  EXPECT_EQ(parsed.rows[2].start.line, 4u);
  EXPECT_EQ(parsed.rows[3].start.line, 7u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, CollapsesDoubledQuotes) {
  const std::string text = "\"aaa\",\"b\"\"bb\",\"ccc\"\n\"\"\"\",\"a\"\"\"\"b\",\"\"\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"aaa", "b\"bb", "ccc"}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"\"", "a\"\"b", ""}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, TellsEmptyQuotedFromEmptyUnquotedFields) {
  CsvReader reader{CsvOptions{}};
  ASSERT_EQ(reader.next("a,,\"\",\n", true), ReadStatus::kRow);
  const auto fields = reader.row().fields;
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_FALSE(fields[1].quoted);
  EXPECT_TRUE(fields[2].quoted);
  EXPECT_TRUE(fields[2].value.empty());
  EXPECT_FALSE(fields[3].quoted);
}

TEST(CsvReader, SkipsAByteOrderMarkAtTheStartOnly) {
  const std::string text = "\xEF\xBB\xBFh1,h2\n\xEF\xBB\xBFx,y\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"h1", "h2"}));
  EXPECT_EQ(parsed.rows[0].start, (Position{3, 1}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"\xEF\xBB\xBFx", "y"}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  const std::string text = "h\n\n\r\na\n\n\nb\n\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"a"}));
  EXPECT_EQ(parsed.rows[1].start.line, 4u);
  EXPECT_EQ(parsed.rows[2].start.line, 7u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, UsesTheConfiguredDelimiter) {
  CsvOptions options;
  options.delimiter = ';';
  const Parsed semicolons = parseText("a;\"b;c\";d,e\n", options);
  ASSERT_EQ(semicolons.rows.size(), 1u);
  EXPECT_EQ(semicolons.rows[0].fields, (Fields{"a", "b;c", "d,e"}));

  options.delimiter = '\t';
  const Parsed tabs = parseText("a\tb c\t\"d\te\"\r\n", options);
  ASSERT_EQ(tabs.rows.size(), 1u);
  EXPECT_EQ(tabs.rows[0].fields, (Fields{"a", "b c", "d\te"}));
}

TEST(CsvReader, ALoneCarriageReturnEndsARowAsClassicMacExportsWrite) {
  const std::string text = "h1,h2\ra,b\rc,d";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"h1", "h2"}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"a", "b"}));
  EXPECT_EQ(parsed.rows[1].start, (Position{6, 2}));
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"c", "d"}));
  EXPECT_EQ(parsed.rows[2].start, (Position{10, 3}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, ALoneCarriageReturnAfterAQuotedFieldEndsTheRow) {
  const std::string text = "\"a\",b\r\"c\",\"d\"\rlast,\"e\"\r";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"c", "d"}));
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"last", "e"}));
  EXPECT_EQ(parsed.rows[2].end.line, 4u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, CarriageReturnBeforeCrlfLeavesNoCarriageReturnInTheLastField) {
  const std::string text = "h1,h2\r\r\na,b\r\r\n\"c\",d\r\r\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"h1", "h2"}));
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"a", "b"}));
  EXPECT_EQ(parsed.rows[1].start.line, 3u);
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"c", "d"}));
  for (const auto& row : parsed.rows) EXPECT_EQ(row.raw.find('\r'), std::string::npos);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, KeepsCarriageReturnsInsideQuotedFieldsAsData) {
  const std::string text = "\"a\rb\",\"c\r\nd\"\r\nnext,row\r\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].fields, (Fields{"a\rb", "c\r\nd"}));
  EXPECT_EQ(parsed.rows[1].start.line, 4u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, ABrokenRowEndsAtALoneCarriageReturn) {
  const std::string text = "a\"b,c\rgood,row\r";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].error, RowError::kBadQuote);
  EXPECT_EQ(parsed.rows[0].raw, "a\"b,c");
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"good", "row"}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, RejectsAQuoteInsideAnUnquotedFieldAndCarriesOnAtTheNextLine) {
  const std::string text = "h1,h2,h3\n1,x\"y,3\n4,5,6\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  const auto& bad = parsed.rows[1];
  EXPECT_EQ(bad.error, RowError::kBadQuote);
  EXPECT_EQ(bad.error_column, 2u);
  EXPECT_EQ(bad.start.line, 2u);
  EXPECT_EQ(bad.raw, "1,x\"y,3");
  EXPECT_EQ(bad.fields, (Fields{"1"}));
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"4", "5", "6"}));
  EXPECT_EQ(parsed.rows[2].start.line, 3u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, RejectsTextAfterAClosingQuote) {
  const std::string text = "1,\"ab\"c,3\r\n4,\"5\" ,6\r\n7,8,9\r\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[0].error, RowError::kBadQuote);
  EXPECT_EQ(parsed.rows[0].error_column, 2u);
  EXPECT_EQ(parsed.rows[0].raw, "1,\"ab\"c,3");
  EXPECT_EQ(parsed.rows[1].error, RowError::kBadQuote);
  EXPECT_EQ(parsed.rows[1].start.line, 2u);
  EXPECT_TRUE(parsed.rows[2].ok());
  EXPECT_EQ(parsed.rows[2].start.line, 3u);
  expectSameInAnyChunks(text);
}

TEST(CsvReader, RejectsAnUnterminatedQuoteAndRereadsTheLinesAfterIt) {
  const std::string text = "h1,h2\n1,\"abc\n2,x\n3,y";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 4u);
  const auto& bad = parsed.rows[1];
  EXPECT_EQ(bad.error, RowError::kUnterminatedQuote);
  EXPECT_EQ(bad.error_column, 2u);
  EXPECT_EQ(bad.start.line, 2u);
  EXPECT_EQ(bad.raw, "1,\"abc");
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"2", "x"}));
  EXPECT_EQ(parsed.rows[2].start.line, 3u);
  EXPECT_EQ(parsed.rows[3].fields, (Fields{"3", "y"}));
  expectSameInAnyChunks(text);
}

TEST(CsvReader, WaitsForMoreInputWhileAQuoteIsOpenAndTheInputIsNotFinal) {
  CsvReader reader{CsvOptions{}};
  EXPECT_EQ(reader.next("1,\"abc\n2,x\n", false), ReadStatus::kNeedMore);
  EXPECT_EQ(reader.scanOffset(), 0u);
  ASSERT_EQ(reader.next("1,\"abc\n2,x\n\"\n", false), ReadStatus::kRow);
  EXPECT_EQ(reader.row().fields[1].value, "abc\n2,x\n");
}

TEST(CsvReader, RejectsInvalidUtf8NamingTheColumn) {
  const std::string text = "h1,h2\n1,caf\xC3\n2,caf\xC3\xA9\n";
  const Parsed parsed = parseText(text);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[1].error, RowError::kInvalidUtf8);
  EXPECT_EQ(parsed.rows[1].error_column, 2u);
  EXPECT_EQ(parsed.rows[1].start.line, 2u);
  EXPECT_EQ(parsed.rows[1].fields, (Fields{"1", "caf\xC3"}));
  EXPECT_TRUE(parsed.rows[2].ok());
  EXPECT_EQ(parsed.rows[2].fields[1], "caf\xC3\xA9");
}

TEST(CsvReader, ValidatesUtf8LikeRfc3629) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain ascii text that is longer than sixteen bytes"));
  EXPECT_TRUE(isValidUtf8("\xC2\xA3 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(isValidUtf8("\x80"));
  EXPECT_FALSE(isValidUtf8("abc\xE2\x82"));  // cut short
  EXPECT_FALSE(isValidUtf8("\xE2\x28\xA1"));
}

TEST(CsvReader, RejectsARowLongerThanTheLimitAndCarriesOn) {
  CsvOptions options;
  options.max_row_bytes = 10;
  options.max_raw_bytes = 6;
  const std::string text = "a,b\n" + std::string(50, 'x') + "\r\n1,2\n0123456789\r\n01234567890\n";
  const Parsed parsed = parseText(text, options);
  ASSERT_EQ(parsed.rows.size(), 5u);
  EXPECT_EQ(parsed.rows[1].error, RowError::kRowTooLong);
  EXPECT_EQ(parsed.rows[1].start, (Position{4, 2}));
  EXPECT_EQ(parsed.rows[1].end, (Position{56, 3}));
  EXPECT_EQ(parsed.rows[1].raw, "xxxxxx");
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"1", "2"}));
  EXPECT_TRUE(parsed.rows[3].ok()) << "a row of exactly the limit is fine";
  EXPECT_EQ(parsed.rows[4].error, RowError::kRowTooLong);
  EXPECT_EQ(parsed.rows[4].start.line, 5u);
  expectSameInAnyChunks(text, options);
}

TEST(CsvReader, ARunawayQuoteLongerThanTheLimitResumesAfterTheQuotesLine) {
  CsvOptions options;
  options.max_row_bytes = 16;
  const std::string text = "1,\"abc\n" + std::string(40, 'y') + "\n2,3\n";
  const Parsed parsed = parseText(text, options);
  ASSERT_EQ(parsed.rows.size(), 3u);
  EXPECT_EQ(parsed.rows[0].error, RowError::kRowTooLong);
  EXPECT_EQ(parsed.rows[0].error_column, 2u);
  EXPECT_EQ(parsed.rows[0].raw, "1,\"abc");
  EXPECT_EQ(parsed.rows[1].error, RowError::kRowTooLong);
  EXPECT_EQ(parsed.rows[1].start.line, 2u);
  EXPECT_EQ(parsed.rows[2].fields, (Fields{"2", "3"}));
  EXPECT_EQ(parsed.rows[2].start.line, 3u);
  expectSameInAnyChunks(text, options);
}

TEST(CsvReader, SkipsALongLineWithoutHoldingItAndResumesAtARowBoundary) {
  CsvOptions options;
  options.max_row_bytes = 8;
  CsvReader reader(options);
  const std::string head = "1,2\n" + std::string(20, 'z');
  ASSERT_EQ(reader.next(head, false), ReadStatus::kRow);
  EXPECT_EQ(reader.next(std::string_view(head).substr(4), false), ReadStatus::kNeedMore);
  EXPECT_EQ(reader.scanOffset(), head.size()) << "the long line's bytes are not kept";
  EXPECT_EQ(reader.resumePosition(), (Position{4, 2})) << "a checkpoint stays before it";
  ASSERT_EQ(reader.next("zzz\n3,4\n", false), ReadStatus::kRow);
  EXPECT_EQ(reader.row().error, RowError::kRowTooLong);
  EXPECT_EQ(reader.row().end, (Position{28, 3}));
  ASSERT_EQ(reader.next("3,4\n", false), ReadStatus::kRow);
  EXPECT_EQ(reader.row().start.line, 3u);
}

TEST(CsvReader, ResumesFromAPositionWithTheSameRowsAndLines) {
  const std::string text = "h1,h2\n1,\"a\nb\"\n2,c\n3,d\n";
  const Parsed whole = parseText(text);
  ASSERT_EQ(whole.rows.size(), 4u);
  const Position resume = whole.rows[1].end;
  const Parsed rest =
      parseText(std::string_view(text).substr(resume.offset), {}, kWholeInput, resume);
  ASSERT_EQ(rest.rows.size(), 2u);
  EXPECT_EQ(rest.rows[0].start, whole.rows[2].start);
  EXPECT_EQ(rest.rows[1].fields, whole.rows[3].fields);
  EXPECT_EQ(rest.rows[1].start.line, 5u);
}

TEST(CsvReader, DescribesEachReasonWithoutRowContent) {
  CsvOptions options;
  Row row;
  row.error = RowError::kBadQuote;
  row.error_column = 3;
  row.error_detail = "a quote inside an unquoted field";
  EXPECT_EQ(describe(row, options), "bad quoting in column 3: a quote inside an unquoted field");
  row.error = RowError::kInvalidUtf8;
  EXPECT_EQ(describe(row, options), "invalid UTF-8 in column 3");
  EXPECT_EQ(reasonCode(RowError::kUnterminatedQuote), "csv.unterminated_quote");
  EXPECT_EQ(reasonCode(RowError::kRowTooLong), "csv.row_too_long");
}

}  // namespace
}  // namespace hearth::connectors::csv
