#include "daemon/config/json_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hearth::config {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

JsonSchema schemaOf(std::string_view text) {
  Result<JsonSchema> schema = JsonSchema::parse(text);
  EXPECT_TRUE(schema.ok()) << (schema ? "" : schema.error().message);
  return std::move(schema).value();
}

// Every error as "pointer: message".
std::vector<std::string> errorsOf(std::string_view schema, std::string_view instance) {
  std::vector<std::string> result;
  for (const SchemaError& error : schemaOf(schema).validate(json::parse(instance))) {
    result.push_back(error.toString());
  }
  return result;
}

std::string refusal(std::string_view schema) {
  Result<JsonSchema> parsed = JsonSchema::parse(schema);
  EXPECT_FALSE(parsed.ok());
  return parsed ? "" : parsed.error().message;
}

TEST(JsonSchemaType, NamesTheExpectedAndTheActualType) {
  EXPECT_THAT(errorsOf(R"({"type": "integer"})", R"("8080")"),
              ElementsAre(": expected integer, got string"));
  EXPECT_THAT(errorsOf(R"({"type": "object"})", "[]"), ElementsAre(": expected object, got array"));
  EXPECT_THAT(errorsOf(R"({"type": "string"})", "null"),
              ElementsAre(": expected string, got null"));
  EXPECT_THAT(errorsOf(R"({"type": "boolean"})", "1"),
              ElementsAre(": expected boolean, got integer"));
}

TEST(JsonSchemaType, IntegerAcceptsWholeNumbersWrittenAsFloats) {
  EXPECT_THAT(errorsOf(R"({"type": "integer"})", "2.0"), IsEmpty());
  EXPECT_THAT(errorsOf(R"({"type": "integer"})", "-7"), IsEmpty());
  EXPECT_THAT(errorsOf(R"({"type": "integer"})", "2.5"),
              ElementsAre(": expected integer, got number"));
  EXPECT_THAT(errorsOf(R"({"type": "number"})", "3"), IsEmpty());
}

TEST(JsonSchemaType, AListAcceptsAnyOfItsTypes) {
  const std::string schema = R"({"type": ["string", "integer", "null"]})";
  EXPECT_THAT(errorsOf(schema, R"("x")"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, "4"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, "null"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, "true"),
              ElementsAre(": expected string, integer or null, got boolean"));
}

TEST(JsonSchemaObject, UnknownKeysAreReportedAtTheirOwnPointer) {
  const std::string schema = R"({
    "type": "object", "additionalProperties": false,
    "properties": {"kafka": {"type": "object", "additionalProperties": false,
                             "properties": {"brokers": {"type": "string"}}}}})";
  EXPECT_THAT(errorsOf(schema, R"({"kafka": {"brokerz": "x"}})"),
              ElementsAre(R"(/kafka/brokerz: unknown key "brokerz")"));
}

TEST(JsonSchemaObject, AdditionalPropertiesSchemaChecksTheOtherKeys) {
  const std::string schema =
      R"({"type": "object", "properties": {"n": {"type": "integer"}},
          "additionalProperties": {"type": "string"}})";
  EXPECT_THAT(errorsOf(schema, R"({"n": 1, "a": "x", "b": "y"})"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, R"({"n": 1, "a": 2})"),
              ElementsAre("/a: expected string, got integer"));
  EXPECT_THAT(errorsOf(R"({"type": "object"})", R"({"anything": 1})"), IsEmpty());
}

TEST(JsonSchemaObject, MissingRequiredKeysAreReportedAtTheObject) {
  const std::string schema = R"({"properties": {"admin": {"required": ["port", "bind"]}}})";
  EXPECT_THAT(errorsOf(schema, R"({"admin": {"bind": "::1"}})"),
              ElementsAre(R"(/admin: missing required key "port")"));
}

TEST(JsonSchemaObject, PointersEscapeSlashAndTilde) {
  EXPECT_THAT(errorsOf(R"({"additionalProperties": false})", R"({"a/b~c": 1})"),
              ElementsAre(R"(/a~1b~0c: unknown key "a/b~c")"));
  EXPECT_EQ(childPointer("/x", "a/b~c"), "/x/a~1b~0c");
  EXPECT_EQ(childPointer("/x", 3), "/x/3");
}

TEST(JsonSchemaNumber, MinimumAndMaximumShowValueAndLimit) {
  const std::string schema = R"({"properties": {"admin": {"properties": {
      "port": {"type": "integer", "minimum": 0, "maximum": 65535}}}}})";
  EXPECT_THAT(errorsOf(schema, R"({"admin": {"port": 70000}})"),
              ElementsAre("/admin/port: 70000 is greater than the maximum 65535"));
  EXPECT_THAT(errorsOf(schema, R"({"admin": {"port": -1}})"),
              ElementsAre("/admin/port: -1 is less than the minimum 0"));
  EXPECT_THAT(errorsOf(schema, R"({"admin": {"port": 65535}})"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, R"({"admin": {"port": 0}})"), IsEmpty());
}

TEST(JsonSchemaNumber, ExclusiveBoundsExcludeTheLimit) {
  const std::string schema = R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1.5})";
  EXPECT_THAT(errorsOf(schema, "0"), ElementsAre(": 0 is not greater than 0"));
  EXPECT_THAT(errorsOf(schema, "1.5"), ElementsAre(": 1.5 is not less than 1.5"));
  EXPECT_THAT(errorsOf(schema, "0.5"), IsEmpty());
}

TEST(JsonSchemaNumber, LargeIntegersCompareExactly) {
  EXPECT_THAT(errorsOf(R"({"maximum": 9007199254740992})", "9007199254740993"),
              ElementsAre(": 9007199254740993 is greater than the maximum 9007199254740992"));
  EXPECT_THAT(errorsOf(R"({"minimum": 0})", "18446744073709551615"), IsEmpty());
}

TEST(JsonSchemaString, LengthsCountCharactersNotBytes) {
  const std::string schema = R"({"minLength": 2, "maxLength": 3})";
  EXPECT_THAT(errorsOf(schema, "\"\xc3\xa9\xc3\xa9\""), IsEmpty());  // two e-acute, four bytes
  EXPECT_THAT(errorsOf(schema, R"("a")"), ElementsAre(": is shorter than the minimum length 2"));
  EXPECT_THAT(errorsOf(schema, R"("abcd")"), ElementsAre(": is longer than the maximum length 3"));
  EXPECT_THAT(errorsOf(schema, R"("")"), ElementsAre(": must not be empty"));
}

TEST(JsonSchemaString, PatternSearchesUnlessAnchored) {
  EXPECT_THAT(errorsOf(R"({"pattern": "b"})", R"("abc")"), IsEmpty());
  EXPECT_THAT(errorsOf(R"({"pattern": "^[a-z][a-z0-9_]*$"})", R"("Demo csv")"),
              ElementsAre(": does not match the pattern ^[a-z][a-z0-9_]*$"));
}

TEST(JsonSchemaString, UriFormatIsCheckedLoosely) {
  const std::string schema = R"({"format": "uri"})";
  EXPECT_THAT(errorsOf(schema, R"("https://fhir.example.nhs.uk/R4?x=1")"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, R"("urn:oid:2.16.840.1.113883")"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, R"("not a uri")"), ElementsAre(": is not a URI"));
  EXPECT_THAT(errorsOf(schema, R"("/relative/path")"), ElementsAre(": is not a URI"));
  EXPECT_THAT(errorsOf(R"({"format": "date"})", R"("whenever")"), IsEmpty());  // annotation only
}

TEST(JsonSchemaValues, EnumAndConstListWhatIsAllowed) {
  EXPECT_THAT(errorsOf(R"({"enum": ["debug", "info"]})", R"("verbose")"),
              ElementsAre(R"(: must be one of "debug", "info")"));
  EXPECT_THAT(errorsOf(R"({"enum": ["debug", 1, null]})", "null"), IsEmpty());
  EXPECT_THAT(errorsOf(R"({"const": 3})", "4"), ElementsAre(": must be 3"));
  EXPECT_THAT(errorsOf(R"({"const": {"a": [1]}})", R"({"a": [1]})"), IsEmpty());
}

TEST(JsonSchemaArray, ItemsAreCheckedAtTheirIndex) {
  const std::string schema = R"({"type": "array", "items": {"type": "string"}})";
  EXPECT_THAT(errorsOf(schema, R"(["a", 2, "c", false])"),
              ElementsAre("/1: expected string, got integer", "/3: expected string, got boolean"));
}

TEST(JsonSchemaArray, CountsAndUniqueness) {
  const std::string schema = R"({"minItems": 1, "maxItems": 3, "uniqueItems": true})";
  EXPECT_THAT(errorsOf(schema, "[]"), ElementsAre(": has 0 item(s), fewer than the minimum 1"));
  EXPECT_THAT(errorsOf(schema, "[1, 2, 3, 4]"),
              ElementsAre(": has 4 item(s), more than the maximum 3"));
  EXPECT_THAT(errorsOf(schema, "[1, 2, 1.0]"), ElementsAre("/2: repeats item 0"));
  EXPECT_THAT(errorsOf(schema, R"([{"a": 1}, {"a": 2}])"), IsEmpty());
}

TEST(JsonSchemaRef, ResolvesDefinitionsAndKeepsInstancePointers) {
  const std::string schema = R"({
    "properties": {"connectors": {"type": "array", "items": {"$ref": "#/$defs/connector"}}},
    "$defs": {"connector": {"type": "object", "required": ["name"],
                            "properties": {"name": {"$ref": "#/$defs/name"}}},
              "name": {"type": "string", "pattern": "^[a-z_]+$"}}})";
  EXPECT_THAT(errorsOf(schema, R"({"connectors": [{"name": "ok"}, {"name": "Bad"}, {}]})"),
              ElementsAre("/connectors/1/name: does not match the pattern ^[a-z_]+$",
                          R"(/connectors/2: missing required key "name")"));
}

TEST(JsonSchemaRef, SelfReferenceWithoutProgressStopsWithAnError) {
  const auto errors = errorsOf(R"({"$ref": "#"})", "1");
  ASSERT_FALSE(errors.empty());
  EXPECT_THAT(errors.front(), HasSubstr("nest too deeply"));
}

TEST(JsonSchemaRef, RecursiveSchemasFollowTheInstance) {
  const std::string schema =
      R"({"type": "object", "properties": {"child": {"$ref": "#"}}, "additionalProperties": false})";
  EXPECT_THAT(errorsOf(schema, R"({"child": {"child": {"childz": {}}}})"),
              ElementsAre(R"(/child/child/childz: unknown key "childz")"));
}

TEST(JsonSchemaCombinators, OneOfNeedsExactlyOneMatch) {
  const std::string schema =
      R"({"oneOf": [{"required": ["token"]}, {"required": ["token_file"]}]})";
  EXPECT_THAT(errorsOf(schema, R"({"token": "x"})"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, "{}"), ElementsAre(": does not match any of the allowed forms"));
  EXPECT_THAT(errorsOf(schema, R"({"token": "x", "token_file": "y"})"),
              ElementsAre(": matches more than one of the allowed forms (0 and 1)"));
}

TEST(JsonSchemaCombinators, AnyOfExplainsTheAlternativeOfTheRightType) {
  const std::string schema =
      R"({"anyOf": [{"type": "string", "minLength": 3}, {"type": "integer", "minimum": 0}]})";
  EXPECT_THAT(errorsOf(schema, R"("ab")"), ElementsAre(": is shorter than the minimum length 3"));
  EXPECT_THAT(errorsOf(schema, "-1"), ElementsAre(": -1 is less than the minimum 0"));
  EXPECT_THAT(errorsOf(schema, "[]"), ElementsAre(": does not match any of the allowed forms"));
  EXPECT_THAT(errorsOf(schema, "5"), IsEmpty());
}

TEST(JsonSchemaCombinators, AllOfCollectsEveryPartsErrors) {
  const std::string schema = R"({"allOf": [{"minimum": 10}, {"maximum": 5}]})";
  EXPECT_THAT(errorsOf(schema, "7"),
              ElementsAre(": 7 is less than the minimum 10", ": 7 is greater than the maximum 5"));
}

TEST(JsonSchemaCombinators, NotRejectsWhatMatches) {
  const std::string schema = R"({"not": {"required": ["token", "token_file"]}})";
  EXPECT_THAT(errorsOf(schema, R"({"token": "x"})"), IsEmpty());
  EXPECT_THAT(errorsOf(schema, R"({"token": "x", "token_file": "y"})"),
              ElementsAre(": matches a form that is not allowed"));
}

TEST(JsonSchemaBoolean, FalseAllowsNothingAndTrueAllowsAnything) {
  EXPECT_THAT(errorsOf("true", R"({"x": [1]})"), IsEmpty());
  EXPECT_THAT(errorsOf("false", "1"), ElementsAre(": is not allowed here"));
  EXPECT_THAT(errorsOf(R"({"properties": {"old": false}})", R"({"old": 1})"),
              ElementsAre("/old: is not allowed here"));
}

TEST(JsonSchemaAnnotations, DefaultsAndDescriptionsChangeNothing) {
  const JsonSchema schema = schemaOf(R"({
    "title": "t", "description": "d", "$comment": "c", "examples": [1],
    "properties": {"port": {"type": "integer", "default": 8080, "deprecated": false}}})");
  const json instance = json::object();
  EXPECT_THAT(schema.validate(instance), IsEmpty());
  EXPECT_EQ(instance, json::object());
}

TEST(JsonSchemaParse, UnsupportedKeywordsAreRefusedRatherThanIgnored) {
  EXPECT_THAT(
      refusal(R"({"properties": {"a": {"patternProperties": {}}}})"),
      HasSubstr(R"(/properties/a/patternProperties: unsupported keyword "patternProperties")"));
  EXPECT_THAT(refusal(R"({"if": {}, "then": {}})"), HasSubstr(R"(unsupported keyword "if")"));
}

TEST(JsonSchemaParse, MalformedSchemasAreRefused) {
  EXPECT_THAT(refusal("{not json"), HasSubstr("not valid JSON"));
  EXPECT_THAT(refusal(R"({"pattern": "(["})"), HasSubstr("/pattern: invalid regular expression"));
  EXPECT_THAT(refusal(R"({"$ref": "#/$defs/missing"})"), HasSubstr("unresolved reference"));
  EXPECT_THAT(refusal(R"({"$ref": "https://example.org/s.json"})"),
              HasSubstr("only references within the schema"));
  EXPECT_THAT(refusal(R"({"type": "text"})"), HasSubstr("/type: must name JSON types"));
  EXPECT_THAT(refusal(R"({"minLength": -1})"), HasSubstr("/minLength: must be a non-negative"));
  EXPECT_THAT(refusal(R"({"required": "name"})"), HasSubstr("/required: must be an array"));
  EXPECT_THAT(refusal(R"({"oneOf": []})"), HasSubstr("/oneOf: must be a non-empty array"));
  EXPECT_THAT(refusal(R"({"items": 3})"), HasSubstr("/items: a schema must be an object"));
}

TEST(JsonSchemaFormat, FindsStringsDeclaringAFormatThroughTheStructure) {
  const JsonSchema schema = schemaOf(R"({
    "properties": {
      "directory": {"type": "string", "format": "path"},
      "url": {"type": "string", "format": "uri"},
      "streams": {"type": "array", "items": {"$ref": "#/$defs/stream"}},
      "extra": {"additionalProperties": {"format": "path"}}},
    "$defs": {"stream": {"allOf": [{"properties": {"archive": {"format": "path"}}}]}}})");
  const json instance = json::parse(R"({
    "directory": "in", "url": "https://x", "name": "n",
    "streams": [{"archive": "a"}, {"other": "b"}, {"archive": 3}],
    "extra": {"x": "p", "y": "q"}})");
  EXPECT_THAT(schema.stringsWithFormat(instance, "path"),
              ElementsAre("/directory", "/extra/x", "/extra/y", "/streams/0/archive"));
  EXPECT_THAT(schema.stringsWithFormat(instance, "uri"), ElementsAre("/url"));
}

TEST(JsonSchemaErrors, NeverQuoteTheOffendingStringValue) {
  const std::string secret = "hunter2-very-secret-value";
  const std::string schema = R"({"properties": {
      "a": {"maxLength": 3}, "b": {"pattern": "^x$"}, "c": {"enum": ["x"]},
      "d": {"const": "x"}, "e": {"format": "uri"}, "f": {"type": "integer"},
      "g": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]}, "h": false,
      "i": {"type": "array", "uniqueItems": true}}})";
  const json instance = {{"a", secret}, {"b", secret}, {"c", secret},
                         {"d", secret}, {"e", secret}, {"f", secret},
                         {"g", secret}, {"h", secret}, {"i", {secret, secret}}};
  const auto errors = schemaOf(schema).validate(instance);
  EXPECT_EQ(errors.size(), 9u);
  for (const SchemaError& error : errors) {
    EXPECT_THAT(error.toString(), ::testing::Not(HasSubstr("hunter2"))) << error.toString();
  }
}

}  // namespace
}  // namespace hearth::config

namespace hearth::config {
namespace {

TEST(JsonSchemaObject, PropertyNamesChecksEveryKey) {
  const std::string schema =
      R"({"type": "object", "propertyNames": {"enum": ["header", "episodes"]},
          "additionalProperties": {"type": "string"}})";
  EXPECT_THAT(errorsOf(schema, R"({"header": "h*.csv", "episodes": "e*.csv"})"), IsEmpty());
  const auto errors = errorsOf(schema, R"({"headr": "h*.csv"})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("/headr: key \"headr\""));
}

}  // namespace
}  // namespace hearth::config
