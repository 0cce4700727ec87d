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

  bool offline = false;
  bool as_json = false;
  auto* indicators = cli.add_subcommand("indicators", "Show the current indicator values");
  indicators->add_option("-c,--config", config, "Configuration file");
  indicators->add_flag("--offline", offline,
                       "Compute from the state store instead of asking the running daemon");
  indicators->add_flag("--json", as_json, "Print JSON instead of a table");

  std::string record_a, record_b, actor, reason;
  auto* identity = cli.add_subcommand("identity", "Review identity links held for review");
  identity->require_subcommand(1);
  identity->add_option("-c,--config", config, "Configuration file");
  auto* review = identity->add_subcommand("review", "List the pairs held for review");
  auto* merge = identity->add_subcommand("merge", "Link two records as the same person");
  auto* unmerge = identity->add_subcommand("unmerge", "Keep two records apart");
  for (auto* decision : {merge, unmerge}) {
    decision->add_option("record_a", record_a, "<system>/<local id>")->required();
    decision->add_option("record_b", record_b, "<system>/<local id>")->required();
    decision->add_option("--actor", actor, "Who decides (audited)")->required();
    decision->add_option("--reason", reason, "Why (audited)")->required();
  }

  std::string stream;
  auto* connectors = cli.add_subcommand("connectors", "Manage configured connectors");
  connectors->require_subcommand(1);
  connectors->add_option("-c,--config", config, "Configuration file");
  auto* reset = connectors->add_subcommand(
      "reset", "Read a connector (or one stream) again from the beginning, running or stopped");
  reset->add_option("connector", name, "Connector name in the configuration")->required();
  reset->add_option("--stream", stream, "Only this stream");
  reset->add_option("-c,--config", config, "Configuration file");

  bool dry_run = false;
  int partitions = 12;
  int replication_factor = 3;
  auto* topics = cli.add_subcommand("topics", "Manage Hearth's Kafka topics");
  topics->require_subcommand(1);
  auto* topics_create = topics->add_subcommand(
      "create", "Create every topic on kafka.brokers with its partitions and configuration");
  topics_create->add_option("-c,--config", config, "Configuration file");
  topics_create->add_flag("--dry-run", dry_run, "Print what would be created, and create nothing");
  topics_create->add_option("--partitions", partitions, "Partitions per topic (default 12)");
  topics_create->add_option("--replication-factor", replication_factor,
                            "Replicas of each partition (default 3)");

  bool rebuild_identity = false;
  auto* rebuild = cli.add_subcommand(
      "rebuild", "Recompute links, person views and indicators from the stored records");
  rebuild->add_option("-c,--config", config, "Configuration file");
  rebuild->add_flag("--identity", rebuild_identity, "Recompute every identity link (the default)");

  std::filesystem::path truth;
  auto* linkage_eval = cli.add_subcommand(
      "linkage-eval", "Precision, recall and F1 of identity links against a truth file");
  std::string linkage_input;
  bool without_identifier = false;
  linkage_eval->add_option("-c,--config", config,
                           "Configuration file (with --truth: the daemon whose links to judge)");
  auto* truth_option = linkage_eval->add_option(
      "--truth", truth,
      "Judge the daemon's links against a truth file: source,file,record_key,person_id "
      "(the synthetic council's truth/records.csv)");
  auto* input_option = linkage_eval->add_option(
      "--input", linkage_input,
      "Link a CSV of person records with a model estimated from it and judge against its truth; "
      "columns by header (unique_id/rec_id, first_name/given_name, surname, dob, "
      "city/town/suburb, email, phone, postcode, ...), truth in cluster or FEBRL's "
      "rec-N-org / rec-N-dup-k ids");
  linkage_eval->add_flag("--without-identifier,--without-soc-sec-id", without_identifier,
                         "Leave the national identifier column (FEBRL's soc_sec_id) out");
  truth_option->excludes(input_option);
  linkage_eval->require_option(1, 3);

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
    if (*indicators) return app::indicatorsCommand(config, offline, as_json);
    if (*review) return app::identityReviewCommand(config);
    if (*merge)
      return app::identityDecideCommand(config, "merge", record_a, record_b, actor, reason);
    if (*unmerge) {
      return app::identityDecideCommand(config, "unmerge", record_a, record_b, actor, reason);
    }
    if (*reset) return app::connectorsResetCommand(config, name, stream);
    if (*topics_create) {
      return app::topicsCreateCommand(config, dry_run, partitions, replication_factor);
    }
    if (*rebuild) return app::rebuildCommand(config);
    if (*linkage_eval) {
      if (!linkage_input.empty())
        return app::linkageEvalFileCommand(linkage_input, !without_identifier);
      if (truth.empty()) {
        std::cerr << "linkage-eval: give --truth (with --config) or --input\n";
        return 2;
      }
      return app::linkageEvalTruthCommand(config, truth);
    }
  } catch (const std::exception& e) {
    std::cerr << "hearthd: " << e.what() << '\n';
    return 1;
  }
  return 2;
}
