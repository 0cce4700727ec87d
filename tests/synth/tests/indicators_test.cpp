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

}  // namespace
}  // namespace hearth::synth
