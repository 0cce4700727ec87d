// What operators and consumers see of a running hearthd: config validation, readiness, metrics,
// rejects, privacy of the published events, reload and the admin API.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

int runHearthd(const std::vector<std::string>& args, const std::filesystem::path& dir,
               std::string* stderr_text = nullptr, std::string* stdout_text = nullptr) {
  static int counter = 0;
  ChildProcess process(hearthdPath(), args, dir, "cli" + std::to_string(counter++));
  const auto status = process.wait(60s);
  if (stderr_text) *stderr_text = process.stderrText();
  if (stdout_text) *stdout_text = process.stdoutText();
  return status.value_or(-1);
}

TEST(Operations, ValidateRejectsAnUnknownKeyNamingFileLineAndKey) {
  TempDir dir;
  const auto config = dir.path() / "bad.yaml";
  std::ofstream(config) << "state_dir: state\n"
                           "kafka:\n"
                           "  brokers: embedded\n"
                           "  brokerz: localhost:9092\n"
                           "privacy:\n"
                           "  pseudonym_key: a-validation-test-key-of-32-characters-or-more\n";
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), 2);
  EXPECT_NE(errors.find(config.string() + ":4: kafka.brokerz: unknown key \"brokerz\""),
            std::string::npos)
      << errors;
}

TEST(Operations, ValidateAcceptsTheShippedDemoConfig) {
  TempDir dir;
  std::string out;
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", std::string(HEARTH_SOURCE_DIR) + "/config/demo.yaml"},
                       dir.path(), &errors, &out),
            0)
      << errors;
  EXPECT_NE(out.find("valid (8 connectors)"), std::string::npos) << out;
}

TEST(Operations, ValidateRejectsBadConnectorSettingsNamingTheLine) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml =
      "  - name: broken\n    plugin: csv\n    settings:\n      directory: /tmp\n"
      "      streams: []\n";
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", writeDaemonConfig(dir.path(), options).string()}, dir.path(),
                       &errors),
            2);
  EXPECT_NE(errors.find("connectors[0].settings.streams"), std::string::npos) << errors;
}

TEST(Operations, PluginsListsTheCsvConnectorAndSpecPrintsItsSchema) {
  TempDir dir;
  std::string out;
  EXPECT_EQ(
      runHearthd({"plugins", "--plugin-dir", pluginDir().string()}, dir.path(), nullptr, &out), 0);
  EXPECT_NE(out.find("csv"), std::string::npos) << out;
  EXPECT_NE(out.find("1.0"), std::string::npos) << out;
  EXPECT_EQ(
      runHearthd({"spec", "csv", "--plugin-dir", pluginDir().string()}, dir.path(), nullptr, &out),
      0);
  EXPECT_NE(out.find("\"directory\""), std::string::npos) << out;
}

TEST(Operations, CheckAndDiscoverReachTheConfiguredSource) {
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, 3);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("local", input);
  const auto config = writeDaemonConfig(dir.path(), options).string();
  std::string out;
  EXPECT_EQ(runHearthd({"check", "local", "--config", config}, dir.path(), nullptr, &out), 0);
  EXPECT_NE(out.find("local: ok"), std::string::npos);
  EXPECT_EQ(runHearthd({"discover", "local", "--config", config}, dir.path(), nullptr, &out), 0);
  EXPECT_NE(out.find("referral_id"), std::string::npos) << out;

  std::filesystem::remove_all(input);
  std::string errors;
  EXPECT_EQ(runHearthd({"check", "local", "--config", config}, dir.path(), &errors), 1);
  EXPECT_NE(errors.find("check failed"), std::string::npos) << errors;
}

TEST(Operations, ReadyzAndMetricsOfARunningDaemonPassPromtool) {
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, 1000);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("metrics_demo", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  EXPECT_EQ(httpGet(daemon.adminPort(), "/livez").status, 200);
  ASSERT_TRUE(daemon.waitReady(20s));
  ASSERT_TRUE(daemon.waitCaughtUp(30s));

  EXPECT_EQ(
      daemon.metric("hearth_records_read_total{connector=\"metrics_demo\",stream=\"referrals\"}"),
      1000);
  EXPECT_EQ(daemon.metric("hearth_events_published_total{topic=\"hearth.records\"}"), 1000);
  EXPECT_EQ(daemon.metric("hearth_connector_up{connector=\"metrics_demo\"}"), 1);
  EXPECT_EQ(daemon.metric("hearth_kafka_available"), 1);

  const auto metrics_file = dir.path() / "metrics.txt";
  std::ofstream(metrics_file) << httpGet(daemon.adminPort(), "/metrics").body;
  const std::string command = "promtool check metrics < " + metrics_file.string() + " > " +
                              (dir.path() / "promtool.out").string() + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << readFile(dir.path() / "promtool.out");

  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(30s), 0);
}

TEST(Operations, MalformedRowsBecomeReasonCodedRejectsAndTheRestIsPublished) {
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  std::ofstream(input / "referrals.csv")
      << "referral_id,source,outcome\n"  // line 1
      << "R1,3A,NFA\n"                   // line 2
      << "R2,3E\n"                       // line 3: a column short
      << "R3,2A,\"ASSESS\"MENT\n"        // line 4: text after a closing quote
      << "R4,6,NFA\n"                    // line 5
      << "R5,\xff\xfe,NFA\n"             // line 6: not UTF-8
      << "R6,4,\"multi\nline\"\n"        // lines 7-8: a quoted newline is fine
      << "R7,1A,NFA\n";                  // line 9
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("rejects_demo", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitCaughtUp(30s));
  const std::string bootstrap = daemon.embeddedBootstrap();

  std::vector<std::string> records;
  consumeAll(bootstrap, "hearth.records", [&](std::string_view, std::string_view payload) {
    records.emplace_back(jsonStringField(payload, "location"));
  });
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records, (std::vector<std::string>{"referrals.csv:2", "referrals.csv:5",
                                               "referrals.csv:7", "referrals.csv:9"}));

  std::map<std::string, std::string> rejects;  // location -> reason
  consumeAll(bootstrap, "hearth.rejects", [&](std::string_view, std::string_view payload) {
    rejects[std::string(jsonStringField(payload, "location"))] =
        std::string(jsonStringField(payload, "reason"));
  });
  EXPECT_EQ(rejects, (std::map<std::string, std::string>{{"referrals.csv:3", "csv.column_count"},
                                                         {"referrals.csv:4", "csv.bad_quote"},
                                                         {"referrals.csv:6", "csv.invalid_utf8"}}));
  EXPECT_EQ(
      daemon.metric("hearth_rejects_total{connector=\"rejects_demo\",reason=\"csv.column_count\"}"),
      1);
  EXPECT_TRUE(daemon.process().waitForStderr("\"location\":\"referrals.csv:3\"", 5s).has_value());
}

TEST(Operations, NoDirectIdentifierReachesAnyTopicButRejects) {
  constexpr uint64_t kRows = 2000;
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, kRows);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("privacy_demo", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitCaughtUp(30s));

  // Every identifier the fixture wrote, read back from the input file itself.
  std::vector<std::string> identifiers;
  std::ifstream in(input / "referrals.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    // referral_id, forename, surname, dob, sex, postcode, nhs_number: the direct identifiers
    for (int column : {2, 3, 5, 6}) identifiers.push_back(cells[column]);
  }
  ASSERT_EQ(identifiers.size(), kRows * 4);

  std::string all_events;
  const size_t count = consumeAll(daemon.embeddedBootstrap(), "hearth.records",
                                  [&](std::string_view key, std::string_view payload) {
                                    all_events.append(key).append(payload).push_back('\n');
                                  });
  ASSERT_EQ(count, kRows);
  for (const auto& identifier : identifiers) {
    ASSERT_EQ(all_events.find(identifier), std::string::npos) << identifier;
  }
  // What a consumer may still use: birth month, postcode sector, the pseudonymous NHS number.
  EXPECT_NE(all_events.find("\"postcode\":\"NN"), std::string::npos);
  EXPECT_NE(all_events.find("\"nhs_number\":\"t1."), std::string::npos);
  EXPECT_EQ(all_events.find("\"surname\""), std::string::npos);
  EXPECT_EQ(daemon.process().stderrText().find(identifiers[1]), std::string::npos);
}

TEST(Operations, SighupRestartsOnlyTheConnectorWhoseConfigChanged) {
  TempDir dir;
  const auto input_a = dir.path() / "a";
  const auto input_b = dir.path() / "b";
  std::filesystem::create_directories(input_a);
  std::filesystem::create_directories(input_b);
  writeReferralsCsv(input_a / "referrals.csv", 0, 10);
  writeReferralsCsv(input_b / "referrals.csv", 0, 10);
  DaemonOptions options;
  options.connectors_yaml =
      referralsConnectorYaml("alpha", input_a) + referralsConnectorYaml("beta", input_b);
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitCaughtUp(30s));

  options.connectors_yaml =
      referralsConnectorYaml("alpha", input_a) + referralsConnectorYaml("beta", input_b, 300);
  writeDaemonConfig(dir.path(), options);
  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(daemon.process().waitForStderr("\"configuration reloaded\"", 20s).has_value());
  const std::string log = daemon.process().stderrText();
  EXPECT_NE(log.find("\"msg\":\"connector stopped\",\"connector\":\"beta\""), std::string::npos);
  EXPECT_EQ(log.find("\"msg\":\"connector stopped\",\"connector\":\"alpha\""), std::string::npos);
  EXPECT_NE(log.find("\"connectors_started\":1"), std::string::npos) << log;
  ASSERT_TRUE(daemon.waitCaughtUp(30s));

  // The restarted connector resumed from its checkpoint: no row was published twice.
  size_t records = consumeAll(daemon.embeddedBootstrap(), "hearth.records",
                              [](std::string_view, std::string_view) {});
  EXPECT_EQ(records, 20u);
}

TEST(Operations, ConnectorControlNeedsTheAdminToken) {
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, 10);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("controlled", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitCaughtUp(30s));
  const uint16_t port = daemon.adminPort();
  EXPECT_EQ(httpRequest(port, "POST", "/api/v1/connectors/controlled/pause").status, 401);
  EXPECT_EQ(httpRequest(port, "POST", "/api/v1/connectors/controlled/pause", "wrong").status, 401);
  EXPECT_EQ(httpRequest(port, "POST", "/api/v1/connectors/nobody/pause", "test-admin-token").status,
            404);
  EXPECT_EQ(
      httpRequest(port, "POST", "/api/v1/connectors/controlled/pause", "test-admin-token").status,
      200);
  EXPECT_NE(httpGet(port, "/api/v1/connectors").body.find("\"state\":\"paused\""),
            std::string::npos);
  EXPECT_EQ(
      httpRequest(port, "POST", "/api/v1/connectors/controlled/resume", "test-admin-token").status,
      200);
}

TEST(Operations, KcatInAnotherProcessReadsEveryEventFromTheEmbeddedBroker) {
  constexpr uint64_t kRows = 5000;
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, kRows);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("kcat_demo", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitCaughtUp(30s));
  ChildProcess kcat("/usr/bin/kcat",
                    {"-b", daemon.embeddedBootstrap(), "-C", "-t", "hearth.records", "-o",
                     "beginning", "-e", "-q", "-f", "%k\\n"},
                    dir.path(), "kcat");
  ASSERT_EQ(kcat.wait(60s), 0) << kcat.stderrText();
  const std::string keys = kcat.stdoutText();
  EXPECT_EQ(static_cast<uint64_t>(std::count(keys.begin(), keys.end(), '\n')), kRows);
}

}  // namespace
}  // namespace hearth::testing
