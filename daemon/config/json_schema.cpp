#include "daemon/config/json_schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/time_zone.hpp"

namespace hearth::config {
namespace {

using nlohmann::json;

// Beyond this, a $ref cycle that consumes no instance depth is assumed.
constexpr int kMaxDepth = 128;

constexpr std::array<std::string_view, 10> kAnnotations = {
    "$schema", "$id",      "$comment",   "title",    "description",
    "default", "examples", "deprecated", "readOnly", "writeOnly"};

constexpr std::array<std::string_view, 7> kTypeNames = {"null",   "boolean", "object", "array",
                                                        "number", "integer", "string"};

bool isOneOf(std::string_view name, const auto& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A key or schema value as JSON text: "brokerz".
std::string jsonQuoted(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string typeName(const json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();  // null, boolean, string, array, object
}

bool hasType(const json& value, std::string_view type) {
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double number = value.get<double>();
    return std::isfinite(number) && std::trunc(number) == number;
  }
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  return type == value.type_name();  // null, object, array, string
}

bool matchesType(const json& value, const json& type) {
  if (type.is_string()) return hasType(value, type.get<std::string>());
  for (const json& each : type) {
    if (hasType(value, each.get<std::string>())) return true;
  }
  return false;
}

std::string describeTypes(const json& type) {
  if (type.is_string()) return type.get<std::string>();
  std::string text;
  for (size_t i = 0; i < type.size(); ++i) {
    if (i > 0) text += i + 1 == type.size() ? " or " : ", ";
    text += type[i].get<std::string>();
  }
  return text;
}

// Exact for every int64 and uint64 as well as doubles.
long double numberOf(const json& value) {
  if (value.is_number_unsigned()) return static_cast<long double>(value.get<std::uint64_t>());
  if (value.is_number_integer()) return static_cast<long double>(value.get<std::int64_t>());
  return value.get<double>();
}

size_t codePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool looksLikeUri(const std::string& text) {
  static const std::regex kUri(R"(^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$)");
  return std::regex_match(text, kUri);
}

const json* keyword(const json& schema, std::string_view name) {
  const auto it = schema.find(name);
  return it == schema.end() ? nullptr : &*it;
}

// Checks a schema's own shape when it is loaded, so that validation can rely on it.
class SchemaInspector {
 public:
  SchemaInspector(const json& root, std::map<std::string, std::regex>& patterns)
      : root_(root), patterns_(patterns) {}

  void inspect(const json& schema, const std::string& where) {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) return problem(where, "a schema must be an object or a boolean");
    for (const auto& [name, value] : schema.items()) {
      inspectKeyword(name, value, childPointer(where, name));
    }
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void inspectKeyword(const std::string& name, const json& value, const std::string& where) {
    if (isOneOf(name, kAnnotations)) return;
    if (name == "$defs" || name == "properties") {
      if (!value.is_object()) return problem(where, "must be an object");
      for (const auto& [key, schema] : value.items()) inspect(schema, childPointer(where, key));
    } else if (name == "items" || name == "additionalProperties" || name == "not" ||
               name == "propertyNames") {
      inspect(value, where);
    } else if (name == "allOf" || name == "anyOf" || name == "oneOf") {
      if (!value.is_array() || value.empty()) return problem(where, "must be a non-empty array");
      for (size_t i = 0; i < value.size(); ++i) inspect(value[i], childPointer(where, i));
    } else if (name == "type") {
      inspectType(value, where);
    } else if (name == "enum") {
      if (!value.is_array()) problem(where, "must be an array");
    } else if (name == "const") {
      // any value
    } else if (name == "required") {
      bool strings = value.is_array();
      for (const json& each : value) strings = strings && each.is_string();
      if (!strings) problem(where, "must be an array of strings");
    } else if (name == "minimum" || name == "maximum" || name == "exclusiveMinimum" ||
               name == "exclusiveMaximum") {
      if (!value.is_number()) problem(where, "must be a number");
    } else if (name == "minLength" || name == "maxLength" || name == "minItems" ||
               name == "maxItems") {
      const bool count = value.is_number_unsigned() ||
                         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
      if (!count) problem(where, "must be a non-negative integer");
    } else if (name == "uniqueItems") {
      if (!value.is_boolean()) problem(where, "must be a boolean");
    } else if (name == "format") {
      if (!value.is_string()) problem(where, "must be a string");
    } else if (name == "pattern") {
      inspectPattern(value, where);
    } else if (name == "$ref") {
      inspectRef(value, where);
    } else {
      problem(where, "unsupported keyword " + jsonQuoted(name));
    }
  }

  void inspectType(const json& value, const std::string& where) {
    bool known = value.is_string() || (value.is_array() && !value.empty());
    if (value.is_string()) known = isOneOf(value.get<std::string>(), kTypeNames);
    for (const json& each : value.is_array() ? value : json::array()) {
      known = known && each.is_string() && isOneOf(each.get<std::string>(), kTypeNames);
    }
    if (!known) problem(where, "must name JSON types");
  }

  void inspectPattern(const json& value, const std::string& where) {
    if (!value.is_string()) return problem(where, "must be a string");
    const auto source = value.get<std::string>();
    try {
      patterns_.try_emplace(source, source, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      problem(where, "invalid regular expression: " + std::string(e.what()));
    }
  }

  void inspectRef(const json& value, const std::string& where) {
    if (!value.is_string() || !value.get<std::string>().starts_with('#')) {
      return problem(where, "only references within the schema (\"#/$defs/...\") are supported");
    }
    try {
      const json::json_pointer target(value.get<std::string>().substr(1));
      if (!root_.contains(target)) problem(where, "unresolved reference " + jsonQuoted(value));
    } catch (const json::exception&) {
      problem(where, "malformed reference " + jsonQuoted(value));
    }
  }

  void problem(const std::string& where, const std::string& what) {
    problems_.push_back((where.empty() ? "(root)" : where) + ": " + what);
  }

  const json& root_;
  std::map<std::string, std::regex>& patterns_;
  std::vector<std::string> problems_;
};

}  // namespace

std::string childPointer(std::string_view pointer, std::string_view token) {
  std::string result(pointer);
  result += '/';
  for (char c : token) {
    if (c == '~') {
      result += "~0";
    } else if (c == '/') {
      result += "~1";
    } else {
      result += c;
    }
  }
  return result;
}

std::string childPointer(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

Result<JsonSchema> JsonSchema::parse(std::string_view text) {
  json schema = json::parse(text, nullptr, false);
  if (schema.is_discarded()) return makeError("schema.invalid", "schema is not valid JSON");
  return fromJson(std::move(schema));
}

Result<JsonSchema> JsonSchema::fromJson(json schema) {
  JsonSchema result(std::move(schema));
  SchemaInspector inspector(result.root_, result.patterns_);
  inspector.inspect(result.root_, "");
  if (!inspector.problems().empty()) {
    std::string message = "schema is not usable:";
    for (const auto& problem : inspector.problems()) message += "\n  " + problem;
    return makeError("schema.invalid", message);
  }
  return result;
}

std::vector<SchemaError> JsonSchema::validate(const json& instance) const {
  std::vector<SchemaError> errors;
  check(root_, instance, "", 0, errors);
  return errors;
}

std::vector<std::string> JsonSchema::stringsWithFormat(const json& instance,
                                                       std::string_view format) const {
  std::vector<std::string> found;
  collectFormat(root_, instance, "", format, 0, found);
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

void JsonSchema::collectFormat(const json& schema, const json& instance, const std::string& pointer,
                               std::string_view format, int depth,
                               std::vector<std::string>& found) const {
  if (depth > kMaxDepth || !schema.is_object()) return;
  if (schema.contains("$ref"))
    collectFormat(resolve(schema), instance, pointer, format, depth + 1, found);
  if (const json* all = keyword(schema, "allOf")) {
    for (const json& each : *all) collectFormat(each, instance, pointer, format, depth + 1, found);
  }
  if (const json* declared = keyword(schema, "format")) {
    if (instance.is_string() && *declared == format) found.push_back(pointer);
  }
  if (instance.is_object()) {
    const json* properties = keyword(schema, "properties");
    const json* additional = keyword(schema, "additionalProperties");
    for (const auto& [key, value] : instance.items()) {
      const json* child =
          properties != nullptr && properties->contains(key) ? &properties->at(key) : additional;
      if (child != nullptr) {
        collectFormat(*child, value, childPointer(pointer, key), format, depth + 1, found);
      }
    }
  }
  if (const json* items = keyword(schema, "items"); items && instance.is_array()) {
    for (size_t i = 0; i < instance.size(); ++i) {
      collectFormat(*items, instance[i], childPointer(pointer, i), format, depth + 1, found);
    }
  }
}

const json& JsonSchema::resolve(const json& schema) const {
  return root_.at(json::json_pointer(schema.at("$ref").get<std::string>().substr(1)));
}

void JsonSchema::check(const json& schema, const json& instance, const std::string& pointer,
                       int depth, std::vector<SchemaError>& errors) const {
  if (depth > kMaxDepth) {
    errors.push_back({pointer, "schema references nest too deeply"});
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) errors.push_back({pointer, "is not allowed here"});
    return;
  }
  if (const json* type = keyword(schema, "type"); type && !matchesType(instance, *type)) {
    // Nothing else about a value of the wrong type is worth saying.
    errors.push_back({pointer, "expected " + describeTypes(*type) + ", got " + typeName(instance)});
    return;
  }
  if (schema.contains("$ref")) check(resolve(schema), instance, pointer, depth + 1, errors);
  if (const json* allowed = keyword(schema, "enum")) {
    if (std::find(allowed->begin(), allowed->end(), instance) == allowed->end()) {
      std::string list;
      for (const json& each : *allowed) list += (list.empty() ? "" : ", ") + each.dump();
      errors.push_back({pointer, "must be one of " + list});
    }
  }
  if (const json* constant = keyword(schema, "const"); constant && *constant != instance) {
    errors.push_back({pointer, "must be " + constant->dump()});
  }
  if (instance.is_object()) checkObject(schema, instance, pointer, depth, errors);
  if (instance.is_array()) checkArray(schema, instance, pointer, depth, errors);
  if (instance.is_string()) checkString(schema, instance, pointer, errors);
  if (instance.is_number()) checkNumber(schema, instance, pointer, errors);
  checkAlternatives(schema, instance, pointer, depth, errors);
}

void JsonSchema::checkObject(const json& schema, const json& instance, const std::string& pointer,
                             int depth, std::vector<SchemaError>& errors) const {
  if (const json* required = keyword(schema, "required")) {
    for (const json& name : *required) {
      if (!instance.contains(name.get<std::string>())) {
        errors.push_back({pointer, "missing required key " + jsonQuoted(name.get<std::string>())});
      }
    }
  }
  const json* properties = keyword(schema, "properties");
  const json* additional = keyword(schema, "additionalProperties");
  const json* names = keyword(schema, "propertyNames");
  for (const auto& [key, value] : instance.items()) {
    const std::string child = childPointer(pointer, key);
    if (names != nullptr) {
      // A key is checked as a string instance; its errors name the key's own pointer.
      std::vector<SchemaError> key_errors;
      check(*names, json(key), child, depth + 1, key_errors);
      for (auto& error : key_errors) {
        errors.push_back({child, "key " + jsonQuoted(key) + ": " + error.message});
      }
    }
    if (properties != nullptr && properties->contains(key)) {
      check(properties->at(key), value, child, depth + 1, errors);
    } else if (additional != nullptr && additional->is_boolean() && !additional->get<bool>()) {
      errors.push_back({child, "unknown key " + jsonQuoted(key)});
    } else if (additional != nullptr) {
      check(*additional, value, child, depth + 1, errors);
    }
  }
}

void JsonSchema::checkArray(const json& schema, const json& instance, const std::string& pointer,
                            int depth, std::vector<SchemaError>& errors) const {
  const size_t size = instance.size();
  if (const json* min = keyword(schema, "minItems"); min && size < min->get<size_t>()) {
    errors.push_back({pointer, "has " + std::to_string(size) + " item(s), fewer than the minimum " +
                                   min->dump()});
  }
  if (const json* max = keyword(schema, "maxItems"); max && size > max->get<size_t>()) {
    errors.push_back({pointer, "has " + std::to_string(size) + " item(s), more than the maximum " +
                                   max->dump()});
  }
  if (const json* unique = keyword(schema, "uniqueItems"); unique && unique->get<bool>()) {
    for (size_t i = 1; i < size; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (instance[i] == instance[j]) {
          errors.push_back({childPointer(pointer, i), "repeats item " + std::to_string(j)});
          break;
        }
      }
    }
  }
  if (const json* items = keyword(schema, "items")) {
    for (size_t i = 0; i < size; ++i) {
      check(*items, instance[i], childPointer(pointer, i), depth + 1, errors);
    }
  }
}

void JsonSchema::checkString(const json& schema, const json& instance, const std::string& pointer,
                             std::vector<SchemaError>& errors) const {
  const auto& text = instance.get_ref<const std::string&>();
  const size_t length = codePoints(text);
  if (const json* min = keyword(schema, "minLength"); min && length < min->get<size_t>()) {
    errors.push_back({pointer, length == 0 ? "must not be empty"
                                           : "is shorter than the minimum length " + min->dump()});
  }
  if (const json* max = keyword(schema, "maxLength"); max && length > max->get<size_t>()) {
    errors.push_back({pointer, "is longer than the maximum length " + max->dump()});
  }
  if (const json* pattern = keyword(schema, "pattern")) {
    const auto& source = pattern->get_ref<const std::string&>();
    if (!std::regex_search(text, patterns_.at(source))) {
      errors.push_back({pointer, "does not match the pattern " + source});
    }
  }
  if (const json* format = keyword(schema, "format"); format && *format == "uri") {
    if (!looksLikeUri(text)) errors.push_back({pointer, "is not a URI"});
  } else if (format && *format == "time-zone" && !TimeZone::find(text)) {
    errors.push_back({pointer, "is not a time zone of the tz database (e.g. Europe/London)"});
  }
}

void JsonSchema::checkNumber(const json& schema, const json& instance, const std::string& pointer,
                             std::vector<SchemaError>& errors) const {
  const long double value = numberOf(instance);
  const std::string shown = instance.dump();
  if (const json* min = keyword(schema, "minimum"); min && value < numberOf(*min)) {
    errors.push_back({pointer, shown + " is less than the minimum " + min->dump()});
  }
  if (const json* max = keyword(schema, "maximum"); max && value > numberOf(*max)) {
    errors.push_back({pointer, shown + " is greater than the maximum " + max->dump()});
  }
  if (const json* min = keyword(schema, "exclusiveMinimum"); min && value <= numberOf(*min)) {
    errors.push_back({pointer, shown + " is not greater than " + min->dump()});
  }
  if (const json* max = keyword(schema, "exclusiveMaximum"); max && value >= numberOf(*max)) {
    errors.push_back({pointer, shown + " is not less than " + max->dump()});
  }
}

void JsonSchema::checkAlternatives(const json& schema, const json& instance,
                                   const std::string& pointer, int depth,
                                   std::vector<SchemaError>& errors) const {
  if (const json* all = keyword(schema, "allOf")) {
    for (const json& each : *all) check(each, instance, pointer, depth + 1, errors);
  }
  if (const json* negated = keyword(schema, "not")) {
    std::vector<SchemaError> ignored;
    check(*negated, instance, pointer, depth + 1, ignored);
    if (ignored.empty()) errors.push_back({pointer, "matches a form that is not allowed"});
  }
  for (const char* name : {"anyOf", "oneOf"}) {
    const json* alternatives = keyword(schema, name);
    if (alternatives == nullptr) continue;
    std::vector<size_t> matched;
    std::vector<size_t> same_type;  // alternatives whose type fits: the ones the author meant
    std::vector<std::vector<SchemaError>> found(alternatives->size());
    for (size_t i = 0; i < alternatives->size(); ++i) {
      const json& alternative = alternatives->at(i);
      check(alternative, instance, pointer, depth + 1, found[i]);
      if (found[i].empty()) matched.push_back(i);
      const json& target = alternative.contains("$ref") ? resolve(alternative) : alternative;
      const json* type = target.is_object() ? keyword(target, "type") : nullptr;
      if (type == nullptr || matchesType(instance, *type)) same_type.push_back(i);
    }
    if (matched.empty() && same_type.size() == 1) {
      // One alternative is clearly what was meant: its own errors say more than a summary.
      const auto& best = found[same_type.front()];
      errors.insert(errors.end(), best.begin(), best.end());
    } else if (matched.empty()) {
      errors.push_back({pointer, "does not match any of the allowed forms"});
    } else if (matched.size() > 1 && std::string_view(name) == "oneOf") {
      errors.push_back({pointer, "matches more than one of the allowed forms (" +
                                     std::to_string(matched[0]) + " and " +
                                     std::to_string(matched[1]) + ")"});
    }
  }
}

}  // namespace hearth::config
