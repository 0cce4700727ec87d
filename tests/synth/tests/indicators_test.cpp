#include "tests/synth/indicators.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/synth/generator.hpp"

namespace hearth::synth {
namespace {

// Small worlds built by hand, so each definition is pinned to its boundary cases.
class IndicatorRules : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.timeline = makeTimeline(2025);
    world_.postcodes.push_back({"NN1 1AA", 475000, 260000, "E01950000", "E06000062", 0});
    world_.postcodes.push_back({"NN1 1AB", 475100, 260000, "E01950000", "E06000062", 0});
    world_.postcodes.push_back({"B15 1AA", 406500, 285500, "E01960000", "E08000025", 0xFFFF});
    world_.addresses.push_back({0, 28000000001ULL, 1, 0});
    world_.households.push_back({});
    for (int i = 0; i < 4; ++i) {
      Person p;
      p.dob = dayFromCivil(2012, 6, 1);
      world_.people.push_back(p);
    }
  }

  nlohmann::ordered_json indicator(const std::string& id) {
    const auto all = computeIndicators(world_);
    for (const auto& group : {all["indicators"], all["cross_service"]})
      for (const auto& i : group)
        if (i["id"] == id) return i;
    ADD_FAILURE() << "no indicator " << id;
    return {};
  }

  CinEpisode referral(uint32_t child, Day day) {
    CinEpisode ep;
    ep.child = child;
    ep.referral = day;
    ep.closure = day + 10;
    return ep;
  }

  ClaPeriod periodOfCare(uint32_t child, Day start, const std::string& legal, uint32_t placed_at) {
    ClaPeriod p;
    p.child = child;
    p.start = start;
    p.home_postcode = 0;
    p.legal.push_back({start, kNoDay, legal});
    Placement pl;
    pl.start = start;
    pl.place = "U4";
    pl.postcode = placed_at;
    p.placements.push_back(pl);
    return p;
  }

  World world_;
};

TEST_F(IndicatorRules, ReReferralCountsReferralExactlyTwelveMonthsAfterPrevious) {
  world_.cin_episodes.push_back(referral(0, dayFromCivil(2023, 6, 15)));
  world_.cin_episodes.push_back(referral(0, dayFromCivil(2024, 6, 15)));
  world_.cin_episodes.push_back(referral(1, dayFromCivil(2023, 6, 14)));
  world_.cin_episodes.push_back(referral(1, dayFromCivil(2024, 6, 15)));
  const auto j = indicator("re_referral_12m");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, AssessmentOnTheFortyFifthWorkingDayIsTimely) {
  CinEpisode ep = referral(0, dayFromCivil(2024, 5, 1));
  const Day start = dayFromCivil(2024, 5, 1);
  ep.assessments.push_back({1, start, addWorkingDays(start, 45), {}});
  ep.assessments.push_back({2, start, addWorkingDays(start, 46), {}});
  world_.cin_episodes.push_back(ep);
  const auto j = indicator("assessment_45wd");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, ClaCountLeavesOutShortBreaksAndPeriodsEndingOnTheLastDay) {
  const Day pe = world_.timeline.period_end;
  world_.cla_periods.push_back(periodOfCare(0, dayFromCivil(2023, 1, 1), "C2", 1));
  world_.cla_periods.push_back(periodOfCare(1, dayFromCivil(2023, 1, 1), "V4", 1));
  ClaPeriod ended = periodOfCare(2, dayFromCivil(2023, 1, 1), "C2", 1);
  ended.end = pe;
  ended.placements.back().end = pe;
  world_.cla_periods.push_back(ended);
  EXPECT_EQ(indicator("cla_count")["numerator"], 1);
}

TEST_F(IndicatorRules, PlacedOver20MilesUsesStraightLineBetweenGridReferences) {
  world_.cla_periods.push_back(periodOfCare(0, dayFromCivil(2024, 1, 1), "C2", 2));  // Birmingham
  world_.cla_periods.push_back(periodOfCare(1, dayFromCivil(2024, 1, 1), "C2", 1));  // next street
  world_.cla_periods.push_back(periodOfCare(2, dayFromCivil(2024, 1, 1), "C2", kNone));
  const auto j = indicator("cla_placed_20_miles");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, LongTermStabilityNeedsTwoAndAHalfYearsInCareAndTwoInPlacement) {
  const Day pe = world_.timeline.period_end;
  ClaPeriod stable = periodOfCare(0, addMonths(pe, -30), "C2", 1);
  world_.cla_periods.push_back(stable);
  ClaPeriod moved = periodOfCare(1, addMonths(pe, -40), "C2", 1);
  moved.placements.back().end = addYears(pe, -2) + 1;
  Placement next = moved.placements.back();
  next.start = addYears(pe, -2) + 1;
  next.end = kNoDay;
  moved.placements.push_back(next);
  world_.cla_periods.push_back(moved);
  world_.cla_periods.push_back(periodOfCare(2, addMonths(pe, -30) + 1, "C2", 1));  // too recent
  const auto j = indicator("cla_stability_long");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, ShortTermStabilityIgnoresTemporaryPlacements) {
  const Day ps = world_.timeline.period_start;
  ClaPeriod p = periodOfCare(0, ps + 10, "C2", 1);
  p.placements.back().end = ps + 20;
  for (const char* place : {"T1", "U5"}) {
    Placement next = p.placements.back();
    next.start = p.placements.back().end;
    next.end = next.start + 10;
    next.place = place;
    p.placements.push_back(next);
  }
  p.placements.back().end = kNoDay;
  world_.cla_periods.push_back(p);
  EXPECT_EQ(indicator("cla_stability_short")["numerator"], 0);
}

TEST_F(IndicatorRules, ContactDecidedNextWorkingDayIsTimely) {
  const Day friday = dayFromCivil(2025, 3, 28);
  world_.contacts.push_back({1, 0, friday, 600, dayFromCivil(2025, 3, 31), 600, "6", false});
  world_.contacts.push_back({2, 0, friday, 600, dayFromCivil(2025, 4, 1), 600, "6", false});
  const auto j = indicator("referral_decision_1wd");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, NeetAveragesDecemberJanuaryFebruaryAndLeavesOutCustody) {
  world_.people[0].dob = dayFromCivil(2007, 10, 1);  // academic age 16 in 2024/25
  world_.people[1].dob = dayFromCivil(2007, 10, 1);
  for (const Day month :
       {dayFromCivil(2024, 12, 31), dayFromCivil(2025, 1, 31), dayFromCivil(2025, 2, 28)}) {
    world_.nccis.push_back({0, month, month == dayFromCivil(2025, 1, 31) ? 540 : 210, month});
    world_.nccis.push_back({1, month, 710, month});
  }
  const auto j = indicator("neet_16_17");
  EXPECT_DOUBLE_EQ(j["denominator"].get<double>(), 1.0);
  EXPECT_NEAR(j["numerator"].get<double>(), 1.0 / 3.0, 1e-9);
}

TEST_F(IndicatorRules, PersistentAbsenceIsTenPercentOfPossibleSessionsAtCensusSchools) {
  School primary;
  primary.phase = "PS";
  School nursery;
  nursery.phase = "EY";
  world_.schools = {primary, nursery};
  world_.absence_rate = {12, 9, 30, 0};
  const Day entry = dayFromCivil(2020, 9, 1);
  world_.enrolments.push_back({0, 0, entry, kNoDay});
  world_.enrolments.push_back({1, 0, entry, kNoDay});
  world_.enrolments.push_back({2, 1, entry, kNoDay});  // not in the school census
  const auto j = indicator("persistent_absence");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, CareLeaverCohortIncludesNoInformation) {
  CareLeaver leaver;
  leaver.person = 3;
  leaver.statuses.push_back({2025, dayFromCivil(2024, 9, 1), 19, "YES", "F2", "T1"});
  world_.care_leavers.push_back(leaver);
  CareLeaver lost;
  lost.person = 2;
  lost.statuses.push_back({2025, dayFromCivil(2024, 10, 1), 20, "NO", "", ""});
  world_.care_leavers.push_back(lost);
  const auto j = indicator("care_leaver_accom_19_21");
  EXPECT_EQ(j["denominator"], 2);
  EXPECT_EQ(j["numerator"], 1);
}

TEST_F(IndicatorRules, LongTermSupportIsOnePerAdultAtYearEndInTheHighestSetting) {
  world_.people[0].dob = dayFromCivil(1940, 1, 1);  // 85
  world_.people[1].dob = dayFromCivil(1980, 1, 1);  // 45
  world_.people[2].dob = dayFromCivil(1980, 1, 1);
  auto service = [&](uint32_t person, Day start, Day end, const std::string& type) {
    AscEvent e;
    e.person = person;
    e.type = "Service";
    e.start = start;
    e.end = end;
    e.service_type = type;
    world_.asc_events.push_back(e);
  };
  // Two services for one person: counted once, as nursing.
  service(0, dayFromCivil(2023, 1, 1), kNoDay, "Long Term Support: Community");
  service(0, dayFromCivil(2024, 6, 1), kNoDay, "Long Term Support: Nursing Care");
  // Ending on 31 March has not ended before it; ending on 30 March has.
  service(1, dayFromCivil(2022, 1, 1), dayFromCivil(2025, 3, 31), "Long Term Support: Community");
  service(2, dayFromCivil(2022, 1, 1), dayFromCivil(2025, 3, 30), "Long Term Support: Community");
  // Short-term support and children are not counted.
  service(2, dayFromCivil(2025, 3, 1), kNoDay, "Short Term Support: ST-Max");
  service(3, dayFromCivil(2025, 3, 1), kNoDay, "Long Term Support: Community");
  const auto j = indicator("asc_long_term_support");
  EXPECT_EQ(j["numerator"], 2);
  EXPECT_EQ(j["breakdown"]["65+"], 1);
  EXPECT_EQ(j["breakdown"]["18-64"], 1);
  EXPECT_EQ(j["breakdown"]["nursing"], 1);
  EXPECT_EQ(j["breakdown"]["community"], 1);
}

TEST_F(IndicatorRules, FeelsSafeCountsValidAnswersOnlyAndKeepsTheStratum) {
  world_.asc_survey.push_back({0, 1, 1, 4});
  world_.asc_survey.push_back({1, 2, 1, 4});
  world_.asc_survey.push_back({2, 0, 1, 2});  // left blank: not a valid answer
  world_.asc_survey.push_back({3, 1, 0, 2});
  const auto j = indicator("asc_feels_safe");
  EXPECT_EQ(j["numerator"], 2);
  EXPECT_EQ(j["denominator"], 3);
  EXPECT_EQ(j["breakdown"]["stratum"]["4"]["denominator"], 2);
  EXPECT_EQ(j["breakdown"]["stratum"]["2"]["numerator"], 1);
}

TEST_F(IndicatorRules, OverlappingTemporaryAccommodationCountsTheHouseholdOnce) {
  world_.people[0].dob = dayFromCivil(1990, 1, 1);
  HomelessCase c;
  c.id = 1;
  c.applicant = 0;
  c.members = {0, 1};  // with a child
  c.approach = dayFromCivil(2024, 5, 1);
  c.relief_start = dayFromCivil(2024, 5, 2);
  world_.homeless_cases.push_back(c);
  world_.temporary_accommodation.push_back({1, 1, 0, dayFromCivil(2024, 5, 3), kNoDay, "B&B"});
  world_.temporary_accommodation.push_back(
      {2, 1, 0, dayFromCivil(2025, 1, 3), kNoDay, "Hostel", false});
  world_.temporary_accommodation.push_back(
      {3, 1, 0, dayFromCivil(2024, 6, 3), dayFromCivil(2025, 3, 31), "Hostel", false});
  const auto ta = indicator("temp_accommodation");
  EXPECT_EQ(ta["numerator"], 1);
  EXPECT_EQ(ta["breakdown"]["with_children"], 1);
  const auto duty = indicator("homeless_duty_owed");
  EXPECT_EQ(duty["numerator"], 1);
  EXPECT_EQ(duty["breakdown"]["relief"], 1);
  EXPECT_EQ(duty["breakdown"]["prevention"], 0);
}

TEST_F(IndicatorRules, FallsAdmissionsAreStandardisedAndUncodedOnesCountedApart) {
  // Residents on 31 March 2025: 66 (band 65-69), 82 (80-84) and 91 (90+), plus the children.
  for (const int year : {1958, 1942, 1933}) {
    Person p;
    p.dob = dayFromCivil(year, 6, 1);
    world_.people.push_back(p);
  }
  const auto admit = [&](uint32_t person, Day day, std::string method,
                         std::vector<std::string> diagnoses, bool coded = true) {
    Admission a;
    a.person = person;
    a.admitted = day;
    a.method = std::move(method);
    a.diagnoses = std::move(diagnoses);
    a.icd10_coded = coded;
    world_.admissions.push_back(a);
  };
  admit(4, dayFromCivil(2024, 7, 1), "21", {"S72.0", "W19.X"});          // 66: counted
  admit(5, dayFromCivil(2024, 7, 1), "2A", {"S06.0", "W01.X"});          // 82: counted
  admit(5, dayFromCivil(2024, 8, 1), "22", {"S52.5", "W10.X"});          // 82: counted
  admit(6, dayFromCivil(2025, 3, 31), "24", {"T14.0", "W18.X"});         // 91: counted
  admit(4, dayFromCivil(2024, 5, 31), "21", {"S72.0", "W19.X"}, false);  // not computable
  admit(4, dayFromCivil(2024, 9, 1), "11", {"S72.0", "W19.X"});          // elective
  admit(5, dayFromCivil(2024, 9, 1), "21", {"W19.X", "S72.0"});          // primary is the cause
  admit(6, dayFromCivil(2024, 3, 31), "21", {"S72.0", "W19.X"});         // before the period
  const auto j = indicator("falls_admissions_65");
  EXPECT_EQ(j["numerator"], 4);
  EXPECT_EQ(j["denominator"], 3);
  EXPECT_EQ(j["not_computable"], 1);
  // (1/1 x 5500 + 2/1 x 2500 + 1/1 x 1000) / 19500 x 100,000
  EXPECT_NEAR(j["dsr_per_100000"].get<double>(), 11500.0 / 19500 * 100000, 1e-3);
  EXPECT_EQ(j["by_age_band"]["80-84"]["admissions"], 2);
  EXPECT_EQ(j["by_age_band"]["70-74"]["residents"], 0);
}

}  // namespace
}  // namespace hearth::synth
