#include "daemon/metrics/metrics.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace hearth::metrics {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` over the text, as Prometheus operators do against /metrics.
CommandResult promtoolCheck(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("hearth_metrics_" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << text;
  const std::string command =
      std::string(HEARTH_PROMTOOL) + " check metrics < '" + path.string() + "' 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 512> buffer{};
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    result.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(path);
  return result;
}

// Maps each sample, written as `name{labels}`, to its value.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> result;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    result[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return result;
}

void exerciseEveryFamily(Metrics& metrics) {
  metrics.recordsRead("demo_csv", "people").Increment(3);
  metrics.rejects("demo_csv", "nhs.check_digit", "query").Increment();
  metrics.eventsPublished("hearth.records").Increment(5);
  metrics.eventsFailed("hearth.records").Increment(1);
  metrics.publishLatency("hearth.records").Observe(0.004);
  metrics.publishLatency("hearth.records").Observe(45);
  metrics.queueDepth("publish").Set(17);
  metrics.spoolBytes().Set(4096);
  metrics.spoolDamagedEntries().Increment(2);
  metrics.spoolLostEvents().Increment(7);
  metrics.connectorPaused("demo_csv", "spool_full").Set(1);
  metrics.checkpointAge("demo_csv").Set(2.5);
  metrics.connectorUp("demo_csv").Set(1);
  metrics.kafkaAvailable().Set(1);
  metrics.connectorEvents("demo_csv", "files_skipped").Increment(2);
  metrics.fieldsUnmapped("ssda903", "NEW_ITEM").Increment(4);
}

TEST(Metrics, ExpositionPassesPromtoolWithoutLintProblems) {
  Metrics metrics("1.2.3");
  exerciseEveryFamily(metrics);
  const std::string text = metrics.serialize();

  const CommandResult check = promtoolCheck(text);
  EXPECT_EQ(check.exit_code, 0) << "is promtool installed? run ops/install-deps.sh\n"
                                << check.output << "\n"
                                << text;
  EXPECT_EQ(check.output, "") << text;
}

TEST(Metrics, FreshRegistryPassesPromtool) {
  Metrics metrics("0.1.0");
  const CommandResult check = promtoolCheck(metrics.serialize());
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(check.output, "");
}

TEST(Metrics, ExpositionCarriesRecordedValues) {
  Metrics metrics("1.2.3");
  exerciseEveryFamily(metrics);
  const auto values = samples(metrics.serialize());

  EXPECT_EQ(values.at(R"(hearth_build_info{version="1.2.3"})"), 1);
  EXPECT_EQ(values.at(R"(hearth_records_read_total{connector="demo_csv",stream="people"})"), 3);
  EXPECT_EQ(
      values.at(
          R"(hearth_rejects_total{connector="demo_csv",reason="nhs.check_digit",severity="query"})"),
      1);
  EXPECT_EQ(values.at(R"(hearth_events_published_total{topic="hearth.records"})"), 5);
  EXPECT_EQ(values.at(R"(hearth_events_failed_total{topic="hearth.records"})"), 1);
  EXPECT_EQ(values.at(R"(hearth_queue_depth{queue="publish"})"), 17);
  EXPECT_EQ(values.at("hearth_spool_bytes"), 4096);
  EXPECT_EQ(values.at("hearth_spool_damaged_entries_total"), 2);
  EXPECT_EQ(values.at("hearth_spool_lost_events_total"), 7);
  EXPECT_EQ(values.at(R"(hearth_connector_paused{connector="demo_csv",reason="spool_full"})"), 1);
  EXPECT_EQ(values.at(R"(hearth_checkpoint_age_seconds{connector="demo_csv"})"), 2.5);
  EXPECT_EQ(values.at(R"(hearth_connector_up{connector="demo_csv"})"), 1);
  EXPECT_EQ(values.at("hearth_kafka_available"), 1);
  EXPECT_EQ(
      values.at(R"(hearth_connector_events_total{connector="demo_csv",name="files_skipped"})"), 2);
  EXPECT_EQ(values.at(R"(hearth_fields_unmapped_total{field="NEW_ITEM",layout="ssda903"})"), 4);
}

TEST(Metrics, PublishLatencyBucketsRunFromOneMillisecondToThirtySeconds) {
  Metrics metrics("1.2.3");
  metrics.publishLatency("hearth.records").Observe(0.0005);
  metrics.publishLatency("hearth.records").Observe(0.004);
  metrics.publishLatency("hearth.records").Observe(45);
  const auto values = samples(metrics.serialize());

  const std::string series = "hearth_publish_latency_seconds";
  EXPECT_EQ(values.at(series + R"(_bucket{topic="hearth.records",le="0.001"})"), 1);
  EXPECT_EQ(values.at(series + R"(_bucket{topic="hearth.records",le="0.005"})"), 2);
  EXPECT_EQ(values.at(series + R"(_bucket{topic="hearth.records",le="30"})"), 2);
  EXPECT_EQ(values.at(series + R"(_bucket{topic="hearth.records",le="+Inf"})"), 3);
  EXPECT_EQ(values.at(series + R"(_count{topic="hearth.records"})"), 3);
  EXPECT_DOUBLE_EQ(values.at(series + R"(_sum{topic="hearth.records"})"), 45.0045);
  EXPECT_EQ(Metrics::latencyBuckets().front(), 0.001);
  EXPECT_EQ(Metrics::latencyBuckets().back(), 30);
}

TEST(Metrics, SameLabelsGiveTheSameChildSoCallersCanCacheIt) {
  Metrics metrics("1.2.3");
  EXPECT_EQ(&metrics.recordsRead("a", "s"), &metrics.recordsRead("a", "s"));
  EXPECT_NE(&metrics.recordsRead("a", "s"), &metrics.recordsRead("a", "t"));
  EXPECT_EQ(&metrics.publishLatency("t"), &metrics.publishLatency("t"));
  EXPECT_EQ(&metrics.connectorUp("a"), &metrics.connectorUp("a"));
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  Metrics metrics("1.2.3");
  constexpr int kThreads = 4;
  constexpr int kIncrements = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      // Half look the child up every time, half cache it: both must be safe.
      auto& cached = metrics.eventsPublished("hearth.records");
      for (int i = 0; i < kIncrements; ++i) {
        if (t % 2 == 0) {
          cached.Increment();
        } else {
          metrics.eventsPublished("hearth.records").Increment();
        }
        metrics.recordsRead("c" + std::to_string(i % 7), "s").Increment();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(metrics.eventsPublished("hearth.records").Value(), kThreads * kIncrements);
  double records = 0;
  for (int c = 0; c < 7; ++c) records += metrics.recordsRead("c" + std::to_string(c), "s").Value();
  EXPECT_EQ(records, kThreads * kIncrements);
}

}  // namespace
}  // namespace hearth::metrics
