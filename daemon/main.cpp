// hearthd: parses the command line and hands over to the verb's command.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>

#if HEARTH_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include "daemon/app/commands.hpp"

namespace {

constexpr const char* kConfigEnv = "HEARTH_CONFIG";

// What every verb's --help ends with: where its input comes from, what it exits with, and how
// it is used.
void document(CLI::App* verb, const std::string& example, const std::string& more_exit_codes = "") {
  verb->footer(std::string("\nEnvironment:\n  ") + kConfigEnv +
               "  the configuration file when -c/--config is not given\n"
               "  ${NAME}        any variable the configuration names, e.g. "
               "${HEARTH_PSEUDONYM_KEY}\n\nExit codes: 0 done, 1 failed, " +
               more_exit_codes + "64 usage error, 78 configuration refused\n\nExample:\n  " +
               example);
}

// -c/--config (or the verb's first positional argument), defaulting to the installed file.
CLI::Option* configOption(CLI::App* verb, std::string& config, const std::string& names,
                          const std::string& what = "Configuration file") {
  return verb->add_option(names, config, what)->envname(kConfigEnv);
}

// mimalloc gives memory it has freed back to the kernel after 25 ms by default. A derive frees and
// reuses gigabytes within seconds, and on a virtual machine every page given back and written
// again costs a fault that zeroes it (section 0 of the benchmark). Kept for a second, the whole
// council (scale 1.0) wrote about 1 GiB fewer pages afresh and took 4 s less system time, for
// about 65 MiB more at its peak. MIMALLOC_DECOMMIT_DELAY in the environment still decides.
void tuneAllocator() {
#if HEARTH_WITH_MIMALLOC
  if (std::getenv("MIMALLOC_DECOMMIT_DELAY") == nullptr) {
    mi_option_set(mi_option_decommit_delay, 1000);
  }
#endif
}

}  // namespace

int main(int argc, char** argv) {
  tuneAllocator();
  namespace app = hearth::daemon::app;
  CLI::App cli{
      "hearthd: joins council, health, housing and education records into one "
      "pseudonymous view and publishes the council plan's measures to Kafka."};
  cli.require_subcommand(1);
  cli.option_defaults()->always_capture_default();
  cli.set_version_flag("-V,--version", [] { return app::versionText(); });
  cli.footer(
      "\nEach verb has --help. Files: /etc/hearth/hearthd.yaml (configuration), "
      "/usr/lib/hearth/plugins (connector plugins), /var/lib/hearth (state).\nExit codes: 0 "
      "done, 1 failed, 3 `run --once` gave up on Kafka, 64 usage error, 78 configuration "
      "refused.\nSee hearthd(8).");
  std::string config = "/etc/hearth/hearthd.yaml";
  std::vector<std::filesystem::path> plugin_dirs;
  std::string name;
  bool once = false;

  auto* run = cli.add_subcommand("run", "Run the daemon until SIGTERM (or one cycle with --once)");
  configOption(run, config, "-c,--config,config");
  run->add_flag("--once", once, "Read every connector once, publish, checkpoint and exit");
  document(run, "hearthd run --once -c /etc/hearth/hearthd.yaml",
           "3 (--once) Kafka unreachable for kafka.once_give_up_ms, ");

  auto* validate = cli.add_subcommand("validate", "Check a configuration without starting");
  configOption(validate, config, "-c,--config,config");
  document(validate, "HEARTH_PSEUDONYM_KEY=... hearthd validate /etc/hearth/hearthd.yaml");

  auto* plugins = cli.add_subcommand("plugins", "List the connector plugins found");
  configOption(plugins, config, "-c,--config", "Configuration file (for plugin_dirs)");
  plugins->add_option("--plugin-dir", plugin_dirs,
                      "Directory to scan (repeatable); default: the configuration's plugin_dirs "
                      "with --config, else /usr/lib/hearth/plugins");
  document(plugins, "hearthd plugins --plugin-dir /usr/lib/hearth/plugins");

  auto* spec = cli.add_subcommand("spec", "Print a connector plugin's configuration schema");
  spec->add_option("plugin", name, "Plugin name or path")->required();
  configOption(spec, config, "-c,--config", "Configuration file (for plugin_dirs)");
  spec->add_option("--plugin-dir", plugin_dirs,
                   "Directory to scan (repeatable); default: the configuration's plugin_dirs "
                   "with --config, else /usr/lib/hearth/plugins");
  bool markdown = false;
  spec->add_flag("--markdown", markdown,
                 "Print the settings as the Markdown tables of the connector's README");
  document(spec, "hearthd spec csv");

  auto* check = cli.add_subcommand("check", "Check that a configured connector reaches its source");
  check->add_option("connector", name, "Connector name in the configuration")->required();
  configOption(check, config, "-c,--config");
  document(check, "hearthd check trust_ssd -c /etc/hearth/hearthd.yaml");

  auto* discover = cli.add_subcommand("discover", "List a configured connector's streams");
  discover->add_option("connector", name, "Connector name in the configuration")->required();
  configOption(discover, config, "-c,--config");
  document(discover, "hearthd discover trust_ssd -c /etc/hearth/hearthd.yaml");

  auto* version = cli.add_subcommand("version", "Print the version (as --version)");
  document(version, "hearthd version");

  bool offline = false;
  bool as_json = false;
  auto* indicators = cli.add_subcommand("indicators", "Show the current indicator values");
  configOption(indicators, config, "-c,--config");
  indicators->add_flag("--offline", offline,
                       "Compute from the state store instead of asking the running daemon");
  indicators->add_flag("--json", as_json, "Print JSON instead of a table");
  document(indicators, "hearthd indicators --offline -c /etc/hearth/hearthd.yaml");

  std::string record_a, record_b, actor, reason;
  auto* identity = cli.add_subcommand("identity", "Review identity links held for review");
  identity->require_subcommand(1);
  configOption(identity, config, "-c,--config");
  document(identity, "hearthd identity review -c /etc/hearth/hearthd.yaml");
  auto* review = identity->add_subcommand("review", "List the pairs held for review");
  auto* merge = identity->add_subcommand("merge", "Link two records as the same person");
  auto* unmerge = identity->add_subcommand("unmerge", "Keep two records apart");
  for (auto* decision : {merge, unmerge}) {
    decision->add_option("record_a", record_a, "<system>/<local id>")->required();
    decision->add_option("record_b", record_b, "<system>/<local id>")->required();
    decision->add_option("--actor", actor, "Who decides (audited)")->required();
    decision->add_option("--reason", reason, "Why (audited)")->required();
    document(decision, "hearthd identity " + decision->get_name() +
                           " ssda903/C123 cin/C123 --actor j.smith --reason 'same child, checked'");
  }
  document(review, "hearthd identity review -c /etc/hearth/hearthd.yaml");

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
  int topics_timeout_s = 30;
  topics_create
      ->add_option("--timeout", topics_timeout_s,
                   "Seconds to wait for the cluster's answer (default 30)")
      ->check(CLI::Range(1, 3600));

  bool rebuild_identity = false;
  auto* rebuild = cli.add_subcommand(
      "rebuild", "Recompute links, person views and indicators from the stored records");
  configOption(rebuild, config, "-c,--config");
  rebuild->add_flag("--identity", rebuild_identity, "Recompute every identity link (the default)");
  document(rebuild, "hearthd rebuild -c /etc/hearth/hearthd.yaml");

  std::filesystem::path truth;
  std::filesystem::path per_person;
  auto* linkage_eval = cli.add_subcommand(
      "linkage-eval", "Precision, recall and F1 of identity links against a truth file");
  std::string linkage_input;
  bool without_identifier = false;
  configOption(linkage_eval, config, "-c,--config",
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
  linkage_eval
      ->add_option("--per-person", per_person,
                   "With --truth: write per true person its subjects, the resolved persons they "
                   "fall into and the other true persons sharing those (CSV)")
      ->needs(truth_option);
  truth_option->excludes(input_option);
  linkage_eval->require_option(1, 4);
  document(linkage_eval, "hearthd linkage-eval --input febrl4.csv --without-identifier");

  app::ReadOptions read_options;
  auto* read = cli.add_subcommand(
      "read", "Show what a configured connector emits, as JSON lines (pseudonymised)");
  read->add_option("connector", name, "Connector name in the configuration")->required();
  configOption(read, config, "-c,--config");
  read->add_option("--stream", read_options.stream, "Only this stream");
  read->add_option("--limit", read_options.limit, "Stop after this many records (0: all)");
  read->add_flag("--canonical", read_options.canonical,
                 "Show the normalised canonical records, findings and unmapped fields");
  read->add_flag("--raw", read_options.raw,
                 "Show the source's own values, not pseudonymised (personal data: warned)");
  document(read, "hearthd read early_help --stream episodes --limit 5 --canonical");

  std::vector<std::filesystem::path> test_files;
  auto* test = cli.add_subcommand(
      "test", "Run layout and mapping tests: input rows and the canonical records expected");
  test->add_option("files", test_files, "YAML test files")->required()->check(CLI::ExistingFile);
  document(test, "hearthd test tests/layouts/*.test.yaml");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version are "errors" that exit 0; anything else is a usage error.
    const int printed = cli.exit(e);
    return printed == 0 ? app::kOk : app::kUsage;
  }
  // A log reader that goes away (a closed journald or terminal pipe) must not kill the daemon;
  // write errors are reported where they happen instead.
  std::signal(SIGPIPE, SIG_IGN);
  // Everything hearthd writes (record store, state store, spool, dead letters) may hold
  // personal data: owner only, whatever umask it was started with.
  ::umask(S_IRWXG | S_IRWXO);
  try {
    if (*run) return app::runCommand(config, once);
    if (*validate) return app::validateCommand(config);
    if (*plugins)
      return app::pluginsCommand(*plugins->get_option("--config") ? config : "", plugin_dirs);
    if (*spec && markdown) {
      return app::specMarkdownCommand(*spec->get_option("--config") ? config : "", plugin_dirs,
                                      name);
    }
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
      return app::topicsCreateCommand(config, dry_run, partitions, replication_factor,
                                      std::chrono::seconds(topics_timeout_s));
    }
    if (*rebuild) return app::rebuildCommand(config);
    if (*test) return app::testCommand(test_files);
    if (*read) return app::readCommand(config, name, read_options);
    if (*linkage_eval) {
      if (!linkage_input.empty())
        return app::linkageEvalFileCommand(linkage_input, !without_identifier);
      if (truth.empty()) {
        std::cerr << "linkage-eval: give --truth (with --config) or --input\n";
        return app::kUsage;
      }
      return app::linkageEvalTruthCommand(config, truth, per_person);
    }
  } catch (const std::exception& e) {
    std::cerr << "hearthd: " << e.what() << '\n';
    return app::kFailed;
  }
  return app::kUsage;
}
