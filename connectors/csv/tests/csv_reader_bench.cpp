// Throughput of the CSV reader over 1,000,000 generated rows of about 300 bytes, read the way
// the connector reads a file: row by row, every field touched.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/csv/csv_reader.hpp"
#include "connectors/csv/tests/csv_bench_support.hpp"

namespace hearth::connectors::csv {
namespace {

using testing::generateEpisodes;
using testing::kBenchRows;

void readAll(benchmark::State& state, bool quoted) {
  const std::string text = generateEpisodes(kBenchRows, quoted);
  int64_t rows = 0;
  for (auto _ : state) {
    CsvReader reader{CsvOptions{}};
    size_t field_bytes = 0;
    while (reader.next(std::string_view(text).substr(reader.scanOffset()), true) ==
           ReadStatus::kRow) {
      for (const Field& field : reader.row().fields) field_bytes += field.value.size();
      ++rows;
    }
    benchmark::DoNotOptimize(field_bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["bytes/row"] = static_cast<double>(text.size()) / (kBenchRows + 1);
}

void BM_ReadUnquotedRows(benchmark::State& state) { readAll(state, false); }
void BM_ReadRowsWithQuotedFields(benchmark::State& state) { readAll(state, true); }

BENCHMARK(BM_ReadUnquotedRows)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ReadRowsWithQuotedFields)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace hearth::connectors::csv

BENCHMARK_MAIN();
