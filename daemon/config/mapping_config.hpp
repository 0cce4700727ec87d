#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/config.hpp"
#include "pipelines/normalise/mapping.hpp"

namespace hearth::config {

/// A connector's `mapping:` (as the config schema shapes it) as the mapping it describes; each
/// rule's `where` is its JSON Pointer below `pointer`, for errors that name the line.
pipelines::normalise::Mapping mappingFromJson(const nlohmann::json& mapping,
                                              const std::string& pointer);

/// The `normalise:` section of a connector entry (schema-valid JSON), mapping aside.
NormaliseConfig normaliseFromJson(const nlohmann::json& entry);

struct LocatedProblem {
  std::string pointer;
  std::string message;
};

/// Takes the entry's `mapping:` into `normalise` when its kind is "mapping", and names what is
/// wrong: a mapping the canonical model refuses, one without that kind, that kind without one.
std::vector<LocatedProblem> checkConnectorMapping(const nlohmann::json& entry,
                                                  const std::string& pointer,
                                                  NormaliseConfig& normalise);

/// How the connector `name` of the configuration `file` normalises, read without the rest of
/// the configuration (secrets, Kafka, plugins), as `hearthd test` needs it. Errors name the file
/// and line ("config.invalid").
Result<NormaliseConfig> connectorNormalisation(const std::filesystem::path& file,
                                               const std::string& name);

}  // namespace hearth::config
