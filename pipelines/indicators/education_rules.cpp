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

}  // namespace hearth::pipelines::indicators::education
