// The trust_ssd connector through the SQLite3 ODBC driver: the same plugin on another source.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "connectors/trust_ssd/tests/trust_ssd_test_support.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

using testing::CollectingSink;
using testing::readAfter;

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

class SqliteFile {
 public:
  explicit SqliteFile(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) throw std::runtime_error("sqlite open");
    db_.reset(raw);
  }
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "sqlite error";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }
  size_t count(const std::string& table) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db_.get(), ("SELECT count(*) FROM " + table).c_str(), -1, &statement,
                       nullptr);
    size_t count = 0;
    if (sqlite3_step(statement) == SQLITE_ROW) count = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return count;
  }

 private:
  std::unique_ptr<sqlite3, SqliteClose> db_;
};

class TrustSsdSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("trust_ssd_sqlite_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  static std::string config(const std::filesystem::path& file, const std::string& extra = "") {
    return R"({"connection_string": "Driver={SQLite3};Database=)" + file.string() + R"(;")" +
           (extra.empty() ? "" : ", " + extra) + "}";
  }

  std::filesystem::path directory_;
};

TEST_F(TrustSsdSqlite, ReadsEverySsdTableOfTheSyntheticCouncilWithExactCounts) {
  const std::string command =
      std::string(HEARTH_SYNTH) + " --seed 1 --scale 0.01 --quiet --out " + directory_.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const auto file = directory_ / "ssd" / "ssd.sqlite";

  CollectingSink sink = readAfter("", config(file, R"("fetch_rows": 300)"));
  EXPECT_TRUE(sink.rejects.empty());
  SqliteFile db(file);
  const auto counts = sink.countsByStream();
  EXPECT_EQ(counts.size(), 16u);
  for (const auto& [table, count] : counts) {
    EXPECT_EQ(count, db.count(table)) << table;
    EXPECT_EQ(sink.keys(table).size(), count) << table << ": source keys are unique";
  }
}

TEST_F(TrustSsdSqlite, SecondReadGetsExactlyTheRowsInsertedAndUpdatedSinceTheFirst) {
  const auto file = directory_ / "ssd.sqlite";
  SqliteFile db(file);
  db.exec(R"sql(
CREATE TABLE ssd_cp_plans (cppl_cp_plan_id TEXT, cppl_person_id TEXT,
  cppl_cp_plan_start_date TEXT, cppl_cp_plan_end_date TEXT, updated_at TEXT);
INSERT INTO ssd_cp_plans VALUES
  ('CP1', 'P1', '2024-01-01', NULL, '2024-05-01 09:00:00'),
  ('CP2', 'P2', '2024-01-02', NULL, '2024-05-01 09:00:00'),
  (NULL,  'P3', '2024-01-03', NULL, '2024-05-01 09:10:00'),
  ('CP4', 'P4', '2024-01-04', NULL, '2024-05-01 10:00:00');
)sql");
  const std::string settings =
      config(file, R"("fetch_rows": 2, "tables": [{"name": "ssd_cp_plans",)"
                   R"( "cursor": {"timestamp_column": "updated_at"}}])");

  CollectingSink first = readAfter("", settings);
  EXPECT_EQ(first.keys("ssd_cp_plans"), (std::set<std::string>{"CP1", "CP2", "CP4"}));
  ASSERT_EQ(first.rejects.size(), 1u);
  EXPECT_EQ(first.rejects[0].reason, "ssd.missing_key");

  db.exec(R"sql(
INSERT INTO ssd_cp_plans VALUES ('CP5', 'P5', '2024-03-01', NULL, '2024-05-03 08:00:00');
UPDATE ssd_cp_plans SET cppl_cp_plan_end_date = '2024-05-02', updated_at = '2024-05-02 12:00:00'
  WHERE cppl_cp_plan_id = 'CP1';
)sql");
  CollectingSink second = readAfter(first.lastCheckpoint(), settings);
  EXPECT_EQ(second.keys("ssd_cp_plans"), (std::set<std::string>{"CP1", "CP5"}));
  EXPECT_EQ(second.records.size(), 2u);
  EXPECT_TRUE(second.rejects.empty());

  CollectingSink third = readAfter(second.lastCheckpoint(), settings);
  EXPECT_TRUE(third.records.empty());
}

// The database stores wall-clock time without an offset: London's by default, an hour ahead of UTC
// in summer.
TEST_F(TrustSsdSqlite, SourceTimeReadsStoredTimestampsOnTheConfiguredClock) {
  const auto file = directory_ / "ssd.sqlite";
  SqliteFile db(file);
  db.exec(R"sql(
CREATE TABLE ssd_cp_plans (cppl_cp_plan_id TEXT, cppl_person_id TEXT, updated_at TEXT);
INSERT INTO ssd_cp_plans VALUES
  ('CP1', 'P1', '2024-01-05 10:00:00'),
  ('CP2', 'P2', '2024-07-05 10:00:00'),
  ('CP3', 'P3', '2024-07-05T10:00:00Z');
)sql");
  const std::string tables =
      R"("tables": [{"name": "ssd_cp_plans", "cursor": {"timestamp_column": "updated_at"}}])";
  const int64_t winter_10_utc = 1704448800000;  // 2024-01-05T10:00:00Z
  const int64_t summer_10_utc = 1720173600000;  // 2024-07-05T10:00:00Z

  CollectingSink london = readAfter("", config(file, tables));
  ASSERT_EQ(london.records.size(), 3u);
  EXPECT_EQ(london.records[0].time_ms, winter_10_utc);
  EXPECT_EQ(london.records[1].time_ms, summer_10_utc - 3600000);
  EXPECT_EQ(london.records[2].time_ms, summer_10_utc);

  CollectingSink utc = readAfter("", config(file, tables + R"(, "time_zone": "UTC")"));
  ASSERT_EQ(utc.records.size(), 3u);
  EXPECT_EQ(utc.records[1].time_ms, summer_10_utc);
}

}  // namespace
}  // namespace hearth::connectors::trust_ssd

namespace hearth::connectors::trust_ssd {
namespace {

// SQLite's driver offers SQLGetData only on the row it fetched last (it does not report
// SQL_GD_BLOCK): a value too long for its slot, read with SQLSetPos to its row of a block, came
// from another row (the block's last) or failed. Each long value must be its own row's.
TEST_F(TrustSsdSqlite, LongTextValuesComeFromTheirOwnRowOfABlock) {
  const auto file = directory_ / "long.sqlite";
  SqliteFile db(file);
  db.exec(
      "CREATE TABLE notes (note_id TEXT PRIMARY KEY, body TEXT, last_modified TEXT);"
      "INSERT INTO notes VALUES"
      " ('N1', 'short one', '2024-05-01 09:00:00'),"
      " ('N2', replace(hex(zeroblob(9000)), '00', 'a'), '2024-05-01 09:00:01'),"
      " ('N3', 'short three', '2024-05-01 09:00:02'),"
      " ('N4', replace(hex(zeroblob(12000)), '00', 'b'), '2024-05-01 09:00:03'),"
      " ('N5', replace(hex(zeroblob(20000)), '00', 'c'), '2024-05-01 09:00:04'),"
      " ('N6', 'short six', '2024-05-01 09:00:05');");
  const std::string tables = R"("tables": [{"name": "notes", "key_columns": ["note_id"],)"
                             R"( "cursor": {"timestamp_column": "last_modified"}}])";
  for (const char* fetch_rows : {"4", "6", "100"}) {
    CollectingSink sink =
        readAfter("", config(file, tables + R"(, "fetch_rows": )" + std::string(fetch_rows)));
    ASSERT_EQ(sink.records.size(), 6u) << fetch_rows;
    std::map<std::string, std::string> bodies;
    for (const auto& record : sink.records) bodies[record.key] = record.fields.at("body").second;
    EXPECT_EQ(bodies["N1"], "short one") << fetch_rows;
    EXPECT_EQ(bodies["N2"], std::string(9000, 'a')) << fetch_rows;
    EXPECT_EQ(bodies["N3"], "short three") << fetch_rows;
    EXPECT_EQ(bodies["N4"], std::string(12000, 'b')) << fetch_rows;
    EXPECT_EQ(bodies["N5"], std::string(20000, 'c')) << fetch_rows;
    EXPECT_EQ(bodies["N6"], "short six") << fetch_rows;
    EXPECT_EQ(sink.checkpoints.size(), fetch_rows == std::string("4") ? 2u : 1u) << fetch_rows;
  }
}

// COPY is PostgreSQL's: reader auto reads SQLite over ODBC, reader copy refuses it.
TEST_F(TrustSsdSqlite, CopyReaderIsRefusedForASourceThatIsNotPostgreSql) {
  const auto file = directory_ / "notpg.sqlite";
  SqliteFile db(file);
  db.exec(
      "CREATE TABLE notes (note_id TEXT PRIMARY KEY, body TEXT);"
      "INSERT INTO notes VALUES ('N1', 'one'), ('N2', 'two');");
  const std::string tables = R"("tables": [{"name": "notes", "key_columns": ["note_id"]}])";
  CollectingSink sink = readAfter("", config(file, tables + R"(, "reader": "auto")"));
  EXPECT_EQ(sink.keys("notes"), (std::set<std::string>{"N1", "N2"}));

  auto connector = testing::instance(config(file, tables + R"(, "reader": "copy")"));
  CollectingSink refused;
  auto outcome = connector->read("", refused);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().code, host::kRetryCode) << "a configuration fault, not a retry";
  EXPECT_NE(outcome.error().message.find("needs a PostgreSQL source"), std::string::npos)
      << outcome.error().message;
  EXPECT_TRUE(refused.records.empty());
}

}  // namespace
}  // namespace hearth::connectors::trust_ssd
