#include "daemon/app/commands.hpp"

#include <librdkafka/rdkafka.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "daemon/app/application.hpp"
#include "daemon/app/connector_factory.hpp"
#include "daemon/app/private_state.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/file_access.hpp"
#include "daemon/derive/steps.hpp"
#include "daemon/kafka/rdkafka_handles.hpp"
#include "daemon/version.hpp"
#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_catalog.hpp"

namespace hearth::daemon::app {
namespace {

// The directories given, else those of the configuration given, else the installed one. A
// configuration that was given but is refused is reported as `validate` reports it: listing
// the default directory instead would hide why the configured plugins are not found.
std::optional<std::vector<std::filesystem::path>> pluginDirs(
    const std::filesystem::path& config_path, std::vector<std::filesystem::path> dirs) {
  if (!dirs.empty()) return dirs;
  if (!config_path.empty()) {
    auto loaded = loadConfigOrReport(config_path);
    if (!loaded) return std::nullopt;
    return loaded->plugin_dirs;
  }
  return std::vector<std::filesystem::path>{"/usr/lib/hearth/plugins"};
}

// librdkafka's own default, which Hearth does not change.
constexpr uint64_t kDefaultMessageMaxBytes = 1'000'000;
// What an event adds around a row: the envelope, provenance, field names and escaping.
constexpr uint64_t kEventEnvelopeBytes = 64 * 1024;

// A connector row limit (`max_row_bytes`, set or the plugin's default) that leaves no room under
// the producer's message.max.bytes: such rows would be read and then refused by Kafka for good.
std::optional<std::string> rowLimitProblem(const std::filesystem::path& config_path,
                                           const config::Config& config,
                                           const config::ConnectorConfig& connector,
                                           std::string_view plugin_schema) {
  const auto schema = nlohmann::json::parse(plugin_schema, nullptr, false);
  if (schema.is_discarded()) return std::nullopt;
  const auto declared =
      schema.value(nlohmann::json::json_pointer("/properties/max_row_bytes"), nlohmann::json());
  if (!declared.is_object()) return std::nullopt;
  const auto set = connector.settings.find("max_row_bytes");
  const nlohmann::json limit =
      set != connector.settings.end() ? *set : declared.value("default", nlohmann::json());
  if (!limit.is_number_integer() || limit.get<int64_t>() < 0) return std::nullopt;
  uint64_t message_max = kDefaultMessageMaxBytes;
  if (const auto it = config.kafka.properties.find("message.max.bytes");
      it != config.kafka.properties.end()) {
    const std::string& text = it->second;
    if (std::from_chars(text.data(), text.data() + text.size(), message_max).ec != std::errc()) {
      return std::nullopt;  // librdkafka names a malformed value at start-up
    }
  }
  const uint64_t row_max = limit.get<uint64_t>();
  if (row_max + kEventEnvelopeBytes <= message_max) return std::nullopt;
  const auto line = connector.setting_lines.find("/max_row_bytes");
  const int at = line != connector.setting_lines.end() ? line->second : connector.line;
  const uint64_t fits = message_max > kEventEnvelopeBytes ? message_max - kEventEnvelopeBytes : 0;
  return config_path.string() + ":" + std::to_string(at) + ": " + connector.key +
         ".settings.max_row_bytes: " + std::to_string(row_max) +
         (set != connector.settings.end() ? "" : " (the default)") +
         " leaves no room for the event under kafka.properties message.max.bytes (" +
         std::to_string(message_max) + "): rows that long would be refused by Kafka. Set it to " +
         "at most " + std::to_string(fits) +
         ", or raise message.max.bytes (and the brokers' max.message.bytes)";
}

/// Finds connector `name` in the config and creates it, in this process or as a child process
/// as configured, reporting any failure.
std::optional<CreatedConnector> createConnector(const std::filesystem::path& config_path,
                                                const std::string& name) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return std::nullopt;
  const config::ConnectorConfig* connector = nullptr;
  for (const auto& c : config->connectors) {
    if (c.name == name) connector = &c;
  }
  if (!connector) {
    std::cerr << config_path.string() << ": no connector named \"" << name << "\"\n";
    return std::nullopt;
  }
  const auto catalog = host::PluginCatalog::scan(config->plugin_dirs);
  auto recipe = prepareConnector(*config, *connector, catalog, {});
  if (!recipe) {
    std::cerr << recipe.error().message << '\n';
    return std::nullopt;
  }
  auto instance = recipe->create({});
  if (!instance) {
    std::cerr << name << ": " << instance.error().message << '\n';
    return std::nullopt;
  }
  return CreatedConnector{std::move(instance).value(), recipe->plugin_name, recipe->plugin_version};
}

std::unique_ptr<host::Connector> instantiate(const std::filesystem::path& config_path,
                                             const std::string& name) {
  auto created = createConnector(config_path, name);
  return created ? std::move(created->connector) : nullptr;
}

}  // namespace

std::optional<std::string> pluginConfigSchema(const std::filesystem::path& config,
                                              std::vector<std::filesystem::path> dirs,
                                              const std::string& plugin) {
  const auto scanned = pluginDirs(config, std::move(dirs));
  if (!scanned) return std::nullopt;
  const auto catalog = host::PluginCatalog::scan(*scanned);
  auto found = catalog.find(plugin);
  if (!found) {
    std::cerr << found.error().message << '\n';
    return std::nullopt;
  }
  return std::string(found.value()->configSchema());
}

std::optional<CreatedConnector> connectorInstance(const std::filesystem::path& config,
                                                  const std::string& name) {
  return createConnector(config, name);
}

std::optional<config::Config> loadConfigOrReport(const std::filesystem::path& path) {
  auto loaded = config::loadConfig(path);
  if (!loaded) {
    std::cerr << loaded.error().message << '\n';
    return std::nullopt;
  }
  return std::move(loaded).value();
}

int runCommand(const std::filesystem::path& config_path, bool once) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  if (auto private_dir = checkPrivateStateDir(config->state_dir); !private_dir) {
    std::cerr << config_path.string() << ": state_dir: " << private_dir.error().message << '\n';
    return kInvalid;
  }
  // SQLite would only say that it cannot enable write-ahead logging.
  if (auto writable = config::checkWritableDirectory(config->state_dir); !writable) {
    std::cerr << config_path.string() << ": state_dir: " << writable.error().message << '\n';
    return kInvalid;
  }
  Application application(std::move(*config), RunOptions{.once = once, .print_indicators = once});
  return application.run();
}

int validateCommand(const std::filesystem::path& config_path) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  std::vector<std::string> problems;
  auto at = [&](int line) { return config_path.string() + ":" + std::to_string(line) + ": "; };

  for (const auto& [name, error] : daemon::kafka::refusedProperties(config->kafka.properties)) {
    problems.push_back(at(config->kafka.property_lines[name]) + "kafka.properties." + name + ": " +
                       error.message);
  }
  if (auto writable = config::checkWritableDirectory(config->state_dir); !writable) {
    problems.push_back(config_path.string() + ": state_dir: " + writable.error().message);
  } else if (std::filesystem::exists(config->state_dir)) {
    if (auto private_dir = checkPrivateStateDir(config->state_dir); !private_dir) {
      problems.push_back(config_path.string() + ": state_dir: " + private_dir.error().message);
    }
  }

  // Each plugin a connector uses is looked at once, in a child process: validate never runs a
  // plugin's code itself, so a plugin that faults is reported rather than fatal.
  const auto catalog = host::PluginCatalog::scan(config->plugin_dirs);
  std::map<std::string, Result<config::JsonSchema>> schemas;
  std::map<std::string, std::string> schema_texts;
  for (const auto& connector : config->connectors) {
    if (!connector.command.empty()) {
      // An executable declares its schema through `spec`, run here as it will be in the daemon.
      if (auto recipe = prepareConnector(*config, connector, catalog, {}); !recipe) {
        problems.push_back(at(connector.line) + connector.key +
                           ".command: " + recipe.error().message);
      }
      continue;
    }
    auto found = schemas.find(connector.plugin);
    if (found == schemas.end()) {
      auto described = catalog.describe(connector.plugin);
      if (described) schema_texts[connector.plugin] = described->config_schema;
      Result<config::JsonSchema> schema = described
                                              ? config::JsonSchema::parse(described->config_schema)
                                              : Result<config::JsonSchema>(described.error());
      if (!schema && described) {
        schema = makeError("config.plugin_schema",
                           "plugin " + connector.plugin + ": " + schema.error().message);
      }
      found = schemas.emplace(connector.plugin, std::move(schema)).first;
    }
    if (!found->second) {
      problems.push_back(at(connector.line) + connector.key +
                         ".plugin: " + found->second.error().message);
      continue;
    }
    if (auto valid = config::validateConnectorSettings(*config, connector, found->second.value());
        !valid) {
      problems.push_back(valid.error().message);
    } else if (auto problem = rowLimitProblem(config_path, *config, connector,
                                              schema_texts[connector.plugin])) {
      problems.push_back(std::move(*problem));
    }
  }
  // The indicators' reference data is read at start-up: a missing or malformed file is a
  // configuration error worth knowing before a restart.
  if (config->indicators.enabled) {
    if (auto step = derive::IndicatorStep::create(config->indicators,
                                                  config->privacy.suppression_threshold);
        !step) {
      problems.push_back(config_path.string() + ": indicators: " + step.error().message);
    } else if (const auto& base = (*step)->population()) {
      std::cout << config_path.string() << ": indicators: population base " << base->describe()
                << '\n';
    }
  }
  for (const std::string& warning : config::warnings(*config)) {
    std::cerr << config_path.string() << ": warning: " << warning << '\n';
  }
  if (!problems.empty()) {
    for (const auto& problem : problems) std::cerr << problem << '\n';
    return kInvalid;
  }
  std::cout << config_path.string() << ": valid (" << config->connectors.size() << " connectors)\n";
  return kOk;
}

int pluginsCommand(const std::filesystem::path& config_path,
                   std::vector<std::filesystem::path> dirs) {
  const auto scanned = pluginDirs(config_path, std::move(dirs));
  if (!scanned) return kInvalid;
  // Each plugin is loaded in a child process, so one that faults is listed as refused.
  const auto listing = host::PluginCatalog::scan(*scanned).describeAll();
  std::printf("%-16s %-10s %-5s %s\n", "NAME", "VERSION", "ABI", "PATH");
  for (const auto& plugin : listing.plugins) {
    const auto& info = plugin.info;
    const std::string abi = std::to_string(info.abi_major) + "." + std::to_string(info.abi_minor);
    std::printf("%-16s %-10s %-5s %s\n", info.name.c_str(), info.version.c_str(), abi.c_str(),
                info.path.c_str());
    if (!info.description.empty()) std::printf("    %s\n", info.description.c_str());
  }
  for (const auto& problem : listing.problems) {
    std::fprintf(stderr, "refused: %s\n", problem.error.message.c_str());
  }
  return listing.problems.empty() ? kOk : kFailed;
}

int specCommand(const std::filesystem::path& config_path, std::vector<std::filesystem::path> dirs,
                const std::string& plugin_name) {
  const auto scanned = pluginDirs(config_path, std::move(dirs));
  if (!scanned) return kInvalid;
  const auto catalog = host::PluginCatalog::scan(*scanned);
  auto plugin = catalog.find(plugin_name);
  if (!plugin) {
    std::cerr << plugin.error().message << '\n';
    return kFailed;
  }
  const auto schema = nlohmann::json::parse(plugin.value()->configSchema(), nullptr, false);
  std::cout << (schema.is_discarded() ? std::string(plugin.value()->configSchema())
                                      : schema.dump(2))
            << '\n';
  return kOk;
}

int checkCommand(const std::filesystem::path& config_path, const std::string& connector) {
  auto instance = instantiate(config_path, connector);
  if (!instance) return kFailed;
  if (auto ok = instance->check(); !ok) {
    std::cerr << connector << ": check failed: " << ok.error().message << '\n';
    return kFailed;
  }
  std::cout << connector << ": ok\n";
  return kOk;
}

int discoverCommand(const std::filesystem::path& config_path, const std::string& connector) {
  auto instance = instantiate(config_path, connector);
  if (!instance) return kFailed;
  auto catalogue = instance->discover();
  if (!catalogue) {
    std::cerr << connector << ": discover failed: " << catalogue.error().message << '\n';
    return kFailed;
  }
  const auto json = nlohmann::json::parse(catalogue.value(), nullptr, false);
  std::cout << (json.is_discarded() ? catalogue.value() : json.dump(2)) << '\n';
  return kOk;
}

std::string versionText() {
  return "hearthd " + std::string(kVersion) + " (connector ABI " +
         std::to_string(HEARTH_CONNECTOR_ABI_MAJOR) + "." +
         std::to_string(HEARTH_CONNECTOR_ABI_MINOR) + ", librdkafka " + rd_kafka_version_str() +
         ")";
}

int versionCommand() {
  std::cout << versionText() << '\n';
  return kOk;
}

}  // namespace hearth::daemon::app
