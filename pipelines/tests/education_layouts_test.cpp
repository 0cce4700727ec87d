// The education layouts written for the council's own files (children missing education
// register, NCCIS, KS4 results) and the school census termly modules, each against the bad input
// a council's files carry.
#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/census_term.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "pipelines/tests/layout_test_support.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::formatIsoDate;

const canonical::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

Normaliser normaliser(std::string layout, int collection_year = 2024) {
  return Normaliser(NormaliseContext{.layout = layout,
                                     .connector = layout,
                                     .source_system = "la_education",
                                     .today = kToday,
                                     .default_collection_year = collection_year});
}

NormaliseOutput run(const Normaliser& n, std::string_view stream,
                    std::initializer_list<FieldView> fields,
                    std::string_view location = "test.csv:2") {
  const std::vector<FieldView> list(fields);
  NormaliseOutput out;
  n.normalise(
      RawRecordView{.stream = stream, .source_key = "k1", .location = location, .fields = list},
      out);
  return out;
}

using testing::codes;
using testing::json;

TEST(CensusTerm, EachTermsCensusDayComesFromTheBladeFileName) {
  EXPECT_EQ(formatIsoDate(*censusDayOfBladeFile("2025_spring_termlysessiondetailsonroll.csv:7")),
            "2025-01-16");
  EXPECT_EQ(formatIsoDate(*censusDayOfBladeFile("/data/2024_summer_x.csv")), "2024-05-16");
  EXPECT_EQ(formatIsoDate(*censusDayOfBladeFile("2024_autumn_x.csv")), "2024-10-03");
  EXPECT_FALSE(censusDayOfBladeFile("sessions.csv:7"));
  EXPECT_FALSE(censusDayOfBladeFile("2025_winter_x.csv"));
  EXPECT_FALSE(censusDayOfBladeFile("20x5_spring_x.csv"));
}

TEST(CmeRegister, AnEpisodeAndItsChildBecomeRecords) {
  const auto out = run(normaliser("cme_register"), "cme_register",
                       {{"CME_Ref", "CME10001"},
                        {"Forename", "Amy"},
                        {"Surname", "Smith"},
                        {"DOB", "2012-03-04"},
                        {"Sex", "F"},
                        {"UPN", "B801200005001"},
                        {"Postcode", "nn1 1aa"},
                        {"Date_Reported", "2024-09-10"},
                        {"Date_Closed", ""},
                        {"Reason", "NOSCHOOL"}});
  ASSERT_EQ(out.records.size(), 2u);
  const auto& person = std::get<canonical::Person>(out.records[0]);
  EXPECT_EQ(person.given_name, "Amy");
  EXPECT_EQ(person.postcode, "NN1 1AA");
  EXPECT_EQ(json(out.records[1]),
            R"({"kind":"missing_education","subject":{"system":"la_education","value":"CME10001"},)"
            R"("start":"2024-09-10","reason":"NOSCHOOL"})");
}

TEST(CmeRegister, AnEpisodeClosedBeforeItWasReportedIsRejected) {
  const auto out = run(
      normaliser("cme_register"), "cme_register",
      {{"CME_Ref", "CME10002"}, {"Date_Reported", "2024-09-10"}, {"Date_Closed", "2024-09-01"}});
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(codes(out), std::vector<std::string>{"date.order"});
}

TEST(CmeRegister, AnEpisodeWithoutAReportedDateIsRejected) {
  const auto out = run(normaliser("cme_register"), "cme_register", {{"CME_Ref", "CME10003"}});
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(codes(out), std::vector<std::string>{"field.missing"});
}

TEST(Nccis, AMonthsActivityAndTheYoungPersonBecomeRecords) {
  const auto out = run(normaliser("nccis"), "activity",
                       {{"LACode", "941"},
                        {"SnapshotDate", "2025-01-31"},
                        {"YoungPersonsID", "YP500001"},
                        {"DOB", "2008-05-01"},
                        {"ULN", ""},
                        {"AcademicAge", "16"},
                        {"ActivityCode", "540"},
                        {"StartDate", "2024-11-01"},
                        {"SENDFlag", "N"},
                        {"CareLeaverFlag", "Y"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.unmapped.empty());
  EXPECT_EQ(json(out.records[1]),
            R"({"kind":"neet_status","subject":{"system":"la_education","value":"YP500001"},)"
            R"("month_end":"2025-01-31","activity":"540","activity_start":"2024-11-01",)"
            R"("academic_age":16,"send":false,"care_leaver":true})");
}

// A young person who moved away (the 900s) or has no activity recorded stays a record: the
// indicator leaves the first out of its cohort and counts the second as not known.
TEST(Nccis, TransferredOutAndNoActivityRowsAreKept) {
  for (const std::string_view code : {"910", ""}) {
    const auto out = run(
        normaliser("nccis"), "activity",
        {{"SnapshotDate", "2025-01-31"}, {"YoungPersonsID", "YP500002"}, {"ActivityCode", code}});
    ASSERT_EQ(out.records.size(), 2u) << code;
    EXPECT_TRUE(out.findings.empty()) << code;
    EXPECT_EQ(std::get<canonical::NeetStatus>(out.records[1]).activity, code);
  }
}

TEST(Nccis, AnActivityCodeThatIsNotOneIsAQuery) {
  const auto out = run(
      normaliser("nccis"), "activity",
      {{"SnapshotDate", "2025-01-31"}, {"YoungPersonsID", "YP500003"}, {"ActivityCode", "NEET"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(codes(out), std::vector<std::string>{"code.unknown"});
  EXPECT_TRUE(std::get<canonical::NeetStatus>(out.records[1]).activity.empty());
}

TEST(Ks4Results, TypedMissingValuesAreNeverGrades) {
  const Normaliser ks4 = normaliser("ks4_results", 2023);
  for (const std::string_view missing : {"SUPP", "NE", "NP", "LOWCOV", "z"}) {
    const auto out = run(ks4, "pupil_results",
                         {{"URN", "100001"},
                          {"UPN", "B801200005001"},
                          {"ENG_GRADE", "5"},
                          {"MAT_GRADE", missing},
                          {"BASICS_94", "0"}});
    ASSERT_EQ(out.records.size(), 2u) << missing;
    EXPECT_TRUE(out.findings.empty()) << missing;
    const auto& result = std::get<canonical::Ks4Result>(out.records[1]);
    EXPECT_EQ(result.english.grade, 5);
    EXPECT_FALSE(result.maths.grade) << missing << " is not 0";
    EXPECT_EQ(result.maths.missing, missing);
    EXPECT_EQ(result.provenance.collection_year, 2023);
  }
}

TEST(Ks4Results, UIsAGradeBelowOneAndAnythingElseIsAQuery) {
  const Normaliser ks4 = normaliser("ks4_results", 2023);
  const auto out =
      run(ks4, "pupil_results",
          {{"URN", "100001"}, {"UPN", "B801200005001"}, {"ENG_GRADE", "U"}, {"MAT_GRADE", "A*"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(codes(out), std::vector<std::string>{"ks4.grade_invalid"});
  const auto& result = std::get<canonical::Ks4Result>(out.records[1]);
  EXPECT_EQ(result.english.grade, 0);
  EXPECT_FALSE(result.maths.grade);
  EXPECT_TRUE(result.maths.missing.empty());
}

TEST(SchoolCensusTermly, SessionsOfAFileNamingNoCensusAreRejected) {
  const Normaliser census = normaliser("school_census");
  const auto out =
      run(census, "sessions_termlysessiondetailsonroll",
          {{"pupilonrolltableid", "p1"}, {"sessions", "120.0"}, {"attendancereason", "#"}},
          "sessions.csv:2");
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(codes(out), std::vector<std::string>{"census.term_unknown"});
  // A stream the operator named by the term says which census it is.
  const auto named =
      run(census, "2024_autumn_termlysessiondetailsonroll",
          {{"pupilonrolltableid", "p1"}, {"sessions", "120.0"}, {"attendancereason", "#"}},
          "sessions.csv:2");
  ASSERT_EQ(named.records.size(), 1u);
  EXPECT_EQ(formatIsoDate(*std::get<canonical::Attendance>(named.records[0]).census), "2024-10-03");
}

TEST(SchoolCensusPupil, APupilOnRollCarriesTheirSenProvisionOnTheCensusDay) {
  const Normaliser census = normaliser("school_census");
  const auto out = run(census, "pupil_on_roll",
                       {{"pupilonrolltableid", "p1"},
                        {"surname", "Wilson"},
                        {"forename", "Lucas"},
                        {"dob", "2014-Sep-08 00:00:00"},
                        {"senprovision", "K"}},
                       "school-census/2024_autumn_pupilonroll.csv:2");
  // The pupil, their SEN provision, then their place in the return.
  ASSERT_EQ(out.records.size(), 3u) << (out.findings.empty() ? "" : out.findings[0].code);
  const auto& sen = std::get<canonical::SenProvision>(out.records[1]);
  EXPECT_EQ(sen.subject.value, "p1");
  EXPECT_EQ(formatIsoDate(*sen.census), "2024-10-03");
  EXPECT_EQ(sen.provision, "K");
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(std::holds_alternative<canonical::Enrolment>(out.records[2]));
  // An unknown code or an undated file is a query: the pupil is kept, the provision is not (an
  // undated file gives no place in a return either).
  const auto odd =
      run(census, "pupil_on_roll", {{"pupilonrolltableid", "p1"}, {"senprovision", "S"}},
          "2024_autumn_pupilonroll.csv:3");
  EXPECT_EQ(odd.records.size(), 2u);
  EXPECT_EQ(codes(odd), std::vector<std::string>{"code.unknown"});
  const auto undated = run(census, "pupil_on_roll",
                           {{"pupilonrolltableid", "p1"}, {"senprovision", "K"}}, "pupils.csv:3");
  EXPECT_EQ(undated.records.size(), 1u);
  EXPECT_EQ(codes(undated), std::vector<std::string>{"census.term_unknown"});
  // No provision column: the pupil and their place, no provision.
  EXPECT_EQ(
      run(census, "pupil_on_roll", {{"pupilonrolltableid", "p1"}}, "2024_autumn_pupilonroll.csv:4")
          .records.size(),
      2u);
}

TEST(SchoolCensusEnrolment, AHeaderAndAPupilOnRollGiveTheSchoolAndThePupilsPlaceAtIt) {
  const Normaliser census = normaliser("school_census");
  const auto header = run(census, "schoolcensus",
                          {{"schoolcensustableid", "3fa2c1d0"},
                           {"NativeId", "SCH1"},
                           {"sourceid", "9b1e"},
                           {"urn", "100015"},
                           {"lea", "941"},
                           {"estab", "2001"},
                           {"schoolname", "Willow Primary"},
                           {"phase", "PS"},
                           {"censusdate", "2025-Jan-16 00:00:00"},
                           {"termstartdate", "2024-Sep-01 00:00:00"},
                           {"termenddate", "2024-Dec-31 00:00:00"}},
                          "2025_spring_schoolcensus.csv:2");
  ASSERT_EQ(header.records.size(), 1u);
  EXPECT_EQ(json(header.records[0]),
            R"({"kind":"census_school","subject":{"system":"la_education",)"
            R"("value":"schoolcensus/3fa2c1d0"},"census_return":"3fa2c1d0",)"
            R"("census":"2025-01-16","urn":"100015","laestab":"9412001","phase":"PS"})");
  EXPECT_TRUE(header.unmapped.empty());

  const auto pupil = run(census, "pupilonroll",
                         {{"pupilonrolltableid", "p1"},
                          {"dob", "2015-Jul-26 00:00:00"},
                          {"surname", "Smith"},
                          {"forename", "Amy"},
                          {"entrydate", "2019-Sep-04 00:00:00"},
                          {"schoolcensustableid", "3fa2c1d0"}},
                         "2025_spring_pupilonroll.csv:2");
  ASSERT_EQ(pupil.records.size(), 2u);
  const auto& place = std::get<canonical::Enrolment>(pupil.records[1]);
  EXPECT_EQ(place.subject.value, "p1");
  EXPECT_EQ(place.census_return, "3fa2c1d0");
  EXPECT_EQ(formatIsoDate(*place.census), "2025-01-16");
  EXPECT_EQ(formatIsoDate(*place.entry), "2019-09-04");
  EXPECT_TRUE(place.on_roll);
  EXPECT_FALSE(place.leaving);

  const auto left = run(census, "pupilnolongeronroll",
                        {{"pupilnolongeronrolltableid", "p2"},
                         {"dob", "2015-Jul-26 00:00:00"},
                         {"entrydate", "2019-Sep-04 00:00:00"},
                         {"leavingdate", "2024-Nov-29 00:00:00"},
                         {"schoolcensustableid", "3fa2c1d0"}},
                        "2025_spring_pupilnolongeronroll.csv:2");
  ASSERT_EQ(left.records.size(), 2u);
  const auto& gone = std::get<canonical::Enrolment>(left.records[1]);
  EXPECT_FALSE(gone.on_roll);
  EXPECT_EQ(formatIsoDate(*gone.leaving), "2024-11-29");
}

// A return without its header module still loads its pupils: the enrolment names a header that
// never comes (the school is unknown where it is read), or none at all.
TEST(SchoolCensusEnrolment, APupilWithoutItsSchoolHeaderStillLoads) {
  const Normaliser census = normaliser("school_census");
  const auto pupil =
      run(census, "pupilonroll", {{"pupilonrolltableid", "p1"}, {"dob", "2015-Jul-26 00:00:00"}},
          "2025_spring_pupilonroll.csv:2");
  ASSERT_EQ(pupil.records.size(), 2u);
  EXPECT_TRUE(std::get<canonical::Enrolment>(pupil.records[1]).census_return.empty());
  EXPECT_TRUE(pupil.findings.empty());
  // A bad entry date rejects the row, person and place alike.
  const auto bad = run(census, "pupilonroll",
                       {{"pupilonrolltableid", "p1"}, {"entrydate", "2019-Sep-44 00:00:00"}},
                       "2025_spring_pupilonroll.csv:3");
  EXPECT_TRUE(bad.records.empty());
  EXPECT_EQ(codes(bad), std::vector<std::string>{"date.invalid"});
  // A header without its URN is rejected, visibly.
  const auto header = run(census, "schoolcensus", {{"schoolcensustableid", "h1"}, {"phase", "PS"}},
                          "2025_spring_schoolcensus.csv:2");
  EXPECT_TRUE(header.records.empty());
  EXPECT_EQ(codes(header), std::vector<std::string>{"field.missing"});
}

TEST(SchoolCensusTermly, AnExclusionOfAnUnknownCategoryIsRejected) {
  const auto out = run(normaliser("school_census"), "termly_exclusions_on_roll",
                       {{"pupilonrolltableid", "p1"},
                        {"startdate", "2025-Feb-14 00:00:00"},
                        {"sessions", "10.0"},
                        {"category", "EXPELLED"}},
                       "2025_spring_termlyexclusionsonroll.csv:2");
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(codes(out), std::vector<std::string>{"code.unknown"});
}

}  // namespace
}  // namespace hearth::pipelines::normalise

namespace hearth::pipelines::normalise {
namespace {

TEST(EarlyYearsCensus, AFundedChildAndItsBasisWithTheCensusDayFromTheFileName) {
  const auto out = run(normaliser("early_years_census"), "eycensus",
                       {{"eypupiltableid", "266f7165-695"},
                        {"NativeId", "EY101864"},
                        {"urn", "EY101864"},
                        {"dob", "2022-Sep-08 00:00:00"},
                        {"surname", "Wilson"},
                        {"forename", "Lucas"},
                        {"sex", "M"},
                        {"postcode", "NN4 7AE"},
                        {"uniquepropertyreferencenumber", "28000000315"},
                        {"fundedhours", "15.0"},
                        {"hoursatsetting", "15.0"},
                        {"fundingbasis", "ECO"},
                        {"eypp", "True"}},
                       "early-years/2025_spring_eycensus.csv:3");
  ASSERT_EQ(out.records.size(), 2u) << (out.findings.empty() ? "" : out.findings[0].code);
  const auto& child = std::get<canonical::Person>(out.records[0]);
  EXPECT_EQ(child.uprn, "28000000315");
  EXPECT_TRUE(child.identifiers.empty());  // no UPN: identity links the child by the model
  const auto& funding = std::get<canonical::EarlyYearsFunding>(out.records[1]);
  EXPECT_EQ(funding.subject.value, "266f7165-695");
  EXPECT_EQ(formatIsoDate(*funding.census), "2025-01-16");
  EXPECT_EQ(funding.setting, "EY101864");
  EXPECT_EQ(funding.funded_hours, std::optional<double>(15.0));
  EXPECT_FALSE(funding.extended_hours);
  EXPECT_EQ(funding.basis, "ECO");
  EXPECT_EQ(funding.pupil_premium, std::optional<bool>(true));
}

TEST(EarlyYearsCensus, AnUnknownBasisIsAQueryAndAFileOfNoCensusIsRejected) {
  const auto odd = run(normaliser("early_years_census"), "eycensus",
                       {{"eypupiltableid", "e1"}, {"urn", "EY1"}, {"fundingbasis", "XYZ"}},
                       "2025_spring_eycensus.csv:2");
  EXPECT_EQ(codes(odd), std::vector<std::string>{"code.unknown"});
  EXPECT_TRUE(std::get<canonical::EarlyYearsFunding>(odd.records.at(1)).basis.empty());
  const auto unnamed = run(normaliser("early_years_census"), "eycensus",
                           {{"eypupiltableid", "e2"}, {"urn", "EY1"}}, "children.csv:2");
  EXPECT_TRUE(unnamed.records.empty());
  EXPECT_EQ(codes(unnamed), std::vector<std::string>{"census.term_unknown"});
}

TEST(DwpTwoYearOlds, TheChildIsTheRowAndTheParentsDetailsStayOut) {
  const auto out = run(normaliser("dwp_two_year_olds"), "children",
                       {{"Child_Forename", "Lucas"},
                        {"Child_Surname", "Wilson"},
                        {"Child_DOB", "2022-09-08"},
                        {"Parent_Forename", "Willow"},
                        {"Parent_Surname", "Wilson"},
                        {"Address_Line1", "148 North Street"},
                        {"Postcode", "NN4 7AE"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.unmapped.empty());
  const auto& child = std::get<canonical::Person>(out.records[0]);
  EXPECT_EQ(child.subject.value, "row/k1");
  EXPECT_EQ(child.given_name, "Lucas");
  EXPECT_EQ(formatIsoDate(*child.birth_date), "2022-09-08");
  EXPECT_EQ(std::get<canonical::TwoYearOldEligibility>(out.records[1]).list_year, 2024);
  const auto no_birth =
      run(normaliser("dwp_two_year_olds"), "children", {{"Child_Forename", "Amy"}});
  EXPECT_TRUE(no_birth.records.empty());
  EXPECT_EQ(codes(no_birth), std::vector<std::string>{"field.missing"});
}

}  // namespace
}  // namespace hearth::pipelines::normalise
