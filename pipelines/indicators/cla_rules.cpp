#include <algorithm>

#include "pipelines/indicators/cla_status.hpp"
#include "pipelines/indicators/csc_indicators.hpp"

namespace hearth::pipelines::indicators {

std::optional<LookedAfterOn> lookedAfterOn(const PersonView& person, Date day) {
  for (const CarePeriod& period : person.care_periods) {
    if (!openOn(period.start, period.end, day)) continue;
    for (size_t k = 0; k < period.episodes.size(); ++k) {
      const size_t i = period.episodes[k];
      const auto& episode = person.cla_episodes[i];
      // Within a period the next episode's start is this one's end.
      const std::optional<Date> end = k + 1 < period.episodes.size()
                                          ? person.cla_episodes[period.episodes[k + 1]].record.start
                                          : period.end;
      if (openOn(episode.record.start, end, day)) return LookedAfterOn{&period, &episode, end};
    }
  }
  return std::nullopt;
}

std::optional<LookedAfterOn> inCareOn(const PersonView& person, Date day) {
  std::optional<LookedAfterOn> on = lookedAfterOn(person, day);
  if (!on) return std::nullopt;
  const std::string& status = on->episode->record.legal_status;
  if (status == "V3" || status == "V4") return std::nullopt;
  return on;
}

const Placement* placementOn(const CarePeriod& period, Date day) {
  const Placement* found = nullptr;
  for (const Placement& placement : period.placements) {
    if (placement.start <= day) found = &placement;
  }
  return found;
}

namespace csc {
namespace {

void putInCohort(Outcome& outcome, const LookedAfterOn& on) {
  outcome.cohort = 1;
  outcome.cohort_date = on.period->start;
  outcome.cohort_evidence.assign(on.episode->evidence.begin(), on.episode->evidence.end());
}

void putInNumerator(Outcome& outcome, Date date, const std::vector<std::string_view>& evidence) {
  outcome.numerator = 1;
  outcome.numerator_date = date;
  outcome.numerator_evidence.assign(evidence.begin(), evidence.end());
}

// Temporary placements (holidays, respite, hospital: T0-T4) are not moves.
bool isTemporary(const Placement& placement) {
  return !placement.type.empty() && placement.type.front() == 'T';
}

// The home postcode recorded on the current episode, or failing that on the latest earlier
// episode of the period: returns often record it only when the period starts.
std::string_view homePostcode(const PersonView& person, const LookedAfterOn& on) {
  std::string_view found;
  for (const size_t i : on.period->episodes) {
    const auto& episode = person.cla_episodes[i];
    if (!episode.record.home_postcode.empty()) found = episode.record.home_postcode;
    if (&episode == on.episode) break;
  }
  return found;
}

}  // namespace

Outcome claCount(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  if (const auto on = inCareOn(person, period.end)) {
    putInNumerator(outcome, on->period->start, on->episode->evidence);
  }
  return outcome;
}

Outcome claPlaced20Miles(const PersonView& person, const Period& period,
                         const RuleContext& context) {
  constexpr double kFarMiles = 20.0;
  Outcome outcome;
  const auto on = inCareOn(person, period.end);
  if (!on) return outcome;
  const Placement* placement = placementOn(*on->period, period.end);
  const PostcodeLocation* home = context.postcodes.find(homePostcode(person, *on));
  const PostcodeLocation* placed =
      placement == nullptr ? nullptr : context.postcodes.find(placement->postcode);
  // Without both grid references there is no distance, and the child is left out of both.
  if (home == nullptr || placed == nullptr) return outcome;
  putInCohort(outcome, *on);
  if (milesBetween(*home, *placed) > kFarMiles) {
    putInNumerator(outcome, placement->start, placement->evidence);
  }
  return outcome;
}

Outcome claStabilityShort(const PersonView& person, const Period& period, const RuleContext&) {
  constexpr int kManyPlacements = 3;
  Outcome outcome;
  const auto on = inCareOn(person, period.end);
  if (!on) return outcome;
  putInCohort(outcome, *on);
  int placements = 0;
  for (const Placement& placement : on->period->placements) {
    if (isTemporary(placement)) continue;
    // Open at some time in the period: one that ended on its first day does not count.
    if (placement.start > period.end || (placement.end && *placement.end <= period.start)) {
      continue;
    }
    if (++placements == kManyPlacements) {
      putInNumerator(outcome, placement.start, placement.evidence);
    }
  }
  return outcome;
}

Outcome claStabilityLong(const PersonView& person, const Period& period, const RuleContext&) {
  constexpr int kAgeLimit = 16;
  constexpr int kMonthsInCare = 30;
  constexpr int kMonthsInPlacement = 24;
  Outcome outcome;
  const auto on = inCareOn(person, period.end);
  const std::optional<Date> birth = person.attributes.birth_date;
  if (!on || !birth || canonical::ageInYears(*birth, period.end) >= kAgeLimit) return outcome;
  if (on->period->start > addMonthsClamped(period.end, -kMonthsInCare)) return outcome;
  putInCohort(outcome, *on);
  const Placement* placement = placementOn(*on->period, period.end);
  if (placement != nullptr &&
      placement->start <= addMonthsClamped(period.end, -kMonthsInPlacement)) {
    putInNumerator(outcome, placement->start, placement->evidence);
  }
  return outcome;
}

}  // namespace csc
}  // namespace hearth::pipelines::indicators
