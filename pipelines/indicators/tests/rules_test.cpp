// The edge rules of the children's social care indicators, each through the whole engine.

#include <gtest/gtest.h>

#include <memory>

#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

/// One engine per test, reporting 2024-25 unless a test picks another period.
class Rules : public ::testing::Test {
 protected:
  void usePeriod(Period period, int threshold = 5) {
    engine_ = std::make_unique<IndicatorEngine>(configFor(std::move(period), threshold),
                                                shippedBankHolidays(), testPostcodes());
  }

  void add(PersonKey who, const std::string& evidence, canonical::Record record) {
    if (!engine_) usePeriod(financialYearStarting(2024));
    engine_->add(who, evidence, std::move(record));
  }

  IndicatorValue headline(std::string_view id) {
    if (!engine_) usePeriod(financialYearStarting(2024));
    engine_->evaluate();
    for (const IndicatorValue& v : engine_->values(true)) {
      if (v.indicator_id == id) return v;
    }
    ADD_FAILURE() << "no " << id;
    return {};
  }

  std::unique_ptr<IndicatorEngine> engine_;
};

// ---- re_referral_12m -------------------------------------------------------------------------

TEST_F(Rules, ReReferralCountsReferralExactlyTwelveMonthsAfterPrevious) {
  add(1, "r1", referral(day(2023, 6, 15)));
  add(1, "r2", referral(day(2024, 6, 15)));
  const IndicatorValue v = headline("re_referral_12m");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 1);
}

TEST_F(Rules, ReReferralIgnoresReferralTwelveMonthsAndOneDayBefore) {
  add(1, "r1", referral(day(2023, 6, 14)));
  add(1, "r2", referral(day(2024, 6, 15)));
  EXPECT_EQ(headline("re_referral_12m").numerator, 0);
}

TEST_F(Rules, ReReferralFromLeapDayLooksBackToTwentyEighthFebruary) {
  usePeriod(financialYearStarting(2023));
  add(1, "r1", referral(day(2023, 2, 28)));
  add(1, "r2", referral(day(2024, 2, 29)));
  add(2, "r3", referral(day(2023, 2, 27)));
  add(2, "r4", referral(day(2024, 2, 29)));
  const IndicatorValue v = headline("re_referral_12m");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

TEST_F(Rules, ReReferralCountsEachReferralInThePeriod) {
  add(1, "r1", referral(day(2024, 5, 1)));
  add(1, "r2", referral(day(2024, 9, 1)));
  add(1, "r3", referral(day(2025, 3, 1)));
  const IndicatorValue v = headline("re_referral_12m");
  EXPECT_EQ(v.numerator, 2);
  EXPECT_EQ(v.denominator, 3);
}

// ---- referral_decision_1wd -------------------------------------------------------------------

TEST_F(Rules, SaturdayContactDecidedOnMondayIsTimely) {
  add(1, "c1", contact(day(2024, 6, 8), day(2024, 6, 10)));  // Saturday -> Monday
  add(2, "c2", contact(day(2024, 6, 8), day(2024, 6, 11)));  // Saturday -> Tuesday
  const IndicatorValue v = headline("referral_decision_1wd");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

TEST_F(Rules, ContactBeforeBankHolidayMondayDecidedOnTuesdayIsTimely) {
  add(1, "c1", contact(day(2024, 5, 24), day(2024, 5, 28)));  // Friday, 27 May a holiday
  add(2, "c2", contact(day(2024, 5, 23), day(2024, 5, 28)));  // Thursday: two working days
  add(3, "c3", contact(day(2024, 5, 23), std::nullopt));      // never decided
  const IndicatorValue v = headline("referral_decision_1wd");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 3);
}

TEST_F(Rules, SameDayContactsFromDifferentAgenciesAreBothCounted) {
  add(1, "c1", contact(day(2024, 7, 19), day(2024, 7, 19), "2A"));
  add(1, "c2", contact(day(2024, 7, 19), day(2024, 7, 22), "6"));
  EXPECT_EQ(headline("referral_decision_1wd").denominator, 2);
}

// ---- assessment_45wd -------------------------------------------------------------------------

TEST_F(Rules, AssessmentWorkingDaysSkipBankHolidays) {
  // 26 April to 2 July 2024 is 47 weekdays, but 6 and 27 May are bank holidays: 45 working days.
  add(1, "a1", assessment(day(2024, 4, 26), day(2024, 7, 2)));
  add(2, "a2", assessment(day(2024, 4, 26), day(2024, 7, 3)));
  const IndicatorValue v = headline("assessment_45wd");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

TEST_F(Rules, AssessmentCountsByAuthorisationDateNotStart) {
  add(1, "a1", assessment(day(2024, 3, 1), day(2024, 4, 2)));   // authorised in the period
  add(2, "a2", assessment(day(2025, 3, 1), std::nullopt));      // still open
  add(3, "a3", assessment(day(2025, 3, 20), day(2025, 4, 1)));  // authorised after it
  EXPECT_EQ(headline("assessment_45wd").denominator, 1);
}

// ---- children in care ------------------------------------------------------------------------

TEST_F(Rules, ShortBreakStatusesV3AndV4AreNotChildrenInCare) {
  add(1, "e1", episode(day(2024, 1, 1), std::nullopt, "S", "V3", "U1"));
  add(2, "e2", episode(day(2024, 1, 1), std::nullopt, "S", "V4", "U1"));
  add(3, "e3", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1"));
  // Short breaks, then a care order in the same placement: in care on 31 March.
  add(4, "e4", episode(day(2024, 1, 1), day(2025, 2, 1), "S", "V3", "U1"));
  add(4, "e5", episode(day(2025, 2, 1), std::nullopt, "L", "C2", "U1"));
  const IndicatorValue v = headline("cla_count");
  EXPECT_EQ(v.numerator, 2);
  EXPECT_EQ(v.denominator, 10000);
  EXPECT_DOUBLE_EQ(v.value, 2.0);  // per 10,000
}

TEST_F(Rules, EpisodeEndingOn31MarchIsNotOpenAtPeriodEnd) {
  add(1, "e1", episode(day(2024, 1, 1), day(2025, 3, 31), "S", "C2", "U1"));
  add(2, "e2", episode(day(2024, 1, 1), day(2025, 4, 1), "S", "C2", "U1"));
  add(3, "e3", episode(day(2025, 3, 31), std::nullopt, "S", "C2", "U1"));
  EXPECT_EQ(headline("cla_count").numerator, 2);
}

TEST_F(Rules, CpPlanEndingOn31MarchIsNotOpenAtPeriodEnd) {
  add(1, "p1", cpPlan(day(2024, 6, 1), day(2025, 3, 31)));
  add(2, "p2", cpPlan(day(2024, 6, 1), day(2025, 4, 1)));
  add(3, "p3", cpPlan(day(2024, 6, 1), std::nullopt));
  EXPECT_EQ(headline("cp_plan_count").numerator, 2);
}

TEST_F(Rules, TemporaryPlacementsT0ToT4AreNotCountedAsMoves) {
  add(1, "e1", episode(day(2024, 1, 1), day(2024, 5, 1), "S", "C2", "U1"));
  add(1, "e2", episode(day(2024, 5, 1), day(2024, 6, 1), "P", "C2", "T1"));
  add(1, "e3", episode(day(2024, 6, 1), day(2024, 8, 1), "P", "C2", "U2"));
  add(1, "e4", episode(day(2024, 8, 1), day(2024, 9, 1), "P", "C2", "T4"));
  add(1, "e5", episode(day(2024, 9, 1), std::nullopt, "L", "C1", "T4"));
  IndicatorValue v = headline("cla_stability_short");
  EXPECT_EQ(v.numerator, 0);  // U1 and U2 only
  EXPECT_EQ(v.denominator, 1);
  add(1, "e5", episode(day(2024, 9, 1), std::nullopt, "P", "C1", "U3"));
  EXPECT_EQ(headline("cla_stability_short").numerator, 1);
}

TEST_F(Rules, PlacementEndingOnFirstDayOfPeriodIsNotCounted) {
  add(1, "e1", episode(day(2023, 1, 1), day(2024, 4, 1), "S", "C2", "U1"));
  add(1, "e2", episode(day(2024, 4, 1), day(2024, 6, 1), "P", "C2", "U2"));
  add(1, "e3", episode(day(2024, 6, 1), std::nullopt, "P", "C2", "U3"));
  EXPECT_EQ(headline("cla_stability_short").numerator, 0);
  add(1, "e1", episode(day(2023, 1, 1), day(2024, 4, 2), "S", "C2", "U1"));
  add(1, "e2", episode(day(2024, 4, 2), day(2024, 6, 1), "P", "C2", "U2"));
  EXPECT_EQ(headline("cla_stability_short").numerator, 1);
}

TEST_F(Rules, LongTermStabilityNeedsThirtyMonthsInCareAndTwoYearsPlaced) {
  // 30 months before 31 March 2025 is 30 September 2022.
  add(1, "p1", person(day(2015, 1, 1)));
  add(1, "e1", episode(day(2022, 9, 30), day(2023, 3, 31), "S", "C2", "U1"));
  add(1, "e2", episode(day(2023, 3, 31), std::nullopt, "P", "C2", "U2"));  // exactly 2 years
  add(2, "p2", person(day(2015, 1, 1)));
  add(2, "e3", episode(day(2022, 10, 1), std::nullopt, "S", "C2", "U1"));  // a day short
  add(3, "p3", person(day(2009, 3, 31)));                                  // 16 on 31 March
  add(3, "e4", episode(day(2020, 1, 1), std::nullopt, "S", "C2", "U1"));
  add(4, "p4", person(day(2009, 4, 1)));  // still 15
  add(4, "e5", episode(day(2020, 1, 1), day(2023, 4, 1), "S", "C2", "U1"));
  add(4, "e6", episode(day(2023, 4, 1), std::nullopt, "P", "C2", "U2"));  // a day short
  const IndicatorValue v = headline("cla_stability_long");
  EXPECT_EQ(v.denominator, 2);
  EXPECT_EQ(v.numerator, 1);
}

TEST_F(Rules, PlacedOver20MilesUsesStraightLineBetweenGridReferences) {
  add(1, "e1", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1", "LE1 1FAR"));   // 24.9
  add(2, "e2", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1", "MK1 1NEAR"));  // 18.6
  add(3, "e3", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1", "ZZ99 9ZZ"));   // unknown
  const IndicatorValue v = headline("cla_placed_20_miles");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 2);
}

// ---- care leavers and early help -------------------------------------------------------------

TEST_F(Rules, CareLeaversNotInTouchOrWithoutInformationStayInTheDenominator) {
  add(1, "p1", person(day(2005, 6, 1)));  // 19 on 1 June 2024
  add(1, "s1", careLeaver(day(2024, 6, 1), "YES", true));
  add(2, "p2", person(day(2004, 6, 1)));  // 20
  add(2, "s2", careLeaver(day(2024, 6, 1), "NO", std::nullopt));
  add(3, "p3", person(day(2003, 6, 1)));  // 21
  add(3, "s3", careLeaver(day(2024, 6, 1), "REFU", std::nullopt));
  add(4, "p4", person(day(2006, 6, 1)));  // 18: not in the cohort
  add(4, "s4", careLeaver(day(2024, 6, 1), "YES", true));
  const IndicatorValue v = headline("care_leaver_accom_19_21");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(v.denominator, 3);
}

TEST_F(Rules, EarlyHelpOpenAtAnyTimeInThePeriod) {
  add(1, "h1", earlyHelp(day(2023, 6, 1), day(2024, 4, 1)));   // ends on its first day
  add(2, "h2", earlyHelp(day(2023, 6, 1), day(2024, 3, 31)));  // ended before it
  add(3, "h3", earlyHelp(day(2025, 3, 31), std::nullopt));
  EXPECT_EQ(headline("early_help_open").numerator, 2);
}

// ---- suppression and duplicates --------------------------------------------------------------

TEST_F(Rules, CellsBelowFiveAreSuppressed) {
  for (PersonKey k = 1; k <= 4; ++k) add(k, "p" + std::to_string(k), cpPlan(day(2024, 6, 1), {}));
  EXPECT_TRUE(headline("cp_plan_count").suppressed);
  add(5, "p5", cpPlan(day(2024, 6, 1), {}));
  EXPECT_FALSE(headline("cp_plan_count").suppressed);
  EXPECT_FALSE(headline("early_help_open").suppressed);  // zero identifies nobody
}

TEST_F(Rules, SuppressionThresholdIsConfigurable) {
  usePeriod(financialYearStarting(2024), 3);
  for (PersonKey k = 1; k <= 3; ++k) add(k, "p" + std::to_string(k), cpPlan(day(2024, 6, 1), {}));
  EXPECT_FALSE(headline("cp_plan_count").suppressed);
}

TEST_F(Rules, RatioIsSuppressedWhenItsDenominatorIsSmall) {
  for (PersonKey k = 1; k <= 6; ++k) {
    add(k, "c" + std::to_string(k), contact(day(2024, 6, 3), day(2024, 6, 3)));
  }
  EXPECT_FALSE(headline("referral_decision_1wd").suppressed);
  add(1, "a1", assessment(day(2024, 6, 3), day(2024, 6, 4)));
  EXPECT_TRUE(headline("assessment_45wd").suppressed);
}

TEST_F(Rules, SameEpisodeFromTwoSourcesIsCountedOnce) {
  add(1, "903/2024/episodes#3", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1"));
  add(1, "ssd/ssd_cla_episodes:9", episode(day(2024, 1, 1), std::nullopt, "S", "C2", "U1"));
  add(1, "cin/2024/referral#1", referral(day(2024, 5, 1)));
  add(1, "ssd/ssd_cin_episodes:4", referral(day(2024, 5, 1)));
  EXPECT_EQ(headline("cla_count").numerator, 1);
  EXPECT_EQ(headline("re_referral_12m").denominator, 1);
}

TEST_F(Rules, MostCompleteCopyOfAnInvolvementStands) {
  // The earlier return saw the plan open; the later one knows it ended.
  add(1, "cin/2023/plan", cpPlan(day(2024, 1, 1), std::nullopt));
  add(1, "cin/2024/plan", cpPlan(day(2024, 1, 1), day(2025, 1, 1)));
  EXPECT_EQ(headline("cp_plan_count").numerator, 0);
}

// ---- education ----------------------------------------------------------------------------

cn::NeetStatus neet(Date month_end, std::string activity, int academic_age = 16) {
  cn::NeetStatus s;
  s.month_end = month_end;
  s.activity = std::move(activity);
  s.academic_age = academic_age;
  return s;
}

cn::Attendance sessions(Date census, std::string reason, double count, std::string school = "s1") {
  cn::Attendance a;
  a.subject.value = std::move(school);
  a.census = census;
  a.reason = std::move(reason);
  a.sessions = count;
  return a;
}

TEST_F(Rules, NeetAveragesThreeMonthEndsLeavingOutCustodyAndCountingNoActivityAsNotKnown) {
  // One NEET month of three, and a young person in custody all winter.
  add(1, "n1", neet(day(2024, 12, 31), "210"));
  add(1, "n2", neet(day(2025, 1, 31), "540"));
  add(1, "n3", neet(day(2025, 2, 28), "210"));
  for (const Date month : {day(2024, 12, 31), day(2025, 1, 31), day(2025, 2, 28)}) {
    add(2, "c" + cn::formatIsoDate(month), neet(month, "710"));
  }
  // No activity recorded: not known. Moved away: out of the cohort. Aged 18: too old.
  add(3, "u1", neet(day(2025, 1, 31), ""));
  add(4, "m1", neet(day(2025, 1, 31), "910"));
  add(5, "o1", neet(day(2025, 1, 31), "540", 18));
  add(6, "nov", neet(day(2024, 11, 30), "540"));  // not a month the indicator averages
  const IndicatorValue v = headline("neet_16_17");
  EXPECT_DOUBLE_EQ(v.numerator, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*v.denominator, 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(v.value, 50.0);
}

TEST_F(Rules, PersistentAbsenceSumsTheCensusReturnsOfThePeriodAcrossSchools) {
  // 2024-25 holds the summer 2024, autumn 2024 and spring 2025 returns.
  add(1, "a1", sessions(day(2024, 10, 3), "#", 120));
  add(1, "a2", sessions(day(2024, 10, 3), "I", 6));
  add(1, "a3", sessions(day(2025, 1, 16), "#", 60, "s2"));  // off roll at another school
  add(1, "a4", sessions(day(2025, 1, 16), "O", 12, "s2"));  // 18 of 180: exactly 10%
  add(2, "b1", sessions(day(2024, 10, 3), "#", 120));
  add(2, "b2", sessions(day(2024, 10, 3), "I", 11));
  add(2, "b3", sessions(day(2024, 1, 18), "I", 50));  // a census of the year before
  const IndicatorValue v = headline("persistent_absence");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(*v.denominator, 2);
}

TEST_F(Rules, CmeCountsChildrenWithAnEpisodeOpenInThePeriod) {
  cn::MissingEducation open;
  open.start = day(2024, 2, 1);
  cn::MissingEducation closed_before = open;
  closed_before.end = day(2024, 3, 31);
  add(1, "e1", open);
  add(1, "e2", [] {
    cn::MissingEducation again;
    again.start = day(2024, 9, 1);
    return again;
  }());
  add(2, "e3", closed_before);
  EXPECT_EQ(headline("cme_open").numerator, 1);
}

TEST_F(Rules, Ks4MissingGradesStayInTheCohortAndOnlyTheResultsYearCounts) {
  auto result = [](std::optional<int> english, std::optional<int> maths, int year) {
    cn::Ks4Result r;
    r.provenance.collection_year = year;
    r.english.grade = english;
    r.maths.grade = maths;
    if (!maths) r.maths.missing = "NE";
    return r;
  };
  add(1, "k1", result(4, 4, 2023));
  add(2, "k2", result(9, std::nullopt, 2023));
  add(3, "k3", result(3, 9, 2023));
  add(4, "k4", result(9, 9, 2022));  // the year before
  const IndicatorValue v = headline("ks4_eng_maths_4");
  EXPECT_EQ(v.numerator, 1);
  EXPECT_EQ(*v.denominator, 3);
}

}  // namespace
}  // namespace hearth::pipelines::indicators
