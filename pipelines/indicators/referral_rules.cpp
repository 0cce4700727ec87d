#include "pipelines/indicators/csc_indicators.hpp"

namespace hearth::pipelines::indicators::csc {
namespace {

/// Counts one more item in the cohort, remembering the first one's date and every item's
/// evidence.
void addToCohort(Outcome& outcome, Date date, const std::vector<std::string_view>& evidence) {
  if (outcome.cohort++ == 0) outcome.cohort_date = date;
  outcome.cohort_evidence.insert(outcome.cohort_evidence.end(), evidence.begin(), evidence.end());
}

void addToNumerator(Outcome& outcome, Date date, const std::vector<std::string_view>& evidence) {
  if (outcome.numerator++ == 0) outcome.numerator_date = date;
  outcome.numerator_evidence.insert(outcome.numerator_evidence.end(), evidence.begin(),
                                    evidence.end());
}

}  // namespace

Outcome reReferral12m(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome outcome;
  const auto& referrals = person.referrals;  // one per start day, in date order
  for (size_t i = 0; i < referrals.size(); ++i) {
    const Date start = *referrals[i].record.start;
    if (!within(start, period)) continue;
    addToCohort(outcome, start, referrals[i].evidence);
    // Inclusive: a referral on the same date twelve months earlier (29 February -> 28
    // February) makes this one a repeat.
    const Date window = addMonthsClamped(start, -12);
    if (i > 0 && *referrals[i - 1].record.start >= window) {
      std::vector<std::string_view> evidence = referrals[i].evidence;
      evidence.insert(evidence.end(), referrals[i - 1].evidence.begin(),
                      referrals[i - 1].evidence.end());
      addToNumerator(outcome, start, evidence);
    }
  }
  return outcome;
}

Outcome referralDecision1wd(const PersonView& person, const Period& period,
                            const RuleContext& context) {
  Outcome outcome;
  for (const auto& contact : person.contacts) {
    const Date received = *contact.record.received;
    if (!within(received, period)) continue;
    addToCohort(outcome, received, contact.evidence);
    // Dates, not times: a contact on Saturday decided on Monday was decided within one
    // working day. No decision recorded is not timely.
    const std::optional<Date> decided = contact.record.decided;
    if (decided && context.working_days.workingDaysAfter(received, *decided) <= 1) {
      addToNumerator(outcome, *decided, contact.evidence);
    }
  }
  return outcome;
}

Outcome assessment45wd(const PersonView& person, const Period& period, const RuleContext& context) {
  constexpr int kWorkingDays = 45;
  Outcome outcome;
  for (const auto& assessment : person.assessments) {
    const std::optional<Date> authorised = assessment.record.authorised;
    if (!within(authorised, period)) continue;
    addToCohort(outcome, *authorised, assessment.evidence);
    if (context.working_days.workingDaysAfter(*assessment.record.start, *authorised) <=
        kWorkingDays) {
      addToNumerator(outcome, *authorised, assessment.evidence);
    }
  }
  return outcome;
}

}  // namespace hearth::pipelines::indicators::csc
