// A Bulk Data export through a real hearthd process killed with SIGKILL: the FHIR test server runs
// in this process, so it counts what the daemon asked of it across the daemon's two lives.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"
#include "tests/tools/fhir_test_server.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kFiles = 4;
constexpr int kPatientsPerFile = 2500;

// kFiles Patient files of kPatientsPerFile resources each, every id distinct.
void writePatients(const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  for (int file = 0; file < kFiles; ++file) {
    std::ofstream out(directory / ("Patient.00" + std::to_string(file) + ".ndjson"));
    for (int i = 0; i < kPatientsPerFile; ++i) {
      out << R"({"resourceType":"Patient","id":"f)" << file << "-" << i
          << R"(","meta":{"lastUpdated":"2024-05-01T00:00:00Z"},"gender":"female"})"
          << "\n";
    }
  }
}

std::string bulkConnectorYaml(const std::string& base_url) {
  return "  - name: trust_bulk\n    plugin: fhir\n    poll_interval_ms: 600000\n"
         "    settings:\n      mode: bulk\n      base_url: " +
         base_url +
         "\n      auth: {type: none}\n      checkpoint_every: 100\n"
         "      bulk: {poll_min_s: 0, poll_max_s: 1, parallel_downloads: 1}\n";
}

// The fhir connector's bulk state in the daemon's last saved checkpoint, or null.
json savedBulkState(const std::filesystem::path& dir) {
  const std::optional<std::string> token = savedCheckpoint(dir / "state/hearth.db", "trust_bulk");
  if (!token) return nullptr;
  const json checkpoint = json::parse(*token, nullptr, false);
  if (!checkpoint.is_object() || !checkpoint.contains("bulk")) return nullptr;
  return checkpoint["bulk"];
}

// Waits (at most a minute) until `done` holds for the saved bulk state; false on timeout.
template <typename Predicate>
bool waitForSavedState(const std::filesystem::path& dir, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    const json state = savedBulkState(dir);
    if (!state.is_null() && done(state)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::set<std::string> distinctEventIds(const std::string& bootstrap) {
  std::set<std::string> ids;
  consumeAll(bootstrap, "hearth.records", [&](std::string_view, std::string_view payload) {
    ids.insert(std::string(jsonStringField(payload, "id")));
  });
  return ids;
}

class FhirRestart : public ::testing::Test {
 protected:
  void SetUp() override { writePatients(dir_.path() / "fhir"); }

  void serve(const FhirFaults& faults) {
    FhirServerOptions options;
    options.data = dir_.path() / "fhir";
    options.faults = faults;
    server_ = std::make_unique<FhirTestServer>(options);
  }

  std::filesystem::path config() {
    DaemonOptions options;
    options.brokers = kafka_.bootstrap();
    options.connectors_yaml = bulkConnectorYaml(server_->baseUrl());
    return writeDaemonConfig(dir_.path(), options);
  }

  void killNine(Daemon& daemon) {
    daemon.process().signal(SIGKILL);
    ASSERT_EQ(daemon.process().wait(10s), 128 + SIGKILL);
  }

  void finishWithOnce() {
    Daemon second(config(), dir_.path(), "second", {"--once"});
    ASSERT_EQ(second.process().wait(300s), 0) << second.process().stderrText();
    EXPECT_NE(second.process().stderrText().find("resuming the export"), std::string::npos);
  }

  TempDir dir_;
  ExternalKafka kafka_{16};
  std::unique_ptr<FhirTestServer> server_;
};

TEST_F(FhirRestart, KilledWhilePollingTheRestartedDaemonPollsTheSameExport) {
  FhirFaults faults;
  faults.never_finish = true;
  serve(faults);
  {
    Daemon first(config(), dir_.path(), "first");
    ASSERT_TRUE(waitForSavedState(dir_.path(), [](const json& state) {
      return !state["status_url"].get<std::string>().empty();
    })) << "the status URL was never saved";
    const int polls = server_->stats().status_polls;
    // Polled at least once more after the save: the kill lands in the middle of polling.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (server_->stats().status_polls < polls + 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    killNine(first);
  }
  ASSERT_EQ(server_->stats().kickoffs, 1);
  ASSERT_GE(server_->stats().status_polls, 2);

  faults.never_finish = false;
  faults.polls_before_ready = 0;
  server_->setFaults(faults);
  finishWithOnce();

  const auto stats = server_->stats();
  EXPECT_EQ(stats.kickoffs, 1) << "the restart resumed the export instead of starting another";
  EXPECT_EQ(stats.deletes, 1);
  for (const auto& [file, requests] : stats.file_requests) EXPECT_EQ(requests, 1) << file;
  EXPECT_EQ(distinctEventIds(kafka_.bootstrap()).size(), size_t{kFiles * kPatientsPerFile});
}

TEST_F(FhirRestart, KilledWhileDownloadingTheRestartedDaemonFetchesOnlyTheUnfinishedFiles) {
  FhirFaults faults;
  faults.polls_before_ready = 0;
  faults.slow_body_ms = 40;  // about three seconds a file, one file at a time
  serve(faults);
  json at_kill;
  {
    Daemon first(config(), dir_.path(), "first");
    ASSERT_TRUE(waitForSavedState(dir_.path(), [](const json& state) {
      size_t done = 0;
      for (const auto& [url, file] : state["files"].items()) done += file["done"].get<bool>();
      return done >= 1;
    })) << "no file was finished and saved";
    // A moment into the next file, so that the kill cuts a download.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (server_->stats().file_requests.size() < 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(500ms);
    killNine(first);
    at_kill = savedBulkState(dir_.path());
  }
  std::set<std::string> finished_at_kill;
  for (const auto& [url, file] : at_kill["files"].items()) {
    if (file["done"].get<bool>()) finished_at_kill.insert(url.substr(url.rfind('/') + 1));
  }
  ASSERT_GE(finished_at_kill.size(), 1u);
  ASSERT_LT(finished_at_kill.size(), size_t{kFiles}) << "the export finished before the kill";
  const auto requests_at_kill = server_->stats().file_requests;

  faults.slow_body_ms = 0;
  server_->setFaults(faults);
  finishWithOnce();

  const auto stats = server_->stats();
  EXPECT_EQ(stats.kickoffs, 1);
  ASSERT_EQ(stats.file_requests.size(), size_t{kFiles});
  for (const auto& [file, requests] : stats.file_requests) {
    const int before = requests_at_kill.count(file) ? requests_at_kill.at(file) : 0;
    if (finished_at_kill.count(file)) {
      EXPECT_EQ(requests, before) << file << " was finished and fetched again";
    } else {
      EXPECT_EQ(requests, before + 1) << file << " was unfinished and fetched once more";
    }
  }
  EXPECT_EQ(distinctEventIds(kafka_.bootstrap()).size(), size_t{kFiles * kPatientsPerFile});
}

}  // namespace
}  // namespace hearth::testing
