#include <map>
#include <set>
#include <string>

#include "pipelines/indicators/housing_adult_indicators.hpp"

namespace hearth::pipelines::indicators::adults {
namespace {

template <class T>
void cite(Outcome& outcome, const Involvement<T>& involvement, const std::optional<Date>& day) {
  if (outcome.numerator == 0 || (day && outcome.numerator_date && *day < *outcome.numerator_date)) {
    outcome.numerator_date = day;
  }
  outcome.numerator_evidence.insert(outcome.numerator_evidence.end(), involvement.evidence.begin(),
                                    involvement.evidence.end());
}

}  // namespace

bool isLongTermSupport(const canonical::AdultCareEvent& event) {
  return event.event_type == "Service" && event.service_type.starts_with("Long term support");
}

// Households are cases: the person counts once for each case of theirs whose prevention or
// relief duty began in the period. A case whose reference changed between returns, when the
// source said so (previous_case_ref), is still one case.
Outcome homelessDutyOwed(const PersonView& person, const Period& period, const RuleContext&) {
  std::map<std::string, std::string> earlier;
  for (const auto& c : person.homelessness_cases) {
    if (!c.record.previous_case_ref.empty()) {
      earlier[c.record.case_ref] = c.record.previous_case_ref;
    }
  }
  auto firstReference = [&earlier](std::string ref) {
    for (size_t hops = 0; hops < earlier.size(); ++hops) {
      const auto it = earlier.find(ref);
      if (it == earlier.end()) break;
      ref = it->second;
    }
    return ref;
  };
  Outcome outcome;
  std::set<std::string> cases;
  for (const auto& duty : person.homelessness_duties) {
    if (duty.record.duty == "main" || !within(duty.record.start, period)) continue;
    cite(outcome, duty, duty.record.start);
    cases.insert(firstReference(duty.record.case_ref));
    outcome.numerator = static_cast<int>(cases.size());
  }
  return outcome;
}

// Overlapping placements of one household count it once.
Outcome tempAccommodation(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& placement : person.temporary_accommodation) {
    if (!openOn(placement.record.start, placement.record.end, period.end)) continue;
    cite(outcome, placement, placement.record.start);
    outcome.numerator = 1;
  }
  return outcome;
}

Outcome roughSleeping(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& contact : person.rough_sleeping) {
    if (!within(contact.record.date, period)) continue;
    cite(outcome, contact, contact.record.date);
    outcome.numerator = 1;
  }
  return outcome;
}

// At the period end: a service user's long-term service started on or before it and not ended
// before it (ends were cut to the date of death when normalised); once per adult.
Outcome ascLongTermSupport(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  const std::optional<Date> birth = person.attributes.birth_date;
  if (!birth || canonical::ageInYears(*birth, period.end) < 18) return outcome;
  for (const auto& event : person.adult_care_events) {
    const canonical::AdultCareEvent& e = event.record;
    if (!isLongTermSupport(e) || (!e.client_type.empty() && e.client_type != "Service User")) {
      continue;
    }
    if (!e.start || *e.start > period.end || (e.end && *e.end < period.end)) continue;
    cite(outcome, event, e.start);
    outcome.numerator = 1;
  }
  return outcome;
}

// Unweighted for one council: respondents of the period's survey with a valid q7a (1-4).
Outcome ascFeelsSafe(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& response : person.survey_responses) {
    const canonical::AdultCareSurveyResponse& r = response.record;
    if (r.survey_year != period.label || !r.q7a || *r.q7a < 1 || *r.q7a > 4) continue;
    outcome.cohort = 1;
    outcome.cohort_date = period.end;
    outcome.cohort_evidence.assign(response.evidence.begin(), response.evidence.end());
    if (*r.q7a == 1) {
      outcome.numerator = 1;
      outcome.numerator_date = period.end;
      outcome.numerator_evidence.assign(response.evidence.begin(), response.evidence.end());
    }
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::adults
