// A restart publishes only what changed: the state store keeps a digest of what each derived
// key (person view, identity link, indicator value and fact) last carried, so a daemon started
// again over the same sources re-derives everything and publishes none of it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDerivedTopics[] = {"hearth.identity", "hearth.person.view",
                                          "hearth.indicator.values", "hearth.indicator.facts"};

std::map<std::string, size_t> derivedEventCounts(const std::string& bootstrap) {
  std::map<std::string, size_t> counts;
  for (const char* topic : kDerivedTopics) {
    counts[topic] = consumeAll(bootstrap, topic, [](std::string_view, std::string_view) {});
  }
  return counts;
}

// The "events" figure of the run's "derived" log line.
std::optional<uint64_t> derivedEvents(const std::string& log) {
  static const std::regex kDerived(R"re("msg":"derived".*?"events":([0-9]+))re");
  std::smatch match;
  if (!std::regex_search(log, match, kDerived)) return std::nullopt;
  return std::stoull(match[1]);
}

// The keys under which the state store keeps the digests of identity decisions.
std::vector<std::string> savedIdentityKeys(const std::filesystem::path& state_db) {
  std::vector<std::string> keys;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(state_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT key FROM published WHERE substr(key, 1, 9) = "
                           "'identity' || char(31)",
                           -1, &statement, nullptr) == SQLITE_OK) {
      while (sqlite3_step(statement) == SQLITE_ROW) {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, 0));
        keys.emplace_back(bytes, static_cast<size_t>(sqlite3_column_bytes(statement, 0)));
      }
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return keys;
}

TEST(DeriveRestart, ARestartWithNothingNewPublishesNoDerivedEvent) {
  TempDir dir;
  std::string error;
  const auto council = generateCouncil(dir.path(), "7", "0.01", error);
  ASSERT_FALSE(council.empty()) << error;

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = demoConnectors(council, "  # EHC plans");
  const auto config = writeDaemonConfig(dir.path(), options);

  Daemon first(config, dir.path(), "first", {"--once"});
  ASSERT_EQ(first.process().wait(300s), 0) << first.process().stderrText();
  const auto published_first = derivedEvents(first.process().stderrText());
  ASSERT_TRUE(published_first.has_value()) << first.process().stderrText();
  const auto after_first = derivedEventCounts(kafka.bootstrap());
  for (const char* topic : {"hearth.identity", "hearth.person.view", "hearth.indicator.values"}) {
    EXPECT_GT(after_first.at(topic), 0u) << topic;
  }
  size_t total_first = 0;
  for (const auto& [topic, count] : after_first) total_first += count;
  EXPECT_EQ(total_first, *published_first);
  // A pair's digest is kept under a hash of its key, not its two pseudonyms (a reviewer's
  // decision under its number).
  static const std::regex kHashedPair("identity\x1f(#[0-9a-f]{32}|decision:[0-9]+)");
  const auto identity_keys = savedIdentityKeys(dir.path() / "state/hearth.db");
  EXPECT_GT(identity_keys.size(), 0u);
  for (const std::string& key : identity_keys) {
    EXPECT_TRUE(std::regex_match(key, kHashedPair)) << key;
  }

  // The same sources, read on from their checkpoints: nothing is new, so the stored records are
  // not even loaded, and the run prints the table the first one derived.
  Daemon second(config, dir.path(), "second", {"--once"});
  ASSERT_EQ(second.process().wait(300s), 0) << second.process().stderrText();
  const std::string second_log = second.process().stderrText();
  EXPECT_EQ(derivedEvents(second_log), 0u) << second_log;
  EXPECT_NE(second_log.find(R"("up_to_date":true)"), std::string::npos) << second_log;
  EXPECT_EQ(second_log.find("canonical records rebuilt"), std::string::npos) << second_log;
  EXPECT_EQ(second.process().stdoutText(), first.process().stdoutText());
  EXPECT_NE(first.process().stdoutText().find("cla_count"), std::string::npos);
  EXPECT_EQ(derivedEventCounts(kafka.bootstrap()), after_first);

  // A new build, setting or day derives everything again from the record store, and still
  // publishes nothing: the digests show every event unchanged.
  std::ofstream(config, std::ios::app) << "# changed after the first run\n";
  Daemon third(config, dir.path(), "third", {"--once"});
  ASSERT_EQ(third.process().wait(300s), 0) << third.process().stderrText();
  const std::string third_log = third.process().stderrText();
  EXPECT_NE(third_log.find("canonical records rebuilt"), std::string::npos) << third_log;
  EXPECT_EQ(derivedEvents(third_log), 0u) << third_log;
  EXPECT_EQ(third.process().stdoutText(), first.process().stdoutText());
  EXPECT_EQ(derivedEventCounts(kafka.bootstrap()), after_first);
}

}  // namespace
}  // namespace hearth::testing
