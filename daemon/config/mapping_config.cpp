#include "daemon/config/mapping_config.hpp"

#include <fstream>
#include <sstream>

#include "daemon/config/json_schema.hpp"
#include "daemon/config/yaml_json.hpp"

namespace hearth::config {

namespace normalise = pipelines::normalise;
using nlohmann::json;

namespace {

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// A field written as a source field's name, or as an object saying how to read it.
normalise::FieldRule fieldRule(const std::string& target, const json& value,
                               const std::string& where) {
  normalise::FieldRule rule;
  rule.target = target;
  rule.where = where;
  if (value.is_string()) {
    rule.from = value.get<std::string>();
    return rule;
  }
  if (!value.is_object()) return rule;
  rule.from = text(value, "from");
  rule.constant = text(value, "constant");
  rule.date_format = text(value, "date_format");
  if (const auto codes = value.find("codes"); codes != value.end() && codes->is_object()) {
    for (const auto& [from, to] : codes->items()) {
      if (to.is_string()) rule.codes.emplace(from, to.get<std::string>());
    }
  }
  return rule;
}

normalise::RecordRule recordRule(const json& value, const std::string& where) {
  normalise::RecordRule rule;
  rule.where = where;
  if (!value.is_object()) return rule;
  rule.kind = text(value, "kind");
  rule.subject = text(value, "subject");
  if (const auto fields = value.find("fields"); fields != value.end() && fields->is_object()) {
    const std::string fields_at = where + "/fields";
    for (const auto& [target, field] : fields->items()) {
      rule.fields.push_back(fieldRule(target, field, childPointer(fields_at, target)));
    }
  }
  if (const auto ids = value.find("identifiers"); ids != value.end() && ids->is_object()) {
    const std::string ids_at = where + "/identifiers";
    for (const auto& [scheme, from] : ids->items()) {
      rule.identifiers.push_back(
          {scheme, from.is_string() ? from.get<std::string>() : "", childPointer(ids_at, scheme)});
    }
  }
  return rule;
}

}  // namespace

normalise::Mapping mappingFromJson(const json& mapping, const std::string& pointer) {
  normalise::Mapping result;
  const auto streams = mapping.find("streams");
  if (!mapping.is_object() || streams == mapping.end() || !streams->is_object()) return result;
  const std::string streams_at = pointer + "/streams";
  for (const auto& [name, stream] : streams->items()) {
    normalise::StreamRule rule;
    rule.stream = name;
    rule.where = childPointer(streams_at, name);
    if (!stream.is_object()) continue;
    if (const auto records = stream.find("records");
        records != stream.end() && records->is_array()) {
      for (size_t i = 0; i < records->size(); ++i) {
        rule.records.push_back(
            recordRule(records->at(i), childPointer(rule.where + "/records", i)));
      }
    }
    if (const auto ignore = stream.find("ignore"); ignore != stream.end() && ignore->is_array()) {
      for (const json& field : *ignore) {
        if (field.is_string()) rule.ignore.push_back(field.get<std::string>());
      }
    }
    result.streams.push_back(std::move(rule));
  }
  return result;
}

NormaliseConfig normaliseFromJson(const json& entry) {
  NormaliseConfig normalise;
  const auto section = entry.find("normalise");
  if (section == entry.end() || !section->is_object()) return normalise;
  normalise.kind = section->value("kind", "");
  normalise.source_system = section->value("source_system", normalise.kind);
  normalise.collection_year = section->value("collection_year", 0);
  normalise.time_zone = section->value("time_zone", normalise.time_zone);
  return normalise;
}

std::vector<LocatedProblem> checkConnectorMapping(const json& entry, const std::string& pointer,
                                                  NormaliseConfig& normalise) {
  const bool mapped = normalise.kind == kMappingKind;
  if (!entry.contains("mapping")) {
    if (!mapped) return {};
    return {{pointer + "/normalise/kind", "kind mapping needs the connector's mapping: section"}};
  }
  if (!mapped) {
    return {{pointer + "/mapping",
             "a mapping is the connector's layout: set normalise.kind to mapping"}};
  }
  normalise.mapping = entry.at("mapping");
  std::vector<LocatedProblem> problems;
  for (auto& problem : pipelines::normalise::checkMapping(
           mappingFromJson(normalise.mapping, pointer + "/mapping"))) {
    problems.push_back({std::move(problem.where), std::move(problem.message)});
  }
  return problems;
}

Result<NormaliseConfig> connectorNormalisation(const std::filesystem::path& file,
                                               const std::string& name) {
  std::ifstream in(file);
  if (!in) return makeError("config.invalid", file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<LocatedError> errors;
  const std::optional<YamlDocument> document = parseYaml(text.str(), errors, processEnv);
  auto located = [&](const std::string& pointer, const std::string& message) {
    const int line = document ? document->locate(pointer).line : 0;
    return makeError("config.invalid", file.string() + ":" + std::to_string(line) + ": " + message);
  };
  if (!errors.empty()) return located(errors.front().pointer, errors.front().message);
  const json& connectors =
      document->value.contains("connectors") ? document->value.at("connectors") : json::array();
  for (size_t i = 0; connectors.is_array() && i < connectors.size(); ++i) {
    const json& entry = connectors[i];
    if (!entry.is_object() || entry.value("name", "") != name) continue;
    const std::string pointer = childPointer("/connectors", i);
    // Only this entry is read, so only its normalisation is held to the schema's types here.
    NormaliseConfig normalise;
    try {
      normalise = normaliseFromJson(entry);
    } catch (const json::exception&) {
      return located(pointer + "/normalise", "is not a normalise section of the configuration");
    }
    const std::vector<LocatedProblem> problems = checkConnectorMapping(entry, pointer, normalise);
    if (!problems.empty()) return located(problems.front().pointer, problems.front().message);
    if (normalise.kind.empty()) return located(pointer, "connector " + name + " has no normalise:");
    return normalise;
  }
  return makeError("config.invalid", file.string() + ": no connector named " + name);
}

}  // namespace hearth::config
