// A restart publishes only what changed: the state store keeps a digest of what each derived
// key (person view, identity link, indicator value and fact) last carried, so a daemon started
// again over the same sources re-derives everything and publishes none of it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
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

// Runs `sql` on the state store's database, calling `row` with each result row's columns.
void queryState(const std::filesystem::path& state_db, const std::string& sql,
                const std::function<void(const std::vector<std::string>&)>& row = {}) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(state_db.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string> columns;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, c));
      columns.emplace_back(
          bytes == nullptr
              ? ""
              : std::string(bytes, static_cast<size_t>(sqlite3_column_bytes(statement, c))));
    }
    if (row) row(columns);
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

// The keys the state store keeps a row each for, of the derived topics' digests.
std::vector<std::string> savedDerivedRows(const std::filesystem::path& state_db) {
  std::vector<std::string> keys;
  queryState(state_db,
             "SELECT key FROM published WHERE substr(key, 1, instr(key, char(31)) - 1) IN "
             "('identity', 'indicator.values', 'indicator.facts')",
             [&](const std::vector<std::string>& row) { keys.push_back(row[0]); });
  return keys;
}

// How many digests the state store keeps by hash, per topic.
std::map<std::string, size_t> savedHashedCounts(const std::filesystem::path& state_db) {
  std::map<std::string, size_t> counts;
  queryState(state_db, "SELECT family, entries FROM published_hashed",
             [&](const std::vector<std::string>& row) { counts[row[0]] += row[1].size() / 24; });
  return counts;
}

// Puts the facts' digests back as an earlier version kept them, a row per whole key
// ("<subject>|<indicator>|<period>|<set>"), from the facts on the topic: the digest is the first
// 64 bits of the last event's id.
size_t saveFactDigestsWhole(const std::filesystem::path& state_db, const std::string& bootstrap) {
  std::map<std::string, std::string> latest;
  consumeAll(bootstrap, "hearth.indicator.facts", [&](std::string_view, std::string_view payload) {
    const auto event = nlohmann::json::parse(payload);
    const auto& data = event.at("data");
    const std::string key = data.at("subject").get<std::string>() + "|" +
                            data.at("indicator").get<std::string>() + "|" +
                            data.at("period").at("label").get<std::string>() + "|" +
                            data.at("set").get<std::string>();
    latest[key] =
        std::to_string(std::stoull(event.at("id").get<std::string>().substr(0, 16), nullptr, 16));
  });
  std::string sql = "DELETE FROM published_hashed WHERE family = 'indicator.facts';";
  for (const auto& [key, digest] : latest) {
    // The digest as SQLite keeps a 64-bit integer: two's complement.
    sql += "INSERT INTO published (key, digest) VALUES ('indicator.facts' || char(31) || '" + key +
           "', " + std::to_string(static_cast<int64_t>(std::stoull(digest))) + ");";
  }
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(state_db.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  return latest.size();
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
  // An identity pair's digest is kept under a hash of its key, not its two pseudonyms, and so is
  // an indicator value's and a fact's, in blobs; only a reviewer's decision has a row, under its
  // number.
  const auto state_db = dir.path() / "state/hearth.db";
  static const std::regex kDecision(
      "identity\x1f"
      "decision:[0-9]+");
  for (const std::string& key : savedDerivedRows(state_db)) {
    EXPECT_TRUE(std::regex_match(key, kDecision)) << key;
  }
  const auto hashed_first = savedHashedCounts(state_db);
  for (const char* topic : {"identity", "indicator.values", "indicator.facts"}) {
    EXPECT_GT(hashed_first.count(topic) ? hashed_first.at(topic) : 0, 0u) << topic;
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
  // publishes nothing: the digests show every event unchanged, the facts' too, though kept as an
  // earlier version kept them.
  const size_t whole_facts = saveFactDigestsWhole(state_db, kafka.bootstrap());
  EXPECT_EQ(whole_facts, hashed_first.at("indicator.facts"));
  std::ofstream(config, std::ios::app) << "# changed after the first run\n";
  Daemon third(config, dir.path(), "third", {"--once"});
  ASSERT_EQ(third.process().wait(300s), 0) << third.process().stderrText();
  const std::string third_log = third.process().stderrText();
  EXPECT_NE(third_log.find("canonical records rebuilt"), std::string::npos) << third_log;
  EXPECT_EQ(derivedEvents(third_log), 0u) << third_log;
  EXPECT_EQ(third.process().stdoutText(), first.process().stdoutText());
  EXPECT_EQ(derivedEventCounts(kafka.bootstrap()), after_first);
  // And they are kept by hash from then on.
  for (const std::string& key : savedDerivedRows(state_db)) {
    EXPECT_TRUE(std::regex_match(key, kDecision)) << key;
  }
  EXPECT_EQ(savedHashedCounts(state_db), hashed_first);
}

}  // namespace
}  // namespace hearth::testing
