#pragma once

#include <nlohmann/json.hpp>

#include "tests/synth/world.hpp"

namespace hearth::synth {

/// The expected value of every catalogue indicator for the last financial year, computed from
/// the generator's truth. It shares no code with pipelines/: each definition is implemented here
/// on its own, directly from DESIGN.md and the choices written down in tests/synth/README.md.
nlohmann::ordered_json computeIndicators(const World& world);

}  // namespace hearth::synth
