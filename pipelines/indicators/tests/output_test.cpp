#include "pipelines/indicators/output.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using testing::day;
using Json = nlohmann::json;

IndicatorValue sampleValue() {
  IndicatorValue v;
  v.indicator_id = "re_referral_12m";
  v.numerator = 43;
  v.denominator = 232;
  v.value = 43.0 / 232 * 100;
  v.unit = "percent";
  v.period = financialYearStarting(2024);
  v.area = "E06000062";
  return v;
}

Json schema(const std::string& name) {
  return Json::parse(std::ifstream(std::string(HEARTH_SCHEMA_DIR) + "/" + name));
}

std::set<std::string> keys(const Json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

std::set<std::string> required(const Json& schema) {
  return {schema["required"].begin(), schema["required"].end()};
}

TEST(IndicatorValueJson, CarriesTheFiguresAndThePeriod) {
  const Json j = Json::parse(toJson(sampleValue()));
  EXPECT_EQ(j["indicator"], "re_referral_12m");
  EXPECT_EQ(j["numerator"], 43);
  EXPECT_EQ(j["denominator"], 232);
  EXPECT_NEAR(j["value"].get<double>(), 18.5345, 1e-4);
  EXPECT_EQ(j["period"]["start"], "2024-04-01");
  EXPECT_EQ(j["period"]["kind"], "financial_year");
  EXPECT_TRUE(j["breakdown"].is_null());
  EXPECT_EQ(j["suppressed"], false);
  EXPECT_EQ(j["rule_version"], std::string(kRuleVersion));
}

TEST(IndicatorValueJson, SuppressedCellHidesItsFigures) {
  IndicatorValue v = sampleValue();
  v.numerator = 3;
  v.suppressed = true;
  v.breakdown_name = "sex";
  v.breakdown_value = "female";
  const Json j = Json::parse(toJson(v));
  EXPECT_TRUE(j["numerator"].is_null());
  EXPECT_TRUE(j["denominator"].is_null());
  EXPECT_TRUE(j["value"].is_null());
  EXPECT_EQ(j["breakdown"]["name"], "sex");
}

TEST(IndicatorValueJson, HasExactlyTheSchemasProperties) {
  const Json s = schema("hearth.indicator.value.v1.json");
  EXPECT_EQ(keys(Json::parse(toJson(sampleValue()))), required(s));
  // A health value adds what its family's convention and its rule give.
  IndicatorValue health = sampleValue();
  health.not_computable = 12;
  discloseCell(health, DisclosureConvention{8, 5});
  const Json j = Json::parse(toJson(health));
  EXPECT_EQ(keys(j), keys(s["properties"]));
  EXPECT_EQ(j["not_computable"], 10);
  EXPECT_EQ(j["rounded_to"], 5);
  EXPECT_EQ(j["numerator"], 45);
  EXPECT_EQ(j["denominator"], 230);
  EXPECT_NEAR(j["value"].get<double>(), 43.0 / 232 * 100, 1e-9);  // from the unrounded counts
}

TEST(IndicatorFactJson, CarriesThePseudonymAsSubject) {
  IndicatorFact f;
  f.person = 42;
  f.indicator_id = "cla_count";
  f.period = financialYearStarting(2024);
  f.date = day(2023, 5, 2);
  f.evidence_ids = {"903/2024/episodes#7", "ssd/ssd_cla_episodes:9"};
  const Json j = Json::parse(toJson(f, "ps_3f9a"));
  EXPECT_EQ(j["subject"], "ps_3f9a");
  EXPECT_EQ(j["change"], "entered");
  EXPECT_EQ(j["set"], "numerator");
  EXPECT_EQ(j["date"], "2023-05-02");
  EXPECT_EQ(j["evidence_ids"].size(), 2u);
  const Json s = schema("hearth.indicator.fact.v1.json");
  EXPECT_EQ(keys(j), keys(s["properties"]));
  EXPECT_EQ(keys(j), required(s));
  EXPECT_EQ(s["properties"]["subject"]["type"], "string");
}

TEST(RenderTable, ShowsOneAlignedRowPerValue) {
  IndicatorValue count = sampleValue();
  count.indicator_id = "cp_plan_count";
  count.numerator = 382;
  count.denominator.reset();
  count.value = 382;
  count.unit = "count";
  const std::string table = renderTable({sampleValue(), count});
  EXPECT_NE(table.find("indicator"), std::string::npos);
  EXPECT_NE(table.find("re_referral_12m  2024-25"), std::string::npos) << table;
  EXPECT_NE(table.find("18.5"), std::string::npos) << table;
  EXPECT_NE(table.find("382"), std::string::npos) << table;
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4);
}

TEST(RenderTable, SuppressedCellsShowC) {
  IndicatorValue v = sampleValue();
  v.numerator = 2;
  v.suppressed = true;
  const std::string table = renderTable({v});
  EXPECT_EQ(table.find("43"), std::string::npos) << table;
  EXPECT_NE(table.find(" c "), std::string::npos) << table;
  EXPECT_NE(table.find("c: suppressed"), std::string::npos) << table;
}

TEST(RenderTable, GroupsValuesByServiceWhenThereIsMoreThanOne) {
  IndicatorValue social_care = sampleValue();
  IndicatorValue unknown = sampleValue();
  unknown.indicator_id = "not_in_the_catalogue";
  const std::string table = renderTable({social_care, unknown});
  EXPECT_NE(table.find("Children's social care\n"), std::string::npos) << table;
  EXPECT_LT(table.find("Children's social care"), table.find("re_referral_12m")) << table;
}

}  // namespace
}  // namespace hearth::pipelines::indicators
