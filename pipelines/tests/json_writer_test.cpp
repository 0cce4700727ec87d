#include "pipelines/common/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hearth::pipelines {
namespace {

std::string asJsonString(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(asJsonString("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
}

TEST(JsonWriter, FindsSpecialBytesAtEveryPositionOfALongString) {
  for (const char special : {'"', '\\', '\n', '\x1f', '\x01'}) {
    for (size_t at = 0; at < 20; ++at) {
      std::string text(20, 'a');
      text[at] = special;
      const auto parsed = nlohmann::json::parse(asJsonString(text)).get<std::string>();
      EXPECT_EQ(parsed, text) << "special byte at " << at;
    }
  }
  EXPECT_EQ(asJsonString("\x7f\xc3\xa9 plain text beyond eight bytes"),
            "\"\x7f\xc3\xa9 plain text beyond eight bytes\"");
}

TEST(JsonWriter, FindsEverySpecialByteAfterTheFirst) {
  // The scan goes back to eight bytes at a time after an escape: every later special byte, in
  // the same word or any word after it, is still found.
  for (size_t first = 0; first < 26; ++first) {
    for (size_t second = first + 1; second < 26; ++second) {
      std::string text(26, 'x');
      text[first] = '"';
      text[second] = '\x02';
      std::string expected = "\"" + std::string(first, 'x') + "\\\"" +
                             std::string(second - first - 1, 'x') + "\\u0002" +
                             std::string(25 - second, 'x') + "\"";
      EXPECT_EQ(asJsonString(text), expected) << "special bytes at " << first << ", " << second;
    }
  }
  const std::string note = "Referral received; \"follow-up\" agreed\twith the family.\n";
  EXPECT_EQ(nlohmann::json::parse(asJsonString(note)).get<std::string>(), note);
}

TEST(JsonWriter, PassesUtf8Through) {
  const std::string text = "Zo\xC3\xAB \xE2\x82\xAC";
  EXPECT_EQ(nlohmann::json::parse(asJsonString(text)).get<std::string>(), text);
}

TEST(JsonWriter, LossyReplacesInvalidUtf8) {
  std::string out;
  appendJsonStringLossy(out, "ok\xFF\xC3(end");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "ok\xEF\xBF\xBD\xEF\xBF\xBD(end");
}

TEST(JsonWriter, RejectsOverlongAndSurrogateSequences) {
  EXPECT_EQ(validUtf8SequenceLength("\xC0\xAF", 0), 0u);
  EXPECT_EQ(validUtf8SequenceLength("\xED\xA0\x80", 0), 0u);
  EXPECT_EQ(validUtf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);
  EXPECT_EQ(validUtf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
}

TEST(JsonWriter, FormatsTimestampsAsRfc3339Utc) {
  std::string out;
  appendJsonTimestampMs(out, 1711929599123);  // 2024-03-31T23:59:59.123Z
  EXPECT_EQ(out, R"("2024-03-31T23:59:59.123Z")");
}

}  // namespace
}  // namespace hearth::pipelines
