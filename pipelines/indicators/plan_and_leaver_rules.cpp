#include <algorithm>

#include "pipelines/indicators/csc_indicators.hpp"

namespace hearth::pipelines::indicators::csc {
namespace {

/// The 19th, 20th or 21st birthday that falls in the period, if one does. A 29 February
/// birthday falls on 28 February in common years, as "twelve months before" does.
std::optional<Date> careLeaverBirthdayIn(Date birth, const Period& period) {
  for (int age = 19; age <= 21; ++age) {
    const Date birthday = addMonthsClamped(birth, 12 * age);
    if (within(birthday, period)) return birthday;
  }
  return std::nullopt;
}

/// Whether a status describes the year of this period: recorded at a contact in the period, or
/// (a return without dates) in the financial year's collection.
bool describesPeriod(const canonical::CareLeaverStatus& status, const Period& period) {
  if (status.latest_contact) return within(status.latest_contact, period);
  return period.kind == PeriodKind::kFinancialYear &&
         status.provenance.collection_year == static_cast<int>(period.start.year());
}

}  // namespace

Outcome cpPlanCount(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& plan : person.cp_plans) {
    if (!openOn(plan.record.start, plan.record.end, period.end)) continue;
    outcome.numerator = 1;
    outcome.numerator_date = plan.record.start;
    outcome.numerator_evidence.assign(plan.evidence.begin(), plan.evidence.end());
  }
  return outcome;
}

namespace {

/// Care leavers aged 19-21: the person is in the cohort when their 19th, 20th or 21st birthday
/// fell in the period and a status describes that year; `counts` decides the numerator.
template <class Counts>
Outcome careLeaver1921(const PersonView& person, const Period& period, Counts counts) {
  Outcome outcome;
  const std::optional<Date> birth = person.attributes.birth_date;
  if (!birth) return outcome;
  const std::optional<Date> birthday = careLeaverBirthdayIn(*birth, period);
  if (!birthday) return outcome;
  // Of several statuses for the year, the latest recorded stands (list is in key order, with
  // undated statuses first).
  const Involvement<canonical::CareLeaverStatus>* status = nullptr;
  for (const auto& s : person.care_leaver_statuses) {
    if (describesPeriod(s.record, period)) status = &s;
  }
  if (status == nullptr) return outcome;
  // Not in touch, refused and no information stay in the cohort: as far as the council knows,
  // they are neither suitably housed nor in education, employment or training.
  outcome.cohort = 1;
  outcome.cohort_date = birthday;
  outcome.cohort_evidence.assign(status->evidence.begin(), status->evidence.end());
  if (counts(status->record)) {
    outcome.numerator = 1;
    outcome.numerator_date = birthday;
    outcome.numerator_evidence.assign(status->evidence.begin(), status->evidence.end());
  }
  return outcome;
}

}  // namespace

Outcome careLeaverAccom1921(const PersonView& person, const Period& period, const RuleContext&) {
  return careLeaver1921(person, period, [](const canonical::CareLeaverStatus& s) {
    return s.accommodation_suitable == true;
  });
}

// OC3 activity G4 (not in education, employment or training: illness or disability), G5 (other
// reasons) and G6 (pregnancy or parenting).
Outcome careLeaverNeet(const PersonView& person, const Period& period, const RuleContext&) {
  return careLeaver1921(person, period, [](const canonical::CareLeaverStatus& s) {
    return s.activity == "G4" || s.activity == "G5" || s.activity == "G6";
  });
}

Outcome earlyHelpOpen(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& episode : person.early_help) {
    if (!openDuring(episode.record.start, episode.record.end, period)) continue;
    if (outcome.numerator == 0) outcome.numerator_date = episode.record.start;
    outcome.numerator = 1;
    outcome.numerator_evidence.insert(outcome.numerator_evidence.end(), episode.evidence.begin(),
                                      episode.evidence.end());
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::csc
