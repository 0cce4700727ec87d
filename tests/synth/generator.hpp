#pragma once

#include <filesystem>
#include <vector>

#include "tests/synth/mess.hpp"
#include "tests/synth/output.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Fixes the five-year time frame for a last financial year ending on 31 March of `year_end`.
Timeline makeTimeline(int year_end);

/// Builds the whole council's truth (people, addresses, every service's history) without
/// writing anything.
World simulateCouncil(const Options& options);

/// Generates the council and writes every source, the truth and the manifest under `out`.
/// Returns what was written, for the command line's size report.
std::vector<FileStat> generateCouncil(const Options& options, const MessRates& rates,
                                      const std::filesystem::path& out);

}  // namespace hearth::synth
