#include <algorithm>

#include "pipelines/indicators/cross_service_indicators.hpp"
#include "pipelines/indicators/csc_indicators.hpp"
#include "pipelines/indicators/education_indicators.hpp"
#include "pipelines/indicators/health_indicators.hpp"

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
template <class EvidenceIds>
Outcome inCohort(const std::optional<Date>& date, const EvidenceIds& evidence) {
  Outcome outcome;
  outcome.cohort = 1;
  outcome.cohort_date = date;
  outcome.cohort_evidence.assign(evidence.begin(), evidence.end());
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
// was in force on the spring census day. The setting breakdown partitions the cohort by the
// setting of the first such plan's placement that day ("none" without a plan), so its cells add
// up to the headline in both numerator and cohort.
Outcome claWithEhcp(const PersonView& person, const Period& period, const RuleContext& context) {
  const Outcome care = csc::claCount(person, period, context);
  if (care.numerator == 0) return {};
  Outcome outcome = inCohort(care.numerator_date, care.numerator_evidence);
  const Date census = springCensusDay(period);
  std::string_view setting = "none";
  for (const auto& plan : person.ehc_plans) {
    if (!ehcPlanOpenOn(plan.record, census)) continue;
    if (outcome.numerator == 0)
      setting = education::ehcSettingOn(plan.record, census, context.schools);
    cite(outcome, plan, plan.record.start);
  }
  outcome.parts.push_back({std::string(setting), 1, outcome.numerator});
  return outcome;
}

namespace {

// The needs a child's records show in one domain: whether any, and the records that show them.
struct Need {
  bool shown = false;
  std::vector<std::string> evidence;
  template <class T>
  void add(const Involvement<T>& involvement) {
    shown = true;
    evidence.insert(evidence.end(), involvement.evidence.begin(), involvement.evidence.end());
  }
  template <class EvidenceIds>
  void add(const EvidenceIds& records) {
    shown = true;
    evidence.insert(evidence.end(), records.begin(), records.end());
  }
};

bool isNeetOrNotKnown(std::string_view activity) {
  int code = 0;
  for (const char c : activity) {
    if (c < '0' || c > '9') return false;
    code = code * 10 + (c - '0');
  }
  return !activity.empty() &&
         (code == 540 || (code >= 610 && code <= 680) || (code >= 810 && code <= 830));
}

bool anyFall(const AdmissionView& admission) {
  return std::any_of(admission.diagnoses.begin(), admission.diagnoses.end(), [](const auto& d) {
    return std::any_of(d.icd10.begin(), d.icd10.end(), [](const std::string& code) {
      return health::icd10InRange(code, "W00", "W19");
    });
  });
}

}  // namespace

// Children 0-17 at the period end; in the numerator with needs in three or more domains during
// the period, each read from the child's own records but the mother's, which come through her
// group (PersonView::linked).
Outcome familyMultipleNeeds(const PersonView& person, const Period& period,
                            const RuleContext& context) {
  const std::optional<Date>& birth = person.attributes.birth_date;
  if (!birth || *birth > period.end || canonical::ageInYears(*birth, period.end) >= 18) return {};
  Outcome outcome = inCohort(period.end, person.attributes.evidence);

  Need social, send, school, housing, mother, neet;
  for (const auto& referral : person.referrals) {
    if (openDuring(referral.record.start, referral.record.end, period)) social.add(referral);
  }
  for (const CarePeriod& care : person.care_periods) {
    if (!openDuring(care.start, care.end, period)) continue;
    for (const size_t e : care.episodes) social.add(person.cla_episodes[e]);
  }
  for (const auto& plan : person.ehc_plans) {
    const std::optional<Date> start = plan.record.start;
    if ((start || plan.record.listed_active) &&
        openDuring(start.value_or(period.start), plan.record.ceased, period)) {
      send.add(plan);
    }
  }
  for (const auto& sen : person.sen_provisions) {
    if (sen.record.provision == "K" && within(sen.record.census, period)) send.add(sen);
  }
  for (const auto& exclusion : person.exclusions) {
    if (within(exclusion.record.start, period)) school.add(exclusion);
  }
  if (const Outcome absence = education::persistentAbsence(person, period, context);
      absence.numerator > 0) {
    school.add(absence.numerator_evidence);
  }
  forOwnAndHousehold(person.homelessness_duties, person.linked.household_duties,
                     [&](const Involvement<canonical::HomelessnessDuty>& duty) {
                       if (duty.record.duty != "main" && within(duty.record.start, period)) {
                         housing.add(duty);
                       }
                     });
  forOwnAndHousehold(person.temporary_accommodation,
                     person.linked.household_temporary_accommodation,
                     [&](const Involvement<canonical::TemporaryAccommodation>& placement) {
                       if (openDuring(placement.record.start, placement.record.end, period)) {
                         housing.add(placement);
                       }
                     });
  for (const auto& event : person.linked.mother_adult_care_events) {
    if (event.record.event_type == "Service" &&
        openDuring(event.record.start, event.record.end, period)) {
      mother.add(event);
    }
  }
  for (const AdmissionView& admission : person.linked.mother_admissions) {
    if (within(admission.record.admitted, period) && anyFall(admission)) {
      mother.add(admission.evidence);
    }
  }
  for (const auto& status : person.neet_statuses) {
    if (within(status.record.month_end, period) && isNeetOrNotKnown(status.record.activity)) {
      neet.add(status);
    }
  }
  int domains = 0;
  for (const Need* need : {&social, &send, &school, &housing, &mother, &neet}) {
    if (!need->shown) continue;
    ++domains;
    outcome.numerator_evidence.insert(outcome.numerator_evidence.end(), need->evidence.begin(),
                                      need->evidence.end());
  }
  if (domains >= 3) {
    outcome.numerator = 1;
    outcome.numerator_date = period.end;
  } else {
    outcome.numerator_evidence.clear();
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::cross
