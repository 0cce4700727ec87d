#pragma once

#include <string>
#include <vector>

#include "tests/synth/world.hpp"

namespace hearth::synth {

/// One SSDA903 episode: a stretch of care with one placement and one legal status.
struct EpisodeRow {
  Day decom = 0;
  Day dec = kNoDay;
  std::string rne;
  std::string ls;
  const Placement* placement = nullptr;
  std::string rec;
  std::string reason_place_change;
};

/// Cuts a period of care into 903 episodes, a new one whenever the placement or the legal
/// status changes. Episodes are an export format, not part of the truth.
std::vector<EpisodeRow> episodesOf(const ClaPeriod& period);

}  // namespace hearth::synth
