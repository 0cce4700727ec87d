#include "daemon/config/yaml_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace hearth::config {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

EnvLookup envOf(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

YamlDocument convert(const std::string& text, const EnvLookup& env = {}) {
  std::vector<LocatedError> errors;
  std::optional<YamlDocument> document = parseYaml(text, errors, env);
  EXPECT_THAT(errors, IsEmpty()) << errors.front().message;
  EXPECT_TRUE(document.has_value());
  return document.value_or(YamlDocument{});
}

std::vector<LocatedError> problemsOf(const std::string& text, const EnvLookup& env = {}) {
  std::vector<LocatedError> errors;
  (void)parseYaml(text, errors, env);
  return errors;
}

TEST(YamlJson, PlainScalarsAreTypedByTheYaml12CoreSchema) {
  const json value = convert(R"(
int: 42
negative: -7
plus: +3
leading_zero: 010
hex: 0x1F
octal: 0o17
float: 2.5
exponent: 1e3
dot: .5
yes_true: true
capital: False
tilde: ~
null_word: null
empty:
word: yes
version: 1.2.3
time: 12:30
)")
                         .value;
  EXPECT_EQ(value["int"], 42);
  EXPECT_TRUE(value["int"].is_number_integer());
  EXPECT_EQ(value["negative"], -7);
  EXPECT_EQ(value["plus"], 3);
  EXPECT_EQ(value["leading_zero"], 10);
  EXPECT_EQ(value["hex"], 31);
  EXPECT_EQ(value["octal"], 15);
  EXPECT_EQ(value["float"], 2.5);
  EXPECT_TRUE(value["exponent"].is_number_float());
  EXPECT_EQ(value["exponent"], 1000.0);
  EXPECT_EQ(value["dot"], 0.5);
  EXPECT_EQ(value["yes_true"], true);
  EXPECT_EQ(value["capital"], false);
  EXPECT_TRUE(value["tilde"].is_null());
  EXPECT_TRUE(value["null_word"].is_null());
  EXPECT_TRUE(value["empty"].is_null());
  EXPECT_EQ(value["word"], "yes");  // YAML 1.1 booleans are plain words in 1.2
  EXPECT_EQ(value["version"], "1.2.3");
  EXPECT_EQ(value["time"], "12:30");
}

TEST(YamlJson, QuotedAndBlockScalarsStayStrings) {
  const json value = convert(R"(
single: '1'
double: "true"
null_text: "null"
empty_text: ""
block: |
  two
  lines
folded: >
  one
  line
)")
                         .value;
  EXPECT_EQ(value["single"], "1");
  EXPECT_EQ(value["double"], "true");
  EXPECT_EQ(value["null_text"], "null");
  EXPECT_EQ(value["empty_text"], "");
  EXPECT_EQ(value["block"], "two\nlines\n");
  EXPECT_EQ(value["folded"], "one line\n");
}

TEST(YamlJson, KeysAreAlwaysStrings) {
  const json value = convert("1: a\ntrue: b\n").value;
  EXPECT_EQ(value["1"], "a");
  EXPECT_EQ(value["true"], "b");
}

TEST(YamlJson, CoreTagsAreHonoured) {
  const json value = convert(R"(
str: !!str 5
int: !!int "7"
float: !!float 1
bool: !!bool "true"
nothing: !!null ""
list: !!seq [1]
)")
                         .value;
  EXPECT_EQ(value["str"], "5");
  EXPECT_EQ(value["int"], 7);
  EXPECT_TRUE(value["float"].is_number_float());
  EXPECT_EQ(value["float"], 1.0);
  EXPECT_EQ(value["bool"], true);
  EXPECT_TRUE(value["nothing"].is_null());
  EXPECT_EQ(value["list"], json::array({1}));
}

TEST(YamlJson, ScalarsThatDoNotFitTheirTagOrJsonAreErrors) {
  const auto errors = problemsOf("a: !!int abc\nb: !custom x\nc: .inf\nd: 99999999999999999999\n");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].pointer, "/a");
  EXPECT_EQ(errors[0].message, "is not a valid !!int");
  EXPECT_EQ(errors[0].where.line, 1);
  EXPECT_EQ(errors[1].message, "unsupported tag !custom");
  EXPECT_EQ(errors[2].message, "infinity and NaN cannot be represented in JSON");
  EXPECT_EQ(errors[3].message, "integer does not fit in 64 bits");
  EXPECT_EQ(errors[3].where.line, 4);
}

TEST(YamlJson, LargestUnsignedIntegerFits) {
  const json value = convert("n: 18446744073709551615\n").value;
  EXPECT_EQ(value["n"].get<std::uint64_t>(), 18446744073709551615ull);
}

TEST(YamlJson, RecordsTheLineAndColumnOfEveryKeyAndItem) {
  const YamlDocument document = convert(R"(kafka:
  brokers: embedded
connectors:
  - name: demo_csv
    settings:
      streams:
        - name: people
)");
  EXPECT_EQ(document.locations.at("/kafka").line, 1);
  EXPECT_EQ(document.locations.at("/kafka/brokers").line, 2);
  EXPECT_EQ(document.locations.at("/kafka/brokers").column, 3);
  EXPECT_EQ(document.locations.at("/connectors/0").line, 4);
  EXPECT_EQ(document.locations.at("/connectors/0").column, 5);
  EXPECT_EQ(document.locations.at("/connectors/0/name").line, 4);
  EXPECT_EQ(document.locations.at("/connectors/0/settings/streams/0/name").line, 7);
}

TEST(YamlJson, LocateFallsBackToTheNearestWrittenAncestor) {
  const YamlDocument document = convert("a:\n  b:\n    c: 1\n");
  EXPECT_EQ(document.locate("/a/b/c").line, 3);
  EXPECT_EQ(document.locate("/a/b/missing").line, 2);
  EXPECT_EQ(document.locate("/nothing/here").line, 1);
  EXPECT_EQ(document.locate("").line, 1);
}

TEST(YamlJson, DuplicateKeysAreErrorsAndTheFirstWins) {
  std::vector<LocatedError> errors;
  const auto document = parseYaml("port: 1\nbind: x\nport: 2\n", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/port");
  EXPECT_EQ(errors[0].where.line, 3);
  EXPECT_EQ(errors[0].message, R"(duplicate key "port")");
  EXPECT_EQ(document->value["port"], 1);
}

TEST(YamlJson, NonScalarKeysAreErrors) {
  const auto errors = problemsOf("? [a, b]\n: c\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "keys must be plain text");
}

TEST(YamlJson, SyntaxErrorsGiveTheirLineAndNoDocument) {
  std::vector<LocatedError> errors;
  const auto document = parseYaml("a: [1, 2\nb: c\n", errors);
  EXPECT_FALSE(document.has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].where.line, 2);
  EXPECT_THAT(errors[0].message, HasSubstr("YAML syntax error"));
}

TEST(YamlJson, EmptyDocumentIsNull) { EXPECT_TRUE(convert("").value.is_null()); }

TEST(YamlJson, AliasesAreExpanded) {
  const json value = convert("base: &b {p: 1}\ncopy: *b\n").value;
  EXPECT_EQ(value["copy"]["p"], 1);
}

// Nine levels of nine aliases each: 504 bytes that would expand to 9^9 (387 million) values.
std::string billionLaughs() {
  std::string text =
      "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n";
  for (int i = 1; i <= 8; ++i) {
    const std::string previous = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) text += (j == 0 ? "" : ", ") + previous;
    text += "]\n";
  }
  return text;
}

TEST(YamlLimits, AnAliasBombIsRefusedAtItsLineInMilliseconds) {
  const auto started = std::chrono::steady_clock::now();
  const std::vector<LocatedError> errors = problemsOf(billionLaughs());
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("expands to more than 1000000 values"));
  EXPECT_EQ(errors[0].where.line, 7);  // where the running total first passes the limit
  EXPECT_LT(took, std::chrono::milliseconds(200));
}

TEST(YamlLimits, LongScalarsRepeatedByAliasesCountTheirBytes) {
  const std::string text = "big: &big \"" + std::string(1 << 20, 'x') + "\"\nlist: [" + [] {
    std::string items;
    for (int i = 0; i < 100; ++i) items += (i ? ", " : "") + std::string("*big");
    return items;
  }() + "]\n";
  const std::vector<LocatedError> errors = problemsOf(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("bytes of text"));
  EXPECT_EQ(errors[0].where.line, 2);
}

TEST(YamlLimits, DeepNestingIsRefusedWithItsLine) {
  std::string text = "a:\n  b: ";
  for (int i = 0; i < 100; ++i) text += "[";
  for (int i = 0; i < 100; ++i) text += "]";
  const std::vector<LocatedError> errors = problemsOf(text + "\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message, HasSubstr("nests deeper than 64 levels"));
  EXPECT_EQ(errors[0].where.line, 2);

  // Through aliases too: each level is shallow, what it stands for is not.
  std::string chained = "l0: &l0 [x]\n";
  for (int i = 1; i <= 70; ++i) {
    chained += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" +
               std::to_string(i - 1) + "]\n";
  }
  const std::vector<LocatedError> deep = problemsOf(chained);
  ASSERT_EQ(deep.size(), 1u);
  EXPECT_THAT(deep[0].message, HasSubstr("nests deeper than 64 levels"));
}

TEST(YamlLimits, TextBeyondTheSizeLimitIsRefused) {
  YamlLimits limits;
  limits.max_text_bytes = 64;
  std::vector<LocatedError> errors;
  EXPECT_FALSE(parseYaml("key: " + std::string(100, 'v') + "\n", errors, {}, limits).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "the configuration is 106 bytes; the limit is 64");
}

TEST(YamlLimits, AliasesWithinTheLimitsStillExpand) {
  std::string text = "common: &common {directory: /data, poll: 5}\nconnectors:\n";
  for (int i = 0; i < 2000; ++i)
    text += "  - {name: c" + std::to_string(i) + ", settings: *common}\n";
  const json value = convert(text).value;
  ASSERT_EQ(value["connectors"].size(), 2000u);
  EXPECT_EQ(value["connectors"][1999]["settings"]["poll"], 5);
}

TEST(YamlInterpolation, ReplacesVariablesAndDefaults) {
  const EnvLookup env = envOf({{"HOST", "kafka-1"}, {"EMPTY", ""}});
  std::string error;
  EXPECT_EQ(interpolate("${HOST}:9093", env, error), "kafka-1:9093");
  EXPECT_EQ(interpolate("${MISSING:-fallback}", env, error), "fallback");
  EXPECT_EQ(interpolate("${EMPTY:-fallback}", env, error), "fallback");
  EXPECT_EQ(interpolate("${HOST:-fallback}", env, error), "kafka-1");
  EXPECT_EQ(interpolate("${EMPTY}", env, error), "");
  EXPECT_EQ(interpolate("cost: $5, literal $${HOST}", env, error), "cost: $5, literal ${HOST}");
  EXPECT_EQ(error, "");
}

TEST(YamlInterpolation, UnsetOrMalformedReferencesAreErrorsNamingTheVariable) {
  const EnvLookup env = envOf({});
  std::string error;
  EXPECT_EQ(interpolate("${ADMIN_TOKEN}", env, error), std::nullopt);
  EXPECT_EQ(error, "environment variable ADMIN_TOKEN is not set");
  EXPECT_EQ(interpolate("${UNCLOSED", env, error), std::nullopt);
  EXPECT_THAT(error, HasSubstr("unterminated"));
  EXPECT_EQ(interpolate("${1BAD}", env, error), std::nullopt);
  EXPECT_THAT(error, HasSubstr("malformed"));
  EXPECT_EQ(interpolate("${}", env, error), std::nullopt);
}

TEST(YamlInterpolation, PlainScalarsAreTypedAfterSubstitutionQuotedOnesStayStrings) {
  const EnvLookup env = envOf({{"PORT", "9090"}, {"ON", "false"}});
  const YamlDocument document = convert(R"(
port: ${PORT}
fallback: ${NOPE:-8080}
quoted: "${PORT}"
flag: ${ON}
plain: x
)",
                                        env);
  EXPECT_EQ(document.value["port"], 9090);
  EXPECT_EQ(document.value["fallback"], 8080);
  EXPECT_EQ(document.value["quoted"], "9090");
  EXPECT_EQ(document.value["flag"], false);
  EXPECT_EQ(document.interpolated,
            (std::set<std::string>{"/port", "/fallback", "/quoted", "/flag"}));
}

TEST(YamlInterpolation, ErrorsCarryPointerAndLineButNeverTheValue) {
  const EnvLookup env = envOf({{"SECRET", "hunter2"}});
  const auto errors = problemsOf("a: 1\nlist:\n  - ${SECRET}\n  - ${NOT_SET}\n", env);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/list/1");
  EXPECT_EQ(errors[0].where.line, 4);
  EXPECT_EQ(errors[0].message, "environment variable NOT_SET is not set");
}

TEST(YamlInterpolation, WithoutAnEnvLookupTextIsKept) {
  EXPECT_EQ(convert("a: ${X}\n").value["a"], "${X}");
}

}  // namespace
}  // namespace hearth::config
