// Throughput and peak memory of the cin_census connector as the daemon runs it: the plugin
// loaded by the host, reading a generated census of 10,000 or 100,000 children from the page
// cache into a sink that only counts. The peak resident set is reset before each read
// (/proc/self/clear_refs) and read after it (VmHWM), so the two sizes show whether memory grows
// with the file: it should not, as only one child is held at a time.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::cin_census {
namespace {

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

// Writes the census straight to the file, child by child, so that generating it does not
// raise the peak that is measured.
void writeCensus(const std::filesystem::path& path, int64_t children) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message><Header><CollectionDetails>"
         "<Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>"
         "</CollectionDetails><Source><LEA>201</LEA></Source></Header>\n<Children>\n";
  for (int64_t i = 0; i < children; ++i) {
    const std::string day = std::to_string(10 + i % 18);
    out << "<Child>\n<ChildIdentifiers><LAchildID>BENCH" << i << "</LAchildID><UPN>A"
        << (100000000000 + i) << "</UPN><PersonBirthDate>2015-03-" << day
        << "</PersonBirthDate><GenderCurrent>" << 1 + i % 2
        << "</GenderCurrent></ChildIdentifiers>\n<ChildCharacteristics><Ethnicity>WBRI"
           "</Ethnicity><Disabilities><Disability>HAND</Disability><Disability>HEAR</Disability>"
           "</Disabilities></ChildCharacteristics>\n<CINdetails><CINreferralDate>2024-04-"
        << day
        << "</CINreferralDate><ReferralSource>1A</ReferralSource><PrimaryNeedCode>N4"
           "</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>\n<Assessments>"
           "<AssessmentActualStartDate>2024-04-"
        << day
        << "</AssessmentActualStartDate><AssessmentAuthorisationDate>2024-05-01"
           "</AssessmentAuthorisationDate><FactorsIdentifiedAtAssessment><AssessmentFactors>1C"
           "</AssessmentFactors><AssessmentFactors>2A</AssessmentFactors>"
           "</FactorsIdentifiedAtAssessment></Assessments>\n<CINPlanDates><CINPlanStartDate>"
           "2024-05-02</CINPlanStartDate></CINPlanDates>\n<Section47><S47ActualStartDate>"
           "2024-04-20</S47ActualStartDate><ICPCnotRequired>false</ICPCnotRequired></Section47>\n"
           "<ChildProtectionPlans><CPPstartDate>2024-05-10</CPPstartDate>"
           "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><Reviews><CPPreviewDate>"
           "2024-08-01</CPPreviewDate></Reviews></ChildProtectionPlans>\n</CINdetails>\n</Child>\n";
  }
  out << "</Children>\n</Message>\n";
}

// Peak resident set since the last reset, in KiB.
int64_t peakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6));
  }
  return -1;
}

void resetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

void BM_CensusThroughThePlugin(benchmark::State& state) {
  const int64_t children = state.range(0);
  const auto directory =
      std::filesystem::temp_directory_path() / ("hearth_cin_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  writeCensus(directory / "census.xml", children);
  auto plugin = host::loadPlugin(HEARTH_CIN_PLUGIN);
  if (!plugin.ok()) {
    state.SkipWithError(plugin.error().message.c_str());
    return;
  }
  const std::string config = R"({"directory": ")" + directory.string() + R"("})";
  int64_t read = 0;
  int64_t peak_kib = 0;
  int64_t before_kib = 0;
  for (auto _ : state) {
    auto instance = host::ConnectorInstance::create(*plugin, config, host::HostServices{});
    CountingSink sink;
    resetPeakRss();
    before_kib = peakRssKib();
    auto outcome = (*instance)->read("", sink);
    peak_kib = std::max(peak_kib, peakRssKib());
    if (!outcome.ok() || sink.records != children * 6) {
      state.SkipWithError("the connector did not read every child");
      break;
    }
    read += children;
    benchmark::DoNotOptimize(sink.fields);
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations()) *
      static_cast<int64_t>(std::filesystem::file_size(directory / "census.xml")));
  std::filesystem::remove_all(directory);
  state.counters["children/s"] =
      benchmark::Counter(static_cast<double>(read), benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_kib) / 1024.0;
  state.counters["rss_before_MiB"] = static_cast<double>(before_kib) / 1024.0;
}

BENCHMARK(BM_CensusThroughThePlugin)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

}  // namespace
}  // namespace hearth::connectors::cin_census

BENCHMARK_MAIN();
