// The edge rules of the housing and adult social care indicators, each through the whole engine.

#include <gtest/gtest.h>

#include <memory>

#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

cn::HomelessnessDuty duty(std::string case_ref, std::string kind, Date start) {
  cn::HomelessnessDuty d;
  d.case_ref = std::move(case_ref);
  d.duty = std::move(kind);
  d.start = start;
  return d;
}

cn::TemporaryAccommodation placement(std::string ref, Date start, std::optional<Date> end) {
  cn::TemporaryAccommodation t;
  t.case_ref = "HC1";
  t.placement_ref = std::move(ref);
  t.start = start;
  t.end = end;
  return t;
}

cn::AdultCareEvent service(std::string type, Date start, std::optional<Date> end,
                           Date submitted = day(2025, 3, 31)) {
  cn::AdultCareEvent e;
  e.event_type = "Service";
  e.service_type = std::move(type);
  e.start = start;
  e.end = end;
  e.client_type = "Service User";
  e.submitted = submitted;
  return e;
}

cn::AdultCareSurveyResponse answer(std::optional<int> q7a, std::string year = "2024-25") {
  cn::AdultCareSurveyResponse r;
  r.survey_year = std::move(year);
  r.q7a = q7a;
  r.stratum = 4;
  return r;
}

/// One engine for 2024-25 with suppression at 5.
class HousingAdultRules : public ::testing::Test {
 protected:
  HousingAdultRules()
      : engine_(configFor(financialYearStarting(2024), 5), shippedBankHolidays(), testPostcodes()) {
  }

  IndicatorValue headline(std::string_view id) {
    engine_.evaluate();
    for (const IndicatorValue& v : engine_.values(true)) {
      if (v.indicator_id == id) return v;
    }
    ADD_FAILURE() << "no " << id;
    return {};
  }

  IndicatorEngine engine_;
};

TEST_F(HousingAdultRules, DutyOwedCountsEachCaseWhosePreventionOrReliefBeganInThePeriodOnce) {
  engine_.add(1, "p1", duty("HC1", "prevention", day(2024, 5, 1)));
  engine_.add(1, "r1", duty("HC1", "relief", day(2024, 8, 1)));  // the same case moving on
  engine_.add(1, "p2", duty("HC2", "prevention", day(2025, 2, 1)));
  engine_.add(2, "r2", duty("HC3", "relief", day(2024, 3, 31)));  // before the period
  engine_.add(3, "m3", duty("HC4", "main", day(2024, 9, 1)));     // a decision is no new duty
  const IndicatorValue v = headline("homeless_duty_owed");
  EXPECT_EQ(v.numerator, 2);
  // Housing publishes council counts unrounded: 2 is not suppressed.
  EXPECT_FALSE(v.suppressed);
}

// The source said the case's reference changed from HC1 to HC9: its duties are one case's.
TEST_F(HousingAdultRules, ACaseWhoseReferenceChangedIsStillOneCase) {
  cn::HomelessnessCase renamed;
  renamed.case_ref = "HC9";
  renamed.previous_case_ref = "HC1";
  engine_.add(1, "c9", renamed);
  engine_.add(1, "p1", duty("HC1", "prevention", day(2024, 5, 1)));
  engine_.add(1, "r9", duty("HC9", "relief", day(2024, 8, 1)));
  engine_.add(1, "p2", duty("HC2", "prevention", day(2025, 2, 1)));  // a new case, unlinked
  EXPECT_EQ(headline("homeless_duty_owed").numerator, 2);
}

TEST_F(HousingAdultRules, OverlappingTemporaryAccommodationCountsTheHouseholdOnce) {
  engine_.add(1, "t1", placement("TA1", day(2024, 6, 1), std::nullopt));
  engine_.add(1, "t2", placement("TA2", day(2025, 1, 1), std::nullopt));
  engine_.add(2, "t3", placement("TA3", day(2024, 6, 1), day(2025, 3, 31)));  // left that day
  EXPECT_EQ(headline("temp_accommodation").numerator, 1);
}

TEST_F(HousingAdultRules, RoughSleepingCountsPeopleSeenInThePeriod) {
  cn::RoughSleepingContact seen;
  seen.date = day(2024, 11, 12);
  engine_.add(1, "s1", seen);
  engine_.add(1, "s2", seen);  // the same night twice
  seen.date = day(2025, 4, 1);
  engine_.add(2, "s3", seen);
  EXPECT_EQ(headline("rough_sleeping").numerator, 1);
}

TEST_F(HousingAdultRules, LongTermSupportIsAtTheYearEndOncePerAdult) {
  for (PersonKey p = 1; p <= 5; ++p)
    engine_.add(p, "person" + std::to_string(p), person(day(1950, 1, 1)));
  engine_.add(1, "a", service("Long term support: Community", day(2023, 1, 1), std::nullopt));
  engine_.add(1, "b", service("Long term support: Nursing care", day(2024, 6, 1), std::nullopt));
  // Ending on 31 March has not ended before it; ending on 30 March has.
  engine_.add(2, "c", service("Long term support: Community", day(2022, 1, 1), day(2025, 3, 31)));
  engine_.add(3, "d", service("Long term support: Community", day(2022, 1, 1), day(2025, 3, 30)));
  engine_.add(4, "e", service("Short term support: ST-Max", day(2025, 3, 1), std::nullopt));
  // A carer's support is not a service user's long-term support.
  cn::AdultCareEvent carer = service("Long term support: Community", day(2024, 1, 1), std::nullopt);
  carer.client_type = "Carer";
  engine_.add(5, "f", carer);
  EXPECT_EQ(headline("asc_long_term_support").numerator, 2);
}

TEST_F(HousingAdultRules, LongTermSupportLeavesOutChildren) {
  engine_.add(1, "person", person(day(2010, 1, 1)));
  engine_.add(1, "a", service("Long term support: Community", day(2024, 1, 1), std::nullopt));
  EXPECT_EQ(headline("asc_long_term_support").numerator, 0);
}

// The same event in two submissions: the later one, which saw it end, stands.
TEST_F(HousingAdultRules, LatestSubmissionOfAnEventWins) {
  engine_.add(1, "person", person(day(1950, 1, 1)));
  engine_.add(
      1, "q3",
      service("Long term support: Community", day(2024, 1, 1), std::nullopt, day(2024, 12, 31)));
  engine_.add(
      1, "q4",
      service("Long term support: Community", day(2024, 1, 1), day(2025, 2, 1), day(2025, 3, 31)));
  EXPECT_EQ(headline("asc_long_term_support").numerator, 0);
}

TEST_F(HousingAdultRules, FeelsSafeCountsValidAnswersOfThePeriodsSurvey) {
  engine_.add(1, "s1", answer(1));
  engine_.add(2, "s2", answer(3));
  engine_.add(3, "s3", answer(std::nullopt));  // blank or out of range when normalised
  engine_.add(4, "s4", answer(1, "2023-24"));  // last year's survey
  const IndicatorValue v = headline("asc_feels_safe");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

TEST_F(HousingAdultRules, CareLeaverNeetCountsActivitiesG4ToG6) {
  engine_.add(1, "p1", person(day(2004, 6, 1)));  // 20 in the period
  engine_.add(2, "p2", person(day(2004, 6, 1)));
  cn::CareLeaverStatus neet = careLeaver(day(2024, 6, 10), "YES", true);
  neet.activity = "G5";
  engine_.add(1, "c1", neet);
  cn::CareLeaverStatus working = careLeaver(day(2024, 6, 10), "YES", true);
  working.activity = "F2";
  engine_.add(2, "c2", working);
  const IndicatorValue v = headline("care_leaver_neet");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

}  // namespace
}  // namespace hearth::pipelines::indicators
