// The schools reference data (GIAS register, Ofsted's two frameworks) and the education measures
// that read it or the early years census: EHC plans by setting, funded two-year-olds.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "pipelines/indicators/education_indicators.hpp"
#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

constexpr std::string_view kGias =
    "URN,LA (code),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
    "PhaseOfEducation (name),UKPRN\n"
    "100015,941,\"Willow Primary School, Moulton\",Academy converter,Open,Primary,10100015\n"
    "100200,941,Brook Academy,Academy sponsor led,Open,Secondary,\n"
    "100300,941,Oak School,Community special school,Open,Not applicable,\n"
    "100400,941,Elm Centre,Pupil referral unit,Open,Not applicable,\n"
    "100500,941,Northampton College,Further education,Open,16 plus,10100500\n";

SchoolRegister gias() {
  SchoolRegister register_;
  std::istringstream in{std::string(kGias)};
  register_.addGias(in, "gias.csv");
  return register_;
}

TEST(SchoolRegister, GiasTypesAndPhasesGiveMainstreamSpecialAndOther) {
  const SchoolRegister schools = gias();
  EXPECT_EQ(schools.establishments(), 5u);
  EXPECT_EQ(schools.byUrn("100015")->kind, SchoolKind::kMainstream);
  EXPECT_EQ(schools.byUrn("100200")->kind, SchoolKind::kMainstream);
  EXPECT_EQ(schools.byUrn("100300")->kind, SchoolKind::kSpecial);
  EXPECT_EQ(schools.byUrn("100400")->kind, SchoolKind::kOther);
  EXPECT_EQ(schools.byUkprn("10100500")->urn, "100500");
  EXPECT_EQ(schools.byUrn("999999"), nullptr);
}

TEST(SchoolRegister, AGiasFileWithoutTheColumnsIsAnErrorNamingIt) {
  SchoolRegister schools;
  std::istringstream in("URN,EstablishmentName\n100015,Willow\n");
  try {
    schools.addGias(in, "extract.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("extract.csv"), std::string::npos);
  }
}

TEST(SchoolRegister, TheLatestInspectionSaysWhichFrameworkASchoolIsUnder) {
  SchoolRegister schools = gias();
  std::istringstream graded(
      "URN,School name,Inspection start date,Publication date,Overall effectiveness\n"
      "100015,Willow,2022-01-23,2022-02-20,2\n"
      "100200,Brook,2019-03-01,2019-04-01,4\n"
      "100300,Oak,,,\n");
  schools.addOfsted(graded, "schools_mi.csv");
  // A report card file: no overall effectiveness at all; it must load.
  std::istringstream cards(
      "URN,School name,Inspection date,Inclusion,Leadership and governance\n"
      "100200,Brook,2025-11-20,Secure,Strong\n");
  schools.addOfsted(cards, "report_cards.csv");
  std::istringstream early(
      "Provider URN,Provider type,Most recent full: Inspection date,"
      "Most recent full: Overall effectiveness\n"
      "EY101264,Childcare on non-domestic premises,2021-11-20,1\n");
  schools.addOfsted(early, "early_years_mi.csv");

  EXPECT_EQ(schools.latestJudgement("100015")->overall, std::optional<int>(2));
  EXPECT_EQ(schools.latestJudgement("100015")->framework, OfstedFramework::kGraded);
  const OfstedJudgement* brook = schools.latestJudgement("100200");
  EXPECT_EQ(brook->framework, OfstedFramework::kReportCard);
  EXPECT_FALSE(brook->overall);  // not comparable with the grade 4 before it
  EXPECT_EQ(schools.latestJudgement("100300"), nullptr);  // never inspected
  EXPECT_EQ(schools.latestJudgement("EY101264")->overall, std::optional<int>(1));
  EXPECT_EQ(schools.judgements(), 3u);
}

TEST(SchoolRegister, AnOfstedFileOfTheNewFrameworkOnlyLoads) {
  SchoolRegister schools;
  std::istringstream cards("URN,Inspection date,Inclusion\n100015,2025-12-01,Strong\n");
  schools.addOfsted(cards, "report_cards.csv");
  EXPECT_EQ(schools.latestJudgement("100015")->framework, OfstedFramework::kReportCard);
}

cn::EhcPlan plan(Date start, std::optional<Date> ceased, std::string urn,
                 std::string setting = "") {
  cn::EhcPlan p;
  p.start = start;
  p.ceased = ceased;
  cn::EhcPlacement placement;
  placement.active = true;
  placement.urn = std::move(urn);
  placement.setting = std::move(setting);
  placement.entry = start;
  p.placements.push_back(placement);
  return p;
}

TEST(EhcPlanSetting, ComesFromTheRegisterAndShowsASchoolItLacksAsUnknown) {
  const SchoolRegister schools = gias();
  const Date census = day(2025, 1, 16);
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "100015"), census, &schools),
            "mainstream");
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "100300"), census, &schools),
            "special");
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "100400"), census, &schools),
            "other");
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "", "EYP"), census, &schools),
            "other");
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "123456"), census, &schools),
            "unknown");
  EXPECT_EQ(education::ehcSettingOn(plan(day(2020, 1, 1), {}, "100015"), census, nullptr),
            "unknown");
  // A placement that begins after the census day is not the setting that day.
  EXPECT_EQ(education::ehcSettingOn(plan(day(2025, 2, 1), {}, "100015"), census, &schools),
            "other");
}

const IndicatorValue* find(const std::vector<IndicatorValue>& values, std::string_view id,
                           std::string_view breakdown = "", std::string_view value = "") {
  const auto it = std::find_if(values.begin(), values.end(), [&](const IndicatorValue& v) {
    return v.indicator_id == id && v.breakdown_name == breakdown && v.breakdown_value == value;
  });
  return it == values.end() ? nullptr : &*it;
}

// SEN2 rows of one plan, as the sen2 layout makes them.
void addPlan(IndicatorEngine& engine, PersonKey person, std::string id, Date start,
             std::optional<Date> ceased, std::string urn) {
  cn::EhcRequest request;
  request.request = "r" + id;
  request.received = day(2019, 1, 1);
  cn::EhcAssessment assessment;
  assessment.assessment = "a" + id;
  assessment.request = "r" + id;
  cn::EhcNamedPlan named;
  named.plan = "n" + id;
  named.assessment = "a" + id;
  named.start = start;
  named.ceased = ceased;
  cn::EhcPlacement placement;
  placement.owner = "n" + id;
  placement.urn = std::move(urn);
  engine.add(person, "req" + id, request);
  engine.add(person, "ass" + id, assessment);
  engine.add(person, "np" + id, named);
  engine.add(person, "pl" + id, placement);
}

TEST(EhcpCount, PlansInForceOnTheJanuaryCensusCountUnderTheirSetting) {
  EngineConfig config = configFor(financialYearStarting(2024), 0);
  config.schools = gias();
  IndicatorEngine engine(std::move(config), shippedBankHolidays(), testPostcodes());
  addPlan(engine, 1, "1", day(2020, 5, 1), {}, "100015");
  addPlan(engine, 2, "2", day(2021, 5, 1), {}, "100300");
  addPlan(engine, 2, "3", day(2018, 5, 1), day(2024, 7, 1), "100015");   // ceased before
  addPlan(engine, 3, "4", day(2022, 5, 1), day(2025, 1, 16), "100300");  // ceased on the day
  addPlan(engine, 4, "5", day(2023, 5, 1), {}, "999999");                // school GIAS lacks
  addPlan(engine, 5, "6", day(2025, 2, 1), {}, "100015");                // issued after
  const Evaluation evaluation = engine.evaluate();
  ASSERT_NE(find(evaluation.values, "ehcp_count"), nullptr);
  EXPECT_EQ(find(evaluation.values, "ehcp_count")->numerator, 3);
  EXPECT_EQ(find(evaluation.values, "ehcp_count", "setting", "mainstream")->numerator, 1);
  EXPECT_EQ(find(evaluation.values, "ehcp_count", "setting", "special")->numerator, 1);
  EXPECT_EQ(find(evaluation.values, "ehcp_count", "setting", "unknown")->numerator, 1);
  EXPECT_EQ(find(evaluation.values, "ehcp_count", "setting", "other"), nullptr);
}

cn::EarlyYearsFunding funding(std::string basis) {
  cn::EarlyYearsFunding f;
  f.census = day(2025, 1, 16);
  f.setting = "EY101264";
  f.funded_hours = 15;
  f.basis = std::move(basis);
  return f;
}

cn::TwoYearOldEligibility onTheList() {
  cn::TwoYearOldEligibility e;
  e.list_year = 2024;
  return e;
}

TEST(Funded2yo, FundedTwoYearOldsOverTheDwpListAgedTwoOnTheCensusDay) {
  IndicatorEngine engine(configFor(financialYearStarting(2024), 0), shippedBankHolidays(),
                         testPostcodes());
  engine.add(1, "p1", person(day(2022, 9, 8)));  // 2 on 16 January 2025
  engine.add(1, "l1", onTheList());
  engine.add(1, "f1", funding("ECO"));
  engine.add(2, "p2", person(day(2022, 3, 1)));  // on the list, not funded
  engine.add(2, "l2", onTheList());
  engine.add(3, "p3", person(day(2022, 6, 1)));  // funded on HSD, not on the list
  engine.add(3, "f3", funding("HSD"));
  engine.add(4, "p4", person(day(2021, 6, 1)));  // 3: universal hours, not a two-year-old
  engine.add(4, "l4", onTheList());
  engine.add(4, "f4", funding(""));
  engine.add(5, "p5", person(day(2022, 4, 1)));  // 2, funded without a two-year-old basis
  engine.add(5, "f5", funding(""));
  const Evaluation evaluation = engine.evaluate();
  const IndicatorValue* value = find(evaluation.values, "funded_2yo");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(value->numerator, 2);
  ASSERT_TRUE(value->denominator.has_value());
  EXPECT_EQ(*value->denominator, 2);
}

}  // namespace
}  // namespace hearth::pipelines::indicators
