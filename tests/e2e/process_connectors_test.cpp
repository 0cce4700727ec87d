// Connectors as child processes: the Python template end to end, and the faults a child can
// commit, each beside an in-process csv connector that must finish untouched.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::filesystem::path kSourceDir = HEARTH_SOURCE_DIR;
const std::filesystem::path kFixtureDir = HEARTH_HOST_FIXTURE_DIR;
constexpr uint64_t kNeighbourRows = 2000;

// What reached Kafka, by connector.
struct Census {
  std::map<std::string, std::set<std::string>> ids;
  std::map<std::string, size_t> events;
  std::map<std::string, std::set<std::string>> reject_reasons;
  std::map<std::string, size_t> rejects;
  std::map<std::string, std::set<std::string>> streams;
};

Census census(const std::string& bootstrap) {
  Census result;
  consumeAll(bootstrap, "hearth.records", [&](std::string_view, std::string_view payload) {
    const json event = json::parse(payload);
    const std::string connector = event["data"]["provenance"]["connector"];
    result.ids[connector].insert(event["id"].get<std::string>());
    ++result.events[connector];
    result.streams[connector].insert(event["data"]["stream"].get<std::string>());
  });
  consumeAll(bootstrap, "hearth.rejects", [&](std::string_view, std::string_view payload) {
    const json event = json::parse(payload);
    const std::string connector = event["data"]["provenance"]["connector"];
    ++result.rejects[connector];
    result.reject_reasons[connector].insert(event["data"]["reason"].get<std::string>());
  });
  return result;
}

// A config with `connectors` and the in-process csv neighbour, the host fixtures' plugins
// findable too.
std::filesystem::path configBeside(const TempDir& dir, const ExternalKafka& kafka,
                                   const std::string& connectors) {
  const auto input = dir.path() / "neighbour";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, kNeighbourRows);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = connectors + referralsConnectorYaml("neighbour", input);
  const auto config = writeDaemonConfig(dir.path(), options);
  std::ifstream in(config);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text = replaceAll(text, "plugin_dirs: [" + pluginDir().string() + "]",
                    "plugin_dirs: [" + pluginDir().string() + ", " + kFixtureDir.string() + "]");
  std::ofstream(config) << text;
  return config;
}

std::string faultyConnector(const std::string& fault, const std::string& process_yaml) {
  return "  - name: faulty\n"
         "    command: [" +
         (kSourceDir / "tests/e2e/fixtures/faulty_source.py").string() +
         "]\n"
         "    settings: {rows: 1000, fault: " +
         fault + ", at: 450}\n    process: {" + process_yaml + "}\n";
}

// The neighbour read every row once: it was neither disturbed nor restarted.
void expectNeighbourUntouched(const Census& got, const std::string& log) {
  EXPECT_EQ(got.ids.count("neighbour") ? got.ids.at("neighbour").size() : 0, kNeighbourRows);
  EXPECT_EQ(got.events.count("neighbour") ? got.events.at("neighbour") : 0, kNeighbourRows);
  EXPECT_EQ(log.find(R"("connector read failed","connector":"neighbour")"), std::string::npos);
}

// Runs `run --once` on the faulty connector beside the neighbour; the daemon must end well.
Census runFault(const std::string& fault, const std::string& process_yaml, std::string& log,
                int expect_exit = 0) {
  TempDir dir;
  ExternalKafka kafka;
  const auto config = configBeside(dir, kafka, faultyConnector(fault, process_yaml));
  Daemon daemon(config, dir.path(), "daemon-" + fault, {"--once"});
  const auto status = daemon.process().wait(180s);
  log = daemon.process().stderrText();
  EXPECT_EQ(status, expect_exit) << log;
  return census(kafka.bootstrap());
}

size_t distinct(const Census& got, const std::string& connector) {
  return got.ids.count(connector) ? got.ids.at(connector).size() : 0;
}

TEST(ProcessConnectors, ThePythonTemplatesRecordsReachHearthRecords) {
  TempDir dir;
  ExternalKafka kafka;
  const auto csv = dir.path() / "early_help.csv";
  {
    std::ofstream out(csv);
    out << "case_id,opened,team\n";
    for (int i = 0; i < 2500; ++i) {
      out << "EH" << i << ",2024-0" << (1 + i % 9) << "-1" << (i % 10) << ",team " << i % 7 << "\n";
    }
  }
  const std::string connector = "  - name: early_help\n    command: [" +
                                (kSourceDir / "connectors/templates/python/source.py").string() +
                                "]\n    settings: {path: " + csv.string() +
                                ", stream: early_help, key: [case_id], state_every: 500}\n";
  const auto config = configBeside(dir, kafka, connector);

  std::string out, err;
  EXPECT_EQ(runHearthd({"check", "early_help", "-c", config.string()}, dir.path(), &err, &out), 0)
      << err;
  ASSERT_EQ(runHearthd({"discover", "early_help", "-c", config.string()}, dir.path(), &err, &out),
            0)
      << err;
  const json streams = json::parse(out);
  EXPECT_EQ(streams["streams"][0]["name"], "early_help");
  EXPECT_EQ(streams["streams"][0]["fields"].size(), 3u);
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &err, &out), 0) << err;

  Daemon daemon(config, dir.path(), "template", {"--once"});
  ASSERT_EQ(daemon.process().wait(180s), 0) << daemon.process().stderrText();
  const std::string log = daemon.process().stderrText();
  EXPECT_NE(log.find(R"("isolation":"process")"), std::string::npos);
  // The template's own LOG message reached the daemon's log.
  EXPECT_NE(log.find("early_help: 2500 rows read"), std::string::npos) << log;

  Census got = census(kafka.bootstrap());
  EXPECT_EQ(distinct(got, "early_help"), 2500u);
  EXPECT_EQ(got.events["early_help"], 2500u);
  EXPECT_EQ(got.streams["early_help"], std::set<std::string>{"early_help"});
  expectNeighbourUntouched(got, log);
  // Its private files are gone.
  EXPECT_TRUE(!std::filesystem::exists(dir.path() / "state/run") ||
              std::filesystem::is_empty(dir.path() / "state/run"));

  // A second run resumes from the stored state: nothing is read again.
  Daemon again(config, dir.path(), "template-again", {"--once"});
  ASSERT_EQ(again.process().wait(180s), 0) << again.process().stderrText();
  EXPECT_EQ(census(kafka.bootstrap()).events["early_help"], 2500u);
}

TEST(ProcessConnectors, AChildThatSegfaultsHalfwayIsRestartedFromItsLastState) {
  std::string log;
  Census got = runFault("segfault", "", log);
  EXPECT_NE(log.find("killed by signal 11"), std::string::npos) << log;
  // Rows 400..449 came twice (after the last state before the crash), each under one id.
  EXPECT_EQ(distinct(got, "faulty"), 1000u);
  EXPECT_EQ(got.events["faulty"], 1050u);
  expectNeighbourUntouched(got, log);
}

TEST(ProcessConnectors, AChildThatHangsIsKilledAtItsDeadlineAndRestarted) {
  std::string log;
  Census got = runFault("hang", "silence_timeout_ms: 1000", log);
  EXPECT_NE(log.find("no output for 1000 ms"), std::string::npos) << log;
  EXPECT_EQ(distinct(got, "faulty"), 1000u);
  expectNeighbourUntouched(got, log);
}

TEST(ProcessConnectors, AChildThatPrintsGarbageHasItRejectedThenIsRestarted) {
  std::string log;
  Census got = runFault("garbage", "max_bad_lines: 50", log);
  EXPECT_NE(log.find("51 lines that are not protocol messages"), std::string::npos) << log;
  EXPECT_EQ(got.rejects.at("faulty"), 51u);
  EXPECT_EQ(got.reject_reasons.at("faulty"), std::set<std::string>{"protocol.not_json"});
  EXPECT_EQ(distinct(got, "faulty"), 1000u);
  expectNeighbourUntouched(got, log);
}

TEST(ProcessConnectors, AChildThatWritesAGigabyteWithoutANewlineIsCutOff) {
  std::string log;
  Census got = runFault("flood", "max_line_bytes: 1048576", log);
  EXPECT_NE(log.find("a stdout line longer than 1048576 bytes"), std::string::npos) << log;
  EXPECT_EQ(distinct(got, "faulty"), 1000u);
  expectNeighbourUntouched(got, log);
}

TEST(ProcessConnectors, AChildThatExitsZeroEarlyEndsItsReadWithWhatItSent) {
  std::string log;
  Census got = runFault("exit_early", "", log);
  EXPECT_EQ(distinct(got, "faulty"), 450u);
  EXPECT_EQ(log.find(R"("connector read failed")"), std::string::npos) << log;
  expectNeighbourUntouched(got, log);
}

TEST(ProcessConnectors, APluginThatCrashesInReadUnderProcessIsolationIsRestarted) {
  TempDir dir;
  ExternalKafka kafka;
  const auto config =
      configBeside(dir, kafka,
                   "  - name: isolated\n    plugin: fixture_crash_in_read\n    isolation: process\n"
                   "    settings: {rows: 1000, at: 450}\n");
  Daemon daemon(config, dir.path(), "isolated", {"--once"});
  ASSERT_EQ(daemon.process().wait(180s), 0) << daemon.process().stderrText();
  const std::string log = daemon.process().stderrText();
  EXPECT_NE(log.find("killed by signal 11"), std::string::npos) << log;
  Census got = census(kafka.bootstrap());
  EXPECT_EQ(distinct(got, "isolated"), 1000u);
  // Rows 400..449 came at most twice: those hearth-plugin-host had written out before the crash,
  // and again after the restart from checkpoint 400.
  EXPECT_GE(got.events["isolated"], 1000u);
  EXPECT_LE(got.events["isolated"], 1050u);
  expectNeighbourUntouched(got, log);
}

}  // namespace
}  // namespace hearth::testing
