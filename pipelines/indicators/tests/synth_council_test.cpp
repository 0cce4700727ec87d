// The whole engine against the synthetic council's independent oracle: every indicator computed
// from the SSD extract and the FHIR export must equal truth/indicators.json.

#include "pipelines/indicators/tests/synth_council.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/population_estimates.hpp"
#include "pipelines/indicators/registry.hpp"
#include "pipelines/indicators/tests/synth_council.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace std::chrono_literals;

// One folder per generator binary: checkouts built side by side on one machine share /tmp, and a
// council another checkout's generator wrote would not be this one's truth.
const std::filesystem::path kCouncil =
    std::filesystem::temp_directory_path() /
    ("hearth-indicators-test-council-seed7-" +
     std::to_string(std::hash<std::string_view>{}(HEARTH_SYNTH_BINARY)));

class SynthCouncilTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::generateCouncil(HEARTH_SYNTH_BINARY, "--seed 7 --scale 0.05 --mess-rate 0", kCouncil);
    truth_ = new nlohmann::json(
        nlohmann::json::parse(std::ifstream(kCouncil / "truth" / "indicators.json")));
    const Period period = financialYearStarting(2024);
    council_ = new testing::SynthCouncil(testing::loadSsdCouncil(kCouncil, period.end));
    // The hospital trust's FHIR export, through the fhir layout.
    // Admissions at the end of the year are discharged after it: the export is read later.
    testing::SynthCouncil health =
        testing::loadFhirCouncil(kCouncil, addMonthsClamped(period.end, 12));
    council_->unattributed += health.unattributed;
    for (testing::FedRecord& r : health.records) council_->records.push_back(std::move(r));

    std::ifstream holidays(kCouncil / "reference" / "bank_holidays_england.csv");
    std::ifstream postcodes(kCouncil / "reference" / "postcode_lookup.csv");
    EngineConfig config;
    config.periods = {period};
    config.population_0_17 = council_->population_0_17;
    config.area_code = "E06000062";
    std::ifstream estimates(kCouncil / "reference" / "population_estimates.csv");
    config.population_by_age = PopulationEstimates::fromCsv(estimates, "population estimates")
                                   .childrenFor("E06000062", period)
                                   .value()
                                   .by_age;
    engine_ = new IndicatorEngine(config, WorkingDays::fromCsv(holidays, "bank holidays"),
                                  PostcodeLookup::fromCsv(postcodes, "postcode lookup"));
    for (const testing::FedRecord& r : council_->records) {
      engine_->add(r.person, r.evidence_id, r.record);
    }
    first_ = new Evaluation(engine_->evaluate());
  }

  static void TearDownTestSuite() {
    delete first_;
    delete engine_;
    delete council_;
    delete truth_;
  }

  static const nlohmann::json& expected(const std::string& id) {
    for (const nlohmann::json& entry : (*truth_)["indicators"]) {
      if (entry["id"] == id) return entry;
    }
    throw std::runtime_error("no truth for " + id);
  }

  static IndicatorValue headline(const std::string& id) {
    for (const IndicatorValue& v : engine_->values(true)) {
      if (v.indicator_id == id) return v;
    }
    throw std::runtime_error("no value for " + id);
  }

  static inline nlohmann::json* truth_ = nullptr;
  static inline testing::SynthCouncil* council_ = nullptr;
  static inline IndicatorEngine* engine_ = nullptr;
  static inline Evaluation* first_ = nullptr;
};

TEST_F(SynthCouncilTest, TruthCoversThePeriodUnderTest) {
  EXPECT_EQ((*truth_)["period"]["start"], "2024-04-01");
  EXPECT_EQ((*truth_)["period"]["end"], "2025-03-31");
  EXPECT_EQ(council_->unattributed, 0u);
  EXPECT_GT(council_->records.size(), 5000u);
}

// The SSD extract holds children's social care only: housing, adult social care and
// cross-service indicators are held against the truth through their own sources (tests/e2e).
TEST_F(SynthCouncilTest, EveryIndicatorMatchesTheOracle) {
  static const std::set<std::string> kOtherServices = {"homeless_duty_owed",
                                                       "temp_accommodation",
                                                       "rough_sleeping",
                                                       "asc_long_term_support",
                                                       "asc_feels_safe",
                                                       "neet_16_17",
                                                       "cme_open",
                                                       "ks4_eng_maths_4",
                                                       "persistent_absence",
                                                       "care_leavers_19_21_owed_homelessness_duty",
                                                       "cp_children_in_temporary_accommodation",
                                                       "cla_with_ehcp",
                                                       "family_multiple_needs",
                                                       "ehcp_count",
                                                       "funded_2yo",
                                                       "perm_exclusion_rate",
                                                       "pupils_good_outstanding"};
  for (const IndicatorDefinition& definition : indicatorRegistry()) {
    const std::string id(definition.id);
    if (kOtherServices.contains(id)) continue;
    SCOPED_TRACE(id);
    const nlohmann::json& truth = expected(id);
    const IndicatorValue value = headline(id);
    EXPECT_EQ(value.numerator, truth["numerator"].get<double>());
    if (truth["denominator"].is_null()) {
      EXPECT_FALSE(value.denominator.has_value());
    } else {
      ASSERT_TRUE(value.denominator.has_value());
      EXPECT_EQ(*value.denominator, truth["denominator"].get<double>());
    }
    if (truth["unit"] == "percent") {
      EXPECT_NEAR(value.value, truth["value"].get<double>(), 1e-3);
    }
  }
}

TEST_F(SynthCouncilTest, FallsAdmissionsRateAndNotComputableMatchTheOracle) {
  const nlohmann::json& truth = expected("falls_admissions_65");
  const IndicatorValue value = headline("falls_admissions_65");
  ASSERT_GT(truth["numerator"].get<double>(), 0);
  ASSERT_GT(truth["not_computable"].get<double>(), 0);
  EXPECT_EQ(value.numerator, truth["numerator"].get<double>());
  EXPECT_EQ(value.not_computable, truth["not_computable"].get<double>());
  EXPECT_NEAR(value.value, truth["dsr_per_100000"].get<double>(), 1e-3);
  EXPECT_EQ(value.unit, "per 100,000 aged 65+, age-standardised (ESP 2013)");
}

TEST_F(SynthCouncilTest, ChildrenInCareRateMatchesTheOracle) {
  EXPECT_NEAR(headline("cla_count").value, expected("cla_count")["rate_per_10000"].get<double>(),
              1e-3);
}

TEST_F(SynthCouncilTest, EarlyHelpFamiliesMatchTheOracle) {
  double families = -1;
  for (const IndicatorValue& v : engine_->values()) {
    if (v.indicator_id == "early_help_open" && v.breakdown_value == "families") {
      families = v.numerator;
    }
  }
  EXPECT_EQ(families, expected("early_help_open")["breakdown"]["families"].get<double>());
}

TEST_F(SynthCouncilTest, BreakdownsAddUpToTheHeadline) {
  std::map<std::pair<std::string, std::string>, double> sums;
  std::map<std::string, double> headlines;
  for (const IndicatorValue& v : engine_->values()) {
    if (v.breakdown_name.empty()) {
      headlines[v.indicator_id] = v.numerator;
    } else if (v.breakdown_name != "count_of") {
      sums[{v.indicator_id, v.breakdown_name}] += v.numerator;
    }
  }
  ASSERT_FALSE(sums.empty());
  for (const auto& [key, sum] : sums) EXPECT_EQ(sum, headlines[key.first]) << key.first;
}

TEST_F(SynthCouncilTest, FirstEvaluationReportsEveryHeadlineAndFacts) {
  size_t headline_values = 0;
  for (const IndicatorValue& v : first_->values) headline_values += v.breakdown_name.empty();
  EXPECT_EQ(headline_values, indicatorRegistry().size());
  size_t cla_entries = 0;
  for (const IndicatorFact& f : first_->facts) {
    if (f.indicator_id == "cla_count" && f.change == FactChange::kEntered) ++cla_entries;
  }
  EXPECT_EQ(static_cast<double>(cla_entries), expected("cla_count")["numerator"].get<double>());
}

TEST_F(SynthCouncilTest, RecomputingEverybodyChangesNothing) {
  engine_->touchAll();
  const Evaluation again = engine_->evaluate();
  EXPECT_TRUE(again.values.empty());
  EXPECT_TRUE(again.facts.empty());
  EXPECT_EQ(again.persons_recomputed, engine_->personCount());
}

TEST_F(SynthCouncilTest, FeedingEveryRecordTwiceFromAnotherSourceChangesNothing) {
  IndicatorEngine& engine = *engine_;
  for (const testing::FedRecord& r : council_->records) {
    engine.add(r.person, "cin/" + r.evidence_id, r.record);
  }
  const Evaluation again = engine.evaluate();
  EXPECT_TRUE(again.values.empty());
  EXPECT_TRUE(again.facts.empty());
  for (const testing::FedRecord& r : council_->records) engine.remove("cin/" + r.evidence_id);
  EXPECT_TRUE(engine.evaluate().values.empty());
}

}  // namespace
}  // namespace hearth::pipelines::indicators
