// The housing (H-CLIC, rough sleeping) and adult social care (Client Level Data, survey) layouts,
// and the bad input each must survive: a finding with a reason, and the rest carries on.
#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {
namespace {

namespace cn = canonical;

const cn::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

Normaliser layout(std::string name) {
  return Normaliser(NormaliseContext{.layout = std::move(name),
                                     .connector = "test",
                                     .source_system = "housing",
                                     .today = kToday,
                                     .default_collection_year = 2024});
}

NormaliseOutput run(const Normaliser& n, std::string_view stream,
                    std::initializer_list<FieldView> fields) {
  const std::vector<FieldView> list(fields);
  NormaliseOutput out;
  n.normalise(
      RawRecordView{.stream = stream, .source_key = "k1", .location = "test:1", .fields = list},
      out);
  return out;
}

std::string content(const NormaliseOutput& out, size_t i = 0) {
  return cn::toJson(out.records.at(i), {.include_provenance = false});
}

std::vector<std::string> codes(const NormaliseOutput& out) {
  std::vector<std::string> c;
  for (const auto& f : out.findings) c.push_back(f.code);
  return c;
}

TEST(HclicLayout, MainIsTheCaseAboutItsApplicantAndTheirAddress) {
  const auto out = run(layout("hclic"), "main",
                       {{"CASE_REF", "HC200001"},
                        {"HOUSEHOLD_REF", "HH7"},
                        {"MAIN_APPLICANT_PERSON_REF", "HC200001/1"},
                        {"DATE_OF_APPLICATION", "2024-05-01"},
                        {"DATE_OF_ASSESSMENT", "2024-05-10"},
                        {"PREVENTION_DUTY_OWED", "Y"},
                        {"RELIEF_DUTY_OWED", "N"},
                        {"POSTCODE", "nn15ab"},
                        {"UPRN", "28000000001"},
                        {"NUMBER_OF_ADULTS", "1"},
                        {"UPDATED_AT", "2025-04-30 02:00:00"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(out.unmapped.empty());
  EXPECT_EQ(content(out, 0),
            R"({"kind":"homelessness_case","subject":{"system":"housing","value":"HC200001/1"},)"
            R"("case_ref":"HC200001","household":"HH7","application":"2024-05-01",)"
            R"("assessment":"2024-05-10","prevention_duty_owed":true,"relief_duty_owed":false})");
  const auto& address = std::get<cn::Person>(out.records[1]);
  EXPECT_EQ(address.postcode, "NN1 5AB");
  EXPECT_EQ(address.uprn, "28000000001");
}

// A case reference that changed between quarters stays one case when the export names the
// earlier reference; without it the record is a new case of its own.
TEST(HclicLayout, ChangedCaseReferenceKeepsTheEarlierOneWhenTheSourceNamesIt) {
  const auto out = run(layout("hclic"), "main",
                       {{"CASE_REF", "HC900002"},
                        {"PREVIOUS_CASE_REF", "HC200001"},
                        {"MAIN_APPLICANT_PERSON_REF", "HC200001/1"},
                        {"DATE_OF_ASSESSMENT", "2024-05-10"}});
  ASSERT_EQ(out.records.size(), 2u);
  const auto& c = std::get<cn::HomelessnessCase>(out.records[0]);
  EXPECT_EQ(c.case_ref, "HC900002");
  EXPECT_EQ(c.previous_case_ref, "HC200001");
}

TEST(HclicLayout, PersonInPeopleWithNoMainRecordIsStillAPersonOfTheHousehold) {
  const auto out = run(layout("hclic"), "people",
                       {{"CASE_REF", "HC404"},
                        {"PERSON_REF", "HC404/2"},
                        {"FORENAME", "Ada"},
                        {"SURNAME", "Lovelace"},
                        {"DATE_OF_BIRTH", "1990-02-03"},
                        {"SEX", "F"},
                        {"NINO", "AB123456C"},
                        {"NHS_NUMBER", "943 476 5919"},
                        {"RELATIONSHIP_TO_MAIN_APPLICANT", "Partner"},
                        {"LEAD_APPLICANT", "N"}});
  ASSERT_EQ(out.records.size(), 2u) << (out.findings.empty() ? "" : out.findings[0].message);
  const auto& person = std::get<cn::Person>(out.records[0]);
  EXPECT_EQ(person.given_name, "Ada");
  ASSERT_EQ(person.identifiers.size(), 3u);  // the local id, the NHS number and the NINO
  EXPECT_EQ(person.identifiers[1].scheme, "nhs");
  EXPECT_EQ(person.identifiers[2].scheme, "nino");
  const auto& member = std::get<cn::HouseholdMember>(out.records[1]);
  EXPECT_EQ(member.group, "HC404");
  EXPECT_EQ(member.relationship, "Partner");
}

TEST(HclicLayout, ReliefWithAMainDutyDecisionIsTwoDutiesOfTheApplicant) {
  const auto out = run(layout("hclic"), "relief",
                       {{"CASE_REF", "HC1"},
                        {"MAIN_APPLICANT_PERSON_REF", "HC1/1"},
                        {"RELIEF_DUTY_START", "2024-06-01"},
                        {"RELIEF_DUTY_END", "2024-07-27"},
                        {"RELIEF_OUTCOME", "56 days elapsed"},
                        {"MAIN_DUTY_DECISION_DATE", "2024-08-10"},
                        {"MAIN_DUTY_DECISION", "No priority need"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(content(out, 1),
            R"({"kind":"homelessness_duty","subject":{"system":"housing","value":"HC1/1"},)"
            R"("case_ref":"HC1","duty":"main","start":"2024-08-10","outcome":"No priority need"})");
}

TEST(HclicLayout, PlacementEndingBeforeItBeganIsRejectedAndTheNextOneCarriesOn) {
  const Normaliser n = layout("hclic");
  const auto bad = run(n, "temporary_accommodation",
                       {{"CASE_REF", "HC1"},
                        {"MAIN_APPLICANT_PERSON_REF", "HC1/1"},
                        {"TA_PLACEMENT_REF", "TA1"},
                        {"TA_START_DATE", "2024-06-01"},
                        {"TA_END_DATE", "2024-05-01"}});
  EXPECT_TRUE(bad.records.empty());
  EXPECT_EQ(codes(bad), std::vector<std::string>{"hclic.end_before_start"});
  const auto good = run(n, "temporary_accommodation",
                        {{"CASE_REF", "HC1"},
                         {"MAIN_APPLICANT_PERSON_REF", "HC1/1"},
                         {"TA_PLACEMENT_REF", "TA2"},
                         {"TA_START_DATE", "2024-06-01"},
                         {"TA_WITH_CHILDREN", "Y"},
                         {"TA_OUT_OF_AREA", "maybe"}});
  ASSERT_EQ(good.records.size(), 1u);
  EXPECT_EQ(codes(good), std::vector<std::string>{"flag.invalid"});
  EXPECT_EQ(std::get<cn::TemporaryAccommodation>(good.records[0]).with_children, true);
}

cn::AdultCareEvent onlyEvent(const NormaliseOutput& out) {
  EXPECT_EQ(out.records.size(), 2u);
  return std::get<cn::AdultCareEvent>(out.records.back());
}

NormaliseOutput cldRow(std::string_view start, std::string_view end, std::string_view death,
                       std::string_view service_type = "Long Term Support: Nursing Care") {
  return run(layout("cld"), "client_level_data",
             {{"LA_Person_Unique_Identifier", "ASC7"},
              {"NHS_Number", "9434765919"},
              {"Gender", "Female"},
              {"Date_of_Birth", "1940-02-03"},
              {"Date_of_Death", death},
              {"Client_Type", "Service User"},
              {"Event_Type", "Service"},
              {"Event_Reference", "EV1"},
              {"Event_Start_Date", start},
              {"Event_End_Date", end},
              {"Service_Type", service_type},
              {"Reporting_Period_End_Date", "2025-03-31"}});
}

TEST(CldLayout, ReleaseOneLabelsBecomeReleaseTwo) {
  const auto e = onlyEvent(cldRow("2024-01-01", "", ""));
  EXPECT_EQ(e.service_type, "Long term support: Nursing care");
  EXPECT_EQ(e.submitted,
            (cn::Date{std::chrono::year{2025}, std::chrono::March, std::chrono::day{31}}));
}

TEST(CldLayout, AnEndAfterTheDeathIsCutToIt) {
  const auto open = onlyEvent(cldRow("2024-01-01", "", "2025-01-15"));
  ASSERT_TRUE(open.end.has_value());
  EXPECT_EQ(cn::formatIsoDate(*open.end), "2025-01-15");
  const auto later = onlyEvent(cldRow("2024-01-01", "2025-02-01", "2025-01-15"));
  EXPECT_EQ(cn::formatIsoDate(*later.end), "2025-01-15");
}

TEST(CldLayout, ADeathBeforeTheServiceOrAnEndBeforeItsStartIsRejected) {
  const auto after_death = cldRow("2025-02-01", "", "2025-01-15");
  EXPECT_TRUE(after_death.records.empty());
  EXPECT_EQ(codes(after_death), std::vector<std::string>{"cld.event_after_death"});
  const auto backwards = cldRow("2024-06-01", "2024-05-01", "");
  EXPECT_TRUE(backwards.records.empty());
  EXPECT_EQ(codes(backwards), std::vector<std::string>{"cld.end_before_start"});
}

// The same event twice is two records here: the indicators keep one per unique-event key.
TEST(CldLayout, TheSameEventTwiceIsNormalisedTwiceIdentically) {
  EXPECT_EQ(content(cldRow("2024-01-01", "", ""), 1), content(cldRow("2024-01-01", "", ""), 1));
}

TEST(AscSurveyLayout, MissingAndOutOfRangeAnswersAreNoAnswer) {
  const Normaliser n = layout("asc_survey");
  const auto blank = run(n, "survey", {{"PrimaryKey", "716_1"}, {"q7a", ""}, {"Stratum", "4"}});
  ASSERT_EQ(blank.records.size(), 1u);
  EXPECT_TRUE(blank.findings.empty());
  const auto& b = std::get<cn::AdultCareSurveyResponse>(blank.records[0]);
  EXPECT_FALSE(b.q7a.has_value());
  EXPECT_EQ(b.survey_year, "2024-25");  // from the collection year when the file has none
  const auto wild = run(n, "survey",
                        {{"LA_Person_Unique_Identifier", "ASC7"},
                         {"PrimaryKey", "716_2"},
                         {"q7a", "7"},
                         {"q7b", "x"},
                         {"Stratum", "2"}});
  ASSERT_EQ(wild.records.size(), 1u);
  EXPECT_EQ(codes(wild),
            (std::vector<std::string>{"survey.answer_out_of_range", "number.invalid"}));
  const auto& w = std::get<cn::AdultCareSurveyResponse>(wild.records[0]);
  EXPECT_EQ(w.subject.value, "ASC7");
  EXPECT_FALSE(w.q7a.has_value());
  EXPECT_FALSE(w.q7b.has_value());
  EXPECT_EQ(w.stratum, 2);
}

}  // namespace
}  // namespace hearth::pipelines::normalise
