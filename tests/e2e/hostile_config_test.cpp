// What hearthd does with hostile or mistaken configuration: it refuses it quickly, says what is
// really wrong, never echoes a secret, and never runs plugin code it does not need.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kFaultingPluginDir = HEARTH_HOST_FIXTURE_DIR;

// A complete config whose kafka section carries `properties` (indented by four spaces) and whose
// plugins are searched in `plugin_dirs`.
std::filesystem::path writeConfig(const std::filesystem::path& dir, const std::string& properties,
                                  const std::string& plugin_dirs, const std::string& connectors) {
  const auto path = dir / "hearthd.yaml";
  std::ofstream(path) << "state_dir: state\n"
                      << "plugin_dirs: [" << plugin_dirs << "]\n"
                      << "admin: {port: 0, token: test-admin-token}\n"
                      << "kafka:\n  brokers: embedded\n  embedded_partitions: 4\n"
                      << "  properties:\n    linger.ms: 5\n"
                      << properties
                      << "privacy:\n  pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars\n"
                      << "connectors:\n"
                      << connectors;
  return path;
}

TEST(HostileConfig, ValidateRejectsUnknownKafkaPropertiesNamingTheKeyNeverTheValue) {
  TempDir dir;
  const auto config = writeConfig(
      dir.path(), "    sasl.pasword: hunter2-kafka-secret\n    acks: hunter2-other-secret\n",
      pluginDir().string(), "  []\n");
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), 78);
  EXPECT_NE(errors.find(config.string() +
                        ":9: kafka.properties.sasl.pasword: Kafka property sasl.pasword refused: "
                        "librdkafka has no such property"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find(config.string() + ":10: kafka.properties.acks: "), std::string::npos)
      << errors;
  EXPECT_EQ(errors.find("hunter2"), std::string::npos) << errors;

  // The daemon refuses it too, and its log does not show the value either.
  EXPECT_NE(runHearthd({"run", "--once", "--config", config.string()}, dir.path(), &errors), 0);
  EXPECT_NE(errors.find("Kafka property acks refused"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("hunter2"), std::string::npos) << errors;
}

TEST(HostileConfig, AFaultingPluginThatNoConnectorUsesHarmsNeitherValidateNorRun) {
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, 3);
  const auto config =
      writeConfig(dir.path(), "", pluginDir().string() + ", " + kFaultingPluginDir.string(),
                  referralsConnectorYaml("local", input));
  std::string errors;
  std::string out;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors, &out), 0) << errors;
  EXPECT_NE(out.find("valid (1 connectors)"), std::string::npos) << out;
  EXPECT_EQ(runHearthd({"run", "--once", "--config", config.string()}, dir.path(), &errors), 0)
      << errors;

  // `plugins` describes every plugin, each in a child process: the faulting one is refused.
  EXPECT_EQ(runHearthd({"plugins", "--plugin-dir", kFaultingPluginDir.string()}, dir.path(),
                       &errors, &out),
            1);
  EXPECT_NE(out.find("fixture_good"), std::string::npos) << out;
  EXPECT_NE(errors.find("hearth_connector_fixture_crash_on_load.so crashed while loading (signal "
                        "11"),
            std::string::npos)
      << errors;

  // A connector that does use it gets a validation error, not a dead validate.
  const auto broken = writeConfig(dir.path(), "", kFaultingPluginDir.string(),
                                  "  - {name: doomed, plugin: fixture_crash_on_load}\n");
  EXPECT_EQ(runHearthd({"validate", broken.string()}, dir.path(), &errors), 78);
  EXPECT_NE(errors.find("connectors[0].plugin: plugin "), std::string::npos) << errors;
  EXPECT_NE(errors.find("crashed while loading"), std::string::npos) << errors;
}

TEST(HostileConfig, ValidateOfThousandsOfConnectorsTakesSeconds) {
  TempDir dir;
  std::string connectors;
  for (int i = 0; i < 4000; ++i) {
    connectors += referralsConnectorYaml("c" + std::to_string(i), dir.path() / "input");
  }
  const auto config = writeConfig(dir.path(), "", pluginDir().string(), connectors);
  const auto started = std::chrono::steady_clock::now();
  std::string errors;
  std::string out;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors, &out), 0) << errors;
  EXPECT_NE(out.find("valid (4000 connectors)"), std::string::npos) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(HostileConfig, ValidateGivesTheTrueReasonForPathsThatAreNotFiles) {
  TempDir dir;
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", dir.path().string()}, dir.path(), &errors), 78);
  EXPECT_NE(errors.find(dir.path().string() + " is a directory, not a file"), std::string::npos)
      << errors;

  ASSERT_EQ(::mkfifo((dir.path() / "token.fifo").c_str(), 0600), 0);
  const auto config = dir.path() / "fifo.yaml";
  std::ofstream(config)
      << "state_dir: state\nadmin: {token_file: token.fifo}\n"
         "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n";
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), 78);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_NE(errors.find("admin.token_file: " + (dir.path() / "token.fifo").string() +
                        " is not a regular file"),
            std::string::npos)
      << errors;
}

TEST(HostileConfig, AnAdminEndpointOffLoopbackWantsTheTokenEverywhereAndWarns) {
  TempDir dir;
  const auto config = dir.path() / "hearthd.yaml";
  std::ofstream(config)
      << "state_dir: state\nplugin_dirs: [" << pluginDir().string() << "]\n"
      << "admin: {bind: 0.0.0.0, port: 0}\nkafka: {brokers: embedded, embedded_partitions: 4}\n"
      << "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n"
      << "connectors: []\n";
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), 78);
  EXPECT_NE(errors.find("admin.bind: 0.0.0.0 is not a loopback address"), std::string::npos)
      << errors;

  std::ofstream(config) << "state_dir: state\nplugin_dirs: [" << pluginDir().string() << "]\n"
                        << "admin: {bind: 0.0.0.0, port: 0, token: test-admin-token}\n"
                        << "kafka: {brokers: embedded, embedded_partitions: 4}\n"
                        << "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n"
                        << "connectors: []\n";
  std::string out;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors, &out), 0) << errors;
  EXPECT_NE(errors.find("warning: admin endpoint on 0.0.0.0"), std::string::npos) << errors;

  Daemon daemon(config, dir.path(), "daemon");
  const uint16_t port = daemon.adminPort();
  ASSERT_TRUE(daemon.process().waitForStderr("\"hearthd ready\"", 30s).has_value());
  EXPECT_NE(daemon.process().stderrText().find("reachable from the network"), std::string::npos);
  for (const char* target : {"/metrics", "/readyz", "/api/v1/connectors"}) {
    EXPECT_EQ(httpGet(port, target).status, 401) << target;
    EXPECT_EQ(httpRequest(port, "GET", target, "test-admin-token").status, 200) << target;
  }
}

// Aliases nine deep that would expand to hundreds of millions of values, as in the report.
std::string aliasBomb() {
  std::string text = "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    text += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) text += (j ? ", *x" : "*x") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

TEST(HostileConfig, AnAliasBombIsRefusedByValidateAndByAReloadWhichKeepsRunning) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml = "  []\n";
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));

  std::ofstream(config, std::ios::app) << aliasBomb();
  const auto started = std::chrono::steady_clock::now();
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), 78);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_NE(errors.find(config.string() + ":"), std::string::npos) << errors;
  EXPECT_NE(errors.find("the configuration expands to more than"), std::string::npos) << errors;

  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(daemon.process().waitForStderr("\"reload refused", 20s).has_value());
  EXPECT_TRUE(daemon.process().running());
  EXPECT_EQ(httpGet(daemon.adminPort(), "/readyz").status, 200);
}

}  // namespace
}  // namespace hearth::testing
