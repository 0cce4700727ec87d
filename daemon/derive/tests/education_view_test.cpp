// The person view's education flags: an EHC plan and its setting (the GIAS register joined to
// the SEN2 rows), a funded two-year-old, and a young adult NEET with a plan; the view's shape
// against config/schemas/hearth.person.view.v1.json.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/config/json_schema.hpp"
#include "daemon/derive/person_view.hpp"
#include "pipelines/canonical/packed_records.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
using nlohmann::json;

canonical::Date day(int y, unsigned m, unsigned d) {
  return canonical::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

const canonical::Date kAsOf = day(2025, 3, 31);

pipelines::indicators::SchoolRegister schools() {
  pipelines::indicators::SchoolRegister register_;
  std::istringstream gias(
      "URN,TypeOfEstablishment (name),PhaseOfEducation (name),UKPRN\n"
      "100300,Community special school,Not applicable,\n");
  register_.addGias(gias, "gias.csv");
  return register_;
}

json view(const std::vector<canonical::Record>& records,
          const pipelines::indicators::SchoolRegister* register_) {
  const std::vector<canonical::RecordRef> pointers(records.begin(), records.end());
  const json out = json::parse(
      personViewJson("demo.0123456789abcdef0123456789abcdef", pointers, kAsOf, register_));
  std::ifstream in(std::string(HEARTH_SOURCE_DIR) + "/config/schemas/hearth.person.view.v1.json");
  std::stringstream text;
  text << in.rdbuf();
  auto schema = config::JsonSchema::parse(text.str());
  if (!schema) {
    ADD_FAILURE() << schema.error().message;
    return out;
  }
  for (const auto& error : schema.value().validate(out)) ADD_FAILURE() << error.toString();
  return out;
}

// One plan's rows: request, assessment, named plan and its placement at `urn`.
std::vector<canonical::Record> planRows(std::optional<canonical::Date> ceased, std::string urn) {
  canonical::EhcRequest request;
  request.request = "r1";
  request.received = day(2023, 1, 10);
  canonical::EhcAssessment assessment;
  assessment.assessment = "a1";
  assessment.request = "r1";
  canonical::EhcNamedPlan plan;
  plan.plan = "n1";
  plan.assessment = "a1";
  plan.start = day(2023, 5, 1);
  plan.ceased = ceased;
  canonical::EhcPlacement placement;
  placement.owner = "n1";
  placement.urn = std::move(urn);
  return {request, assessment, plan, placement};
}

canonical::NeetStatus neet(int academic_age) {
  canonical::NeetStatus s;
  s.month_end = day(2025, 2, 28);
  s.activity = "540";
  s.academic_age = academic_age;
  return s;
}

TEST(EducationView, APlanInForceIsFlaggedWithItsSettingFromTheRegister) {
  const auto register_ = schools();
  const json v = view(planRows(std::nullopt, "100300"), &register_);
  EXPECT_EQ(v["flags"]["ehcp"], true);
  EXPECT_EQ(v["flags"]["ehcp_setting"], "special");
  EXPECT_EQ(v["flags"]["funded_two_year_old"], false);
  EXPECT_EQ(v["flags"]["neet_with_ehcp"], false);
}

TEST(EducationView, ASchoolTheRegisterLacksIsUnknownAndACeasedPlanIsNoPlan) {
  const auto register_ = schools();
  EXPECT_EQ(view(planRows(std::nullopt, "999999"), &register_)["flags"]["ehcp_setting"], "unknown");
  const json ceased = view(planRows(day(2025, 1, 1), "100300"), &register_);
  EXPECT_EQ(ceased["flags"]["ehcp"], false);
  EXPECT_TRUE(ceased["flags"]["ehcp_setting"].is_null());
}

TEST(EducationView, AYoungAdultNeetWithAPlanIsFlaggedAndAChildIsNot) {
  auto rows = planRows(std::nullopt, "100300");
  rows.push_back(neet(19));
  EXPECT_EQ(view(rows, nullptr)["flags"]["neet_with_ehcp"], true);
  rows.back() = neet(16);
  const json child = view(rows, nullptr);
  EXPECT_EQ(child["flags"]["neet_with_ehcp"], false);
  EXPECT_EQ(child["flags"]["neet_or_not_known"], true);
}

TEST(EducationView, FundingOnATwoYearOldBasisInTheLastYearsCensusIsAFundedTwoYearOld) {
  canonical::EarlyYearsFunding funding;
  funding.census = day(2025, 1, 16);
  funding.setting = "EY101264";
  funding.basis = "ECO";
  EXPECT_EQ(view({funding}, nullptr)["flags"]["funded_two_year_old"], true);
  funding.basis = "";
  EXPECT_EQ(view({funding}, nullptr)["flags"]["funded_two_year_old"], false);
  funding.basis = "LAA";
  funding.census = day(2023, 1, 19);
  EXPECT_EQ(view({funding}, nullptr)["flags"]["funded_two_year_old"], false);
}

canonical::SenProvision provision(canonical::Date census, std::string code) {
  canonical::SenProvision sen;
  sen.subject = {"school_census", "pupil-1"};
  sen.census = census;
  sen.provision = std::move(code);
  return sen;
}

TEST(EducationView, SenSupportIsWhatTheLatestCensusOfTheLastYearSays) {
  EXPECT_EQ(view({provision(day(2024, 10, 3), "K")}, nullptr)["flags"]["sen_support"], true);
  // Support ended by the next census.
  EXPECT_EQ(view({provision(day(2024, 10, 3), "K"), provision(day(2025, 1, 16), "N")},
                 nullptr)["flags"]["sen_support"],
            false);
  EXPECT_EQ(view({provision(day(2025, 1, 16), "E")}, nullptr)["flags"]["sen_support"], false);
  // A census more than a year old says nothing now.
  EXPECT_EQ(view({provision(day(2024, 1, 18), "K")}, nullptr)["flags"]["sen_support"], false);
}

}  // namespace
}  // namespace hearth::daemon::derive
