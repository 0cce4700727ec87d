// 903 episodes through parse, code lists, single-record rules and normalisation, one core.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {
namespace {

void BM_Ssda903Episodes(benchmark::State& state) {
  const Normaliser normaliser(NormaliseContext{
      .layout = "ssda903",
      .connector = "ssda903",
      .source_system = "trust_cms",
      .today = canonical::Date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}},
      .default_collection_year = 0});
  // A realistic spread: open and closed episodes, short breaks, temporary placements.
  const std::vector<std::vector<FieldView>> rows = {
      {{"CHILD", "566910"},
       {"DECOM", "15/02/2024"},
       {"RNE", "L"},
       {"LS", "C2"},
       {"CIN", "N3"},
       {"PLACE", "U3"},
       {"PLACE_PROVIDER", "PR1"},
       {"DEC", "14/08/2024"},
       {"REC", "X1"},
       {"REASON_PLACE_CHANGE", "CLOSE"},
       {"HOME_POST", "EG19 7TT"},
       {"PL_POST", "WV27 9FW"},
       {"URN", "SC424447"},
       {"collection_year", "2024"}},
      {{"CHILD", "566910"},
       {"DECOM", "14/08/2024"},
       {"RNE", "T"},
       {"LS", "C2"},
       {"CIN", "N3"},
       {"PLACE", "K2"},
       {"PLACE_PROVIDER", "PR4"},
       {"DEC", ""},
       {"REC", ""},
       {"REASON_PLACE_CHANGE", ""},
       {"HOME_POST", "EG19 7TT"},
       {"PL_POST", "B33 8TH"},
       {"URN", "SC896962"},
       {"collection_year", "2024"}},
      {{"CHILD", "384923"},
       {"DECOM", "26/04/2024"},
       {"RNE", "S"},
       {"LS", "V3"},
       {"CIN", "N1"},
       {"PLACE", "U1"},
       {"PLACE_PROVIDER", "PR2"},
       {"DEC", "29/04/2024"},
       {"REC", "E8"},
       {"REASON_PLACE_CHANGE", ""},
       {"HOME_POST", ""},
       {"PL_POST", ""},
       {"URN", "XXXXXXX"},
       {"collection_year", "2024"}},
      {{"CHILD", "709901"},
       {"DECOM", "01/06/2024"},
       {"RNE", "P"},
       {"LS", "J2"},
       {"CIN", "N8"},
       {"PLACE", "T4"},
       {"PLACE_PROVIDER", ""},
       {"DEC", "05/06/2024"},
       {"REC", "X1"},
       {"REASON_PLACE_CHANGE", "OTHER"},
       {"HOME_POST", "M1 1AE"},
       {"PL_POST", "SW1A 1AA"},
       {"URN", ""},
       {"collection_year", "2024"}},
  };
  NormaliseOutput out;
  out.records.reserve(64);
  size_t i = 0;
  for (auto _ : state) {
    const auto& fields = rows[i++ & 3];
    normaliser.normalise(RawRecordView{.stream = "episodes",
                                       .source_key = "episodes.csv:2",
                                       .location = "episodes.csv:2",
                                       .fields = fields},
                         out);
    if (out.records.size() >= 64) out.clear();
    benchmark::DoNotOptimize(out.records.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ssda903Episodes);

}  // namespace
}  // namespace hearth::pipelines::normalise

BENCHMARK_MAIN();
