// Falls admissions 65+: the rule, the directly age-standardised rate and health's disclosure.

#include <gtest/gtest.h>

#include <algorithm>

#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/health_indicators.hpp"
#include "pipelines/indicators/population_estimates.hpp"
#include "pipelines/indicators/standard_population.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

struct Coded {
  int rank;
  std::vector<std::string> icd10;
};

// An admission on `admitted` with method `method`, and its diagnoses as separate records citing
// it; `listed` gives the order the admission lists them in (the ranks decide which is primary).
void addAdmission(IndicatorEngine& engine, PersonKey person, const std::string& id, Date admitted,
                  std::string method, const std::vector<Coded>& diagnoses) {
  cn::HospitalAdmission a;
  a.encounter = "Encounter/" + id;
  a.admission_method = std::move(method);
  a.encounter_class = "IMP";
  a.admitted = admitted;
  for (size_t i = 0; i < diagnoses.size(); ++i) {
    const std::string condition = "Condition/" + id + "-" + std::to_string(i);
    a.diagnoses.push_back({condition, diagnoses[i].rank});
    cn::Diagnosis d;
    d.provenance.source_key = condition;
    d.encounter = i % 2 == 0 ? a.encounter : "";  // listed by the admission is enough
    d.icd10 = diagnoses[i].icd10;
    d.snomed = {"1912002"};
    engine.add(person, condition, d);
  }
  engine.add(person, a.encounter, a);
}

const std::vector<Coded> kFall = {{1, {"S72.0"}}, {2, {"W19.X"}}};

EngineConfig fallsConfig() {
  EngineConfig config = configFor(financialYearStarting(2024));
  config.population_by_age.assign(kOldestAge + 1, 0);
  config.population_by_age[65] = 1000;
  config.population_by_age[70] = 800;
  config.population_by_age[75] = 500;
  config.population_by_age[80] = 400;
  config.population_by_age[85] = 200;
  config.population_by_age[90] = 100;
  return config;
}

// Eight falls: three at 65-69 (one listed in reverse order), four at 80-84, one at 90+; and
// admissions that must not count.
void addSmallCouncil(IndicatorEngine& engine) {
  engine.add(1, "p1", person(day(1955, 1, 1)));  // 69 in June 2024
  addAdmission(engine, 1, "a1", day(2024, 6, 1), "21", kFall);
  addAdmission(engine, 1, "a2", day(2024, 9, 1), "2A", kFall);
  engine.add(2, "p2", person(day(1942, 5, 1)));  // 82
  for (int i = 0; i < 4; ++i) {
    addAdmission(engine, 2, "b" + std::to_string(i), day(2024, 7, 1 + i), "22", kFall);
  }
  engine.add(3, "p3", person(day(1930, 1, 1)));  // 94
  addAdmission(engine, 3, "c1", day(2025, 3, 31), "24", kFall);
  engine.add(4, "p4", person(day(1958, 4, 2)));  // 66
  addAdmission(engine, 4, "f1", day(2024, 12, 1), "21", {{2, {"W01.X"}}, {1, {"S52.5"}}});
  // Not counted: elective, under 65, before the period, primary not an injury, no fall cause.
  engine.add(5, "p5", person(day(1950, 1, 1)));
  addAdmission(engine, 5, "e1", day(2024, 6, 1), "11", kFall);
  addAdmission(engine, 5, "e2", day(2024, 3, 31), "21", kFall);
  addAdmission(engine, 5, "e3", day(2024, 6, 2), "21", {{1, {"W19.X"}}, {2, {"S72.0"}}});
  addAdmission(engine, 5, "e4", day(2024, 6, 3), "21", {{1, {"S72.0"}}, {2, {"J18.9"}}});
  engine.add(6, "p6", person(day(1960, 6, 1)));  // 64 on admission
  addAdmission(engine, 6, "g1", day(2024, 5, 31), "21", kFall);
  // SNOMED only: cannot be judged.
  engine.add(7, "p7", person(day(1950, 1, 1)));
  addAdmission(engine, 7, "n1", day(2024, 8, 1), "21", {{1, {}}, {2, {}}});
}

const IndicatorValue& headline(const std::vector<IndicatorValue>& values) {
  const auto it = std::find_if(values.begin(), values.end(), [](const IndicatorValue& v) {
    return v.indicator_id == "falls_admissions_65" && v.breakdown_name.empty();
  });
  EXPECT_NE(it, values.end());
  return *it;
}

TEST(FallsAdmissions65, EmergencyMethodsAreTwentyOneToTwentyEightAndTwoAToTwoD) {
  for (const char* method : {"21", "22", "23", "24", "25", "28", "2A", "2b", "2C", "2D"}) {
    EXPECT_TRUE(health::isEmergencyAdmission(method)) << method;
  }
  for (const char* method : {"11", "12", "13", "29", "2E", "31", "81", "98", "99", "2", "210"}) {
    EXPECT_FALSE(health::isEmergencyAdmission(method)) << method;
  }
}

TEST(FallsAdmissions65, Icd10RangesCompareThreeCharacterCategories) {
  EXPECT_TRUE(health::icd10InRange("S72.0", "S00", "T98"));
  EXPECT_TRUE(health::icd10InRange("T98.3", "S00", "T98"));
  EXPECT_TRUE(health::icd10InRange("s00", "S00", "T98"));
  EXPECT_FALSE(health::icd10InRange("R55.X", "S00", "T98"));
  EXPECT_TRUE(health::icd10InRange("W19X", "W00", "W19"));
  EXPECT_FALSE(health::icd10InRange("W20.1", "W00", "W19"));
  EXPECT_FALSE(health::icd10InRange("W1", "W00", "W19"));
  EXPECT_FALSE(health::icd10InRange("1912002", "W00", "W19"));
}

TEST(FallsAdmissions65, StandardisedRateIsCheckedByHand) {
  BandCounts events{}, residents{};
  events[13] = 2;  // 65-69
  events[16] = 4;  // 80-84
  events[18] = 1;  // 90+
  residents[13] = 1000;
  residents[16] = 400;
  residents[18] = 100;
  residents[14] = 800;
  // (2/1000 x 5500 + 4/400 x 2500 + 1/100 x 1000) / (5500+5000+4000+2500+1500+1000) x 100,000
  // = (11 + 25 + 10) / 19500 x 100,000
  EXPECT_NEAR(*directlyStandardisedRate(events, residents, 13), 46.0 / 19500 * 100000, 1e-9);
  residents[18] = 0;
  EXPECT_FALSE(directlyStandardisedRate(events, residents, 13).has_value());
  double total = 0;
  for (const double w : kEuropeanStandardPopulation2013) total += w;
  EXPECT_EQ(total, 100000);
}

TEST(FallsAdmissions65, CountsFallsAndStandardisesTheirRate) {
  IndicatorEngine engine(fallsConfig(), shippedBankHolidays(), testPostcodes());
  addSmallCouncil(engine);
  const IndicatorValue v = headline(engine.evaluate().values);  // a copy: the evaluation goes
  EXPECT_EQ(v.numerator, 8);
  ASSERT_TRUE(v.denominator.has_value());
  EXPECT_EQ(*v.denominator, 3000);
  // (3/1000 x 5500 + 4/400 x 2500 + 1/100 x 1000) / 19500 x 100,000
  EXPECT_NEAR(v.value, 51.5 / 19500 * 100000, 1e-9);
  EXPECT_EQ(v.not_computable, 1);
  EXPECT_FALSE(v.suppressed);
  EXPECT_EQ(v.rounded_to, 1);
}

TEST(FallsAdmissions65, AnAdmissionWithoutIcd10IsNotComputableNeverANonFall) {
  IndicatorEngine engine(fallsConfig(), shippedBankHolidays(), testPostcodes());
  engine.add(7, "p7", person(day(1950, 1, 1)));
  addAdmission(engine, 7, "n1", day(2024, 8, 1), "21", {{1, {}}, {2, {}}});
  addAdmission(engine, 7, "n2", day(2024, 9, 1), "21", {});
  engine.evaluate();
  const IndicatorValue v = headline(engine.values(true));
  EXPECT_EQ(v.numerator, 0);
  EXPECT_EQ(v.not_computable, 2);
  // A later feed adds the ICD-10 coding: the admission moves from not computable to a fall.
  cn::Diagnosis coded;
  coded.provenance.source_key = "Condition/n1-0";
  coded.encounter = "Encounter/n1";
  coded.icd10 = {"S06.0"};
  engine.add(7, "Condition/n1-0", coded);
  coded.provenance.source_key = "Condition/n1-1";
  coded.icd10 = {"W10.X"};
  engine.add(7, "Condition/n1-1", coded);
  const Evaluation after = engine.evaluate();
  EXPECT_EQ(headline(after.values).numerator, 1);
  EXPECT_EQ(headline(after.values).not_computable, 1);
}

TEST(FallsAdmissions65, HealthConventionSuppressesOneToSevenAndRoundsTheRestToFive) {
  EngineConfig config = fallsConfig();
  config.disclosure["health"] = DisclosureConvention{8, 5};
  IndicatorEngine engine(config, shippedBankHolidays(), testPostcodes());
  addSmallCouncil(engine);
  IndicatorValue v = headline(engine.evaluate().values);
  EXPECT_FALSE(v.suppressed);
  EXPECT_EQ(v.numerator, 10);  // 8 rounded to the nearest 5
  EXPECT_EQ(*v.denominator, 3000);
  EXPECT_NEAR(v.value, 51.5 / 19500 * 100000, 1e-9);  // from the unrounded counts
  EXPECT_TRUE(v.not_computable_suppressed);           // 1
  EXPECT_EQ(v.rounded_to, 5);
  EXPECT_NE(toJson(v).find("\"not_computable\":null"), std::string::npos);
  EXPECT_NE(toJson(v).find("\"rounded_to\":5"), std::string::npos);

  engine.remove("Encounter/c1");  // seven left
  v = headline(engine.evaluate().values);
  EXPECT_TRUE(v.suppressed);
  EXPECT_NE(toJson(v).find("\"numerator\":null"), std::string::npos);
  // Other families keep the general threshold and exact counts.
  const auto values = engine.values(true);
  const auto cp = std::find_if(values.begin(), values.end(), [](const IndicatorValue& x) {
    return x.indicator_id == "cp_plan_count";
  });
  ASSERT_NE(cp, values.end());
  EXPECT_EQ(cp->rounded_to, 1);
}

TEST(FallsAdmissions65, WithoutPopulationEstimatesTheCountStandsAlone) {
  IndicatorEngine engine(configFor(financialYearStarting(2024)), shippedBankHolidays(),
                         testPostcodes());
  addSmallCouncil(engine);
  const IndicatorValue v = headline(engine.evaluate().values);  // a copy: the evaluation goes
  EXPECT_EQ(v.numerator, 8);
  EXPECT_FALSE(v.denominator.has_value());
  EXPECT_EQ(v.value, 8);
  EXPECT_EQ(v.unit, "count");
}

TEST(FallsAdmissions65, RoundingAppliesToCountsAndCountValues) {
  IndicatorValue v;
  v.numerator = 12;
  v.value = 12;
  v.not_computable = 22;
  discloseCell(v, DisclosureConvention{8, 5});
  EXPECT_EQ(v.numerator, 10);
  EXPECT_EQ(v.value, 10);
  EXPECT_EQ(v.not_computable, 20);
  v = {};
  v.numerator = 13;
  v.denominator = 400;
  v.value = 3.25;
  discloseCell(v, DisclosureConvention{8, 5});
  EXPECT_EQ(v.numerator, 15);
  EXPECT_EQ(v.value, 3.25);
  v = {};
  v.numerator = 0;
  discloseCell(v, DisclosureConvention{8, 5});
  EXPECT_FALSE(v.suppressed);  // zero identifies nobody
}

}  // namespace
}  // namespace hearth::pipelines::indicators
