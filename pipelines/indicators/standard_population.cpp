#include "pipelines/indicators/standard_population.hpp"

#include <algorithm>

namespace hearth::pipelines::indicators {

int standardBand(int age) { return std::clamp(age / 5, 0, kStandardBands - 1); }

BandCounts residentsByBand(std::span<const double> residents_by_age) {
  BandCounts bands{};
  for (size_t age = 0; age < residents_by_age.size(); ++age) {
    bands[static_cast<size_t>(standardBand(static_cast<int>(age)))] += residents_by_age[age];
  }
  return bands;
}

std::optional<double> directlyStandardisedRate(const BandCounts& events,
                                               const BandCounts& residents, int first_band) {
  constexpr double kPer100000 = 100000.0;
  double weighted = 0;
  double weights = 0;
  for (int b = std::max(first_band, 0); b < kStandardBands; ++b) {
    const auto i = static_cast<size_t>(b);
    weights += kEuropeanStandardPopulation2013[i];
    if (residents[i] > 0) {
      weighted += events[i] / residents[i] * kEuropeanStandardPopulation2013[i];
    } else if (events[i] > 0) {
      return std::nullopt;
    }
  }
  if (weights == 0) return std::nullopt;
  return weighted / weights * kPer100000;
}

}  // namespace hearth::pipelines::indicators
