#pragma once

#include <filesystem>
#include <vector>

#include "tests/synth/output.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// truth/adults.csv: every person aged 18 or over on the period end whom housing, adult social
/// care or health recorded, with the services that did and the adult view's flags on that day.
/// Each must resolve to exactly one person once those sources are linked.
void writeAdults(const World& world, const std::filesystem::path& root,
                 std::vector<FileStat>& stats);

}  // namespace hearth::synth
