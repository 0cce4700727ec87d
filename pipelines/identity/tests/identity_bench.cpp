// Links a generated population of a million records, then streams ten thousand more in, and
// prints wall times, peak resident memory and the linkage quality against the known truth.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipelines/identity/identity_index.hpp"
#include "pipelines/identity/linkage_eval.hpp"
#include "pipelines/identity/tests/synthetic_population.hpp"

namespace {

using hearth::pipelines::identity::evaluatePairwise;
using hearth::pipelines::identity::IdentityIndex;
using hearth::pipelines::identity::LinkageConfig;
using hearth::pipelines::identity::PersonRecord;

double peakRssMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in kilobytes on Linux.
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // Optional scale factor for quick runs: identity_bench 0.1 links 100,000 records.
  const double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  constexpr std::size_t kStreamed = 10'000;
  hearth::pipelines::identity::testing::PopulationOptions options;
  options.people = static_cast<std::size_t>(707'000 * scale);
  options.duplicates = static_cast<std::size_t>(303'000 * scale);

  auto start = std::chrono::steady_clock::now();
  auto population = hearth::pipelines::identity::testing::generatePopulation(options);
  std::vector<PersonRecord> streamed(population.records.end() - kStreamed, population.records.end());
  population.records.resize(population.records.size() - kStreamed);
  const std::size_t batch_records = population.records.size();
  std::printf("generated %zu + %zu records in %.2f s\n", batch_records, streamed.size(),
              secondsSince(start));

  LinkageConfig config;
  IdentityIndex index(config);
  start = std::chrono::steady_clock::now();
  index.build(std::move(population.records));
  const double build_seconds = secondsSince(start);
  const auto& stats = index.stats();
  std::printf("full link: %zu records, %zu candidate pairs, %zu oversized blocks skipped\n",
              stats.records, stats.candidate_pairs, stats.oversized_blocks);
  std::printf("  links: %zu deterministic, %zu probabilistic; %zu review pairs; EM %d iterations%s\n",
              stats.deterministic_links, stats.probabilistic_links, stats.review_pairs,
              index.model().em_iterations, index.model().em_converged ? " (converged)" : "");
  std::printf("  wall time %.2f s, peak RSS %.0f MB\n", build_seconds, peakRssMegabytes());

  const std::vector<std::uint32_t> batch_truth(population.truth.begin(),
                                               population.truth.begin() + batch_records);
  const auto batch_metrics = evaluatePairwise(index.personIds(), batch_truth);
  std::printf("  precision %.4f recall %.4f F1 %.4f\n", batch_metrics.precision,
              batch_metrics.recall, batch_metrics.f1);

  start = std::chrono::steady_clock::now();
  const auto added = index.add(std::move(streamed));
  const double add_seconds = secondsSince(start);
  std::printf("incremental add: %zu records, %zu candidate pairs, %zu links, %zu reviews in %.3f s\n",
              added.records, added.candidate_pairs, added.links, added.reviews, add_seconds);

  const auto metrics = evaluatePairwise(index.personIds(), population.truth);
  std::printf("after add: precision %.4f recall %.4f F1 %.4f; peak RSS %.0f MB\n",
              metrics.precision, metrics.recall, metrics.f1, peakRssMegabytes());
  return 0;
}
