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

/// A placement's type and provider as coded in the year ending 31 March `year`.
struct PlacementCodes {
  std::string place;
  std::string provider;
};

/// From 2024/25 supported accommodation (K3) replaces semi-independent living (H5) and
/// independent living (P2); a placement still open then is recoded, with a provider.
PlacementCodes placementCodes(const Placement& placement, int year);

}  // namespace hearth::synth
