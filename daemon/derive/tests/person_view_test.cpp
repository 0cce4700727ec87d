// The person view of an adult: the flags housing and adult social care records set on a day, and
// the view's shape against config/schemas/hearth.person.view.v1.json.
#include "daemon/derive/person_view.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/config/json_schema.hpp"
#include "pipelines/canonical/packed_records.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
using nlohmann::json;

canonical::Date day(int y, unsigned m, unsigned d) {
  return canonical::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

const canonical::Date kAsOf = day(2025, 3, 31);

// Every view here must match the published schema.
json checked(const std::string& view_json) {
  const json out = json::parse(view_json);
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

json view(const std::vector<canonical::Record>& records) {
  const std::vector<canonical::RecordRef> pointers(records.begin(), records.end());
  return checked(personViewJson("demo.0123456789abcdef0123456789abcdef", pointers, kAsOf));
}

canonical::Person adult() {
  canonical::Person p;
  p.birth_date = day(1960, 5, 1);
  p.postcode = "NN1 5AB";
  return p;
}

TEST(AdultView, LongTermSupportRunsOnItsLastDayAndCarersAreFlaggedApart) {
  canonical::AdultCareEvent service;
  service.event_type = "Service";
  service.service_type = "Long term support: Community";
  service.client_type = "Service User";
  service.start = day(2024, 1, 1);
  service.end = kAsOf;
  canonical::AdultCareEvent carer = service;
  carer.client_type = "Carer";
  carer.service_type = "Unpaid carer support: Direct support";
  const json v = view({adult(), service, carer});
  EXPECT_EQ(v["age_band"], "25-64");
  EXPECT_EQ(v["flags"]["long_term_support"], true);
  EXPECT_EQ(v["flags"]["carer"], true);
  EXPECT_EQ(v["flags"]["homelessness_duty"], false);
}

TEST(AdultView, HousingFlagsHoldOnTheDay) {
  canonical::HomelessnessDuty relief;
  relief.duty = "relief";
  relief.start = day(2025, 2, 1);
  canonical::TemporaryAccommodation ended;
  ended.start = day(2024, 6, 1);
  ended.end = kAsOf;  // left that day
  canonical::RoughSleepingContact seen;
  seen.date = day(2025, 1, 2);  // 88 days before
  const json v = view({adult(), relief, ended, seen});
  EXPECT_EQ(v["flags"]["homelessness_duty"], true);
  EXPECT_EQ(v["flags"]["temporary_accommodation"], false);
  EXPECT_EQ(v["flags"]["sleeping_rough"], true);
  EXPECT_EQ(v["flags"]["long_term_support"], false);
}

TEST(AdultView, AMainDutyDecisionIsNotADutyOwedAndOldRoughSleepingFades) {
  canonical::HomelessnessDuty decision;
  decision.duty = "main";
  decision.start = day(2025, 1, 1);
  canonical::RoughSleepingContact seen;
  seen.date = day(2024, 12, 1);
  const json v = view({adult(), decision, seen});
  EXPECT_EQ(v["flags"]["homelessness_duty"], false);
  EXPECT_EQ(v["flags"]["sleeping_rough"], false);
}

// An H-CLIC household and an SSD family are groups; other records make none.
TEST(FamilyView, HouseholdMembersAndFamiliesAreGroupsWithTheirMembers) {
  canonical::HouseholdMember member;
  member.subject = {"housing", "HC1/2"};
  member.group = "HC1";
  const auto household = groupOf(member);
  ASSERT_TRUE(household.has_value());
  EXPECT_EQ(household->kind, "household");
  EXPECT_EQ(household->ref, "HC1");
  canonical::Person child = adult();
  child.subject = {"trust_cms", "C7"};
  child.family_id = "F12";
  EXPECT_EQ(groupOf(child)->kind, "family");
  EXPECT_FALSE(groupOf(adult()).has_value());

  const json v = checked(groupViewJson(
      "demo.00000000000000000000000000000001", "household",
      {"demo.0123456789abcdef0123456789abcdef", "demo.fedcba9876543210fedcba9876543210"}, kAsOf));
  EXPECT_EQ(v["members"].size(), 2u);
  EXPECT_EQ(v["kind"], "household");
}

// Membership over time: an H-CLIC household runs from its case's application to the end of the
// case's last duty or placement once all have ended; a member's own dates come first.
TEST(FamilyView, MembersCarryTheirDatesOfMembership) {
  const canonical::Subject applicant{"housing", "HC1/1"};
  canonical::HomelessnessCase c;
  c.subject = applicant;
  c.case_ref = "HC1";
  c.application = day(2024, 5, 1);
  canonical::HomelessnessDuty prevention;
  prevention.subject = applicant;
  prevention.case_ref = "HC1";
  prevention.duty = "prevention";
  prevention.start = day(2024, 5, 10);
  prevention.end = day(2024, 6, 1);
  canonical::TemporaryAccommodation placement;
  placement.subject = applicant;
  placement.case_ref = "HC1";
  placement.start = day(2024, 6, 2);
  placement.end = day(2024, 7, 15);
  canonical::HouseholdMember child;
  child.subject = {"housing", "HC1/2"};
  child.group = "HC1";
  canonical::HouseholdMember lodger = child;
  lodger.subject = {"housing", "HC1/3"};
  lodger.start = day(2024, 6, 20);

  GroupDates dates;
  for (const canonical::Record& record : std::vector<canonical::Record>{c, prevention, placement})
    dates.add(record);
  const GroupRef household = *groupOf(child);
  const Membership closed = dates.of(household, child);
  EXPECT_EQ(closed.from, day(2024, 5, 1));
  EXPECT_EQ(closed.to, day(2024, 7, 15));
  const Membership own = dates.of(household, lodger);
  EXPECT_EQ(own.from, day(2024, 6, 20));
  EXPECT_FALSE(own.to.has_value());

  const json v =
      checked(groupMembershipViewJson("demo.00000000000000000000000000000001", "household",
                                      {{"demo.0123456789abcdef0123456789abcdef", closed},
                                       {"demo.fedcba9876543210fedcba9876543210", own}},
                                      kAsOf));
  ASSERT_EQ(v["membership"].size(), 2u);
  EXPECT_EQ(v["members"].size(), 2u);
  EXPECT_EQ(v["membership"][0]["from"], "2024-05-01");
  EXPECT_EQ(v["membership"][0]["to"], "2024-07-15");
  EXPECT_EQ(v["membership"][1]["from"], "2024-06-20");
  EXPECT_TRUE(v["membership"][1]["to"].is_null());

  // A relief duty still open keeps the household together.
  canonical::HomelessnessDuty relief = prevention;
  relief.duty = "relief";
  relief.end.reset();
  dates.add(relief);
  EXPECT_FALSE(dates.of(household, child).to.has_value());
  EXPECT_EQ(dates.of(household, child).from, day(2024, 5, 1));
}

}  // namespace
}  // namespace hearth::daemon::derive
