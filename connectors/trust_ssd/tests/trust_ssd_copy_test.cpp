// The trust_ssd connector reading PostgreSQL through libpq's COPY gives exactly what it gives
// over psqlODBC: the same records, checkpoints and rejects, on the synthetic council and on
// values COPY's text format escapes. A connection lost in the middle of a COPY is a retry, and
// the read after it loses nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connectors/trust_ssd/tests/trust_ssd_test_support.hpp"
#include "tests/common/postgres_harness.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

using testing::CollectingSink;

// What a read gave, and how many tables it read through COPY.
struct Read {
  CollectingSink sink;
  Result<host::ReadOutcome> outcome = makeError("unset", "not read");
  double tables_by_copy = 0;
};

class TrustSsdCopy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = hearth::testing::PostgresServer::start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static std::string config(const std::string& reader, const std::string& schema,
                            const std::string& extra) {
    std::string json = R"({"connection_string": ")" + server_->odbcConnectionString() +
                       R"(UseDeclareFetch=1;Fetch=1000;", "password_secret": "test:password",)"
                       R"( "reader": ")" +
                       reader + R"(", "schema": ")" + schema + "\"";
    if (!extra.empty()) json += ", " + extra;
    return json + "}";
  }

  // Reads with a fixed clock (full reads put it into their checkpoints) into `sink`.
  static void read(Read& out, const std::string& checkpoint, const std::string& config_json) {
    host::HostServices services;
    const std::string password = server_->password();
    services.secret = [password](std::string_view) { return std::optional<std::string>(password); };
    services.nowMs = [] { return int64_t{1714550400000}; };
    services.counterAdd = [&out](std::string_view name, double value) {
      if (name == "tables_read_by_copy") out.tables_by_copy += value;
    };
    auto created =
        host::ConnectorInstance::create(testing::plugin(), config_json, std::move(services));
    ASSERT_TRUE(created.ok()) << created.error().message;
    out.outcome = (*created)->read(checkpoint, out.sink);
  }

  static inline hearth::testing::PostgresServer* server_ = nullptr;
};

void expectSameReads(const CollectingSink& odbc, const CollectingSink& copy) {
  ASSERT_EQ(odbc.records.size(), copy.records.size());
  for (size_t i = 0; i < odbc.records.size(); ++i) {
    const testing::Record& a = odbc.records[i];
    const testing::Record& b = copy.records[i];
    ASSERT_EQ(a.stream, b.stream) << "record " << i;
    ASSERT_EQ(a.key, b.key) << a.stream << " record " << i;
    ASSERT_EQ(a.location, b.location) << a.stream << " " << a.key;
    ASSERT_EQ(a.time_ms, b.time_ms) << a.stream << " " << a.key;
    ASSERT_EQ(a.fields.size(), b.fields.size()) << a.stream << " " << a.key;
    for (const auto& [name, value] : a.fields) {
      ASSERT_TRUE(b.fields.count(name)) << a.stream << " " << a.key << " " << name;
      EXPECT_EQ(value.first, b.fields.at(name).first) << a.stream << " " << a.key << " " << name;
      EXPECT_EQ(value.second, b.fields.at(name).second) << a.stream << " " << a.key << " " << name;
    }
  }
  EXPECT_EQ(odbc.checkpoints, copy.checkpoints);
  ASSERT_EQ(odbc.rejects.size(), copy.rejects.size());
  for (size_t i = 0; i < odbc.rejects.size(); ++i) {
    EXPECT_EQ(odbc.rejects[i].stream, copy.rejects[i].stream);
    EXPECT_EQ(odbc.rejects[i].reason, copy.rejects[i].reason);
    EXPECT_EQ(odbc.rejects[i].location, copy.rejects[i].location);
    EXPECT_EQ(odbc.rejects[i].message, copy.rejects[i].message);
    EXPECT_EQ(odbc.rejects[i].raw, copy.rejects[i].raw);
  }
}

TEST_F(TrustSsdCopy, ReadsEverySsdTableOfTheSyntheticCouncilExactlyAsOdbcDoes) {
  const auto out = std::filesystem::path(::testing::TempDir()) /
                   ("trust_ssd_copy_synth_" + std::to_string(::getpid()));
  const std::string command =
      std::string(HEARTH_SYNTH) + " --seed 3 --scale 0.01 --quiet --out " + out.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  server_->runSql("CREATE SCHEMA synth;");
  server_->runSql("ALTER ROLE " + server_->role() + " SET search_path TO synth;");
  server_->runSqlFile(out / "ssd" / "ssd_postgres.sql");
  server_->runSql("ALTER ROLE " + server_->role() + " RESET search_path;");
  std::filesystem::remove_all(out);
  // A row the SSD's key leaves out is rejected both ways.
  server_->runSql(
      "INSERT INTO synth.ssd_missing (miss_table_id, miss_person_id) VALUES (NULL, 'P-none');");

  Read odbc, copy;
  read(odbc, "", config("odbc", "synth", R"("fetch_rows": 500)"));
  read(copy, "", config("copy", "synth", R"("fetch_rows": 500)"));
  ASSERT_TRUE(odbc.outcome.ok()) << odbc.outcome.error().message;
  ASSERT_TRUE(copy.outcome.ok()) << copy.outcome.error().message;
  EXPECT_EQ(odbc.tables_by_copy, 0);
  // ssd_cla_placement has a double precision column, which prints alike too.
  EXPECT_EQ(copy.tables_by_copy, 16);
  EXPECT_GT(copy.sink.records.size(), 1000u);
  EXPECT_EQ(copy.sink.rejects.size(), 1u);
  expectSameReads(odbc.sink, copy.sink);
}

TEST_F(TrustSsdCopy, EscapedTextNullsNumbersAndIncrementalCursorsMatchOdbc) {
  const std::string long_text(20000, 'y');
  server_->runSql(R"sql(
CREATE SCHEMA esc;
CREATE TABLE esc.notes (
  note_id varchar(20), body text, padded char(6), amount numeric(12,3), ratio double precision,
  big bigint, seen date, at timestamp, last_modified timestamp);
INSERT INTO esc.notes VALUES
  ('N1', E'tab\there\nnew line\r\\back\\slash', 'ab', 12.5, 0.1, 9007199254740993,
   '2024-02-29', '2024-05-01 09:30:00.000001', '2024-05-01 10:00:00'),
  ('N2', '\N', 'x', -0.001, 1e300, -1, '0044-03-15', '1999-12-31 23:59:59', '2024-05-01 10:00:00'),
  ('N3', '', NULL, NULL, -0.0, NULL, NULL, NULL, '2024-05-01 10:00:00'),
  (NULL, 'no key', 'k', 1, 2, 3, '2024-01-01', '2024-01-01', '2024-05-01 10:00:01'),
  ('N4', 'Zoë Ó Súilleabháin – ✓', 'é', 0, 'NaN', 0, '2024-01-01', '2024-01-01 00:00:00',
   '2024-05-01 10:00:02'),
  ('N5', ')sql" + long_text +
                  R"sql(', 'z', 1, 1.5, 1, '2024-01-01', '2024-01-01',
   '2024-05-01 10:00:03');
)sql");
  const std::string tables =
      R"("tables": [{"name": "notes", "key_columns": ["note_id"],)"
      R"( "cursor": {"timestamp_column": "last_modified"}}], "fetch_rows": 2)";
  Read odbc, copy;
  read(odbc, "", config("odbc", "esc", tables));
  read(copy, "", config("auto", "esc", tables));
  ASSERT_TRUE(odbc.outcome.ok()) << odbc.outcome.error().message;
  ASSERT_TRUE(copy.outcome.ok()) << copy.outcome.error().message;
  EXPECT_EQ(copy.tables_by_copy, 1) << "auto reads PostgreSQL through COPY";
  ASSERT_EQ(copy.sink.records.size(), 5u);
  EXPECT_EQ(copy.sink.records[0].fields.at("body").second, "tab\there\nnew line\r\\back\\slash");
  EXPECT_EQ(copy.sink.records[1].fields.at("body").second, "\\N") << "text, not NULL";
  EXPECT_EQ(copy.sink.records[2].fields.at("body"),
            std::make_pair(HEARTH_FIELD_STRING, std::string()));
  EXPECT_EQ(copy.sink.records[2].fields.at("padded").first, HEARTH_FIELD_NULL);
  EXPECT_EQ(copy.sink.records[4].fields.at("body").second, long_text);
  EXPECT_EQ(copy.sink.rejects.size(), 1u);
  expectSameReads(odbc.sink, copy.sink);

  // From a checkpoint in the middle, and after changes, both ways again.
  server_->runSql(R"sql(
UPDATE esc.notes SET body = E'changed\\tback', last_modified = '2024-05-02 08:00:00'
  WHERE note_id = 'N1';
INSERT INTO esc.notes VALUES
  ('N0', 'late', 'l', 1, 1, 1, '2024-01-01', '2024-01-01', '2024-05-02 08:00:00');
)sql");
  for (const std::string& checkpoint :
       {odbc.sink.checkpoints.at(0), odbc.sink.checkpoints.at(1), odbc.sink.lastCheckpoint()}) {
    Read odbc_after, copy_after;
    read(odbc_after, checkpoint, config("odbc", "esc", tables));
    read(copy_after, checkpoint, config("copy", "esc", tables));
    ASSERT_TRUE(copy_after.outcome.ok()) << copy_after.outcome.error().message;
    EXPECT_GE(copy_after.sink.records.size(), 2u) << checkpoint;
    expectSameReads(odbc_after.sink, copy_after.sink);
  }
}

// Kills its backend (as pg_terminate_backend does when the server is restarted or an operator
// ends the session) once `after` records have arrived.
class TerminatingSink : public CollectingSink {
 public:
  TerminatingSink(size_t after, std::function<void()> terminate)
      : after_(after), terminate_(std::move(terminate)) {}
  hearth_status onRecord(const hearth_record& record) override {
    if (records.size() == after_) terminate_();
    return CollectingSink::onRecord(record);
  }

 private:
  size_t after_;
  std::function<void()> terminate_;
};

TEST_F(TrustSsdCopy, ConnectionLostMidCopyIsARetryAndTheReadAfterItLosesNothing) {
  constexpr int kRows = 200000;
  server_->runSql(R"sql(
CREATE SCHEMA cut;
CREATE TABLE cut.episodes (episode_id varchar PRIMARY KEY, person_id varchar, body text,
                           last_modified timestamp NOT NULL);
INSERT INTO cut.episodes
SELECT 'E' || lpad(i::text, 7, '0'), 'P' || (i % 5000), repeat('z', 200),
       timestamp '2024-01-01' + (i || ' seconds')::interval
FROM generate_series(1, )sql" +
                  std::to_string(kRows) + R"sql() AS i;
)sql");
  const std::string settings =
      config("copy", "cut",
             R"("tables": [{"name": "episodes", "key_columns": ["episode_id"],)"
             R"( "cursor": {"timestamp_column": "last_modified"}}], "fetch_rows": 1000)");

  TerminatingSink first(5000, [] {
    server_->runSql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'COPY %';");
  });
  {
    host::HostServices services;
    const std::string password = server_->password();
    services.secret = [password](std::string_view) { return std::optional<std::string>(password); };
    auto connector = host::ConnectorInstance::create(testing::plugin(), settings, services);
    ASSERT_TRUE(connector.ok()) << connector.error().message;
    auto outcome = (*connector)->read("", first);
    ASSERT_FALSE(outcome.ok()) << "the COPY was cut off after " << first.records.size();
    EXPECT_EQ(outcome.error().code, host::kRetryCode) << outcome.error().message;
    // Cut off, or ended by the server's message that it terminates the session: which of the
    // two the client sees depends on whether that message arrived whole.
    const std::string& message = outcome.error().message;
    EXPECT_TRUE(
        message.find("table episodes: the COPY was cut off after row") != std::string::npos ||
        message.find("table episodes: the COPY ended with an error after row") != std::string::npos)
        << message;
  }
  ASSERT_FALSE(first.checkpoints.empty());
  EXPECT_LT(first.records.size(), static_cast<size_t>(kRows));

  // The retry starts from the last checkpoint: every row arrives, those after it exactly once.
  Read second;
  read(second, first.lastCheckpoint(), settings);
  ASSERT_TRUE(second.outcome.ok()) << second.outcome.error().message;
  std::set<std::string> keys = first.keys("episodes");
  const std::set<std::string> again = second.sink.keys("episodes");
  EXPECT_EQ(again.size(), second.sink.records.size());
  keys.insert(again.begin(), again.end());
  EXPECT_EQ(keys.size(), static_cast<size_t>(kRows));
  // Nothing before the checkpoint is read twice: the second read starts right after it.
  const size_t checkpointed = first.checkpoints.size() * 1000;
  EXPECT_EQ(second.sink.records.size(), kRows - checkpointed);
}

}  // namespace
}  // namespace hearth::connectors::trust_ssd
