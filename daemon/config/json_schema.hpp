#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hearth::config {

/// One way an instance breaks its schema.
struct SchemaError {
  std::string pointer;  // JSON Pointer to the offending value, "" for the whole document
  std::string message;  // never quotes string values: they may be secrets

  /// "/admin/port: 70000 is greater than the maximum 65535"
  std::string toString() const { return pointer + ": " + message; }
};

/// Appends one reference token to a JSON Pointer, escaping '~' and '/'.
std::string childPointer(std::string_view pointer, std::string_view token);
std::string childPointer(std::string_view pointer, size_t index);

/// A JSON Schema (draft 2020-12) validator for the subset Hearth's schemas use:
///   type (a name or a list; "integer" accepts 2.0), enum, const, properties, required,
///   additionalProperties (false or a schema), items, minItems, maxItems, uniqueItems,
///   minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength,
///   pattern (ECMAScript, unanchored), format "uri" (loosely) and "time-zone" (a tz database
///   name; other formats, such as Hearth's "path", are annotations), allOf, anyOf, oneOf, not,
///   $ref to "#/$defs/...", and annotations such as title, description, default and examples,
///   which never change the outcome (defaults are not applied).
/// A schema using any other keyword is refused rather than silently half-checked.
/// Validation is const and thread-safe.
class JsonSchema {
 public:
  /// Parses schema text, e.g. a connector plugin's config schema.
  static Result<JsonSchema> parse(std::string_view text);
  /// Checks a schema: keywords are supported and well-formed, patterns compile, $refs resolve.
  static Result<JsonSchema> fromJson(nlohmann::json schema);

  /// Every problem in the instance; empty when it is valid.
  std::vector<SchemaError> validate(const nlohmann::json& instance) const;

  /// Pointers to the strings in a valid instance whose schema declares this format, following
  /// properties, additionalProperties, items, allOf and $ref. Finds "path" settings to resolve.
  std::vector<std::string> stringsWithFormat(const nlohmann::json& instance,
                                             std::string_view format) const;

 private:
  explicit JsonSchema(nlohmann::json schema) : root_(std::move(schema)) {}

  void check(const nlohmann::json& schema, const nlohmann::json& instance,
             const std::string& pointer, int depth, std::vector<SchemaError>& errors) const;
  void checkObject(const nlohmann::json& schema, const nlohmann::json& instance,
                   const std::string& pointer, int depth, std::vector<SchemaError>& errors) const;
  void checkArray(const nlohmann::json& schema, const nlohmann::json& instance,
                  const std::string& pointer, int depth, std::vector<SchemaError>& errors) const;
  void checkString(const nlohmann::json& schema, const nlohmann::json& instance,
                   const std::string& pointer, std::vector<SchemaError>& errors) const;
  void checkNumber(const nlohmann::json& schema, const nlohmann::json& instance,
                   const std::string& pointer, std::vector<SchemaError>& errors) const;
  void checkAlternatives(const nlohmann::json& schema, const nlohmann::json& instance,
                         const std::string& pointer, int depth,
                         std::vector<SchemaError>& errors) const;
  void collectFormat(const nlohmann::json& schema, const nlohmann::json& instance,
                     const std::string& pointer, std::string_view format, int depth,
                     std::vector<std::string>& found) const;
  const nlohmann::json& resolve(const nlohmann::json& schema) const;

  nlohmann::json root_;
  std::map<std::string, std::regex> patterns_;  // compiled once, keyed by their source
};

}  // namespace hearth::config
