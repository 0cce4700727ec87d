#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/config.hpp"
#include "plugins/host/connector.hpp"

namespace hearth::daemon::app {

// Exit codes, after sysexits(3) as Vector's: what a unit file or a script can act on.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;    // the operation failed at run time
inline constexpr int kUsage = 64;    // EX_USAGE: the command line is wrong
inline constexpr int kInvalid = 78;  // EX_CONFIG: the configuration is refused

/// Loads and validates a configuration, printing every problem to stderr on failure.
std::optional<config::Config> loadConfigOrReport(const std::filesystem::path& path);

/// The verbs of `hearthd`; each returns the process exit code and prints for a human.
/// Exit codes: kOk, kFailed, kInvalid (and `run --once` 3 when Kafka stayed unreachable).
int runCommand(const std::filesystem::path& config, bool once);
int validateCommand(const std::filesystem::path& config);
int pluginsCommand(const std::filesystem::path& config, std::vector<std::filesystem::path> dirs);
int specCommand(const std::filesystem::path& config, std::vector<std::filesystem::path> dirs,
                const std::string& plugin);
int checkCommand(const std::filesystem::path& config, const std::string& connector);
int discoverCommand(const std::filesystem::path& config, const std::string& connector);
int versionCommand();
/// "hearthd <version> (connector ABI <major>.<minor>, librdkafka <version>)".
std::string versionText();

/// The current indicator values from the running daemon, or computed from the state store when
/// it does not answer (or with `offline`).
int indicatorsCommand(const std::filesystem::path& config, bool offline, bool json);
/// Pairs held for review, and reviewers' decisions, through the running daemon's admin API.
int identityReviewCommand(const std::filesystem::path& config);
int identityDecideCommand(const std::filesystem::path& config, const std::string& action,
                          const std::string& record_a, const std::string& record_b,
                          const std::string& actor, const std::string& reason);
/// Forgets where a connector (or one of its streams) has read to, so that it reads its source
/// again from the beginning: through the running daemon's admin API, which stops the connector
/// and starts it again, or directly in the state store when no daemon runs.
int connectorsResetCommand(const std::filesystem::path& config, const std::string& connector,
                           const std::string& stream);
/// Creates Hearth's topics on the configured cluster (kafka.brokers) with their partitions,
/// replication factor and configuration; with `dry_run` it only prints what it would create.
/// Waits up to `timeout` for the cluster's answer.
int topicsCreateCommand(const std::filesystem::path& config, bool dry_run, int partitions,
                        int replication_factor, std::chrono::seconds timeout);
/// Recomputes every link, person view and indicator from the stored records; prints a summary
/// with a digest of the linkage, so two rebuilds can be compared.
int rebuildCommand(const std::filesystem::path& config);
/// Links a CSV of person records (columns found by header) with a model estimated from it and
/// prints precision, recall, F1 and timing.
int linkageEvalFileCommand(const std::string& input, bool use_identifier);
/// What `hearthd read` shows.
struct ReadOptions {
  std::string stream;      // only this stream; empty: every stream
  size_t limit = 0;        // stop after this many records; 0: read to the end
  bool canonical = false;  // the normalised records and findings rather than the source records
  bool raw = false;        // the source's own values, not pseudonymised (warned on stderr)
};
/// What a configured connector emits from the beginning, one JSON line per record on stdout,
/// pseudonymised as it would be published unless `raw`; its checkpoint is left as it is.
int readCommand(const std::filesystem::path& config, const std::string& connector,
                const ReadOptions& options);
/// A configured connector, created in this process or as a child process as configured, and the
/// software its events name.
struct CreatedConnector {
  std::unique_ptr<host::Connector> connector;
  std::string plugin_name;
  std::string plugin_version;
};
/// The configured connector `name` created from its plugin or command and settings, or nullopt
/// (each failure printed to stderr).
std::optional<CreatedConnector> connectorInstance(const std::filesystem::path& config,
                                                  const std::string& name);
/// The configuration schema (JSON text) of a plugin found as `spec` finds it, or nullopt (the
/// reason printed to stderr).
std::optional<std::string> pluginConfigSchema(const std::filesystem::path& config,
                                              std::vector<std::filesystem::path> dirs,
                                              const std::string& plugin);
/// A plugin's settings as Markdown tables (key, type, default, meaning), for its README.
int specMarkdownCommand(const std::filesystem::path& config,
                        std::vector<std::filesystem::path> dirs, const std::string& plugin);
/// Runs the layout tests of each YAML file (layout_tests.hpp): kOk when every test passed,
/// kFailed when one failed, kInvalid when a file could not be run.
int testCommand(const std::vector<std::filesystem::path>& files);
/// Pairwise precision, recall and F1 of the daemon's linkage against a truth file
/// (`source,file,record_key,person_id`, as the synthetic council writes).
int linkageEvalTruthCommand(const std::filesystem::path& config, const std::filesystem::path& truth,
                            const std::filesystem::path& per_person = {});

}  // namespace hearth::daemon::app
