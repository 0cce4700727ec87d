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

cn::CensusSchool censusSchool(std::string id, std::string urn, std::string phase, Date census) {
  cn::CensusSchool school;
  school.subject = {"school_census", "schoolcensus/" + id};
  school.census_return = std::move(id);
  school.census = census;
  school.urn = std::move(urn);
  school.phase = std::move(phase);
  return school;
}

cn::Enrolment onRoll(std::string census_return, Date census, Date entry) {
  cn::Enrolment e;
  e.census_return = std::move(census_return);
  e.census = census;
  e.entry = entry;
  return e;
}

cn::Exclusion exclusion(std::string category, Date start) {
  cn::Exclusion x;
  x.category = std::move(category);
  x.start = start;
  return x;
}

double denominatorOf(const IndicatorValue* value) {
  return value == nullptr ? -1 : value->denominator.value_or(-1);
}

// 2024-25 with the January 2024 census's primary (h1) and secondary (h2) school headers.
IndicatorEngine engineWithTwoSchools(Date census, SchoolRegister schools = {}) {
  EngineConfig config = configFor(financialYearStarting(2024), 0);
  config.schools = std::move(schools);
  IndicatorEngine engine(std::move(config), shippedBankHolidays(), testPostcodes());
  engine.add(0, "h1", censusSchool("h1", "100015", "PS", census));
  engine.add(0, "h2", censusSchool("h2", "100200", "SS", census));
  return engine;
}

TEST(PermanentExclusionRate, ExclusionsOfTheLastAcademicYearOverTheJanuaryHeadcountByPhase) {
  // 2024-25: the academic year 2023/24 and its census of 18 January 2024.
  const Date census = day(2024, 1, 18);
  IndicatorEngine engine = engineWithTwoSchools(census);
  engine.add(0, "h3", censusSchool("h3", "100300", "SP", census));
  engine.add(1, "e1", onRoll("h1", census, day(2020, 9, 1)));
  engine.add(1, "x1", exclusion("PERM", day(2024, 3, 1)));
  engine.add(2, "e2", onRoll("h2", census, day(2021, 9, 1)));
  engine.add(2, "x2", exclusion("SUSP", day(2024, 2, 1)));
  engine.add(2, "x2b", exclusion("PERM", day(2023, 7, 1)));  // the academic year before
  engine.add(3, "e3", onRoll("h3", census, day(2021, 9, 1)));
  engine.add(3, "x3", exclusion("PERM", day(2024, 2, 1)));     // a special school: neither phase
  engine.add(4, "e4", onRoll("h9", census, day(2021, 9, 1)));  // its header never came
  engine.add(5, "e5", onRoll("h2", census, day(2022, 9, 1)));
  engine.add(5, "x5", exclusion("PERM", day(2024, 5, 1)));
  engine.add(5, "x5b", exclusion("PERM", day(2024, 5, 1)));  // the same, from another return
  const Evaluation evaluation = engine.evaluate();
  const IndicatorValue* rate = find(evaluation.values, "perm_exclusion_rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->numerator, 2);
  EXPECT_EQ(denominatorOf(rate), 3);
  EXPECT_NEAR(rate->value, 200.0 / 3, 1e-9);
  EXPECT_EQ(rate->unit, "per 100 pupils");
  const IndicatorValue* primary =
      find(evaluation.values, "perm_exclusion_rate", "phase", "primary");
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->numerator, 1);
  EXPECT_EQ(denominatorOf(primary), 1);
  const auto* secondary = find(evaluation.values, "perm_exclusion_rate", "phase", "secondary");
  ASSERT_NE(secondary, nullptr);
  EXPECT_EQ(secondary->numerator, 1);
  EXPECT_EQ(denominatorOf(secondary), 2);
  // A pupil whose return came without its school header shows, apart from the rate.
  const auto* unknown = find(evaluation.values, "perm_exclusion_rate", "phase", "school_unknown");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(denominatorOf(unknown), 1);

  // The primary school's header withdrawn: its pupil and exclusion move to "school unknown".
  engine.remove("h1");
  const Evaluation after = engine.evaluate();
  const IndicatorValue* rate_after = find(after.values, "perm_exclusion_rate");
  ASSERT_NE(rate_after, nullptr);
  EXPECT_EQ(rate_after->numerator, 1);
  EXPECT_EQ(denominatorOf(rate_after), 2);
  const auto* unknown_after = find(after.values, "perm_exclusion_rate", "phase", "school_unknown");
  ASSERT_NE(unknown_after, nullptr);
  EXPECT_EQ(unknown_after->numerator, 1);
  EXPECT_EQ(denominatorOf(unknown_after), 2);
}

TEST(PermanentExclusionRate, AnExclusionCountsAtTheSchoolThePupilWasAtThatDay) {
  const Date census = day(2024, 1, 18);
  IndicatorEngine engine = engineWithTwoSchools(census);
  // On roll at a primary school in January, then at a secondary school from February (the
  // summer return's enrolment), permanently excluded there in March.
  engine.add(1, "e1", onRoll("h1", census, day(2019, 9, 1)));
  const Date summer = day(2024, 5, 16);
  engine.add(0, "s2", censusSchool("s2", "100200", "SS", summer));
  engine.add(1, "e2", onRoll("s2", summer, day(2024, 2, 1)));
  engine.add(1, "x1", exclusion("PERM", day(2024, 3, 4)));
  const Evaluation evaluation = engine.evaluate();
  EXPECT_EQ(find(evaluation.values, "perm_exclusion_rate", "phase", "secondary")->numerator, 1);
  EXPECT_EQ(find(evaluation.values, "perm_exclusion_rate", "phase", "primary")->numerator, 0);
}

TEST(PermanentExclusionRate, APupilReadmittedToTheSameSchoolIsOnItsRoll) {
  // Left the secondary school in December and readmitted in January: the return holds both the
  // row no longer on roll and the row on roll, and the pupil is on roll on the census day.
  const Date census = day(2024, 1, 18);
  IndicatorEngine engine = engineWithTwoSchools(census);
  cn::Enrolment left = onRoll("h2", census, day(2021, 9, 1));
  left.on_roll = false;
  left.leaving = day(2023, 12, 24);
  engine.add(1, "e1", onRoll("h2", census, day(2023, 12, 25)));
  engine.add(1, "e1-left", left);
  engine.add(1, "e1-copy", onRoll("h2", census, day(2023, 12, 25)));  // the row read twice
  const Evaluation evaluation = engine.evaluate();
  EXPECT_EQ(denominatorOf(find(evaluation.values, "perm_exclusion_rate")), 1);
  EXPECT_EQ(denominatorOf(find(evaluation.values, "perm_exclusion_rate", "phase", "secondary")), 1);
}

SchoolRegister inspected() {
  SchoolRegister schools = gias();
  std::istringstream graded(
      "URN,School name,Inspection start date,Publication date,Overall effectiveness\n"
      "100015,Willow,2022-01-23,2022-02-20,2\n"
      "100200,Brook,2019-03-01,2019-04-01,4\n"
      "100300,Oak,2023-05-01,2023-06-01,1\n"
      "100400,Elm,2021-05-01,2021-06-01,3\n");
  schools.addOfsted(graded, "schools_mi.csv");
  std::istringstream cards("URN,Inspection date,Inclusion\n100400,2025-11-20,Secure\n");
  schools.addOfsted(cards, "report_cards.csv");
  std::istringstream early(
      "Provider URN,Most recent full: Inspection date,Most recent full: Overall effectiveness\n"
      "EY101264,2021-11-20,1\n"
      "EY101265,2022-11-20,3\n");
  schools.addOfsted(early, "early_years_mi.csv");
  return schools;
}

TEST(PupilsGoodOutstanding, PupilsAtGradedSchoolsWithSpecialEarlyYearsAndTheNewFramework) {
  const Date census = day(2025, 1, 16);
  IndicatorEngine engine = engineWithTwoSchools(census, inspected());
  engine.add(0, "h3", censusSchool("h3", "100300", "SP", census));
  engine.add(0, "h4", censusSchool("h4", "100400", "PR", census));
  engine.add(1, "e1", onRoll("h1", census, day(2020, 9, 1)));  // good
  engine.add(2, "e2", onRoll("h2", census, day(2020, 9, 1)));  // inadequate
  engine.add(3, "e3", onRoll("h3", census, day(2020, 9, 1)));  // outstanding special school
  engine.add(4, "e4", onRoll("h4", census, day(2020, 9, 1)));  // a report card: not graded
  engine.add(5, "e5", onRoll("h9", census, day(2020, 9, 1)));  // the return's school unknown
  engine.add(6, "e6", onRoll("h1", day(2024, 1, 18), day(2020, 9, 1)));  // last year's census
  cn::EarlyYearsFunding good_setting = funding("");
  engine.add(7, "f7", good_setting);
  cn::EarlyYearsFunding other_setting = funding("");
  other_setting.setting = "EY101265";
  engine.add(8, "f8", other_setting);
  const Evaluation evaluation = engine.evaluate();
  const IndicatorValue* headline = find(evaluation.values, "pupils_good_outstanding");
  ASSERT_NE(headline, nullptr);
  EXPECT_EQ(headline->numerator, 2);
  EXPECT_EQ(denominatorOf(headline), 3);
  const auto part = [&](std::string_view name) {
    const IndicatorValue* v = find(evaluation.values, "pupils_good_outstanding", "school", name);
    EXPECT_NE(v, nullptr) << name;
    return v == nullptr ? std::pair<double, double>{-1, -1}
                        : std::pair<double, double>{v->numerator, denominatorOf(v)};
  };
  EXPECT_EQ(part("special_schools"), (std::pair<double, double>{1, 1}));
  EXPECT_EQ(part("early_years"), (std::pair<double, double>{1, 2}));
  EXPECT_EQ(part("new_framework"), (std::pair<double, double>{1, 4}));
  EXPECT_EQ(part("school_unknown"), (std::pair<double, double>{0, 1}));
}

TEST(PupilsGoodOutstanding, AnOfstedFileOfTheNewFrameworkOnlyStillComputes) {
  SchoolRegister schools;
  std::istringstream cards(
      "URN,Inspection date,Inclusion\n100015,2025-11-20,Secure\n100200,2025-12-02,Strong\n");
  schools.addOfsted(cards, "report_cards.csv");
  const Date census = day(2025, 1, 16);
  IndicatorEngine engine = engineWithTwoSchools(census, std::move(schools));
  engine.add(1, "e1", onRoll("h1", census, day(2020, 9, 1)));
  engine.add(2, "e2", onRoll("h2", census, day(2020, 9, 1)));
  const Evaluation evaluation = engine.evaluate();
  const IndicatorValue* headline = find(evaluation.values, "pupils_good_outstanding");
  ASSERT_NE(headline, nullptr);
  EXPECT_EQ(headline->numerator, 0);
  EXPECT_EQ(denominatorOf(headline), 0);
  const IndicatorValue* share =
      find(evaluation.values, "pupils_good_outstanding", "school", "new_framework");
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(share->numerator, 2);
  EXPECT_EQ(share->value, 100.0);
}

}  // namespace
}  // namespace hearth::pipelines::indicators
