#pragma once

#include "tests/synth/rng.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Residents at 100% scale: West Northamptonshire, mid-2022 estimate.
inline constexpr double kResidents = 434349;
inline constexpr double kChildren = 100000;

/// A postcode grid with eastings and northings, local areas and LSOAs for the council, plus a few
/// districts outside it where children are placed.
void buildGeography(World& world, Rng& rng);

/// Households and families (mothers, children, siblings) with names, birth dates, addresses and
/// valid NHS numbers, UPNs and ULNs.
void buildPopulation(World& world, Rng& rng);

/// A postcode outside the council, `miles` away from (easting, northing) in a random direction,
/// chosen among the out-of-area districts.
uint32_t distantPostcode(const World& world, Rng& rng, int32_t easting, int32_t northing,
                         double min_miles, double max_miles);

/// A postcode inside the council near a point (within `max_miles`).
uint32_t nearbyPostcode(const World& world, Rng& rng, int32_t easting, int32_t northing,
                        double max_miles);

double milesBetween(const Postcode& a, const Postcode& b);

}  // namespace hearth::synth
