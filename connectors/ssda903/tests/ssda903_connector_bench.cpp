// Throughput of the ssda903 connector as the daemon runs it: the plugin loaded by the host,
// reading an episodes file of 1,000,000 generated rows from the page cache into a sink that
// only counts.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::ssda903 {
namespace {

constexpr int64_t kRows = 1'000'000;

class CountingSink : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    ++records;
    fields += record.field_count;
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject&) override { return HEARTH_OK; }
  hearth_status onCheckpoint(std::string_view) override { return HEARTH_OK; }
  int64_t records = 0;
  size_t fields = 0;
};

std::string episodes(int64_t rows) {
  std::string text =
      "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,"
      "URN\n";
  for (int64_t i = 0; i < rows; ++i) {
    const std::string day = std::to_string(10 + i % 18);
    text += std::to_string(100000 + i / 3) + "," + day + "/0" + std::to_string(1 + i % 9) +
            "/2023,S,C2,N1,U1,PR1," + day + "/10/2023,E11,CARPL,AB1 2CD,EF3 4GH,SC" +
            std::to_string(100000 + i % 900000) + "\n";
  }
  return text;
}

void BM_EpisodesThroughThePlugin(benchmark::State& state) {
  const auto directory = std::filesystem::temp_directory_path() /
                         ("hearth_ssda903_bench_" + std::to_string(::getpid())) / "2024_25";
  std::filesystem::create_directories(directory);
  const std::string text = episodes(kRows);
  std::ofstream(directory / "episodes.csv", std::ios::binary) << text;
  auto plugin = host::loadPlugin(HEARTH_SSDA903_PLUGIN);
  if (!plugin.ok()) {
    state.SkipWithError(plugin.error().message.c_str());
    return;
  }
  const std::string config = R"({"directory": ")" + directory.string() + R"(", "settle_ms": 0})";
  int64_t records = 0;
  for (auto _ : state) {
    auto instance = host::ConnectorInstance::create(*plugin, config, host::HostServices{});
    CountingSink sink;
    auto outcome = (*instance)->read("", sink);
    if (!outcome.ok() || sink.records != kRows) {
      state.SkipWithError("the connector did not read every row");
      break;
    }
    records += sink.records;
    benchmark::DoNotOptimize(sink.fields);
  }
  std::filesystem::remove_all(directory.parent_path());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_EpisodesThroughThePlugin)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace hearth::connectors::ssda903

BENCHMARK_MAIN();
