// hearthd: parses the command line and hands over to the verb's command.
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>

#include "daemon/app/commands.hpp"

int main(int argc, char** argv) {
  namespace app = hearth::daemon::app;
  CLI::App cli{
      "hearthd: joins council, health, housing and education records into one "
      "pseudonymous view and publishes the council plan's measures to Kafka."};
  cli.require_subcommand(1);
  std::string config = "/etc/hearth/hearthd.yaml";
  std::vector<std::filesystem::path> plugin_dirs;
  std::string name;
  bool once = false;

  auto* run = cli.add_subcommand("run", "Run the daemon until SIGTERM (or one cycle with --once)");
  run->add_option("-c,--config,config", config, "Configuration file");
  run->add_flag("--once", once, "Read every connector once, publish, checkpoint and exit");

  auto* validate = cli.add_subcommand("validate", "Check a configuration without starting");
  validate->add_option("-c,--config,config", config, "Configuration file");

  auto* plugins = cli.add_subcommand("plugins", "List the connector plugins found");
  plugins->add_option("-c,--config", config, "Configuration file (for plugin_dirs)");
  plugins->add_option("--plugin-dir", plugin_dirs, "Directory to scan (repeatable)");

  auto* spec = cli.add_subcommand("spec", "Print a connector plugin's configuration schema");
  spec->add_option("plugin", name, "Plugin name or path")->required();
  spec->add_option("-c,--config", config, "Configuration file (for plugin_dirs)");
  spec->add_option("--plugin-dir", plugin_dirs, "Directory to scan (repeatable)");

  auto* check = cli.add_subcommand("check", "Check that a configured connector reaches its source");
  check->add_option("connector", name, "Connector name in the configuration")->required();
  check->add_option("-c,--config", config, "Configuration file");

  auto* discover = cli.add_subcommand("discover", "List a configured connector's streams");
  discover->add_option("connector", name, "Connector name in the configuration")->required();
  discover->add_option("-c,--config", config, "Configuration file");

  auto* version = cli.add_subcommand("version", "Print the version");

  CLI11_PARSE(cli, argc, argv);
  // A log reader that goes away (a closed journald or terminal pipe) must not kill the daemon;
  // write errors are reported where they happen instead.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    if (*run) return app::runCommand(config, once);
    if (*validate) return app::validateCommand(config);
    if (*plugins)
      return app::pluginsCommand(*plugins->get_option("--config") ? config : "", plugin_dirs);
    if (*spec)
      return app::specCommand(*spec->get_option("--config") ? config : "", plugin_dirs, name);
    if (*check) return app::checkCommand(config, name);
    if (*discover) return app::discoverCommand(config, name);
    if (*version) return app::versionCommand();
  } catch (const std::exception& e) {
    std::cerr << "hearthd: " << e.what() << '\n';
    return 1;
  }
  return 2;
}
