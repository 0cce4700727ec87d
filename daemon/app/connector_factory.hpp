#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "daemon/config/config.hpp"
#include "plugins/host/connector.hpp"
#include "plugins/host/plugin_catalog.hpp"

namespace hearth::daemon::app {

/// How to create one configured connector, its settings already validated and resolved.
struct ConnectorRecipe {
  std::string plugin_name;  // as the events name the connector's software
  std::string plugin_version;
  bool child_process = false;
  std::function<Result<std::unique_ptr<host::Connector>>(host::HostServices)> create;
};

/// Prepares `connector`: an in-process plugin is loaded here; a plugin with `isolation: process`
/// is only described (in a child) and will run under hearth-plugin-host; a `command` is asked
/// for its `spec`. Settings are validated against the declared schema and their paths made
/// absolute. Child processes keep their private files under `scratch_dir` (empty: the system's
/// temporary directory).
Result<ConnectorRecipe> prepareConnector(const config::Config& config,
                                         const config::ConnectorConfig& connector,
                                         const host::PluginCatalog& catalog,
                                         const std::filesystem::path& scratch_dir);

/// hearth-plugin-host, installed beside the running hearthd.
std::filesystem::path pluginHostPath();

}  // namespace hearth::daemon::app
