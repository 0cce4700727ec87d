// The trust_ssd connector against a real PostgreSQL 15 through psqlODBC, as the daemon runs it:
// the real plugin library, loaded by the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "connectors/trust_ssd/tests/trust_ssd_test_support.hpp"
#include "tests/common/postgres_harness.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

using testing::CollectingSink;
using testing::readAfter;

// The 16 tables the connector reads by default.
const std::set<std::string> kSsdTables = {"ssd_person",
                                          "ssd_linked_identifiers",
                                          "ssd_address",
                                          "ssd_family",
                                          "ssd_mother",
                                          "ssd_contacts",
                                          "ssd_early_help_episodes",
                                          "ssd_cin_episodes",
                                          "ssd_cin_assessments",
                                          "ssd_s47_enquiry",
                                          "ssd_initial_cp_conference",
                                          "ssd_cp_plans",
                                          "ssd_cla_episodes",
                                          "ssd_cla_placement",
                                          "ssd_care_leavers",
                                          "ssd_missing"};

class TrustSsdPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = hearth::testing::PostgresServer::start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // A config reading the given tables from `schema`, the password coming from the host.
  static std::string config(const std::string& schema, const std::string& tables_json,
                            const std::string& extra = "") {
    std::string json = R"({"connection_string": ")" + server_->odbcConnectionString() +
                       R"(UseDeclareFetch=1;Fetch=1000;", "password_secret": "test:password")";
    if (!schema.empty()) json += R"(, "schema": ")" + schema + "\"";
    if (!tables_json.empty()) json += R"(, "tables": )" + tables_json;
    if (!extra.empty()) json += ", " + extra;
    return json + "}";
  }
  static CollectingSink read(const std::string& checkpoint, const std::string& config_json) {
    return readAfter(checkpoint, config_json, server_->password());
  }

  static inline hearth::testing::PostgresServer* server_ = nullptr;
};

// A CLA episodes table the test controls, with the last-modified column trusts add to the SSD.
constexpr const char* kEpisodesTable = R"sql(
CREATE SCHEMA {s};
CREATE TABLE {s}.ssd_cla_episodes (
  clae_cla_episode_id varchar(48),
  clae_person_id varchar(48),
  clae_cla_episode_start_date timestamp,
  clae_cla_primary_need_code varchar(3),
  clae_cla_episode_ceased_date timestamp,
  clae_referral_count integer,
  clae_note text,
  last_modified timestamp);
)sql";

std::string inSchema(std::string sql, const std::string& schema) {
  for (size_t at; (at = sql.find("{s}")) != std::string::npos;) sql.replace(at, 3, schema);
  return sql;
}

// The table itself, not the built-in joined stream: these schemas hold no placements.
const char* kEpisodesConfig =
    R"([{"name": "ssd_cla_episodes", "query": "SELECT * FROM {schema}ssd_cla_episodes",)"
    R"( "cursor": {"timestamp_column": "last_modified"}}])";

TEST_F(TrustSsdPostgres, ReadsEverySsdTableOfTheSyntheticCouncilWithExactCounts) {
  const auto out = std::filesystem::path(::testing::TempDir()) /
                   ("trust_ssd_synth_" + std::to_string(::getpid()));
  const std::string command =
      std::string(HEARTH_SYNTH) + " --seed 1 --scale 0.01 --quiet --out " + out.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  server_->runSql("CREATE SCHEMA synth; SET search_path TO synth;");
  // The script creates its tables in the search path, which psql takes from the role.
  server_->runSql("ALTER ROLE " + server_->role() + " SET search_path TO synth;");
  server_->runSqlFile(out / "ssd" / "ssd_postgres.sql");
  server_->runSql("ALTER ROLE " + server_->role() + " RESET search_path;");
  std::filesystem::remove_all(out);

  const std::string settings = config("synth", "", R"("fetch_rows": 500)");
  CollectingSink sink = read("", settings);

  EXPECT_TRUE(sink.rejects.empty()) << sink.rejects.front().message;
  const auto counts = sink.countsByStream();
  for (const std::string& table : kSsdTables) {
    const size_t expected = std::stoul(server_->queryValue("SELECT count(*) FROM synth." + table));
    EXPECT_GT(expected, 0u) << table;
    EXPECT_EQ(counts.count(table) ? counts.at(table) : 0, expected) << table;
    EXPECT_EQ(sink.keys(table).size(), expected) << table << ": source keys are unique";
  }
  EXPECT_EQ(counts.size(), kSsdTables.size());

  // Typed fields, named as the columns.
  const auto& first = *std::find_if(sink.records.begin(), sink.records.end(),
                                    [](const auto& r) { return r.stream == "ssd_cla_episodes"; });
  EXPECT_EQ(first.location, "ssd_cla_episodes:" + first.key);
  const auto& start = first.fields.at("clae_cla_episode_start_date");
  EXPECT_EQ(start.first, HEARTH_FIELD_TIMESTAMP);
  EXPECT_EQ(start.second.substr(10, 1), "T");
  EXPECT_EQ(first.fields.at("clae_cla_episode_id"), std::make_pair(HEARTH_FIELD_STRING, first.key));

  // The episodes stream is the built-in join: one row per episode (counted above), carrying the
  // placement, the legal status and the home postcode; every synthetic episode has all three.
  for (const auto& record : sink.records) {
    if (record.stream != "ssd_cla_episodes") continue;
    for (const char* column : {"clap_cla_placement_type", "clap_cla_placement_provider",
                               "lega_legal_status", "clae_home_postcode"}) {
      EXPECT_EQ(record.fields.at(column).first, HEARTH_FIELD_STRING) << record.key << " " << column;
    }
  }

  // Tables without a timestamp column are read in full once a day: not again straight away.
  CollectingSink again = read(sink.lastCheckpoint(), settings);
  EXPECT_TRUE(again.records.empty());
  // With a zero interval they are read in full every time.
  CollectingSink full =
      read(sink.lastCheckpoint(), config("synth", "", R"("full_read_interval_s": 0)"));
  EXPECT_EQ(full.records.size(), sink.records.size());
}

TEST_F(TrustSsdPostgres, SecondReadGetsExactlyTheRowsInsertedAndUpdatedSinceTheFirst) {
  server_->runSql(inSchema(kEpisodesTable, "inc") + R"sql(
INSERT INTO inc.ssd_cla_episodes VALUES
  ('E1', 'P1', '2024-01-01', 'N1', NULL, 1, 'a', '2024-05-01 09:00:00'),
  ('E2', 'P2', '2024-01-02', 'N2', NULL, 1, 'b', '2024-05-01 09:00:00'),
  ('E3', 'P3', '2024-01-03', 'N3', NULL, 1, 'c', '2024-05-01 09:00:00'),
  ('E4', 'P4', '2024-01-04', 'N4', NULL, 2, 'd', '2024-05-01 10:00:00'),
  ('E5', 'P5', '2024-01-05', 'N5', NULL, 2, 'e', '2024-05-01 11:00:00');
)sql");
  // Blocks of two split rows that share a timestamp, so the id breaks the tie.
  const std::string settings = config("inc", kEpisodesConfig, R"("fetch_rows": 2)");

  CollectingSink first = read("", settings);
  EXPECT_EQ(first.keys("ssd_cla_episodes"), (std::set<std::string>{"E1", "E2", "E3", "E4", "E5"}));
  EXPECT_EQ(first.checkpoints.size(), 3u) << "one checkpoint per block";
  // The stored 09:00 is London wall-clock time (the default time_zone): 08:00 UTC in May.
  EXPECT_EQ(first.records.front().time_ms, 1714550400000) << "2024-05-01T08:00:00Z";
  EXPECT_EQ(first.records.front().fields.at("clae_referral_count").first, HEARTH_FIELD_INT);

  server_->runSql(R"sql(
INSERT INTO inc.ssd_cla_episodes VALUES
  ('E6', 'P6', '2024-02-01', 'N1', NULL, 1, 'f', '2024-05-02 08:00:00'),
  ('E0', 'P0', '2024-02-02', 'N1', NULL, 1, 'g', '2024-05-02 08:00:00');
UPDATE inc.ssd_cla_episodes
  SET clae_cla_episode_ceased_date = '2024-05-02', last_modified = '2024-05-02 09:00:00'
  WHERE clae_cla_episode_id = 'E2';
)sql");
  CollectingSink second = read(first.lastCheckpoint(), settings);
  EXPECT_EQ(second.keys("ssd_cla_episodes"), (std::set<std::string>{"E0", "E2", "E6"}));
  EXPECT_EQ(second.records.size(), 3u);
  for (const auto& record : second.records) {
    if (record.key == "E2") {
      EXPECT_EQ(record.fields.at("clae_cla_episode_ceased_date").second, "2024-05-02T00:00:00");
    }
  }

  // A restart from the last checkpoint finds nothing new.
  CollectingSink third = read(second.lastCheckpoint(), settings);
  EXPECT_TRUE(third.records.empty());
  EXPECT_TRUE(third.rejects.empty());
}

TEST_F(TrustSsdPostgres, LagSecondsRereadsTheWindowBeforeTheCursor) {
  server_->runSql(inSchema(kEpisodesTable, "lag") + R"sql(
INSERT INTO lag.ssd_cla_episodes VALUES
  ('E1', 'P1', '2024-01-01', 'N1', NULL, 1, 'a', '2024-05-01 08:00:00'),
  ('E2', 'P2', '2024-01-02', 'N2', NULL, 1, 'b', '2024-05-01 09:59:30'),
  ('E3', 'P3', '2024-01-03', 'N3', NULL, 1, 'c', '2024-05-01 10:00:00');
)sql");
  const std::string settings = config("lag", kEpisodesConfig, R"("lag_seconds": 60)");
  CollectingSink first = read("", settings);
  ASSERT_EQ(first.records.size(), 3u);
  CollectingSink second = read(first.lastCheckpoint(), settings);
  EXPECT_EQ(second.keys("ssd_cla_episodes"), (std::set<std::string>{"E2", "E3"}));
}

TEST_F(TrustSsdPostgres, RowWithANullKeyIsRejectedAndTheRestCarryOn) {
  server_->runSql(inSchema(kEpisodesTable, "nullkey") + R"sql(
INSERT INTO nullkey.ssd_cla_episodes VALUES
  ('E1', 'P1', '2024-01-01', 'N1', NULL, 1, 'a', '2024-05-01 09:00:00'),
  (NULL, 'P2', '2024-01-02', 'N2', NULL, 1, 'b', '2024-05-01 09:30:00'),
  ('E3', 'P3', '2024-01-03', 'N3', NULL, 1, 'c', '2024-05-01 10:00:00');
)sql");
  const std::string settings = config("nullkey", kEpisodesConfig);
  CollectingSink sink = read("", settings);
  EXPECT_EQ(sink.keys("ssd_cla_episodes"), (std::set<std::string>{"E1", "E3"}));
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].stream, "ssd_cla_episodes");
  EXPECT_EQ(sink.rejects[0].reason, "ssd.missing_key");
  EXPECT_EQ(sink.rejects[0].location, "ssd_cla_episodes:NULL");
  EXPECT_NE(sink.rejects[0].message.find("clae_cla_episode_id"), std::string::npos);
  EXPECT_NE(sink.rejects[0].raw.find("\"clae_person_id\":\"P2\""), std::string::npos);

  CollectingSink again = read(sink.lastCheckpoint(), settings);
  EXPECT_TRUE(again.records.empty());
  EXPECT_TRUE(again.rejects.empty()) << "the rejected row is behind the cursor";
}

TEST_F(TrustSsdPostgres, LongAndNonAsciiValuesArriveWhole) {
  const std::string long_note(20000, 'x');
  server_->runSql(inSchema(kEpisodesTable, "wide") +
                  "INSERT INTO wide.ssd_cla_episodes VALUES ('E1', 'Zoë Ó Súilleabháin', "
                  "'2024-01-01', 'N1', NULL, 1, '" +
                  long_note +
                  "', '2024-05-01 09:00:00'), ('E2', 'P2', '2024-01-01', 'N1', "
                  "NULL, 1, 'short', '2024-05-01 09:00:01');");
  CollectingSink sink = read("", config("wide", kEpisodesConfig, R"("max_bound_bytes": 256)"));
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].fields.at("clae_note").second, long_note);
  EXPECT_EQ(sink.records[0].fields.at("clae_person_id").second, "Zoë Ó Súilleabháin");
  EXPECT_EQ(sink.records[1].fields.at("clae_note").second, "short");
}

// PostgreSQL dates and timestamps are selected as text for speed; the record's text and the
// cursor must be exactly what native binding gives: 'T', fraction without trailing zeros.
TEST_F(TrustSsdPostgres, DatesAndTimestampsKeepTheirTextFormsAndCursor) {
  server_->runSql(R"sql(
CREATE SCHEMA times;
CREATE TABLE times.visits (
  visit_id integer PRIMARY KEY, visit_date date, seen_at timestamp, last_modified timestamp);
INSERT INTO times.visits VALUES
  (1, '2024-05-01', '2024-05-01 09:30:00', '2024-05-01 10:00:00.5'),
  (2, '1999-12-31', '2024-05-01 09:30:00.123456', '2024-05-01 10:00:00.5'),
  (3, NULL, NULL, '2024-05-01 10:00:00.750001');
)sql");
  const std::string settings = config("times",
                                      R"([{"name": "visits", "key_columns": ["visit_id"],)"
                                      R"( "cursor": {"timestamp_column": "last_modified"}}])",
                                      R"("fetch_rows": 1)");
  CollectingSink first = read("", settings);
  ASSERT_EQ(first.records.size(), 3u);
  const auto& one = first.records[0].fields;
  EXPECT_EQ(one.at("visit_date"), std::make_pair(HEARTH_FIELD_DATE, std::string("2024-05-01")));
  EXPECT_EQ(one.at("seen_at"),
            std::make_pair(HEARTH_FIELD_TIMESTAMP, std::string("2024-05-01T09:30:00")));
  EXPECT_EQ(one.at("last_modified").second, "2024-05-01T10:00:00.5");
  EXPECT_EQ(first.records[1].fields.at("seen_at").second, "2024-05-01T09:30:00.123456");
  EXPECT_EQ(first.records[2].fields.at("visit_date").first, HEARTH_FIELD_NULL);
  EXPECT_EQ(first.records[2].fields.at("last_modified").second, "2024-05-01T10:00:00.750001");

  // Resuming after the first block (a fractional timestamp shared by two rows) reads the rest.
  CollectingSink after_one = read(first.checkpoints.at(0), settings);
  EXPECT_EQ(after_one.keys("visits"), (std::set<std::string>{"2", "3"}));
  server_->runSql(
      "UPDATE times.visits SET last_modified = '2024-05-01 10:00:01' WHERE visit_id = 1;");
  CollectingSink second = read(first.lastCheckpoint(), settings);
  EXPECT_EQ(second.keys("visits"), (std::set<std::string>{"1"}));
}

TEST_F(TrustSsdPostgres, CheckConnectsAndDiscoverListsColumnsWithTypes) {
  server_->runSql(inSchema(kEpisodesTable, "disc"));
  auto connector = testing::instance(config("disc", kEpisodesConfig), server_->password());
  auto checked = connector->check();
  EXPECT_TRUE(checked.ok()) << checked.error().message;
  auto catalogue = connector->discover();
  ASSERT_TRUE(catalogue.ok()) << catalogue.error().message;
  const auto json = nlohmann::json::parse(*catalogue);
  const auto& stream = json.at("streams").at(0);
  EXPECT_EQ(stream.at("name"), "ssd_cla_episodes");
  EXPECT_EQ(stream.at("key"), nlohmann::json::array({"clae_cla_episode_id"}));
  EXPECT_EQ(stream.at("fields").size(), 8u);
  EXPECT_EQ(stream.at("fields").at(2),
            (nlohmann::json{{"name", "clae_cla_episode_start_date"}, {"type", "timestamp"}}));
  EXPECT_EQ(stream.at("fields").at(5),
            (nlohmann::json{{"name", "clae_referral_count"}, {"type", "int"}}));
}

TEST_F(TrustSsdPostgres, UnreachableServerIsARetryWithTheDriverMessage) {
  const std::string settings =
      R"({"connection_string": "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=1;)"
      R"(Database=ssd;Uid=hearth;", "password_secret": "test:password", "login_timeout_s": 5})";
  auto connector = testing::instance(settings, "secret-value");
  auto checked = connector->check();
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, host::kRetryCode);
  EXPECT_NE(checked.error().message.find("cannot connect"), std::string::npos)
      << checked.error().message;
  EXPECT_EQ(checked.error().message.find("secret-value"), std::string::npos);

  CollectingSink sink;
  auto outcome = connector->read("", sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, host::kRetryCode);
}

TEST_F(TrustSsdPostgres, WrongPasswordIsARetryThatNamesTheServersAnswer) {
  auto connector = testing::instance(config("", kEpisodesConfig), "not-the-password");
  auto checked = connector->check();
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, host::kRetryCode);
  EXPECT_NE(checked.error().message.find("password authentication failed"), std::string::npos)
      << checked.error().message;
}

}  // namespace
}  // namespace hearth::connectors::trust_ssd
