// Throughput of the whole connector as the daemon runs it: the plugin loaded by the host,
// reading a file of 1,000,000 generated rows of about 300 bytes from the page cache and
// emitting every row as a record into a sink that only counts. This is the connector's share
// of the daemon's per-row budget.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "connectors/csv/tests/csv_bench_support.hpp"
#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::csv {
namespace {

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

void BM_ConnectorReadsAFile(benchmark::State& state) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("hearth_csv_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string text = testing::generateEpisodes(testing::kBenchRows, false);
  std::ofstream(directory / "episodes.csv", std::ios::binary) << text;

  auto plugin = host::loadPlugin(HEARTH_CSV_PLUGIN);
  if (!plugin.ok()) {
    state.SkipWithError(plugin.error().message.c_str());
    return;
  }
  const std::string config = R"({"directory": ")" + directory.string() +
                             R"(", "settle_ms": 0, "streams": [{"name": "episodes",)"
                             R"( "pattern": "episodes.csv", "key": ["CHILD", "DECOM"],)"
                             R"( "timestamp_column": "DECOM"}]})";
  int64_t records = 0;
  for (auto _ : state) {
    auto instance = host::ConnectorInstance::create(*plugin, config, host::HostServices{});
    CountingSink sink;
    auto outcome = (*instance)->read("", sink);
    if (!outcome.ok() || sink.records != testing::kBenchRows) {
      state.SkipWithError("the connector did not read every row");
      break;
    }
    records += sink.records;
    benchmark::DoNotOptimize(sink.fields);
  }
  std::filesystem::remove_all(directory);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_ConnectorReadsAFile)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace hearth::connectors::csv

BENCHMARK_MAIN();
