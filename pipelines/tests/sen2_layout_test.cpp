// The SEN2 blade export's nine modules through the sen2 layout, and the person view's join of
// their rows back into EHC plans, against the bad input a return carries: a module missing, a
// plan whose person is absent, rows out of order.
#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"
#include "pipelines/indicators/person_records.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "pipelines/tests/layout_test_support.hpp"

namespace hearth::pipelines::normalise {
namespace {

const canonical::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

const Normaliser& sen2() {
  static const Normaliser n(NormaliseContext{.layout = "sen2",
                                             .connector = "sen2",
                                             .source_system = "sen2",
                                             .today = kToday,
                                             .default_collection_year = 2024});
  return n;
}

NormaliseOutput run(std::string_view stream, std::initializer_list<FieldView> fields,
                    std::string_view key = "k1") {
  const std::vector<FieldView> list(fields);
  NormaliseOutput out;
  sen2().normalise(RawRecordView{.stream = stream,
                                 .source_key = key,
                                 .location = "Blade-Export_13-02-2025_x.csv:2",
                                 .fields = list},
                   out);
  return out;
}

using testing::codes;
using testing::json;

// One plan's rows of every module, as the demo's export writes them.
std::vector<NormaliseOutput> onePlan(bool with_requests = true) {
  std::vector<NormaliseOutput> rows;
  rows.push_back(run("person", {{"persontableid", "p1"},
                                {"NativeId", "941"},
                                {"personorderseqcolumn", "1"},
                                {"sourceid", "s"},
                                {"sen2tableid", "h"},
                                {"surname", "Jones"},
                                {"forename", "Noah"},
                                {"personbirthdate", "2013-Aug-05 00:00:00"},
                                {"sex", "M"},
                                {"ethnicity", "WOTH"},
                                {"postcode", "nn7 5re"},
                                {"upn", "A928202414000"},
                                {"uniquelearnernumber", "1703148540"},
                                {"upnunknown", ""}}));
  if (with_requests) {
    rows.push_back(run("requests", {{"requeststableid", "r1"},
                                    {"persontableid", "p1"},
                                    {"receiveddate", "2024-Oct-01 00:00:00"},
                                    {"rya", "False"},
                                    {"requestoutcomedate", "2024-Nov-12 00:00:00"},
                                    {"requestoutcome", "A"}}));
  }
  rows.push_back(run("assessment", {{"assessmenttableid", "a1"},
                                    {"requeststableid", "r1"},
                                    {"assessmentoutcome", "A"},
                                    {"assessmentoutcomedate", "2025-Jan-15 00:00:00"},
                                    {"week20", "False"}}));
  rows.push_back(run("namedplan", {{"namedplantableid", "n1"},
                                   {"assessmenttableid", "a1"},
                                   {"startdate", "2025-Feb-20 00:00:00"},
                                   {"ceasedate", ""},
                                   {"ceasereason", ""}}));
  rows.push_back(run("plandetail", {{"plandetailtableid", "d1"},
                                    {"namedplantableid", "n1"},
                                    {"urn", "101151"},
                                    {"placementrank", "1"}}));
  rows.push_back(run("activeplans", {{"activeplanstableid", "ap1"},
                                     {"requeststableid", "r1"},
                                     {"lastreview", "2025-Mar-10 00:00:00"}}));
  rows.push_back(run("placementdetail", {{"placementdetailtableid", "pd1"},
                                         {"activeplanstableid", "ap1"},
                                         {"urn", ""},
                                         {"sensetting", "EYP"},
                                         {"placementrank", "1"},
                                         {"entrydate", "2025-Feb-20 00:00:00"}}));
  rows.push_back(run("senneed",
                     {{"senneedtableid", "sn2"},
                      {"activeplanstableid", "ap1"},
                      {"sentype", "SLCN"},
                      {"sentyperank", "2"}},
                     "k2"));
  rows.push_back(run("senneed",
                     {{"senneedtableid", "sn1"},
                      {"activeplanstableid", "ap1"},
                      {"sentype", "ASD"},
                      {"sentyperank", "1"}},
                     "k3"));
  return rows;
}

TEST(Sen2Layout, EveryModuleRowHangsFromItsParentAndLinksItsOwnId) {
  const auto rows = onePlan();
  for (const auto& out : rows) EXPECT_TRUE(out.findings.empty()) << codes(out).front();
  const auto& person = std::get<canonical::Person>(rows[0].records.at(0));
  EXPECT_EQ(person.subject.value, "p1");
  EXPECT_EQ(person.given_name, "Noah");
  EXPECT_EQ(person.postcode, "NN7 5RE");
  ASSERT_EQ(person.identifiers.size(), 2u);
  EXPECT_EQ(person.identifiers[0].scheme, "upn");
  EXPECT_EQ(person.identifiers[1].scheme, "uln");
  EXPECT_EQ(json(rows[1].records.at(0)),
            R"({"kind":"ehc_request","subject":{"system":"sen2","value":"p1"},"request":"r1",)"
            R"("received":"2024-10-01","decided":"2024-11-12","outcome":"A"})");
  EXPECT_EQ(json(rows[1].records.at(1)),
            R"({"kind":"subject_link","subject":{"system":"sen2","value":"request/r1"},)"
            R"("same_as":{"system":"sen2","value":"p1"}})");
  EXPECT_EQ(canonical::subjectOf(rows[3].records.at(0)).value, "assessment/a1");
  EXPECT_EQ(std::get<canonical::SubjectLink>(rows[3].records.at(1)).subject.value, "namedplan/n1");
  EXPECT_EQ(canonical::subjectOf(rows[6].records.at(0)).value, "activeplan/ap1");
  EXPECT_EQ(json(rows[6].records.at(0)),
            R"({"kind":"ehc_placement","subject":{"system":"sen2","value":"activeplan/ap1"},)"
            R"("owner":"ap1","active":true,"setting":"EYP","rank":1,"entry":"2025-02-20"})");
}

TEST(Sen2Layout, TheHeaderDescribesNoOneAndUnknownFieldsAreReported) {
  const auto header = run("sen2", {{"sen2tableid", "h"},
                                   {"collection", "SEN2"},
                                   {"year", "2025"},
                                   {"referencedate", "2025-Jan-16 00:00:00"}});
  EXPECT_TRUE(header.records.empty());
  EXPECT_TRUE(header.findings.empty());
  const auto odd = run(
      "senneed",
      {{"activeplanstableid", "ap1"}, {"sentype", "ASD"}, {"sentyperank", "0"}, {"newfield", "x"}});
  EXPECT_EQ(codes(odd), std::vector<std::string>{"sen2.rank_zero"});
  EXPECT_EQ(odd.unmapped, std::vector<std::string_view>{"newfield"});
}

TEST(Sen2Layout, ARowThatNamesNoParentIsRejectedWithItsReason) {
  const auto plan = run("namedplan", {{"namedplantableid", "n1"}, {"startdate", "2025-Feb-20"}});
  EXPECT_TRUE(plan.records.empty());
  EXPECT_EQ(codes(plan), std::vector<std::string>{"record.no_child_id"});
  const auto ceased = run("namedplan", {{"namedplantableid", "n2"},
                                        {"assessmenttableid", "a1"},
                                        {"startdate", "2025-Feb-20"},
                                        {"ceasedate", "2025-Jan-20"},
                                        {"ceasereason", "3"}});
  EXPECT_TRUE(ceased.records.empty());
  EXPECT_EQ(codes(ceased), std::vector<std::string>{"date.order"});
}

indicators::PersonView joined(const std::vector<NormaliseOutput>& rows) {
  indicators::PersonRecords records;
  int n = 0;
  for (const auto& out : rows) {
    for (const auto& record : out.records) records.add("e" + std::to_string(++n), record);
  }
  return indicators::buildPersonView(records);
}

TEST(Sen2Join, ARequestsRowsBecomeOnePlanWithItsDatesPlacementAndRankedNeeds) {
  const auto view = joined(onePlan());
  ASSERT_EQ(view.ehc_plans.size(), 1u);
  const canonical::EhcPlan& plan = view.ehc_plans[0].record;
  EXPECT_EQ(plan.request, "r1");
  EXPECT_EQ(canonical::formatIsoDate(*plan.requested), "2024-10-01");
  EXPECT_EQ(canonical::formatIsoDate(*plan.assessed), "2025-01-15");
  EXPECT_EQ(canonical::formatIsoDate(*plan.start), "2025-02-20");
  EXPECT_FALSE(plan.ceased);
  EXPECT_EQ(plan.within_20_weeks, std::optional<bool>(false));  // 20 weeks and 2 days
  EXPECT_EQ(plan.week20_exception, std::optional<bool>(false));
  EXPECT_TRUE(plan.listed_active);
  EXPECT_EQ(plan.needs, (std::vector<std::string>{"ASD", "SLCN"}));
  ASSERT_EQ(plan.placements.size(), 2u);
  EXPECT_TRUE(plan.placements[0].active);
  const canonical::Date census{std::chrono::year{2025}, std::chrono::March, std::chrono::day{1}};
  const canonical::Date before{std::chrono::year{2025}, std::chrono::February, std::chrono::day{1}};
  EXPECT_TRUE(indicators::ehcPlanOpenOn(plan, census));
  EXPECT_FALSE(indicators::ehcPlanOpenOn(plan, before));
  EXPECT_EQ(indicators::ehcPlacementOn(plan, census)->setting, "EYP");
  EXPECT_EQ(indicators::ehcPlacementOn(plan, before), nullptr);  // the active placement not begun
  EXPECT_EQ(view.ehc_plans[0].evidence.size(), 8u);  // every row but the person; links are not kept
}

TEST(Sen2Join, WithTheRequestsModuleMissingThePlanStillStandsWithoutItsRequestDate) {
  const auto view = joined(onePlan(false));
  ASSERT_EQ(view.ehc_plans.size(), 1u);
  const canonical::EhcPlan& plan = view.ehc_plans[0].record;
  EXPECT_EQ(plan.request, "r1");  // the assessment names it
  EXPECT_FALSE(plan.requested);
  EXPECT_FALSE(plan.within_20_weeks);
  EXPECT_TRUE(plan.start);
  EXPECT_EQ(plan.needs.size(), 2u);
}

}  // namespace
}  // namespace hearth::pipelines::normalise
