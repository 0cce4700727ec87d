// Full recomputation of the catalogue over a full-scale synthetic council, then an incremental
// update after 1,000 new records. Usage: indicators_bench [council dir]; the council is
// generated there once (hearth-synth --seed 1 --scale 1.0) and reused.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/tests/synth_council.hpp"

namespace {

using namespace hearth::pipelines::indicators;
using Clock = std::chrono::steady_clock;

constexpr size_t kIncrementalRecords = 1000;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

IndicatorEngine newEngine(const std::filesystem::path& dir, const Period& period,
                          double population) {
  std::ifstream holidays(HEARTH_BANK_HOLIDAYS_CSV);
  std::ifstream postcodes(dir / "reference" / "postcode_lookup.csv");
  EngineConfig config;
  config.periods = {period};
  config.population_0_17 = population;
  config.area_code = "E06000062";
  return IndicatorEngine(config, WorkingDays::fromCsv(holidays, HEARTH_BANK_HOLIDAYS_CSV),
                         PostcodeLookup::fromCsv(postcodes, "postcode_lookup.csv"));
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "hearth-indicators-bench-council";
  testing::generateCouncil(HEARTH_SYNTH_BINARY, "--seed 1 --scale 1.0", dir);
  const Period period = financialYearStarting(2024);
  const testing::SynthCouncil council = testing::loadSsdCouncil(dir, period.end);
  std::printf("council: %zu canonical records from %s\n", council.records.size(), dir.c_str());

  // Hold back every n-th record so the incremental update touches people spread across the
  // council, as a day's extract does.
  const size_t stride = council.records.size() / kIncrementalRecords;
  IndicatorEngine engine = newEngine(dir, period, council.population_0_17);
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < council.records.size(); ++i) {
    if (i % stride == 0 && i / stride < kIncrementalRecords) continue;
    const testing::FedRecord& r = council.records[i];
    engine.add(r.person, r.evidence_id, r.record);
  }
  const double load_ms = millisecondsSince(start);
  start = Clock::now();
  const Evaluation first = engine.evaluate();
  const double first_ms = millisecondsSince(start);

  engine.touchAll();
  start = Clock::now();
  engine.evaluate();
  const double recompute_ms = millisecondsSince(start);

  start = Clock::now();
  for (size_t n = 0; n < kIncrementalRecords; ++n) {
    const testing::FedRecord& r = council.records[n * stride];
    engine.add(r.person, r.evidence_id, r.record);
  }
  const Evaluation update = engine.evaluate();
  const double incremental_ms = millisecondsSince(start);

  std::printf("people: %zu, records kept: %zu\n", engine.personCount(), engine.recordCount());
  std::printf("full computation (add %zu records + first evaluate): %.0f ms (%.0f + %.0f)\n",
              council.records.size() - kIncrementalRecords, load_ms + first_ms, load_ms, first_ms);
  std::printf("full recomputation (every person, all ten indicators): %.0f ms  [target < 5000]\n",
              recompute_ms);
  std::printf(
      "incremental update after %zu new records: %.1f ms, %zu people, %zu values, "
      "%zu facts  [target < 100]\n",
      kIncrementalRecords, incremental_ms, update.persons_recomputed, update.values.size(),
      update.facts.size());
  std::printf("\n%s", renderTable(engine.values(true)).c_str());
  return first.values.empty() ? 1 : 0;
}
