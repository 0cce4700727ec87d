#pragma once

#include <cstdint>

#include "pipelines/identity/linkage_eval.hpp"

namespace hearth::pipelines::identity::testing {

/// A council-sized population with known duplicates, for benchmarks and tests.
struct PopulationOptions {
  std::size_t people = 700'000;      ///< Distinct people.
  std::size_t duplicates = 300'000;  ///< Extra records of people already generated.
  std::uint64_t seed = 2024;
};

/// Records (shuffled, so duplicates arrive before or after their originals) and the true person of
/// each. Names follow skewed frequency lists (a few thousand family names, about a thousand given
/// names); duplicates come from another source system and carry typos, nicknames, swapped
/// day/month, moved postcodes and missing NHS numbers at rates seen in council data.
LabelledRecords generatePopulation(const PopulationOptions& options);

}  // namespace hearth::pipelines::identity::testing
