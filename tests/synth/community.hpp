#pragma once

#include "tests/synth/rng.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Households owed a prevention or relief duty in the last year, at 100% scale (council plan).
inline constexpr double kHomelessDutyCases = 2102;

/// Hospital admissions for the last two financial years (the span of the health bulk export):
/// emergency admissions by age, falls among the over-65s, some elective care.
void simulateHealth(World& world, Rng& rng);

/// Homelessness applications under the H-CLIC sections, temporary accommodation and rough
/// sleeping, over the five years.
void simulateHousing(World& world, Rng& rng);

/// Adult social care requests, assessments, services and reviews, and the annual survey.
void simulateAdultCare(World& world, Rng& rng);

}  // namespace hearth::synth
