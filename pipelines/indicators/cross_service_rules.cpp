#include "pipelines/indicators/cross_service_indicators.hpp"
#include "pipelines/indicators/csc_indicators.hpp"

namespace hearth::pipelines::indicators::cross {
namespace {

// The person's own involvements of a kind, then those their households share with them.
template <class T, class Visit>
void forOwnAndHousehold(const std::vector<Involvement<T>>& own,
                        const std::vector<Involvement<T>>& household, Visit visit) {
  for (const auto& involvement : own) visit(involvement);
  for (const auto& involvement : household) visit(involvement);
}

template <class T>
void cite(Outcome& outcome, const Involvement<T>& involvement, const std::optional<Date>& day) {
  if (outcome.numerator == 0 || (day && outcome.numerator_date && *day < *outcome.numerator_date)) {
    outcome.numerator_date = day;
  }
  outcome.numerator = 1;
  outcome.numerator_evidence.insert(outcome.numerator_evidence.end(), involvement.evidence.begin(),
                                    involvement.evidence.end());
}

// In the cohort on the evidence that put the person there.
Outcome inCohort(const std::optional<Date>& date, const std::vector<std::string>& evidence) {
  Outcome outcome;
  outcome.cohort = 1;
  outcome.cohort_date = date;
  outcome.cohort_evidence = evidence;
  return outcome;
}

}  // namespace

// The care-leaver cohort of the accommodation indicator; in the numerator when a prevention or
// relief duty began in the period for a homelessness case the person applied in or was a member
// of.
Outcome careLeaversOwedDuty(const PersonView& person, const Period& period,
                            const RuleContext& context) {
  const Outcome leaver = csc::careLeaverAccom1921(person, period, context);
  if (leaver.cohort == 0) return {};
  Outcome outcome = inCohort(leaver.cohort_date, leaver.cohort_evidence);
  forOwnAndHousehold(person.homelessness_duties, person.linked.household_duties,
                     [&](const Involvement<canonical::HomelessnessDuty>& duty) {
                       if (duty.record.duty == "main" || !within(duty.record.start, period)) {
                         return;
                       }
                       cite(outcome, duty, duty.record.start);
                     });
  return outcome;
}

// Children on a child protection plan at the period end; in the numerator when a temporary
// accommodation placement of their household (a homelessness case they were a member of) was
// open that day.
Outcome cpChildrenInTemporaryAccommodation(const PersonView& person, const Period& period,
                                           const RuleContext& context) {
  const Outcome plan = csc::cpPlanCount(person, period, context);
  if (plan.numerator == 0) return {};
  Outcome outcome = inCohort(plan.numerator_date, plan.numerator_evidence);
  forOwnAndHousehold(person.temporary_accommodation,
                     person.linked.household_temporary_accommodation,
                     [&](const Involvement<canonical::TemporaryAccommodation>& placement) {
                       if (!openOn(placement.record.start, placement.record.end, period.end)) {
                         return;
                       }
                       cite(outcome, placement, placement.record.start);
                     });
  return outcome;
}

Date springCensusDay(const Period& period) {
  using namespace std::chrono;
  return Date{sys_days{period.end.year() / January / Thursday[3]}};
}

// Children in care at the period end (as cla_count); in the numerator when an EHC plan of theirs
// was in force on the spring census day.
Outcome claWithEhcp(const PersonView& person, const Period& period, const RuleContext& context) {
  const Outcome care = csc::claCount(person, period, context);
  if (care.numerator == 0) return {};
  Outcome outcome = inCohort(care.numerator_date, care.numerator_evidence);
  const Date census = springCensusDay(period);
  for (const auto& plan : person.ehc_plans) {
    if (ehcPlanOpenOn(plan.record, census)) cite(outcome, plan, plan.record.start);
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::cross
