#include "tests/e2e/daemon_harness.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/common/http_get.hpp"

namespace hearth::testing {

std::filesystem::path hearthdPath() { return HEARTH_HEARTHD_PATH; }
std::filesystem::path pluginDir() { return HEARTH_PLUGIN_DIR; }
std::filesystem::path mockKafkaPath() { return HEARTH_MOCK_KAFKA_PATH; }

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("hearth-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ExternalKafka::ExternalKafka(int partitions) {
  process_ = std::make_unique<PipedProcess>(
      mockKafkaPath(), std::vector<std::string>{"--partitions", std::to_string(partitions),
                                                "--topics", "hearth.records,hearth.rejects"});
  const auto line = process_->readLine(std::chrono::seconds(20));
  if (!line || !line->starts_with("BOOTSTRAP ")) {
    throw std::runtime_error("mock kafka did not print its bootstrap address");
  }
  bootstrap_ = line->substr(10);
}

void ExternalKafka::setDown(bool down) { process_->writeLine(down ? "down" : "up"); }

std::string referralsConnectorYaml(const std::string& name, const std::filesystem::path& directory,
                                   int poll_interval_ms) {
  return "  - name: " + name +
         "\n    plugin: csv\n    poll_interval_ms: " + std::to_string(poll_interval_ms) +
         "\n    settings:\n      directory: " + directory.string() +
         "\n      streams:\n        - {name: referrals, pattern: \"referrals*.csv\", key: "
         "[referral_id]}\n";
}

int runHearthd(const std::vector<std::string>& args, const std::filesystem::path& dir,
               std::string* stderr_text, std::string* stdout_text) {
  static int counter = 0;
  ChildProcess process(hearthdPath(), args, dir, "cli" + std::to_string(counter++));
  const auto status = process.wait(std::chrono::seconds(120));
  if (stderr_text) *stderr_text = process.stderrText();
  if (stdout_text) *stdout_text = process.stdoutText();
  return status.value_or(-1);
}

std::optional<std::string> savedCheckpoint(const std::filesystem::path& state_db,
                                           const std::string& connector) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(state_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return std::nullopt;
  }
  sqlite3_busy_timeout(db, 100);
  sqlite3_stmt* statement = nullptr;
  std::optional<std::string> token;
  if (sqlite3_prepare_v2(db, "SELECT token FROM checkpoints WHERE connector = ?1", -1, &statement,
                         nullptr) == SQLITE_OK) {
    sqlite3_bind_text(statement, 1, connector.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(statement) == SQLITE_ROW) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, 0));
      token.emplace(bytes == nullptr ? "" : std::string(bytes, sqlite3_column_bytes(statement, 0)));
    }
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return token;
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string demoConnectorsBetween(const std::filesystem::path& council, const std::string& from,
                                  const std::string& to) {
  const std::string all = demoConnectors(council);
  const size_t begin = all.find(from);
  if (begin == std::string::npos) throw std::runtime_error("config/demo.yaml has no " + from);
  return all.substr(begin, all.find(to, begin) - begin);
}

std::string fhirDirectoryConnectorYaml(const std::filesystem::path& council) {
  return "  - name: trust_fhir\n    plugin: fhir\n"
         "    normalise: {kind: fhir, source_system: nhft}\n"
         "    settings: {mode: directory, directory: " +
         (council / "fhir").string() + ", pattern: \"*.ndjson\"}\n";
}

std::filesystem::path generateCouncil(const std::filesystem::path& dir, const std::string& seed,
                                      const std::string& scale, std::string& error,
                                      const std::vector<std::string>& extra_args) {
  const auto council = dir / "council";
  std::vector<std::string> args = {"--seed",         seed,     "--scale", scale, "--out",
                                   council.string(), "--quiet"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  ChildProcess synth(HEARTH_SYNTH_PATH, args, dir, "synth");
  if (synth.wait(std::chrono::seconds(120)) != 0) {
    error = synth.stderrText();
    return {};
  }
  return council;
}

std::string demoConnectors(const std::filesystem::path& council, const std::string& stop_before) {
  const std::string demo = readFile(std::filesystem::path(HEARTH_SOURCE_DIR) / "config/demo.yaml");
  const size_t list = demo.find("\nconnectors:\n");
  if (list == std::string::npos) throw std::runtime_error("config/demo.yaml has no connectors");
  std::string connectors = demo.substr(list + 13);
  if (!stop_before.empty()) connectors = connectors.substr(0, connectors.find(stop_before));
  // The demo reads the health trust's export over HTTP from a server ops/demo.sh starts; here
  // the same files are read as the directory a trust hands over, through the same layout.
  if (const size_t health = connectors.find("  - name: health\n"); health != std::string::npos) {
    size_t end = connectors.find("\n  - name: ", health + 1);
    const size_t comment = connectors.find("\n  # ", health + 1);
    if (comment < end) end = comment;
    end = end == std::string::npos ? connectors.size() : end + 1;
    connectors.replace(health, end - health,
                       "  - name: health\n"
                       "    plugin: fhir\n"
                       "    poll_interval_ms: 2000\n"
                       "    normalise: {kind: fhir, source_system: nhft}\n"
                       "    settings: {mode: directory, directory: var/demo/council/fhir, "
                       "pattern: \"*.ndjson\"}\n");
  }
  connectors = replaceAll(connectors, "var/demo/council", council.string());
  return replaceAll(connectors, "../" + council.string(), council.string());
}

std::filesystem::path writeDaemonConfig(const std::filesystem::path& dir,
                                        const DaemonOptions& options) {
  const auto path = dir / "hearthd.yaml";
  std::ofstream out(path);
  out << "state_dir: state\n"
      << "plugin_dirs: [" << pluginDir().string() << "]\n"
      << "log_level: info\n"
      << "drain_timeout_ms: 20000\n"
      << "admin:\n  bind: 127.0.0.1\n  port: 0\n  token: test-admin-token\n"
      << "kafka:\n  brokers: " << options.brokers << "\n"
      << "  embedded_partitions: " << options.embedded_partitions << "\n"
      << "  message_timeout_ms: " << options.message_timeout_ms << "\n";
  if (options.spool_max_bytes != 0) out << "  spool_max_bytes: " << options.spool_max_bytes << "\n";
  if (options.once_give_up_ms != 0) out << "  once_give_up_ms: " << options.once_give_up_ms << "\n";
  if (options.spool_min_free_bytes >= 0) {
    out << "  spool_min_free_bytes: " << options.spool_min_free_bytes << "\n";
  }
  out << options.kafka_yaml
      << "privacy:\n  pseudonym_key: an-end-to-end-test-key-of-at-least-32-characters\n"
      << "  key_version: t1\n"
      << "  suppression_threshold: " << options.suppression_threshold << "\n"
      << options.extra_yaml << "connectors:\n"
      << options.connectors_yaml;
  return path;
}

Daemon::Daemon(const std::filesystem::path& config, const std::filesystem::path& log_dir,
               const std::string& name, std::vector<std::string> extra_args) {
  std::vector<std::string> args{"run", "--config", config.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ChildProcess>(hearthdPath(), args, log_dir, name);
}

uint16_t Daemon::adminPort() {
  if (admin_port_ != 0) return admin_port_;
  const auto line = process_->waitForStderr("\"admin listening\"", std::chrono::seconds(20));
  if (!line) throw std::runtime_error("hearthd did not report its admin port");
  std::smatch match;
  if (!std::regex_search(*line, match, std::regex("\"port\":([0-9]+)"))) {
    throw std::runtime_error("no port in: " + *line);
  }
  admin_port_ = static_cast<uint16_t>(std::stoi(match[1]));
  return admin_port_;
}

std::string Daemon::embeddedBootstrap() {
  const auto line = process_->waitForStderr("\"embedded kafka started\"", std::chrono::seconds(20));
  if (!line) throw std::runtime_error("hearthd did not report an embedded broker");
  std::smatch match;
  if (!std::regex_search(*line, match, std::regex("\"bootstrap\":\"([^\"]+)\""))) {
    throw std::runtime_error("no bootstrap in: " + *line);
  }
  return match[1];
}

std::optional<double> Daemon::metric(const std::string& series) {
  const auto response = httpGet(adminPort(), "/metrics");
  if (response.status != 200) return std::nullopt;
  std::istringstream lines(response.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

bool Daemon::waitReady(std::chrono::milliseconds timeout, int want_status) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const uint16_t port = adminPort();
  while (std::chrono::steady_clock::now() < deadline) {
    if (httpGet(port, "/readyz").status == want_status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool Daemon::waitCaughtUp(std::chrono::milliseconds timeout, uint64_t min_cycles) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::regex cycles("\"cycles\":([0-9]+)");
  const std::regex outstanding("\"outstanding_events\":([0-9]+)");
  while (std::chrono::steady_clock::now() < deadline) {
    const auto response = httpGet(adminPort(), "/api/v1/connectors");
    if (response.status == 200) {
      bool all = response.body.find("\"name\"") != std::string::npos;
      for (auto it = std::sregex_iterator(response.body.begin(), response.body.end(), cycles);
           it != std::sregex_iterator(); ++it) {
        if (std::stoull((*it)[1]) < min_cycles) all = false;
      }
      for (auto it = std::sregex_iterator(response.body.begin(), response.body.end(), outstanding);
           it != std::sregex_iterator(); ++it) {
        if (std::stoull((*it)[1]) != 0) all = false;
      }
      // Caught up means saved too: a checkpoint still waiting to be saved is not yet an offset.
      if (response.body.find("\"checkpoint_pending\":true") != std::string::npos) all = false;
      if (all) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace hearth::testing
