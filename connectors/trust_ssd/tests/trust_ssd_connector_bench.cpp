// Throughput of the whole connector as the daemon runs it: the plugin loaded by the host reading
// 1,000,000 ssd_cla_episodes rows (the table itself, not the built-in join) (the SSD's 12 columns
// plus a last-modified column) from a real PostgreSQL 15 on this machine, through psqlODBC and
// through libpq's COPY (the connector's two readers), emitting every row as a record into a sink
// that only counts. Server, driver and connector share the machine's cores.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"
#include "tests/common/postgres_harness.hpp"

namespace hearth::connectors::trust_ssd {
namespace {

constexpr int kRows = 1'000'000;

class CountingSink : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    ++records;
    fields += record.field_count;
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject&) override {
    ++rejects;
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view) override { return HEARTH_OK; }

  int64_t records = 0;
  int64_t rejects = 0;
  size_t fields = 0;
};

hearth::testing::PostgresServer& server() {
  static std::unique_ptr<hearth::testing::PostgresServer> started = [] {
    auto pg = hearth::testing::PostgresServer::start();
    pg->runSql(R"sql(
CREATE TABLE ssd_cla_episodes (
  clae_cla_episode_id varchar PRIMARY KEY,
  clae_person_id varchar,
  clae_cla_episode_start_date timestamp,
  clae_cla_episode_start_reason varchar,
  clae_cla_primary_need_code varchar,
  clae_cla_episode_ceased_date timestamp,
  clae_cla_episode_ceased_reason varchar,
  clae_cla_id varchar,
  clae_referral_id varchar,
  clae_cla_placement_id varchar,
  clae_entered_care_date timestamp,
  clae_cla_last_iro_contact_date timestamp,
  last_modified timestamp NOT NULL);
INSERT INTO ssd_cla_episodes
SELECT 'CLAE' || lpad(i::text, 8, '0'), 'P' || (i % 250000), date '2020-04-01' + (i % 1800),
       (ARRAY['S', 'L', 'P', 'B'])[1 + i % 4], 'N' || (1 + i % 8),
       CASE WHEN i % 3 = 0 THEN date '2021-04-01' + (i % 1400) END,
       CASE WHEN i % 3 = 0 THEN 'E' || (11 + i % 7) END, 'CLA' || (i / 3), 'REF' || (i / 2),
       'PL' || i, date '2020-04-01' + (i % 1800), date '2022-04-01' + (i % 900),
       timestamp '2024-01-01' + (i || ' seconds')::interval
FROM generate_series(1, )sql" +
               std::to_string(kRows) + R"sql() AS i;
CREATE INDEX ssd_cla_episodes_cursor ON ssd_cla_episodes (last_modified, clae_cla_episode_id);
VACUUM ANALYZE ssd_cla_episodes;
)sql");
    return pg;
  }();
  return *started;
}

void readAll(benchmark::State& state, const std::string& table_json, const std::string& reader) {
  auto plugin = host::loadPlugin(HEARTH_TRUST_SSD_PLUGIN);
  if (!plugin.ok()) {
    state.SkipWithError(plugin.error().message.c_str());
    return;
  }
  hearth::testing::PostgresServer& pg = server();
  // HEARTH_BENCH_ODBC_OPTIONS replaces the psqlODBC options, to compare driver settings.
  const char* options = std::getenv("HEARTH_BENCH_ODBC_OPTIONS");
  const std::string driver_options =
      options != nullptr ? options : "UseDeclareFetch=1;Fetch=10000;CommLog=0;Debug=0;";
  const std::string config = R"({"connection_string": ")" + pg.odbcConnectionString() +
                             driver_options + R"(", "password_secret": "bench", "reader": ")" +
                             reader + R"(", "tables": )" + table_json + "}";
  host::HostServices services;
  const std::string password = pg.password();
  services.secret = [password](std::string_view) { return std::optional<std::string>(password); };
  int64_t records = 0;
  for (auto _ : state) {
    auto instance = host::ConnectorInstance::create(*plugin, config, services);
    if (!instance.ok()) {
      state.SkipWithError(instance.error().message.c_str());
      break;
    }
    CountingSink sink;
    auto outcome = (*instance)->read("", sink);
    if (!outcome.ok() || sink.records != kRows) {
      state.SkipWithError(outcome.ok() ? "the connector did not read every row"
                                       : outcome.error().message.c_str());
      break;
    }
    records += sink.records;
    benchmark::DoNotOptimize(sink.fields);
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

constexpr const char* kIncremental =
    R"([{"name": "ssd_cla_episodes", "query": "SELECT * FROM ssd_cla_episodes",)"
    R"( "cursor": {"timestamp_column": "last_modified"}}])";
constexpr const char* kFull =
    R"([{"name": "ssd_cla_episodes", "query": "SELECT * FROM ssd_cla_episodes"}])";

// Timestamp mode, ordered by the (last_modified, id) index: a first incremental read.
void BM_IncrementalReadOfClaEpisodesOdbc(benchmark::State& state) {
  readAll(state, kIncremental, "odbc");
}
void BM_IncrementalReadOfClaEpisodesCopy(benchmark::State& state) {
  readAll(state, kIncremental, "copy");
}
// Full-read mode, ordered by the primary key: the default for the SSD tables.
void BM_FullReadOfClaEpisodesOdbc(benchmark::State& state) { readAll(state, kFull, "odbc"); }
void BM_FullReadOfClaEpisodesCopy(benchmark::State& state) { readAll(state, kFull, "copy"); }

BENCHMARK(BM_IncrementalReadOfClaEpisodesOdbc)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();
BENCHMARK(BM_IncrementalReadOfClaEpisodesCopy)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();
BENCHMARK(BM_FullReadOfClaEpisodesOdbc)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();
BENCHMARK(BM_FullReadOfClaEpisodesCopy)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

}  // namespace
}  // namespace hearth::connectors::trust_ssd

BENCHMARK_MAIN();
