#include "daemon/config/yaml_json.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "daemon/config/json_schema.hpp"

namespace hearth::config {
namespace {

using nlohmann::json;

// Aliases can make a node contain itself; real configs are nowhere near this deep.
constexpr int kMaxDepth = 256;
constexpr std::string_view kCoreTag = "tag:yaml.org,2002:";
constexpr std::string_view kPlainTag = "?";   // yaml-cpp's tag for an untagged plain scalar
constexpr std::string_view kQuotedTag = "!";  // ... and for a quoted or block scalar

SourceLocation locationOf(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

bool isNull(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::optional<bool> asBool(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

// A YAML 1.2 core-schema integer, or nullopt if the text is not one. Sets `error` when it is one
// but does not fit 64 bits.
std::optional<json> asInteger(const std::string& text, std::string& error) {
  static const std::regex kDecimal(R"([-+]?[0-9]+)");
  static const std::regex kOctal(R"(0o[0-7]+)");
  static const std::regex kHex(R"(0x[0-9a-fA-F]+)");
  int base = 10;
  std::string_view digits = text;
  if (std::regex_match(text, kOctal)) {
    base = 8;
    digits.remove_prefix(2);
  } else if (std::regex_match(text, kHex)) {
    base = 16;
    digits.remove_prefix(2);
  } else if (!std::regex_match(text, kDecimal)) {
    return std::nullopt;
  }
  if (digits.front() == '+') digits.remove_prefix(1);
  const char* end = digits.data() + digits.size();
  std::int64_t signed_value = 0;
  if (std::from_chars(digits.data(), end, signed_value, base).ec == std::errc()) {
    return json(signed_value);
  }
  std::uint64_t unsigned_value = 0;
  if (std::from_chars(digits.data(), end, unsigned_value, base).ec == std::errc()) {
    return json(unsigned_value);
  }
  error = "integer does not fit in 64 bits";
  return json(nullptr);
}

std::optional<json> asFloat(const std::string& text, std::string& error) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex kSpecial(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (std::regex_match(text, kSpecial)) {
    error = "infinity and NaN cannot be represented in JSON";
    return json(nullptr);
  }
  if (!std::regex_match(text, kFloat)) return std::nullopt;
  std::string_view digits = text;
  if (digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return json(value);
}

// Types a plain scalar by the YAML 1.2 core schema; anything else is a string.
json typedScalar(const std::string& text, std::string& error) {
  if (isNull(text)) return nullptr;
  if (auto value = asBool(text)) return *value;
  if (auto value = asInteger(text, error)) return *value;
  if (auto value = asFloat(text, error)) return *value;
  return text;
}

// A scalar with an explicit core tag (!!int 5); `error` is set when the text does not fit it.
json taggedScalar(std::string_view tag, const std::string& text, std::string& error) {
  std::optional<json> value;
  if (tag == "str") return text;
  if (tag == "null") value = isNull(text) ? std::optional<json>(nullptr) : std::nullopt;
  if (tag == "bool") {
    if (auto flag = asBool(text)) value = *flag;
  }
  if (tag == "int") value = asInteger(text, error);
  if (tag == "float") {
    value = asFloat(text, error);
    if (!value) {
      const auto integer = asInteger(text, error);
      if (integer && error.empty()) value = json(integer->get<double>());
    }
  }
  if (!value && error.empty()) error = "is not a valid !!" + std::string(tag);
  return value.value_or(nullptr);
}

class Converter {
 public:
  Converter(YamlDocument& document, std::vector<LocatedError>& errors, const EnvLookup& env)
      : document_(document), errors_(errors), env_(env) {}

  json convert(const YAML::Node& node, const std::string& pointer, int depth) {
    if (depth > kMaxDepth) {
      fail(pointer, "nests too deeply (is an alias inside itself?)");
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return scalar(node, pointer);
      case YAML::NodeType::Sequence:
        return sequence(node, pointer, depth);
      case YAML::NodeType::Map:
        return mapping(node, pointer, depth);
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
    }
    return nullptr;
  }

 private:
  json scalar(const YAML::Node& node, const std::string& pointer) {
    std::string text = node.Scalar();
    if (env_) {
      std::string error;
      auto replaced = interpolate(text, env_, error);
      if (!replaced) {
        fail(pointer, error);
        return text;
      }
      if (*replaced != text) document_.interpolated.insert(pointer);
      text = std::move(*replaced);
    }

    const std::string& tag = node.Tag();
    std::string error;
    json value;
    if (tag == kPlainTag) {
      value = typedScalar(text, error);
    } else if (tag == kQuotedTag) {
      value = text;
    } else if (tag.starts_with(kCoreTag)) {
      value = taggedScalar(std::string_view(tag).substr(kCoreTag.size()), text, error);
    } else {
      error = "unsupported tag " + tag;
    }
    if (!error.empty()) fail(pointer, error);
    return value;
  }

  json sequence(const YAML::Node& node, const std::string& pointer, int depth) {
    checkCollectionTag(node, "seq", pointer);
    json array = json::array();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string child = childPointer(pointer, i);
      record(child, node[i].Mark());
      array.push_back(convert(node[i], child, depth + 1));
    }
    return array;
  }

  json mapping(const YAML::Node& node, const std::string& pointer, int depth) {
    checkCollectionTag(node, "map", pointer);
    json object = json::object();
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        const SourceLocation where = locationOf(entry.first.Mark());
        errors_.push_back({pointer, where, "keys must be plain text"});
        continue;
      }
      const std::string& key = entry.first.Scalar();
      const std::string child = childPointer(pointer, key);
      if (object.contains(key)) {
        errors_.push_back(
            {child, locationOf(entry.first.Mark()),
             "duplicate key " + json(key).dump(-1, ' ', false, json::error_handler_t::replace)});
        continue;
      }
      record(child, entry.first.Mark());
      object[key] = convert(entry.second, child, depth + 1);
    }
    return object;
  }

  void checkCollectionTag(const YAML::Node& node, std::string_view core,
                          const std::string& pointer) {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == kPlainTag || tag == kQuotedTag) return;
    if (tag == std::string(kCoreTag) + std::string(core)) return;
    fail(pointer, "unsupported tag " + tag);
  }

  void record(const std::string& pointer, const YAML::Mark& mark) {
    if (!mark.is_null()) document_.locations[pointer] = locationOf(mark);
  }

  void fail(const std::string& pointer, std::string message) {
    errors_.push_back({pointer, document_.locate(pointer), std::move(message)});
  }

  YamlDocument& document_;
  std::vector<LocatedError>& errors_;
  const EnvLookup& env_;
};

// What a node stands for once its aliases are expanded.
struct Expansion {
  std::uint64_t values = 0;
  std::uint64_t scalar_bytes = 0;
  int depth = 0;  // levels of nesting below the node
};

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

// Thrown out of the parser's event loop at the first limit crossed.
struct LimitCrossed {
  YAML::Mark mark;
  std::string message;
};

// Follows the parser's events and adds up what the document expands to, each anchored node
// measured once and each alias counted as the node it names: linear in the text however much
// the aliases multiply.
class ExpansionCheck final : public YAML::EventHandler {
 public:
  explicit ExpansionCheck(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    leaf(mark, anchor, {1, 0, 0});
  }
  void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, {1, value.size(), 0});
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchored_.find(anchor);
    if (it == anchored_.end()) {
      throw LimitCrossed{mark, "an alias inside the node it names"};
    }
    add(mark, it->second);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    Expansion inside;
  };

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, Expansion expansion) {
    if (anchor != YAML::NullAnchor) anchored_[anchor] = expansion;
    add(mark, expansion);
  }

  void add(const YAML::Mark& mark, const Expansion& expansion) {
    count(mark, expansion);
    addToParent(expansion);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    count(mark, {1, 0, 1});
    open_.push_back({anchor, {}});
  }

  void close() {
    const Open done = std::move(open_.back());
    open_.pop_back();
    const Expansion expansion{saturatingAdd(done.inside.values, 1), done.inside.scalar_bytes,
                              done.inside.depth + 1};
    if (done.anchor != YAML::NullAnchor) anchored_[done.anchor] = expansion;
    addToParent(expansion);  // already counted, node by node, as it was read
  }

  void addToParent(const Expansion& expansion) {
    if (open_.empty()) return;
    Expansion& parent = open_.back().inside;
    parent.values = saturatingAdd(parent.values, expansion.values);
    parent.scalar_bytes = saturatingAdd(parent.scalar_bytes, expansion.scalar_bytes);
    parent.depth = std::max(parent.depth, expansion.depth);
  }

  // Counts what a node adds to the document where it appears, and checks the limits.
  void count(const YAML::Mark& mark, const Expansion& expansion) {
    total_values_ = saturatingAdd(total_values_, expansion.values);
    total_scalar_bytes_ = saturatingAdd(total_scalar_bytes_, expansion.scalar_bytes);
    if (static_cast<std::uint64_t>(open_.size()) + static_cast<std::uint64_t>(expansion.depth) >
        static_cast<std::uint64_t>(limits_.max_depth)) {
      throw LimitCrossed{mark, "nests deeper than " + std::to_string(limits_.max_depth) +
                                   " levels (counting what aliases stand for)"};
    }
    if (total_values_ > limits_.max_values) {
      throw LimitCrossed{mark, "the configuration expands to more than " +
                                   std::to_string(limits_.max_values) +
                                   " values (counting what aliases stand for)"};
    }
    if (total_scalar_bytes_ > limits_.max_scalar_bytes) {
      throw LimitCrossed{mark, "the configuration expands to more than " +
                                   std::to_string(limits_.max_scalar_bytes) +
                                   " bytes of text (counting what aliases stand for)"};
    }
  }

  const YamlLimits& limits_;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, Expansion> anchored_;
  std::uint64_t total_values_ = 0;
  std::uint64_t total_scalar_bytes_ = 0;
};

bool isVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

SourceLocation YamlDocument::locate(std::string_view pointer) const {
  while (true) {
    if (const auto it = locations.find(std::string(pointer)); it != locations.end()) {
      return it->second;
    }
    if (pointer.empty()) return {};
    pointer = pointer.substr(0, pointer.rfind('/'));
  }
}

std::optional<std::string> processEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> interpolate(std::string_view text, const EnvLookup& env,
                                       std::string& error) {
  std::string result;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i).starts_with("$${")) {
      result += "${";
      i += 3;
      continue;
    }
    if (!text.substr(i).starts_with("${")) {
      result += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "unterminated ${ (write $${ for a literal ${)";
      return std::nullopt;
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    const size_t separator = inner.find(":-");
    const std::string name(inner.substr(0, separator));
    if (!isVariableName(name)) {
      error = "malformed reference ${...}: expected ${NAME} or ${NAME:-default}";
      return std::nullopt;
    }
    const std::optional<std::string> value = env(name);
    if (separator != std::string_view::npos && (!value || value->empty())) {
      result += inner.substr(separator + 2);
    } else if (value) {
      result += *value;
    } else {
      error = "environment variable " + name + " is not set";
      return std::nullopt;
    }
    i = close + 1;
  }
  return result;
}

YamlDocument yamlToJson(const YAML::Node& root, std::vector<LocatedError>& errors,
                        const EnvLookup& env) {
  YamlDocument document;
  document.locations[""] = root.Mark().is_null() ? SourceLocation{1, 1} : locationOf(root.Mark());
  Converter converter(document, errors, env);
  document.value = converter.convert(root, "", 0);
  return document;
}

std::optional<YamlDocument> parseYaml(const std::string& text, std::vector<LocatedError>& errors,
                                      const EnvLookup& env, const YamlLimits& limits) {
  if (text.size() > limits.max_text_bytes) {
    errors.push_back({"",
                      {},
                      "the configuration is " + std::to_string(text.size()) +
                          " bytes; the limit is " + std::to_string(limits.max_text_bytes)});
    return std::nullopt;
  }
  YAML::Node root;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    ExpansionCheck check(limits);
    parser.HandleNextDocument(check);
    root = YAML::Load(text);
  } catch (const LimitCrossed& crossed) {
    errors.push_back({"", locationOf(crossed.mark), crossed.message});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors.push_back({"", locationOf(e.mark), "YAML syntax error: " + e.msg});
    return std::nullopt;
  }
  return yamlToJson(root, errors, env);
}

}  // namespace hearth::config
