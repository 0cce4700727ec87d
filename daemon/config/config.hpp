#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/json_schema.hpp"
#include "daemon/config/secret.hpp"
#include "daemon/config/yaml_json.hpp"

namespace hearth::config {

// The typed daemon configuration. config/hearthd.example.yaml documents every key, and
// config/schemas/hearthd.config.schema.json (compiled into the binary) defines them; the
// defaults below and in the schema agree.

struct AdminConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  Secret token;  // empty: pause, resume and restart are refused
  /// Every endpoint needs the token, not only control. Default: off on a loopback bind, on
  /// otherwise, where an unset token is then a configuration error.
  bool require_token = false;
};

/// The `kafka.brokers` value that runs librdkafka's mock cluster inside the daemon.
inline constexpr std::string_view kEmbeddedBrokers = "embedded";

struct KafkaConfig {
  std::string brokers;  // "host:port,host:port", or kEmbeddedBrokers; required
  int embedded_partitions = 128;
  std::string topic_prefix = "hearth.";
  std::map<std::string, std::string> properties;  // extra librdkafka properties
  std::map<std::string, int> property_lines;      // where each was written
  std::uint64_t spool_max_bytes = 1ull << 30;
  std::uint64_t spool_min_free_bytes = 256ull << 20;  // connectors pause below this free space
  int message_timeout_ms = 10000;
  int once_give_up_ms = 300000;  // run --once: longest Kafka outage before exiting with code 3
  // Events a connector may read ahead of its newest committable checkpoint (0: no limit).
  std::uint64_t max_events_ahead = 100000;
};

struct PrivacyConfig {
  Secret pseudonym_key;
  std::string key_version = "v1";
  int suppression_threshold = 5;
};

/// How a connector's records are validated and turned into canonical records. An empty kind
/// publishes the source fields as they are (pseudonymised by field name), with no canonical form.
struct NormaliseConfig {
  std::string kind;           // "ssda903", "cin_census", "trust_ssd", "school_census" or ""
  std::string source_system;  // the system that allocated its local ids; default: the kind
  int collection_year = 0;    // for sources whose records do not carry one (0: the current)
  std::string time_zone = "Europe/London";  // of the source's clock, a tz database name
  /// The connector's `mapping:` when kind is "mapping" (a layout written as data), already
  /// checked against the canonical model; null otherwise.
  nlohmann::json mapping;
  bool operator==(const NormaliseConfig&) const = default;
};

/// Identity resolution: thresholds on the match probability of a candidate pair.
struct IdentityConfig {
  bool enabled = true;
  double review_threshold = 0.85;  // at or above: held for review
  double link_threshold = 0.95;    // at or above: linked
};

/// A publisher's disclosure convention for one indicator family: counts from 1 to
/// suppression_threshold - 1 hidden, the others rounded to the nearest round_to.
struct DisclosureConfig {
  int suppression_threshold = 5;
  int round_to = 1;
  bool operator==(const DisclosureConfig&) const = default;
};

/// The indicator engine: the reporting period and the lookups the rules need.
struct IndicatorsConfig {
  bool enabled = true;
  std::string period_end;  // "YYYY-MM-DD", the last day of the financial year; "" = latest ended
  std::string area_code;   // the council's ONS code (E06...), the area of its headline values
  std::filesystem::path bank_holidays;         // date,name CSV of England's bank holidays
  std::filesystem::path postcode_lookup;       // ONSPD-style CSV: pcds, oseast1m, osnrth1m, ward
  std::filesystem::path population_estimates;  // laua,date,age,population (ONS mid-year style)
  std::filesystem::path gias_establishments;   // GIAS extract: URN, UKPRN, type and phase
  std::vector<std::filesystem::path> ofsted_inspections;  // Ofsted MI files, either framework
  std::int64_t population_0_17 = 0;  // resident children, the cla_count rate's base (overrides)
  std::map<std::string, DisclosureConfig> disclosure;  // by indicator family ("health")
};

/// What the published events say about where they come from.
struct EventsConfig {
  /// The address consumers fetch the event schemas from (the `dataschema` of every event), ending
  /// in '/'. Empty: the admin server's /schemas/ ("http://<admin.bind>:<port>/schemas/").
  std::string schema_base_url;
};

/// The derive stage: how often identity and indicators catch up with new records.
struct DeriveConfig {
  std::chrono::milliseconds interval{10000};
};

/// How a connector that runs as a child process is fenced in (config `process:`).
struct ProcessConfig {
  std::map<std::string, std::string> env;  // the child's whole environment
  std::uint64_t address_space_mb = 4096;   // 0: no limit
  std::uint64_t cpu_seconds = 0;           // per run; 0: no limit
  std::uint64_t open_files = 1024;         // 0: the daemon's
  std::chrono::milliseconds silence_timeout{300000};
  std::uint64_t max_line_bytes = 64ull << 20;
  std::uint64_t max_bad_lines = 100;
  std::uint32_t log_lines_per_second = 20;
  bool operator==(const ProcessConfig&) const = default;
};

/// Where a plugin's code runs.
enum class Isolation { kInProcess, kProcess };

struct ConnectorConfig {
  std::string name;
  /// The plugin's name; for a `command` connector, the executable's file name.
  std::string plugin;
  /// A connector in a child process speaking the Airbyte protocol: the executable (absolute)
  /// and its first arguments. Empty for plugins.
  std::vector<std::string> command;
  Isolation isolation = Isolation::kInProcess;
  ProcessConfig process;
  nlohmann::json settings = nlohmann::json::object();  // opaque here; the plugin's schema rules
  std::chrono::milliseconds poll_interval{5000};
  bool enabled = true;
  NormaliseConfig normalise;

  // Where it was written, so later errors about it can name the file and line.
  std::string key;                           // "connectors[0]"
  int line = 0;                              // of the entry
  std::map<std::string, int> setting_lines;  // JSON Pointer within settings -> line

  /// Runs as a child process: a command, or a plugin with `isolation: process`.
  bool inChildProcess() const { return !command.empty() || isolation == Isolation::kProcess; }

  /// Same plugin, settings and schedule; where it was written does not count, so a reload that
  /// only moves lines restarts nothing.
  bool sameAs(const ConnectorConfig& other) const {
    return name == other.name && plugin == other.plugin && command == other.command &&
           isolation == other.isolation && process == other.process && settings == other.settings &&
           poll_interval == other.poll_interval && enabled == other.enabled &&
           normalise == other.normalise;
  }
};

struct Config {
  std::filesystem::path source;  // absolute path of the file read
  std::filesystem::path state_dir;
  std::vector<std::filesystem::path> plugin_dirs;
  std::string log_level = "info";  // debug, info, warn or error
  AdminConfig admin;
  KafkaConfig kafka;
  PrivacyConfig privacy;
  std::vector<ConnectorConfig> connectors;
  IdentityConfig identity;
  IndicatorsConfig indicators;
  DeriveConfig derive;
  EventsConfig events;
  std::size_t queue_capacity = 65536;
  int drain_timeout_ms = 10000;
  /// JSON Pointers (as in the file) of values taken from the environment; describe() hides those
  /// in kafka.properties and connector settings, where secrets may live.
  std::set<std::string> interpolated;
};

/// The normalise kind under which a connector's own `mapping:` is its layout.
inline constexpr std::string_view kMappingKind = "mapping";

/// The config JSON Schema, compiled into the binary.
std::string_view configSchemaText();

/// Reads, interpolates and validates a config file. On failure the error (code "config.invalid")
/// lists every problem found, one per line, as "file:line: key: reason", secrets never shown.
Result<Config> loadConfig(const std::filesystem::path& file, const EnvLookup& env = processEnv);

/// As loadConfig, for text already read; `source` names it in errors and anchors relative paths.
Result<Config> parseConfig(const std::string& yaml, const std::filesystem::path& source,
                           const EnvLookup& env = processEnv);

/// Checks a connector's settings against its plugin's config schema (JSON text, as the plugin
/// declares it). Errors name the config file and the line of the offending setting.
Result<void> validateConnectorSettings(const Config& config, const ConnectorConfig& connector,
                                       std::string_view plugin_schema);
/// As above, with the plugin's schema parsed once for all the connectors that use it.
Result<void> validateConnectorSettings(const Config& config, const ConnectorConfig& connector,
                                       const JsonSchema& plugin_schema);

/// The connector's settings with every string its plugin's schema marks `"format": "path"` made
/// absolute against the config file's directory, as the daemon's own paths are, and likewise the
/// database file of each `"format": "odbc-connection-string"`. Call after
/// validateConnectorSettings, and hand the result to the plugin.
Result<nlohmann::json> resolveSettingPaths(const Config& config, const ConnectorConfig& connector,
                                           std::string_view plugin_schema);

/// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses.
bool isLoopbackAddress(const std::string& address);

/// What is allowed but deserves a word at start-up and from `hearthd validate`, such as an admin
/// endpoint reachable from the network.
std::vector<std::string> warnings(const Config& config);

/// The settings (as "kafka.brokers", "admin.port", ...) that differ between the running
/// configuration and a reloaded one and take effect only on restart; sorted.
std::vector<std::string> restartOnlyChanges(const Config& running, const Config& next);

/// The configuration as JSON for a start-up log line or `hearthd validate`, secrets redacted.
nlohmann::json describe(const Config& config);

}  // namespace hearth::config
