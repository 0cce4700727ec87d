#pragma once

#include <array>
#include <optional>
#include <span>

namespace hearth::pipelines::indicators {

/// The European Standard Population 2013 in five-year bands 0-4, 5-9, ..., 85-89, 90+ (Eurostat,
/// 2013 revision): the weights of directly age-standardised rates. They sum to 100,000.
inline constexpr std::array<double, 19> kEuropeanStandardPopulation2013 = {
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000};

inline constexpr int kStandardBands = static_cast<int>(kEuropeanStandardPopulation2013.size());
using BandCounts = std::array<double, kStandardBands>;

/// The band of someone `age` years old (0 for 0-4, ..., 18 for 90 and over).
int standardBand(int age);

/// Residents by single year of age (the last entry holding all older) summed into bands.
BandCounts residentsByBand(std::span<const double> residents_by_age);

/// The directly age-standardised rate per 100,000 over the bands from `first_band` up: each
/// band's rate (events / residents) weighted by its standard population, over the weights'
/// sum. None when a band has events but no residents (the rate cannot be formed).
std::optional<double> directlyStandardisedRate(const BandCounts& events,
                                               const BandCounts& residents, int first_band);

}  // namespace hearth::pipelines::indicators
