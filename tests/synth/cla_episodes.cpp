#include "tests/synth/cla_episodes.hpp"

#include <algorithm>

namespace hearth::synth {

std::vector<EpisodeRow> episodesOf(const ClaPeriod& p) {
  std::vector<Day> cuts;
  for (const Placement& pl : p.placements) cuts.push_back(pl.start);
  for (const LegalStatus& ls : p.legal) cuts.push_back(ls.start);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  cuts.erase(std::remove_if(cuts.begin(), cuts.end(),
                            [&](Day d) { return d < p.start || (p.end != kNoDay && d >= p.end); }),
             cuts.end());
  auto placementOn = [&](Day d) {
    const Placement* found = &p.placements.front();
    for (const Placement& pl : p.placements)
      if (pl.start <= d) found = &pl;
    return found;
  };
  auto legalOn = [&](Day d) {
    const LegalStatus* found = &p.legal.front();
    for (const LegalStatus& ls : p.legal)
      if (ls.start <= d) found = &ls;
    return found;
  };
  std::vector<EpisodeRow> rows;
  for (size_t i = 0; i < cuts.size(); ++i) {
    EpisodeRow row;
    row.decom = cuts[i];
    row.placement = placementOn(cuts[i]);
    row.ls = legalOn(cuts[i])->code;
    const bool last = i + 1 == cuts.size();
    row.dec = last ? p.end : cuts[i + 1];
    if (i == 0) {
      row.rne = "S";
    } else {
      const bool moved = row.placement != rows.back().placement;
      const bool legal_changed = row.ls != rows.back().ls;
      row.rne = moved && legal_changed ? "B" : moved ? "P" : "L";
      if (moved) rows.back().reason_place_change = rows.back().placement->change_reason;
    }
    row.rec = last ? p.reason_ceased : "X1";
    rows.push_back(std::move(row));
  }
  return rows;
}

PlacementCodes placementCodes(const Placement& placement, int year) {
  if (year < 2025 || (placement.place != "H5" && placement.place != "P2")) {
    return {placement.place, placement.provider};
  }
  // Independent living had no provider (PR0, as for placement with parents); supported
  // accommodation always has one.
  return {"K3", placement.place == "P2" ? "PR4" : placement.provider};
}

}  // namespace hearth::synth
