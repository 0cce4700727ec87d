#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/common/child_process.hpp"

namespace hearth::testing {

/// A scratch directory removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The mock Kafka cluster in a process of its own, so hearthd can die and restart around it.
class ExternalKafka {
 public:
  explicit ExternalKafka(int partitions = 64);
  const std::string& bootstrap() const { return bootstrap_; }
  void setDown(bool down);

 private:
  std::unique_ptr<PipedProcess> process_;
  std::string bootstrap_;
};

struct DaemonOptions {
  std::string brokers = "embedded";
  std::string connectors_yaml;  // the `connectors:` list, indented by two spaces
  std::string extra_yaml;       // further top-level sections (identity:, indicators:, ...)
  std::string kafka_yaml;       // further `kafka:` keys, indented by two spaces
  int message_timeout_ms = 10000;
  uint64_t spool_max_bytes = 0;       // 0: the daemon's default
  int once_give_up_ms = 0;            // 0: the daemon's default
  int64_t spool_min_free_bytes = -1;  // negative: the daemon's default
  int embedded_partitions = 64;
  int suppression_threshold = 5;
};

/// A `connectors:` entry for the csv plugin reading referrals*.csv (the csv_fixture's files) from
/// `directory`, keyed by referral_id.
std::string referralsConnectorYaml(const std::string& name, const std::filesystem::path& directory,
                                   int poll_interval_ms = 200);

/// Writes a complete hearthd config into `dir`/hearthd.yaml and returns its path.
std::filesystem::path writeDaemonConfig(const std::filesystem::path& dir,
                                        const DaemonOptions& options);

/// A running `hearthd run` process and what it tells about itself.
class Daemon {
 public:
  Daemon(const std::filesystem::path& config, const std::filesystem::path& log_dir,
         const std::string& name, std::vector<std::string> extra_args = {});
  ChildProcess& process() { return *process_; }
  /// The admin port, read from the daemon's log once it listens.
  uint16_t adminPort();
  /// The embedded broker's bootstrap address, from the daemon's log.
  std::string embeddedBootstrap();
  /// The value of a Prometheus sample on /metrics whose line starts with `series`, or nullopt.
  std::optional<double> metric(const std::string& series);
  bool waitReady(std::chrono::milliseconds timeout, int want_status = 200);
  /// Waits until every connector has finished a read, all its events are durable and its last
  /// checkpoint is saved.
  bool waitCaughtUp(std::chrono::milliseconds timeout, uint64_t min_cycles = 1);

 private:
  std::unique_ptr<ChildProcess> process_;
  uint16_t admin_port_ = 0;
};

/// Runs a `hearthd` verb to its end (at most two minutes) in `dir`; its exit status, or -1 if it
/// did not end. Its output goes to the strings given.
int runHearthd(const std::vector<std::string>& args, const std::filesystem::path& dir,
               std::string* stderr_text = nullptr, std::string* stdout_text = nullptr);

/// `text` with every `from` replaced by `to`.
std::string replaceAll(std::string text, const std::string& from, const std::string& to);

/// The `connectors:` list of config/demo.yaml pointed at a generated `council`, up to (not
/// including) the line that starts with `stop_before` (the whole list when empty), its paths
/// (the SSD database's included) made absolute.
std::string demoConnectors(const std::filesystem::path& council,
                           const std::string& stop_before = {});

/// The demo's connectors (as demoConnectors gives them) from the line starting `from` up to the
/// line starting `to`.
std::string demoConnectorsBetween(const std::filesystem::path& council, const std::string& from,
                                  const std::string& to);

/// A `connectors:` entry, `trust_fhir`, reading a generated council's FHIR NDJSON from its
/// directory and normalising it (source system nhft, as the demo's health connector).
std::string fhirDirectoryConnectorYaml(const std::filesystem::path& council);

/// Generates a synthetic council with `hearth-synth` into `dir`/council and returns that path;
/// empty if the generator failed (its stderr is then in `error`). `extra_args` go to the generator
/// as they are ("--mess-rate", "0").
std::filesystem::path generateCouncil(const std::filesystem::path& dir, const std::string& seed,
                                      const std::string& scale, std::string& error,
                                      const std::vector<std::string>& extra_args = {});

/// The checkpoint the daemon last saved for `connector` in its state database (read while it runs:
/// WAL mode), or nullopt if none yet.
std::optional<std::string> savedCheckpoint(const std::filesystem::path& state_db,
                                           const std::string& connector);

std::filesystem::path hearthdPath();
std::filesystem::path pluginDir();
std::filesystem::path mockKafkaPath();

}  // namespace hearth::testing
