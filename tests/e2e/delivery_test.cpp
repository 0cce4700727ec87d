// Delivery guarantees end to end: a real hearthd process, the csv connector plugin, and a Kafka
// mock cluster in a separate process so that the daemon can be killed and restarted around it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <regex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

/// Every event id, checking on the way that one source record (one key) always has one id.
struct EventCensus {
  std::unordered_set<std::string> ids;
  std::unordered_map<std::string, std::string> id_by_key;
  size_t messages = 0;
  size_t keys_with_two_ids = 0;

  void add(std::string_view key, std::string_view payload) {
    ++messages;
    const std::string id(jsonStringField(payload, "id"));
    ids.insert(id);
    const auto [it, inserted] = id_by_key.try_emplace(std::string(key), id);
    if (!inserted && it->second != id) ++keys_with_two_ids;
  }
};

uint64_t recordsReadInLog(const std::string& log) {
  uint64_t total = 0;
  const std::regex read_complete("\"read complete\".*?\"records\":([0-9]+)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), read_complete);
       it != std::sregex_iterator(); ++it) {
    total += std::stoull((*it)[1]);
  }
  return total;
}

// Whether the daemon has saved a checkpoint for `connector` yet (read while it runs: WAL mode).
bool hasSavedCheckpoint(const std::filesystem::path& state_db, const std::string& connector) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(state_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 100);
  sqlite3_stmt* statement = nullptr;
  bool saved = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM checkpoints WHERE connector = ?1", -1, &statement,
                         nullptr) == SQLITE_OK) {
    sqlite3_bind_text(statement, 1, connector.c_str(), -1, SQLITE_TRANSIENT);
    saved = sqlite3_step(statement) == SQLITE_ROW;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return saved;
}

TEST(Delivery, KillNineMidBackfillThenRestartLeavesEveryRowOnKafkaUnderOneId) {
  constexpr uint64_t kRows = 1'000'000;
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, kRows);
  ExternalKafka kafka(256);

  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = referralsConnectorYaml("bulk", input);
  const auto config = writeDaemonConfig(dir.path(), options);
  const std::string series = "hearth_records_read_total{connector=\"bulk\",stream=\"referrals\"}";

  double read_at_kill = 0;
  {
    Daemon first(config, dir.path(), "first");
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      read_at_kill = first.metric(series).value_or(0);
      // Killed before any checkpoint was saved, the restart would rightly read everything again
      // and test nothing about resuming: wait for one (they are saved every 200 ms).
      if (read_at_kill >= 150'000 && hasSavedCheckpoint(dir.path() / "state/hearth.db", "bulk")) {
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    first.process().signal(SIGKILL);
    ASSERT_EQ(first.process().wait(10s), 128 + SIGKILL);
  }
  ASSERT_GE(read_at_kill, 150'000);
  ASSERT_LT(read_at_kill, kRows) << "the backfill finished before the kill; nothing was tested";

  Daemon second(config, dir.path(), "second", {"--once"});
  ASSERT_EQ(second.process().wait(300s), 0) << second.process().stderrText();
  const uint64_t reread = recordsReadInLog(second.process().stderrText());
  EXPECT_LT(reread, kRows) << "the restart did not resume from its checkpoint";
  EXPECT_GT(reread, 0u);

  EventCensus census;
  consumeAll(
      kafka.bootstrap(), "hearth.records",
      [&](std::string_view key, std::string_view payload) { census.add(key, payload); }, 300s);
  EXPECT_EQ(census.ids.size(), kRows);
  EXPECT_EQ(census.id_by_key.size(), kRows);
  EXPECT_GE(census.messages, kRows);
  EXPECT_EQ(census.keys_with_two_ids, 0u);
}

TEST(Delivery, KafkaOutageOfThirtySecondsLosesNothingAndReadinessFollowsIt) {
  constexpr uint64_t kRowsBefore = 20'000;
  constexpr uint64_t kRowsDuring = 20'000;
  TempDir dir;
  const auto input = dir.path() / "input";
  std::filesystem::create_directories(input);
  writeReferralsCsv(input / "referrals.csv", 0, kRowsBefore);
  ExternalKafka kafka(32);

  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.message_timeout_ms = 3000;
  options.connectors_yaml = referralsConnectorYaml("outage", input);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s, 200));
  ASSERT_TRUE(daemon.waitCaughtUp(60s));

  kafka.setDown(true);
  const auto down_at = std::chrono::steady_clock::now();
  writeReferralsCsv(input / "referrals.csv", kRowsBefore, kRowsDuring);
  EXPECT_TRUE(daemon.waitReady(20s, 503)) << "/readyz did not report the outage";
  std::this_thread::sleep_until(down_at + 30s);
  EXPECT_EQ(httpGet(daemon.adminPort(), "/readyz").status, 503);
  EXPECT_GT(daemon.metric("hearth_spool_bytes").value_or(0), 0) << "nothing was spooled";

  kafka.setDown(false);
  EXPECT_TRUE(daemon.waitReady(30s, 200)) << "/readyz did not recover";
  ASSERT_TRUE(daemon.waitCaughtUp(90s));
  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(60s), 0);
  // A stop after recovery leaves nothing behind in the spool: Kafka has every event.
  EXPECT_TRUE(daemon.process().waitForStderr("\"spool_bytes\":0}", 1s).has_value())
      << daemon.process().stderrText();

  EventCensus census;
  consumeAll(kafka.bootstrap(), "hearth.records",
             [&](std::string_view key, std::string_view payload) { census.add(key, payload); });
  EXPECT_EQ(census.ids.size(), kRowsBefore + kRowsDuring);
  EXPECT_EQ(census.keys_with_two_ids, 0u);
}

}  // namespace
}  // namespace hearth::testing
