#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::config {

/// Where something was written: 1-based line and column; 0 when unknown.
struct SourceLocation {
  int line = 0;
  int column = 0;
};

/// A YAML document as JSON, remembering where each value was written.
struct YamlDocument {
  nlohmann::json value;
  /// JSON Pointer -> position of the mapping key (or sequence item) that holds the value.
  std::map<std::string, SourceLocation> locations;
  /// Pointers whose text came, wholly or partly, from the environment.
  std::set<std::string> interpolated;

  /// Where the value at the pointer was written, or else its nearest ancestor.
  SourceLocation locate(std::string_view pointer) const;
};

/// A problem at a place in a document.
struct LocatedError {
  std::string pointer;
  SourceLocation where;
  std::string message;
};

/// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (getenv).
std::optional<std::string> processEnv(const std::string& name);

/// Replaces ${NAME} and ${NAME:-default} (the default also applies to an empty value) in text;
/// "$${" stands for a literal "${". On failure, the message names the variable, never a value.
std::optional<std::string> interpolate(std::string_view text, const EnvLookup& env,
                                       std::string& error);

/// What a configuration may expand to. Aliases let a few hundred bytes stand for billions of
/// values ("billion laughs"), so these are checked on the parser's events, counting each alias as
/// what it stands for, before anything is expanded: a hostile file is refused in about the time
/// it takes to read it, naming the line where a limit was crossed.
struct YamlLimits {
  std::size_t max_text_bytes = std::size_t{8} << 20;
  std::uint64_t max_values = 1'000'000;  // scalars, sequences and mappings, aliases expanded
  std::uint64_t max_scalar_bytes = std::uint64_t{64} << 20;  // their text, aliases expanded
  int max_depth = 64;                                        // nesting, through aliases too
};

/// Converts YAML to JSON.
///
/// Plain scalars are typed by the YAML 1.2 core schema: null, true/false, decimal, 0x and 0o
/// integers, floats; quoted and block scalars stay strings, as do keys. The tags !!str, !!int,
/// !!float, !!bool and !!null are honoured; others are errors, as are duplicate keys.
/// With an env lookup, string values are interpolated first (see interpolate()); a plain scalar
/// is typed after interpolation, so `port: ${PORT:-8080}` is an integer.
/// Problems are appended to errors; the returned document holds what could be converted.
YamlDocument yamlToJson(const YAML::Node& root, std::vector<LocatedError>& errors,
                        const EnvLookup& env = {});

/// Parses YAML text and converts it. A syntax error, or text beyond the limits, is appended to
/// errors and gives nullopt.
std::optional<YamlDocument> parseYaml(const std::string& text, std::vector<LocatedError>& errors,
                                      const EnvLookup& env = {}, const YamlLimits& limits = {});

}  // namespace hearth::config
