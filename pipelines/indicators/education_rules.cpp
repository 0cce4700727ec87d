#include <algorithm>
#include <chrono>

#include "pipelines/indicators/education_indicators.hpp"

namespace hearth::pipelines::indicators::education {
namespace {

using namespace std::chrono;

template <class T>
void addEvidence(std::vector<std::string>& to, const Involvement<T>& involvement) {
  to.insert(to.end(), involvement.evidence.begin(), involvement.evidence.end());
}

/// The month ends NEET is averaged over: 31 December, 31 January and the end of February
/// before the period's end.
std::array<Date, 3> neetMonthEnds(const Period& period) {
  int y = static_cast<int>(period.end.year());
  if (period.end < Date{year{y} / February / last}) --y;
  return {Date{year{y - 1} / December / 31}, Date{year{y} / January / 31},
          Date{year{y} / February / last}};
}

/// Age on the 31 August before `on`, the age NCCIS cohorts go by.
std::optional<int> academicAge(const canonical::NeetStatus& status,
                               const std::optional<Date>& birth, Date on) {
  if (status.academic_age) return status.academic_age;
  if (!birth) return std::nullopt;
  int y = static_cast<int>(on.year());
  if (on < Date{year{y} / September / 1}) --y;
  return canonical::ageInYears(*birth, Date{year{y} / August / 31});
}

bool isNeet(int code) { return code == 540 || (code >= 610 && code <= 680); }
bool isNotKnown(int code) { return code >= 810 && code <= 830; }

int activityCode(const std::string& activity) {
  int code = 0;
  for (const char c : activity) code = code * 10 + (c - '0');
  return code;
}

}  // namespace

// Each month end counts once: cohort and numerator are counts of month ends (0-3), published
// as averages (averaged_over = 3). No activity recorded counts as not known.
Outcome neet1617(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const Date month : neetMonthEnds(period)) {
    for (const auto& s : person.neet_statuses) {
      if (s.record.month_end != month) continue;
      const std::optional<int> age = academicAge(s.record, person.attributes.birth_date, month);
      if (!age || *age < 16 || *age > 17) continue;
      const int code = activityCode(s.record.activity);
      if (code == 710 || code >= 900) continue;  // custody; moved away or left the cohort
      ++outcome.cohort;
      if (!outcome.cohort_date) outcome.cohort_date = month;
      addEvidence(outcome.cohort_evidence, s);
      if (s.record.activity.empty() || isNeet(code) || isNotKnown(code)) {
        ++outcome.numerator;
        if (!outcome.numerator_date) outcome.numerator_date = month;
        addEvidence(outcome.numerator_evidence, s);
      }
      break;
    }
  }
  return outcome;
}

Outcome cmeOpen(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  for (const auto& episode : person.missing_education) {
    if (!openDuring(episode.record.start, episode.record.end, period)) continue;
    if (outcome.numerator == 0) outcome.numerator_date = episode.record.start;
    outcome.numerator = 1;
    addEvidence(outcome.numerator_evidence, episode);
  }
  return outcome;
}

// The pupils whose results are of the last complete academic year before the period ends: for
// 2024-25, the summer 2024 results, collection year 2023.
Outcome ks4EnglishMaths4(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  int y = static_cast<int>(period.end.year());
  if (period.end < Date{year{y} / September / 1}) --y;
  const int results_year = y - 1;
  for (const auto& r : person.ks4_results) {
    if (r.record.provenance.collection_year != results_year) continue;
    outcome.cohort = 1;
    addEvidence(outcome.cohort_evidence, r);
    const auto passed = [](const canonical::Ks4Grade& g) { return g.grade && *g.grade >= 4; };
    if (passed(r.record.english) && passed(r.record.maths)) {
      outcome.numerator = 1;
      addEvidence(outcome.numerator_evidence, r);
    }
    break;
  }
  return outcome;
}

// Sessions summed over the school census returns whose census day is in the period; "#" lines
// are the possible sessions, every other reason sessions missed.
Outcome persistentAbsence(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  double possible = 0, missed = 0;
  std::vector<std::string> evidence;
  for (const auto& a : person.attendance) {
    if (!within(a.record.census, period) || !a.record.sessions) continue;
    (a.record.reason == "#" ? possible : missed) += *a.record.sessions;
    addEvidence(evidence, a);
  }
  if (possible <= 0) return outcome;
  outcome.cohort = 1;
  outcome.cohort_evidence = evidence;
  if (missed * 10 >= possible) {
    outcome.numerator = 1;
    outcome.numerator_evidence = std::move(evidence);
  }
  return outcome;
}

Date januaryCensusDay(const Period& period) {
  int y = static_cast<int>(period.end.year());
  const Date census{year{y} / January / Thursday[3]};
  return period.end < census ? Date{year{y - 1} / January / Thursday[3]} : census;
}

std::string_view ehcSettingOn(const canonical::EhcPlan& plan, Date day,
                              const SchoolRegister* schools) {
  const canonical::EhcPlacement* placement = ehcPlacementOn(plan, day);
  if (placement == nullptr) return "other";
  if (placement->urn.empty() && placement->ukprn.empty()) return "other";  // a setting code
  const Establishment* school = nullptr;
  if (schools != nullptr) {
    school = placement->urn.empty() ? schools->byUkprn(placement->ukprn)
                                    : schools->byUrn(placement->urn);
    if (school == nullptr && !placement->urn.empty() && !placement->ukprn.empty()) {
      school = schools->byUkprn(placement->ukprn);
    }
  }
  return school == nullptr ? "unknown" : schoolKindLabel(school->kind);
}

bool isTwoYearOldBasis(std::string_view basis) {
  return basis == "ECO" || basis == "HSD" || basis == "LAA";
}

// Children aged 2 on the January census day. Above the line: funded on a two-year-old basis in
// that census; below it: on the DWP's list. A child funded without being on the list (HSD, LAA)
// counts above the line only, as the take-up published from the two sources does.
Outcome funded2yo(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  const Date census = januaryCensusDay(period);
  const std::optional<Date>& birth = person.attributes.birth_date;
  if (!birth || *birth > census || canonical::ageInYears(*birth, census) != 2) return outcome;
  for (const auto& f : person.early_years_funding) {
    if (f.record.census != census || !isTwoYearOldBasis(f.record.basis)) continue;
    outcome.numerator = 1;
    outcome.numerator_date = census;
    addEvidence(outcome.numerator_evidence, f);
  }
  const int list_year = static_cast<int>(period.start.year());
  for (const auto& e : person.two_year_old_eligibility) {
    if (e.record.list_year != 0 && e.record.list_year != list_year) continue;
    outcome.cohort = 1;
    outcome.cohort_date = census;
    addEvidence(outcome.cohort_evidence, e);
  }
  return outcome;
}

// Every plan in force on the census day counts, each under its setting that day.
Outcome ehcpCount(const PersonView& person, const Period& period, const RuleContext& context) {
  Outcome outcome;
  const Date census = januaryCensusDay(period);
  for (const auto& plan : person.ehc_plans) {
    if (!ehcPlanOpenOn(plan.record, census)) continue;
    ++outcome.numerator;
    if (!outcome.numerator_date) outcome.numerator_date = plan.record.start;
    addEvidence(outcome.numerator_evidence, plan);
    const std::string_view setting = ehcSettingOn(plan.record, census, context.schools);
    const auto part = std::find_if(outcome.parts.begin(), outcome.parts.end(),
                                   [&](const OutcomePart& p) { return p.value == setting; });
    if (part != outcome.parts.end()) {
      ++part->numerator;
    } else {
      outcome.parts.push_back({std::string(setting), 0, 1});
    }
  }
  return outcome;
}

namespace {

/// The school census phases the exclusion rate is published for.
std::string_view exclusionPhase(std::string_view census_phase) {
  if (census_phase == "PS") return "primary";
  if (census_phase == "SS") return "secondary";
  return {};
}

constexpr std::string_view kSchoolUnknown = "school_unknown";

void addToPart(Outcome& outcome, std::string_view value, int cohort, int numerator) {
  const auto part = std::find_if(outcome.parts.begin(), outcome.parts.end(),
                                 [&](const OutcomePart& p) { return p.value == value; });
  if (part != outcome.parts.end()) {
    part->cohort += cohort;
    part->numerator += numerator;
  } else {
    outcome.parts.push_back({std::string(value), cohort, numerator});
  }
}

/// The enrolment the exclusion happened in: the place at a school that had begun by its start
/// and had not ended before it; of several (a pupil who moved school), the latest begun.
const Involvement<canonical::Enrolment>* enrolmentOn(const PersonView& person, Date day) {
  const Involvement<canonical::Enrolment>* found = nullptr;
  for (const auto& e : person.enrolments) {
    if (!e.record.entry || *e.record.entry > day) continue;
    if (e.record.leaving && *e.record.leaving < day) continue;
    if (found == nullptr || *found->record.entry < *e.record.entry) found = &e;
  }
  return found;
}

const canonical::CensusSchool* schoolOf(const canonical::Enrolment& enrolment,
                                        const RuleContext& context) {
  return context.census_schools == nullptr ? nullptr : context.census_schools->schoolOf(enrolment);
}

}  // namespace

AcademicYear lastCompleteAcademicYear(const Period& period) {
  int y = static_cast<int>(period.end.year());  // the year the academic year ends in
  if (period.end < Date{year{y} / August / 31}) --y;
  return {Date{year{y - 1} / September / 1}, Date{year{y} / August / 31},
          Date{year{y} / January / Thursday[3]}};
}

// Pupils are counted once per school they are on roll at on the census day; exclusions once
// each (copies from several returns merged), under the phase of the school they happened at.
Outcome permanentExclusionRate(const PersonView& person, const Period& period,
                               const RuleContext& context) {
  Outcome outcome;
  const AcademicYear academic = lastCompleteAcademicYear(period);
  for (const auto& e : person.enrolments) {
    if (!e.record.on_roll || e.record.census != academic.census) continue;
    const canonical::CensusSchool* school = schoolOf(e.record, context);
    const std::string_view phase =
        school == nullptr ? kSchoolUnknown : exclusionPhase(school->phase);
    if (phase.empty()) continue;  // special schools, PRUs
    addToPart(outcome, phase, 1, 0);
    if (phase == kSchoolUnknown) continue;
    ++outcome.cohort;
    if (!outcome.cohort_date) outcome.cohort_date = academic.census;
    addEvidence(outcome.cohort_evidence, e);
  }
  for (const auto& x : person.exclusions) {
    if (x.record.category != "PERM" || !x.record.start || *x.record.start < academic.start ||
        *x.record.start > academic.end) {
      continue;
    }
    const auto* enrolment = enrolmentOn(person, *x.record.start);
    const canonical::CensusSchool* school =
        enrolment == nullptr ? nullptr : schoolOf(enrolment->record, context);
    const std::string_view phase =
        school == nullptr ? kSchoolUnknown : exclusionPhase(school->phase);
    if (phase.empty()) continue;
    addToPart(outcome, phase, 0, 1);
    if (phase == kSchoolUnknown) continue;
    ++outcome.numerator;
    if (!outcome.numerator_date) outcome.numerator_date = x.record.start;
    addEvidence(outcome.numerator_evidence, x);
  }
  return outcome;
}

// A pupil counts once per school on roll at on the January census day; a funded child once per
// setting in the early years census of that day.
Outcome pupilsGoodOutstanding(const PersonView& person, const Period& period,
                              const RuleContext& context) {
  Outcome outcome;
  const Date census = januaryCensusDay(period);
  const auto judgementOf = [&](std::string_view urn) -> const OfstedJudgement* {
    return context.schools == nullptr ? nullptr : context.schools->latestJudgement(urn);
  };
  for (const auto& e : person.enrolments) {
    if (!e.record.on_roll || e.record.census != census) continue;
    const canonical::CensusSchool* school = schoolOf(e.record, context);
    if (school == nullptr) {
      addToPart(outcome, kSchoolUnknown, 1, 0);
      continue;
    }
    const OfstedJudgement* judgement = judgementOf(school->urn);
    const bool report_card =
        judgement != nullptr && judgement->framework == OfstedFramework::kReportCard;
    addToPart(outcome, "new_framework", 1, report_card ? 1 : 0);
    if (judgement == nullptr || !judgement->overall) continue;  // not graded
    const int good = *judgement->overall <= 2 ? 1 : 0;
    ++outcome.cohort;
    outcome.numerator += good;
    if (!outcome.cohort_date) outcome.cohort_date = census;
    addEvidence(outcome.cohort_evidence, e);
    if (good != 0) {
      outcome.numerator_date = census;
      addEvidence(outcome.numerator_evidence, e);
    }
    if (school->phase == "SP") addToPart(outcome, "special_schools", 1, good);
  }
  for (const auto& f : person.early_years_funding) {
    if (f.record.census != census) continue;
    const OfstedJudgement* judgement = judgementOf(f.record.setting);
    if (judgement == nullptr || !judgement->overall) continue;
    addToPart(outcome, "early_years", 1, *judgement->overall <= 2 ? 1 : 0);
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::education
