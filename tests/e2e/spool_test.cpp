// The disk spool's bounds end to end: a real hearthd, the csv connector and a Kafka mock cluster
// in its own process that can be taken down. What the spool holds while Kafka is away must never
// be the only copy of an event that a checkpoint has moved past.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <fstream>
#include <regex>
#include <thread>
#include <unordered_set>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unordered_set<std::string> recordIds(const std::string& bootstrap) {
  std::unordered_set<std::string> ids;
  consumeAll(bootstrap, "hearth.records", [&](std::string_view, std::string_view payload) {
    ids.insert(std::string(jsonStringField(payload, "id")));
  });
  return ids;
}

// `rows` referral rows in an input directory of `dir`.
std::filesystem::path referralsInput(const TempDir& dir, uint64_t rows) {
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, rows);
  return input;
}

// A connector with more to read than a 1 MiB spool holds, and a Kafka that is down.
DaemonOptions fullSpoolOptions(const TempDir& dir, const ExternalKafka& kafka,
                               const std::string& connector) {
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.message_timeout_ms = 2000;
  options.spool_max_bytes = 1 << 20;
  options.connectors_yaml = referralsConnectorYaml(connector, referralsInput(dir, 50'000));
  return options;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// A second daemon on the same state directory would write into the same spool and checkpoints.
TEST(Spool, ASecondDaemonOnTheSameStateDirectoryIsRefusedNamingTheFirstsPid) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("locked", referralsInput(dir, 100));
  const auto config = writeDaemonConfig(dir.path(), options);

  Daemon first(config, dir.path(), "first");
  ASSERT_TRUE(first.waitReady(60s, 200));
  Daemon second(config, dir.path(), "second");
  ASSERT_EQ(second.process().wait(20s), 1) << second.process().stderrText();
  const std::string refusal = second.process().stderrText();
  EXPECT_NE(refusal.find("is in use by another hearthd (pid " +
                         std::to_string(first.process().pid()) + ")"),
            std::string::npos)
      << refusal;
  EXPECT_EQ(refusal.find("admin listening"), std::string::npos) << "refused before anything else";
  EXPECT_EQ(httpGet(first.adminPort(), "/readyz").status, 200) << "the first daemon is unharmed";

  // Verbs that only read the state directory still work beside the running daemon.
  ChildProcess offline(hearthdPath(), {"indicators", "--offline", "--config", config.string()},
                       dir.path(), "offline");
  EXPECT_EQ(offline.wait(60s), 0) << offline.stderrText();

  first.process().signal(SIGTERM);
  ASSERT_EQ(first.process().wait(60s), 0);
  // The lock goes with the process: the next start is not blocked by a stale file.
  Daemon third(config, dir.path(), "third");
  EXPECT_TRUE(third.waitReady(60s, 200)) << third.process().stderrText();
}

TEST(Spool, DeletingTheSpoolDuringAnOutageLosesNothing) {
  constexpr uint64_t kRowsBefore = 2'000;
  constexpr uint64_t kRowsDuring = 20'000;
  TempDir dir;
  const auto input = referralsInput(dir, kRowsBefore);
  ExternalKafka kafka(16);

  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.message_timeout_ms = 3000;
  options.connectors_yaml = referralsConnectorYaml("deleted", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s, 200));
  ASSERT_TRUE(daemon.waitCaughtUp(60s));

  kafka.setDown(true);
  ASSERT_TRUE(daemon.waitReady(20s, 503));
  writeReferralsCsv(input / "referrals.csv", kRowsBefore, kRowsDuring);
  const std::string read = "hearth_records_read_total{connector=\"deleted\",stream=\"referrals\"}";
  ASSERT_TRUE(
      waitFor([&] { return daemon.metric(read).value_or(0) >= kRowsBefore + kRowsDuring; }, 60s));
  ASSERT_TRUE(waitFor([&] { return daemon.metric("hearth_spool_bytes").value_or(0) > 0; }, 10s));

  std::filesystem::remove_all(dir.path() / "state/spool");
  const auto noticed =
      daemon.process().waitForStderr("spooled data was removed while running", 10s);
  ASSERT_TRUE(noticed.has_value()) << daemon.process().stderrText();
  EXPECT_NE(noticed->find("spool directory"), std::string::npos) << *noticed;
  EXPECT_TRUE(
      daemon.process().waitForStderr("re-reading them from the last saved checkpoints", 10s));
  const auto readiness = httpGet(daemon.adminPort(), "/readyz");
  EXPECT_EQ(readiness.status, 503);
  EXPECT_NE(readiness.body.find("spooled events lost"), std::string::npos) << readiness.body;
  EXPECT_TRUE(
      waitFor([&] { return daemon.metric("hearth_spool_lost_events_total").value_or(0) > 0; }, 5s));

  kafka.setDown(false);
  EXPECT_TRUE(daemon.waitReady(60s, 200)) << "/readyz did not recover";
  ASSERT_TRUE(daemon.waitCaughtUp(90s));
  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(60s), 0);
  EXPECT_EQ(recordIds(kafka.bootstrap()).size(), kRowsBefore + kRowsDuring);
}

TEST(Spool, AFullSpoolPausesTheConnectorVisiblyAndSigtermStillStopsItPromptly) {
  TempDir dir;
  ExternalKafka kafka(8);
  kafka.setDown(true);
  const DaemonOptions options = fullSpoolOptions(dir, kafka, "full");
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  const uint16_t port = daemon.adminPort();
  ASSERT_TRUE(waitFor(
      [&] {
        return httpGet(port, "/api/v1/connectors").body.find("\"paused (spool full)\"") !=
               std::string::npos;
      },
      60s))
      << httpGet(port, "/api/v1/connectors").body;
  const std::string paused = "hearth_connector_paused{connector=\"full\",reason=\"spool_full\"}";
  EXPECT_TRUE(waitFor([&] { return daemon.metric(paused).value_or(0) == 1; }, 5s));
  EXPECT_LE(daemon.metric("hearth_spool_bytes").value_or(0), 1 << 20);

  const auto stop_at = Clock::now();
  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(30s), 0) << daemon.process().stderrText();
  EXPECT_LT(Clock::now() - stop_at, 10s) << "the blocked connector did not hear the stop";
  EXPECT_EQ(daemon.process().stderrText().find("did not stop by the drain deadline"),
            std::string::npos);
}

TEST(Spool, RunOnceGivesUpWithExitCodeThreeWhileKafkaStaysAway) {
  TempDir dir;
  ExternalKafka kafka(8);
  kafka.setDown(true);
  DaemonOptions options = fullSpoolOptions(dir, kafka, "once");
  options.once_give_up_ms = 3000;
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  EXPECT_EQ(daemon.process().wait(60s), 3) << daemon.process().stderrText();
  EXPECT_NE(daemon.process().stderrText().find("Kafka stayed unreachable; giving up the run"),
            std::string::npos);
}

// A small file system of its own for the state directory, so that the test can fill it up.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(std::filesystem::path at) : at_(std::move(at)) {
    std::filesystem::create_directories(at_);
    mounted_ = ::mount("tmpfs", at_.c_str(), "tmpfs", 0, "size=48m,mode=0700") == 0;
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount(at_.c_str());
  }
  bool mounted() const { return mounted_; }

  // Writes a file until the file system refuses more.
  void fill() const {
    std::ofstream out(at_ / "filler", std::ios::binary);
    // Owner-only, as everything in the state directory must be.
    std::filesystem::permissions(at_ / "filler", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
    const std::string block(1 << 16, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
};

TEST(Spool, ADaemonRestartedOnAFullDiskStillStartsAndDelivers) {
  TempDir dir;
  SmallFileSystem disk(dir.path() / "state");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs CAP_SYS_ADMIN";
  const auto input = referralsInput(dir, 1'000);
  DaemonOptions options;
  options.spool_min_free_bytes = 1 << 20;
  options.connectors_yaml = referralsConnectorYaml("disk", input);
  const auto config = writeDaemonConfig(dir.path(), options);
  {
    Daemon first(config, dir.path(), "first");
    ASSERT_TRUE(first.waitCaughtUp(60s));
    // The daemon sets its reserve aside once it runs.
    ASSERT_TRUE(waitFor(
        [&] { return std::filesystem::exists(dir.path() / "state/hearthd.reserve"); }, 10s));
    first.process().signal(SIGTERM);
    ASSERT_EQ(first.process().wait(60s), 0);
  }
  disk.fill();
  writeReferralsCsv(input / "referrals.csv", 1'000, 100);

  Daemon second(config, dir.path(), "second", {"--once"});
  EXPECT_EQ(second.process().wait(120s), 0) << second.process().stderrText();
  EXPECT_EQ(second.process().stderrText().find("start-up failed"), std::string::npos);
}

}  // namespace
}  // namespace hearth::testing
