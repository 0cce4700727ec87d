// Kafka Connect's offsets API for Hearth's connectors: an operator sees where a connector has read
// to, and resets it (every stream or one) so that exactly that is read again, whether the daemon
// runs (through the admin API, which stops and restarts the connector) or not (on the state
// store).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kToken = "test-admin-token";
constexpr uint64_t kReferrals = 40;
constexpr uint64_t kContacts = 25;

// One csv connector with two streams over the same directory.
struct TwoStreams {
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";
  DaemonOptions options;

  TwoStreams() {
    std::filesystem::create_directories(data);
    writeReferralsCsv(data / "referrals_1.csv", 0, kReferrals);
    writeReferralsCsv(data / "contacts_1.csv", 0, kContacts);
    options.connectors_yaml =
        "  - name: intake\n    plugin: csv\n    poll_interval_ms: 200\n    settings:\n"
        "      directory: " +
        data.string() +
        "\n      streams:\n"
        "        - {name: referrals, pattern: \"referrals*.csv\", key: [referral_id]}\n"
        "        - {name: contacts, pattern: \"contacts*.csv\", key: [referral_id]}\n";
  }
};

// Events on hearth.records per stream (the subject of a raw record event).
std::map<std::string, uint64_t> eventsByStream(const std::string& bootstrap) {
  std::map<std::string, uint64_t> counts;
  consumeAll(bootstrap, "hearth.records", [&](std::string_view, std::string_view payload) {
    ++counts[std::string(jsonStringField(payload, "subject"))];
  });
  return counts;
}

// A loopback TCP port free at the time of the call: the CLI finds the daemon by its configured
// port, so this test cannot let the kernel pick one.
uint16_t freeTcpPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error("no free TCP port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

json getJson(uint16_t port, const std::string& target) {
  const auto response = httpGet(port, target);
  EXPECT_EQ(response.status, 200) << target << ": " << response.body;
  return json::parse(response.body, nullptr, false);
}

TEST(Offsets, ResetOnARunningDaemonReReadsExactlyTheResetStream) {
  TwoStreams setup;
  const auto config = writeDaemonConfig(setup.dir.path(), setup.options);
  std::string yaml = readFile(config);
  ASSERT_NE(yaml.find("  port: 0\n"), std::string::npos);
  std::ofstream(config) << replaceAll(yaml, "  port: 0\n",
                                      "  port: " + std::to_string(freeTcpPort()) + "\n");
  Daemon daemon(config, setup.dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  ASSERT_TRUE(daemon.waitCaughtUp(60s));
  const uint16_t port = daemon.adminPort();

  const json offsets = getJson(port, "/api/v1/connectors/intake/offsets");
  ASSERT_EQ(offsets["offsets"].size(), 2u) << offsets.dump();
  EXPECT_EQ(offsets["offsets"][0]["partition"]["stream"], "contacts");
  EXPECT_EQ(offsets["offsets"][1]["partition"]["stream"], "referrals");
  EXPECT_EQ(offsets["offsets"][1]["offset"]["referrals_1.csv"]["offset"],
            std::filesystem::file_size(setup.data / "referrals_1.csv"))
      << "read to the end of the file";

  // Resetting needs the token, and names a connector that exists.
  EXPECT_EQ(httpRequest(port, "DELETE", "/api/v1/connectors/intake/offsets").status, 401);
  EXPECT_EQ(httpRequest(port, "DELETE", "/api/v1/connectors/nobody/offsets", kToken).status, 404);

  std::string out;
  std::string errors;
  ASSERT_EQ(runHearthd({"connectors", "reset", "intake", "--stream", "referrals", "--config",
                        config.string()},
                       setup.dir.path(), &errors, &out),
            0)
      << errors;
  EXPECT_NE(out.find("stream referrals of connector intake: reset"), std::string::npos) << out;

  // The restarted connector reads the reset stream again, whole, and nothing of the other.
  ASSERT_TRUE(daemon.waitCaughtUp(60s));
  std::this_thread::sleep_for(1s);  // a few more polls: nothing more may come
  EXPECT_EQ(daemon.metric(R"(hearth_records_read_total{connector="intake",stream="referrals"})"),
            2.0 * kReferrals);
  EXPECT_EQ(daemon.metric(R"(hearth_records_read_total{connector="intake",stream="contacts"})"),
            1.0 * kContacts);
  EXPECT_EQ(daemon.metric(R"(hearth_connector_restarts_total{connector="intake"})"), 1.0);

  const json status = getJson(port, "/api/v1/connectors/intake");
  EXPECT_EQ(status["restarts"], 1);
  EXPECT_EQ(status["streams"]["referrals"]["records"], kReferrals);
  EXPECT_FALSE(status["streams"].contains("contacts")) << status.dump();
  EXPECT_TRUE(status["last_success"].is_string()) << status.dump();
  EXPECT_TRUE(status["last_checkpoint"].is_string()) << status.dump();
  EXPECT_LT(status["checkpoint_age_seconds"].get<double>(), 30.0);
  const json after = getJson(port, "/api/v1/connectors/intake/offsets");
  EXPECT_EQ(after["reset"]["status"], "done") << after.dump();
  EXPECT_EQ(after["reset"]["stream"], "referrals");
  EXPECT_EQ(after["offsets"].size(), 2u) << "the re-read stream has its position again";

  // Every stream at once, straight through the API.
  const auto all = httpRequest(port, "DELETE", "/api/v1/connectors/intake/offsets", kToken);
  ASSERT_EQ(all.status, 202) << all.body;
  bool done = false;
  for (int i = 0; i < 300 && !done; ++i) {
    std::this_thread::sleep_for(100ms);
    done = getJson(port, "/api/v1/connectors/intake/offsets")["reset"]["status"] == "done";
  }
  ASSERT_TRUE(done);
  ASSERT_TRUE(daemon.waitCaughtUp(60s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(daemon.metric(R"(hearth_records_read_total{connector="intake",stream="referrals"})"),
            3.0 * kReferrals);
  EXPECT_EQ(daemon.metric(R"(hearth_records_read_total{connector="intake",stream="contacts"})"),
            2.0 * kContacts);
}

TEST(Offsets, ResetOnAStoppedDaemonReReadsExactlyTheResetStream) {
  TwoStreams setup;
  ExternalKafka kafka(16);
  setup.options.brokers = kafka.bootstrap();
  const auto config = writeDaemonConfig(setup.dir.path(), setup.options);
  {
    Daemon first(config, setup.dir.path(), "first", {"--once"});
    ASSERT_EQ(first.process().wait(120s), 0) << first.process().stderrText();
  }
  const auto before = eventsByStream(kafka.bootstrap());
  ASSERT_EQ(before.at("referrals"), kReferrals);
  ASSERT_EQ(before.at("contacts"), kContacts);

  // A stream the token does not know changes nothing; an unknown connector is a usage error.
  std::string out;
  std::string errors;
  EXPECT_EQ(runHearthd({"connectors", "reset", "nobody", "--config", config.string()},
                       setup.dir.path(), &errors, &out),
            64);
  ASSERT_EQ(runHearthd({"connectors", "reset", "intake", "--stream", "contacts", "--config",
                        config.string()},
                       setup.dir.path(), &errors, &out),
            0)
      << errors;
  EXPECT_NE(out.find("stream contacts of connector intake: reset"), std::string::npos) << out;

  {
    Daemon second(config, setup.dir.path(), "second", {"--once"});
    ASSERT_EQ(second.process().wait(120s), 0) << second.process().stderrText();
  }
  const auto after = eventsByStream(kafka.bootstrap());
  EXPECT_EQ(after.at("referrals"), kReferrals) << "the other stream resumed where it was";
  EXPECT_EQ(after.at("contacts"), 2 * kContacts) << "the reset stream was read again, whole";
}

}  // namespace
}  // namespace hearth::testing
