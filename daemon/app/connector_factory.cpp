#include "daemon/app/connector_factory.hpp"

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/process_connector.hpp"

namespace hearth::daemon::app {
namespace {

// What events name as the version of a connector given by a command: the protocol carries none.
constexpr std::string_view kCommandVersion = "external";

host::ProcessOptions processOptions(const config::ConnectorConfig& connector,
                                    std::vector<std::string> command,
                                    const std::filesystem::path& scratch_dir) {
  const config::ProcessConfig& process = connector.process;
  host::ProcessOptions options;
  options.name = connector.name;
  options.command = std::move(command);
  options.env = process.env;
  options.limits = {.address_space_bytes = process.address_space_mb << 20,
                    .cpu_seconds = process.cpu_seconds,
                    .open_files = process.open_files};
  options.scratch_dir = scratch_dir;
  options.silence_timeout = process.silence_timeout;
  options.max_line_bytes = process.max_line_bytes;
  options.max_bad_lines = process.max_bad_lines;
  options.log_lines_per_second = process.log_lines_per_second;
  return options;
}

// The settings checked against `schema` (when there is one) with their paths made absolute.
Result<std::string> resolvedSettings(const config::Config& config,
                                     const config::ConnectorConfig& connector,
                                     std::string_view schema) {
  if (auto valid = config::validateConnectorSettings(config, connector, schema); !valid) {
    return valid.error();
  }
  auto settings = config::resolveSettingPaths(config, connector, schema);
  if (!settings) return settings.error();
  return settings->dump();
}

Result<ConnectorRecipe> inProcess(const config::Config& config,
                                  const config::ConnectorConfig& connector,
                                  const host::PluginCatalog& catalog) {
  auto plugin = catalog.find(connector.plugin);
  if (!plugin) return plugin.error();
  auto settings = resolvedSettings(config, connector, plugin.value()->configSchema());
  if (!settings) return settings.error();
  std::shared_ptr<const host::PluginLibrary> library = plugin.value();
  return ConnectorRecipe{
      .plugin_name = std::string(library->name()),
      .plugin_version = std::string(library->version()),
      .child_process = false,
      .create = [library, settings = *settings](
                    host::HostServices services) -> Result<std::unique_ptr<host::Connector>> {
        auto instance = host::ConnectorInstance::create(library, settings, std::move(services));
        if (!instance) return instance.error();
        return std::unique_ptr<host::Connector>(std::move(instance).value());
      }};
}

ConnectorRecipe childRecipe(std::string name, std::string version, host::ProcessOptions options,
                            std::string settings) {
  return ConnectorRecipe{
      .plugin_name = std::move(name),
      .plugin_version = std::move(version),
      .child_process = true,
      .create = [options = std::move(options), settings = std::move(settings)](
                    host::HostServices services) -> Result<std::unique_ptr<host::Connector>> {
        return std::unique_ptr<host::Connector>(
            std::make_unique<host::ProcessConnector>(options, settings, std::move(services)));
      }};
}

}  // namespace

std::filesystem::path pluginHostPath() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path() : self.parent_path()) / "hearth-plugin-host";
}

Result<ConnectorRecipe> prepareConnector(const config::Config& config,
                                         const config::ConnectorConfig& connector,
                                         const host::PluginCatalog& catalog,
                                         const std::filesystem::path& scratch_dir) {
  if (connector.command.empty() && connector.isolation == config::Isolation::kInProcess) {
    return inProcess(config, connector, catalog);
  }
  if (connector.command.empty()) {
    // The plugin's code never runs in this process: it is described in a child, and run under
    // hearth-plugin-host.
    auto described = catalog.describe(connector.plugin);
    if (!described) return described.error();
    auto settings = resolvedSettings(config, connector, described->config_schema);
    if (!settings) return settings.error();
    auto options = processOptions(
        connector, {pluginHostPath().string(), described->info.path.string()}, scratch_dir);
    return childRecipe(described->info.name, described->info.version, std::move(options),
                       std::move(*settings));
  }

  auto options = processOptions(connector, connector.command, scratch_dir);
  host::ProcessConnector probe(options, "{}", {});
  auto spec = probe.spec();
  if (!spec) return spec.error();
  // A specification in a dialect the daemon's validator does not read (Airbyte's own keywords)
  // is left to the connector's check; settings are then handed over as written.
  std::string settings = connector.settings.dump();
  if (config::JsonSchema::parse(*spec)) {
    auto resolved = resolvedSettings(config, connector, *spec);
    if (!resolved) return resolved.error();
    settings = std::move(*resolved);
  }
  return childRecipe(connector.plugin, std::string(kCommandVersion), std::move(options),
                     std::move(settings));
}

}  // namespace hearth::daemon::app
