#include "pipelines/normalise/normaliser.hpp"

#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/layout.hpp"

namespace hearth::pipelines::normalise {
namespace {

const canonical::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

NormaliseContext context(std::string layout, std::string connector) {
  return NormaliseContext{.layout = std::move(layout),
                          .connector = std::move(connector),
                          .source_system = "trust_cms",
                          .today = kToday,
                          .default_collection_year = 2024};
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
  return canonical::toJson(out.records.at(i), {.include_provenance = false});
}

// The SSD holds years of history: a missing episode of an earlier year is no 903 return error.
TEST(Normaliser, SsdMissingEpisodeOfAnEarlierYearIsNotHeldToTheCollectionYear) {
  const auto ssd = run(Normaliser(context("trust_ssd", "ssd")), "ssd_missing",
                       {{"miss_person_id", "C7"},
                        {"miss_missing_episode_type", "Missing"},
                        {"miss_missing_episode_start_date", "2021-05-01"},
                        {"miss_missing_episode_end_date", "2021-05-03"}});
  ASSERT_EQ(ssd.records.size(), 1u);
  EXPECT_TRUE(ssd.findings.empty()) << ssd.findings.front().code;
  const auto return903 = run(
      Normaliser(context("ssda903", "903")), "missing",
      {{"CHILD", "C7"}, {"MISSING", "M"}, {"MIS_START", "01/05/2021"}, {"MIS_END", "03/05/2021"}});
  ASSERT_FALSE(return903.findings.empty());
  EXPECT_EQ(return903.findings.front().code, "903.571");
  // A rule checked on the canonical record still says where the record was read.
  EXPECT_EQ(return903.findings.front().location, "test:1");
  EXPECT_EQ(return903.findings.front().stream, "missing");
}

TEST(Normaliser, SameCareLeaverFrom903CsvXmlAndSsdIsIdentical) {
  const Normaliser csv(context("ssda903", "903_csv"));
  const Normaliser ssd(context("trust_ssd", "ssd"));
  const auto from_csv = run(csv, "oc3",
                            {{"CHILD", "C7"},
                             {"DOB", "30/03/2006"},
                             {"IN_TOUCH", "YES"},
                             {"ACTIV", "F2"},
                             {"ACCOM", "D1"},
                             {"collection_year", "2024"}});
  const auto from_xml = run(csv, "oc3",
                            {{"CHILD", "C7"},
                             {"DOB", "2006-03-30"},
                             {"IN_TOUCH", "YES"},
                             {"ACTIV", "F2"},
                             {"ACCOM", "D1"},
                             {"collection_year", "2024"}});
  const auto from_ssd = run(ssd, "ssd_care_leavers",
                            {{"clea_person_id", "C7"},
                             {"clea_care_leaver_in_touch", "YES"},
                             {"clea_care_leaver_activity", "F2"},
                             {"clea_care_leaver_accommodation", "D"},
                             {"clea_care_leaver_accom_suitable", "1"}});
  ASSERT_EQ(from_csv.records.size(), 1u);
  EXPECT_EQ(
      content(from_csv),
      R"({"kind":"care_leaver_status","subject":{"system":"trust_cms","value":"C7"},)"
      R"("in_touch":"YES","activity":"F2","accommodation":"D","accommodation_suitable":true})");
  EXPECT_EQ(content(from_csv), content(from_xml));
  EXPECT_EQ(content(from_csv), content(from_ssd));
}

TEST(Normaliser, SameMissingPeriodFrom903AndSsdIsIdentical) {
  const auto a = run(Normaliser(context("ssda903", "903")), "missing",
                     {{"CHILD", "C7"},
                      {"MISSING", "M"},
                      {"MIS_START", "01/05/2024"},
                      {"MIS_END", "03/05/2024"},
                      {"collection_year", "2024"}});
  const auto b = run(Normaliser(context("trust_ssd", "ssd")), "ssd_missing",
                     {{"miss_person_id", "C7"},
                      {"miss_missing_episode_type", "Missing"},
                      {"miss_missing_episode_start_date", "2024-05-01 10:30:00.000"},
                      {"miss_missing_episode_end_date", "2024-05-03T08:00:00"}});
  ASSERT_EQ(a.records.size(), 1u);
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(content(a), content(b));
}

TEST(Normaliser, SamePersonFrom903AndSsdOnceLinkedIdentifiersAreAdded) {
  const auto header = run(Normaliser(context("ssda903", "903")), "header",
                          {{"CHILD", "C7"},
                           {"SEX", "F"},
                           {"DOB", "30/03/2010"},
                           {"ETHNIC", "WBRI"},
                           {"UPN", "B801200005001"},
                           {"MOTHER", "0"},
                           {"collection_year", "2024"}});
  const Normaliser ssd(context("trust_ssd", "ssd"));
  auto person = run(ssd, "ssd_person",
                    {{"pers_person_id", "C7"},
                     {"pers_sex", "F"},
                     {"pers_dob", "2010-03-30"},
                     {"pers_ethnicity", "WBRI"},
                     {"pers_is_mother", "N"}});
  const auto link = run(ssd, "ssd_linked_identifiers",
                        {{"link_person_id", "C7"},
                         {"link_identifier_type", "Unique Pupil Number"},
                         {"link_identifier_value", "B801200005001"}});
  ASSERT_EQ(header.records.size(), 1u);
  ASSERT_EQ(person.records.size(), 1u);
  ASSERT_EQ(link.records.size(), 1u);
  canonical::addIdentifier(std::get<canonical::Person>(person.records[0]),
                           std::get<canonical::LinkedIdentifier>(link.records[0]).identifier);
  EXPECT_EQ(content(header), content(person));
}

TEST(Normaliser, ClaEpisodeFrom903AndTheJoinedSsdStreamIsIdentical) {
  const auto csv = run(Normaliser(context("ssda903", "903")), "episodes",
                       {{"CHILD", "C7"},
                        {"DECOM", "01/05/2024"},
                        {"RNE", "P"},
                        {"LS", "C2"},
                        {"CIN", "N1"},
                        {"PLACE", "U3"},
                        {"PLACE_PROVIDER", "PR1"},
                        {"DEC", "20/09/2024"},
                        {"REC", "X1"},
                        {"REASON_PLACE_CHANGE", "CARPL"},
                        {"HOME_POST", "nn1 1aa"},
                        {"PL_POST", "NN3 2BB"},
                        {"URN", "XXXXXXX"},
                        {"collection_year", "2024"}});
  const auto ssd = run(Normaliser(context("trust_ssd", "ssd")), "ssd_cla_episodes",
                       {{"clae_cla_episode_id", "17"},
                        {"clae_person_id", "C7"},
                        {"clae_cla_episode_start_date", "2024-05-01T00:00:00"},
                        {"clae_cla_episode_start_reason", "P"},
                        {"clae_cla_primary_need_code", "N1"},
                        {"clae_cla_episode_ceased_date", "2024-09-20T00:00:00"},
                        {"clae_cla_episode_ceased_reason", "X1"},
                        {"clap_cla_placement_type", "U3"},
                        {"clap_cla_placement_provider", "PR1"},
                        {"clap_cla_placement_postcode", "NN3 2BB"},
                        {"clap_cla_placement_urn", {}, true},
                        {"clap_cla_placement_end_date", "2024-09-20T00:00:00"},
                        {"clap_cla_placement_change_reason", "CARPL"},
                        {"lega_legal_status", "C2"},
                        {"clae_home_postcode", "NN1 1AA"}});
  ASSERT_EQ(csv.records.size(), 1u);
  ASSERT_EQ(ssd.records.size(), 1u);
  EXPECT_EQ(content(csv),
            R"({"kind":"cla_episode","subject":{"system":"trust_cms","value":"C7"},)"
            R"("start":"2024-05-01","end":"2024-09-20","reason_new_episode":"P",)"
            R"("legal_status":"C2","category_of_need":"N1","placement_type":"U3",)"
            R"("placement_provider":"PR1","reason_ceased":"X1","reason_place_change":"CARPL",)"
            R"("home_postcode":"NN1 1AA","placement_postcode":"NN3 2BB"})");
  EXPECT_EQ(content(csv), content(ssd));
}

TEST(Normaliser, SsdPlacementChangeReasonGoesOnlyToTheEpisodeThatEndedWithTheMove) {
  const Normaliser ssd(context("trust_ssd", "ssd"));
  // The legal status changed on 1 August; the placement went on until 20 September.
  const auto legal_change = run(ssd, "ssd_cla_episodes",
                                {{"clae_person_id", "C7"},
                                 {"clae_cla_episode_start_date", "2024-05-01"},
                                 {"clae_cla_episode_ceased_date", "2024-08-01"},
                                 {"clae_cla_episode_ceased_reason", "X1"},
                                 {"clap_cla_placement_end_date", "2024-09-20"},
                                 {"clap_cla_placement_change_reason", "CARPL"}});
  EXPECT_EQ(std::get<canonical::ClaEpisode>(legal_change.records.at(0)).reason_place_change, "");
  // The period of care ended with the placement: a reason ceased, not a move.
  const auto left_care = run(ssd, "ssd_cla_episodes",
                             {{"clae_person_id", "C7"},
                              {"clae_cla_episode_start_date", "2024-05-01"},
                              {"clae_cla_episode_ceased_date", "2024-09-20"},
                              {"clae_cla_episode_ceased_reason", "E13"},
                              {"clap_cla_placement_end_date", "2024-09-20"},
                              {"clap_cla_placement_change_reason", "CARPL"}});
  EXPECT_EQ(std::get<canonical::ClaEpisode>(left_care.records.at(0)).reason_place_change, "");
}

TEST(Normaliser, SsdPersonCarriesNamesIntoCanonicalJson) {
  const auto out = run(Normaliser(context("trust_ssd", "ssd")), "ssd_person",
                       {{"pers_person_id", "C7"},
                        {"pers_forename", " Zoë "},
                        {"pers_surname", "Ó Súilleabháin"},
                        {"pers_sex", "F"},
                        {"pers_dob", "2010-03-30 00:00:00"}});
  const auto& person = std::get<canonical::Person>(out.records.at(0));
  EXPECT_EQ(person.given_name, "Zoë");
  EXPECT_EQ(person.family_name, "Ó Súilleabháin");
  EXPECT_NE(content(out).find(R"("given_name":"Zoë","family_name":"Ó Súilleabháin")"),
            std::string::npos)
      << content(out);
}

// A mother and her child: two memberships of the mother's group.
TEST(Normaliser, SsdMotherMakesTheMotherAndTheChildMembersOfHerGroup) {
  const Normaliser ssd(context("trust_ssd", "ssd"));
  const auto out = run(ssd, "ssd_mother",
                       {{"moth_table_id", "1"},
                        {"moth_person_id", "300071"},
                        {"moth_childs_person_id", "300455"},
                        {"moth_childs_dob", "2023-02-11"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.findings.empty()) << out.findings.front().code;
  const auto& child = std::get<canonical::HouseholdMember>(out.records[0]);
  const auto& mother = std::get<canonical::HouseholdMember>(out.records[1]);
  EXPECT_EQ(child.subject.value, "300455");
  EXPECT_EQ(child.relationship, "Child");
  EXPECT_EQ(mother.subject.value, "300071");
  EXPECT_EQ(mother.relationship, "Mother");
  EXPECT_EQ(child.group, "mother/300071");
  EXPECT_EQ(mother.group, child.group);
  EXPECT_FALSE(child.start) << "the child's birth date is not published";

  const auto herself = run(ssd, "ssd_mother",
                           {{"moth_table_id", "2"},
                            {"moth_person_id", "300071"},
                            {"moth_childs_person_id", "300071"},
                            {"moth_childs_dob", "2023-02-11"}});
  EXPECT_TRUE(herself.records.empty());
  ASSERT_EQ(herself.findings.size(), 1u);
  EXPECT_EQ(herself.findings.front().code, "ssd.mother_is_child");
}

TEST(Normaliser, SchoolCensusPupilOnRollBecomesAPersonKeyedByItsBladeRow) {
  const Normaliser n(NormaliseContext{.layout = "school_census",
                                      .connector = "school_census",
                                      .source_system = "school_census",
                                      .today = kToday,
                                      .default_collection_year = 2024});
  EXPECT_NE(findLayout("school_census"), nullptr);
  const auto out = run(n, "pupil_on_roll",
                       {{"pupilonrolltableid", "0002e817-8ca"},
                        {"dob", "2015-Jul-26 00:00:00"},
                        {"surname", "Smith"},
                        {"forename", "Amy"},
                        {"formersurname", "Jones"},
                        {"upn", "B801200005001"},
                        {"formerupn", "R247962919251"},
                        {"uniquelearnernumber", "9276308686"},
                        {"sex", "F"},
                        {"ethnicity", "WBRI"}});
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(content(out),
            R"({"kind":"person","subject":{"system":"school_census","value":"0002e817-8ca"},)"
            R"("identifiers":[{"scheme":"upn","value":"B801200005001","source":"school_census"},)"
            R"({"scheme":"uln","value":"9276308686","source":"school_census"}],)"
            R"("birth_date":"2015-07-26","sex":"F","ethnicity":"WBRI","given_name":"Amy",)"
            R"("family_name":"Smith","former_family_name":"Jones"})");
  // The former UPN's check letter is wrong: dropped with a query, the pupil still loads.
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].code, "upn.check_letter");
  EXPECT_EQ(out.findings[0].field, "former_upn");
  EXPECT_EQ(out.findings[0].severity, validation::Severity::kQuery);

  const auto left = run(n, "2025_spring_pupilnolongeronroll",
                        {{"pupilnolongeronrolltableid", "00e9397d-27e"},
                         {"dob", "2020-Apr-19 00:00:00"},
                         {"leavingdate", "2025-Mar-03 00:00:00"}});
  EXPECT_EQ(std::get<canonical::Person>(left.records.at(0)).subject.value, "00e9397d-27e");

  const auto address = run(n, "addressesonroll",
                           {{"pupilonrolltableid", "0002e817-8ca"},
                            {"uniquepropertyreferencenumber", "100031234567"},
                            {"postcode", "nn11aa"}});
  EXPECT_EQ(content(address),
            R"({"kind":"person","subject":{"system":"school_census","value":"0002e817-8ca"},)"
            R"("identifiers":[],"postcode":"NN1 1AA","uprn":"100031234567"})");
}

TEST(Normaliser, ReferralFromCinCensusAndSsdIsIdentical) {
  const auto cin = run(Normaliser(context("cin_census", "cin")), "cin_episode",
                       {{"LAchildID", "C7"},
                        {"CINreferralDate", "2024-04-02"},
                        {"ReferralSource", "3E"},
                        {"PrimaryNeedCode", "N1"},
                        {"ReferralNFA", "false"},
                        {"collection_year", "2024"}});
  const auto ssd = run(Normaliser(context("trust_ssd", "ssd")), "ssd_cin_episodes",
                       {{"cine_person_id", "C7"},
                        {"cine_referral_date", "2024-04-02"},
                        {"cine_referral_source_code", "3E"},
                        {"cine_cin_primary_need_code", "N1"},
                        {"cine_referral_nfa", "N"}});
  EXPECT_EQ(content(cin), content(ssd));
}

TEST(Normaliser, CpPlanCategoryWordsMapToCensusCodes) {
  const auto ssd = run(Normaliser(context("trust_ssd", "ssd")), "ssd_cp_plans",
                       {{"cppl_person_id", "C7"},
                        {"cppl_cp_plan_start_date", "2024-04-02"},
                        {"cppl_cp_plan_initial_category", "Neglect"},
                        {"cppl_cp_plan_latest_category", "Emotional abuse"}});
  const auto& plan = std::get<canonical::CpPlan>(ssd.records.at(0));
  EXPECT_EQ(plan.initial_category, "NEG");
  EXPECT_EQ(plan.latest_category, "EMO");
}

TEST(Normaliser, InvalidStartDateRejectsTheEpisodeWith141) {
  const auto out = run(Normaliser(context("ssda903", "903")), "episodes",
                       {{"CHILD", "C7"}, {"DECOM", "31/02/2024"}, {"collection_year", "2024"}});
  EXPECT_TRUE(out.records.empty());
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].code, "903.141");
  EXPECT_EQ(out.findings[0].severity, validation::Severity::kReject);
  EXPECT_EQ(out.findings[0].location, "test:1");
  EXPECT_EQ(out.findings[0].source_key, "k1");
}

TEST(Normaliser, FutureDatesAreRejected) {
  const auto out = run(Normaliser(context("cin_census", "cin")), "cin_plan",
                       {{"LAchildID", "C7"}, {"CINPlanStartDate", "2030-01-01"}});
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(out.findings.at(0).code, "date.future");
}

// A census describes the year up to its ReferenceDate: a referral after it is in the future of
// the return, however long ago the census was taken.
TEST(Normaliser, ACinDateAfterTheCensusReferenceDateIsInTheFuture) {
  const Normaliser n(context("cin_census", "cin"));
  auto referral = [&](std::string_view date) {
    return run(n, "cin_episode",
               {{"LAchildID", "C7"},
                {"CINreferralDate", date},
                {"collection_year", "2023"},
                {"ReferenceDate", "2024-03-31"}});
  };
  const auto after = referral("2024-04-01");
  EXPECT_TRUE(after.records.empty());
  ASSERT_EQ(after.findings.size(), 1u);
  EXPECT_EQ(after.findings[0].code, "date.future");
  EXPECT_EQ(after.findings[0].severity, validation::Severity::kReject);
  EXPECT_EQ(after.findings[0].field, "CINreferralDate");
  EXPECT_EQ(after.findings[0].message,
            "CINreferralDate is after the return's reference date, 2024-03-31");
  const auto on = referral("2024-03-31");
  EXPECT_EQ(on.records.size(), 1u);
  EXPECT_TRUE(on.findings.empty());
}

// The 903 has no reference date of its own: its collection year ends on 31 March, and the DfE's
// rules for dates after the year name the finding.
TEST(Normaliser, A903DateAfterTheEndOfItsCollectionYearIsInTheFuture) {
  const Normaliser n(context("ssda903", "903"));
  auto episode = [&](std::string_view decom, std::string_view dec) {
    return run(n, "episodes",
               {{"CHILD", "C7"},
                {"DECOM", decom},
                {"DEC", dec},
                {"REC", "E11"},
                {"RNE", "S"},
                {"LS", "C2"},
                {"PLACE", "U1"},
                {"PLACE_PROVIDER", "PR1"},
                {"collection_year", "2023"}});  // 2023/24: to 31 March 2024
  };
  const auto after = episode("01/04/2024", "");
  EXPECT_TRUE(after.records.empty());
  ASSERT_EQ(after.findings.size(), 1u);
  EXPECT_EQ(after.findings[0].code, "903.354");
  EXPECT_EQ(after.findings[0].severity, validation::Severity::kReject);
  const auto ended_after = episode("01/03/2024", "02/04/2024");
  EXPECT_TRUE(ended_after.records.empty());
  EXPECT_EQ(ended_after.findings.at(0).code, "903.385");
  const auto within = episode("01/03/2024", "31/03/2024");
  EXPECT_EQ(within.records.size(), 1u);
  EXPECT_TRUE(within.findings.empty());

  const auto born_after = run(n, "header",
                              {{"CHILD", "C8"},
                               {"SEX", "2"},
                               {"DOB", "01/04/2024"},
                               {"ETHNIC", "WBRI"},
                               {"collection_year", "2023"}});
  EXPECT_TRUE(born_after.records.empty());
  EXPECT_EQ(born_after.findings.at(0).code, "903.301");
}

// Without a reference date (the SSD, a 903 of unknown year, a census whose reference date is
// still ahead) the limit is the day of the run.
TEST(Normaliser, WithoutAPastReferenceDateTheLimitIsToday) {
  const auto ssd = [](std::string_view date) {
    return run(Normaliser(context("trust_ssd", "ssd")), "ssd_cin_episodes",
               {{"cine_person_id", "C7"}, {"cine_referral_date", date}});
  };
  EXPECT_EQ(ssd("2025-06-01").records.size(), 1u);
  const auto tomorrow = ssd("2025-06-02");
  EXPECT_TRUE(tomorrow.records.empty());
  EXPECT_EQ(tomorrow.findings.at(0).code, "date.future");
  EXPECT_EQ(tomorrow.findings.at(0).message,
            "cine_referral_date is in the future, after 2025-06-01");

  NormaliseContext unknown_year = context("ssda903", "903");
  unknown_year.default_collection_year = 0;
  const auto no_year = run(Normaliser(unknown_year), "missing",
                           {{"CHILD", "C7"}, {"MISSING", "M"}, {"MIS_START", "01/05/2025"}});
  EXPECT_EQ(no_year.records.size(), 1u) << "after 31 March 2025, but the year is unknown";

  const auto census_ahead = run(
      Normaliser(context("cin_census", "cin")), "cin_plan",
      {{"LAchildID", "C7"}, {"CINPlanStartDate", "2025-07-01"}, {"ReferenceDate", "2026-03-31"}});
  EXPECT_TRUE(census_ahead.records.empty());
  EXPECT_EQ(census_ahead.findings.at(0).message,
            "CINPlanStartDate is in the future, after 2025-06-01");
}

// A conference's target and an unborn child's expected birth are dates ahead by nature.
TEST(Normaliser, TargetAndExpectedDatesMayLieAheadOfTheReferenceDate) {
  const Normaliser n(context("cin_census", "cin"));
  const auto enquiry = run(n, "section47",
                           {{"LAchildID", "C7"},
                            {"S47ActualStartDate", "2025-03-25"},
                            {"InitialCPCtarget", "2025-04-14"},
                            {"DateOfInitialCPC", "2025-03-31"},
                            {"ReferenceDate", "2025-03-31"}});
  EXPECT_TRUE(enquiry.findings.empty());
  ASSERT_EQ(enquiry.records.size(), 2u);
  EXPECT_EQ(std::get<canonical::InitialCpConference>(enquiry.records[1]).target,
            (canonical::Date{std::chrono::year{2025}, std::chrono::April, std::chrono::day{14}}));
  const auto unborn = run(n, "child",
                          {{"LAchildID", "C8"},
                           {"ExpectedPersonBirthDate", "2025-09-01"},
                           {"ReferenceDate", "2025-03-31"}});
  EXPECT_TRUE(unborn.findings.empty());
  EXPECT_EQ(unborn.records.size(), 1u);
  EXPECT_FALSE(run(n, "child", {{"LAchildID", "C8"}, {"ExpectedPersonBirthDate", "2025-02-30"}})
                   .findings.empty())
      << "still a date";
}

TEST(Normaliser, CinPreProceedingsAndFamilyGroupDecisionMakingBecomeOneRecord) {
  const auto out = run(Normaliser(context("cin_census", "cin")), "pre_proceedings",
                       {{"LAchildID", "C7"},
                        {"episode", "1"},
                        {"CINreferralDate", "2024-04-02"},
                        {"PPStartDate", "2024-05-01"},
                        {"LBPSentDate", "2024-05-06"},
                        {"FGDMMeetingOffer", "1"},
                        {"FGDMMeetingFac", "false"},
                        {"InitialPPMeetingDate", "2024-05-20"},
                        {"ReviewMeetingsCount", "0"},
                        {"StepDecisionDate", "2024-09-01"},
                        {"PPOutcome", "B"},
                        {"CourtAppDate", "2024-09-15"},
                        {"LetterInitCPDate", "2024-09-16"},
                        {"collection_year", "2024"},
                        {"ReferenceDate", "2025-03-31"},
                        {"LEA", "999"}});
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(out.unmapped.empty());
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(content(out),
            R"({"kind":"pre_proceedings","subject":{"system":"trust_cms","value":"C7"},)"
            R"("start":"2024-05-01","letter_before_proceedings":"2024-05-06","fgdm_offered":true,)"
            R"("fgdm_facilitated":false,"initial_meeting":"2024-05-20","review_meetings":0,)"
            R"("step_decision":"2024-09-01","outcome":"B","court_application":"2024-09-15",)"
            R"("care_proceedings_letter":"2024-09-16"})");
}

TEST(Normaliser, PreProceedingsDatesAreCheckedAsEveryCensusDateIs) {
  const Normaliser n(context("cin_census", "cin"));
  auto block = [&](std::initializer_list<FieldView> extra) {
    std::vector<FieldView> fields = {{"LAchildID", "C7"}, {"ReferenceDate", "2025-03-31"}};
    fields.insert(fields.end(), extra);
    NormaliseOutput out;
    n.normalise(RawRecordView{.stream = "pre_proceedings",
                              .source_key = "k1",
                              .location = "test:1",
                              .fields = fields},
                out);
    return out;
  };
  const auto impossible = block({{"PPStartDate", "2025-02-30"}});
  EXPECT_TRUE(impossible.records.empty());
  EXPECT_EQ(impossible.findings.at(0).code, "date.invalid");
  for (const char* field : {"PPStartDate", "LBPSentDate", "InitialPPMeetingDate",
                            "StepDecisionDate", "CourtAppDate", "LetterInitCPDate"}) {
    const auto future = block({{field, "2025-04-01"}});
    EXPECT_TRUE(future.records.empty()) << field;
    ASSERT_EQ(future.findings.size(), 1u) << field;
    EXPECT_EQ(future.findings[0].code, "date.future") << field;
    EXPECT_EQ(future.findings[0].field, field);
  }
  // Malformed flags, counts and codes are queries: the record goes on without them.
  const auto malformed = block({{"PPStartDate", "2025-01-06"},
                                {"FGDMMeetingOffer", "maybe"},
                                {"ReviewMeetingsCount", "two"},
                                {"PPOutcome", "D"}});
  ASSERT_EQ(malformed.records.size(), 1u);
  std::vector<std::string> codes;
  for (const auto& finding : malformed.findings) codes.push_back(finding.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"flag.invalid", "number.invalid", "code.unknown"}));
  const auto& record = std::get<canonical::PreProceedings>(malformed.records[0]);
  EXPECT_FALSE(record.fgdm_offered.has_value());
  EXPECT_FALSE(record.review_meetings.has_value());
  EXPECT_EQ(record.outcome, "");
}

// Nothing vanishes unseen: a field with a value that the stream's layout neither maps nor
// ignores on purpose is named in the output, whatever becomes of the record.
TEST(Normaliser, FieldsTheLayoutNeitherMapsNorIgnoresAreNamed) {
  const Normaliser n(context("ssda903", "903"));
  const auto header = run(n, "header",
                          {{"CHILD", "C7"},
                           {"SEX", "2"},
                           {"DOB", "30/03/2010"},
                           {"ETHNIC", "WBRI"},
                           {"UASC", "0"},       // ignored on purpose
                           {"NEW_ITEM", "x"},   // unknown
                           {"EMPTY_ITEM", ""},  // unknown, but carries nothing
                           {"NULL_ITEM", "", true},
                           {"collection_year", "2024"}});
  EXPECT_EQ(header.records.size(), 1u);
  EXPECT_EQ(header.unmapped, (std::vector<std::string_view>{"NEW_ITEM"}));

  // The 2025/26 census items on a census episode, as an older connector delivered them.
  const auto episode = run(Normaliser(context("cin_census", "cin")), "cin_episode",
                           {{"LAchildID", "C7"},
                            {"CINreferralDate", "2024-04-02"},
                            {"PPStartDate", "2024-05-01"},
                            {"LEA", "999"}});
  EXPECT_EQ(episode.unmapped, (std::vector<std::string_view>{"PPStartDate"}));

  // A rejected record's fields are named too; a stream outside the model names none (it is
  // published field by field).
  const auto rejected = run(n, "episodes", {{"CHILD", "C7"}, {"DECOM", "31/02/2024"}, {"X", "1"}});
  EXPECT_TRUE(rejected.records.empty());
  EXPECT_EQ(rejected.unmapped, (std::vector<std::string_view>{"X"}));
  EXPECT_TRUE(run(n, "reviews", {{"CHILD", "C7"}, {"X", "1"}}).unmapped.empty());

  const auto pupil =
      run(Normaliser(context("school_census", "school")), "2025_spring_pupil_on_roll",
          {{"pupilonrolltableid", "p1"}, {"ncyearactual", "5"}, {"newcolumn", "1"}});
  EXPECT_EQ(pupil.unmapped, (std::vector<std::string_view>{"newcolumn"}));
}

// The output a runner reuses for every record remembers what the layout said of each field by
// position: a record whose names differ at a position, or of another stream, is looked up again.
TEST(Normaliser, AnOutputReusedAcrossRecordsAndStreamsNamesEachRecordsOwnUnmappedFields) {
  const Normaliser n(context("ssda903", "903"));
  NormaliseOutput out;
  auto read = [&](std::string_view stream, std::vector<FieldView> fields) {
    out.clear();
    n.normalise(RawRecordView{stream, "C7", "file.csv:2", 0, fields}, out);
    return out.unmapped;
  };
  using Names = std::vector<std::string_view>;
  const std::vector<FieldView> known = {{"CHILD", "C7", false},
                                        {"SEX", "2", false},
                                        {"DOB", "30/03/2010", false},
                                        {"ETHNIC", "WBRI", false},
                                        {"UASC", "0", false}};
  EXPECT_EQ(read("header", known), Names{});
  EXPECT_EQ(read("header", known), Names{});
  std::vector<FieldView> renamed = known;
  renamed[4] = {"UASC_NEW", "0", false};
  EXPECT_EQ(read("header", renamed), Names{"UASC_NEW"});
  EXPECT_EQ(read("header", known), Names{});
  // UASC is ignored on purpose in the header; the episodes stream knows no such field.
  EXPECT_EQ(read("episodes", {{"CHILD", "C7", false}, {"UASC", "0", false}}), Names{"UASC"});
  EXPECT_EQ(read("header", known), Names{});
}

TEST(Normaliser, EveryLayoutListsAFieldAsMappedOrIgnoredNotBoth) {
  EXPECT_GE(layouts().size(), 4u);
  for (const Layout* layout : layouts()) {
    EXPECT_EQ(findLayout(layout->name), layout);
    for (const StreamLayout& stream : layout->streams) {
      const StreamFields& fields = stream.fields;
      EXPECT_FALSE(fields.mapped.empty()) << fields.stream;
      EXPECT_NE(stream.normalise, nullptr) << fields.stream;
      for (const std::string_view field : fields.mapped) {
        EXPECT_FALSE(fields.ignores(field)) << layout->name << " " << fields.stream << "." << field
                                            << " is both mapped and ignored";
      }
      EXPECT_EQ(layout->findStream(fields.stream), &stream);
    }
  }
}

TEST(Normaliser, AContextNamingNoLayoutIsRefused) {
  EXPECT_EQ(findLayout("no_such_layout"), nullptr);
  EXPECT_THROW(Normaliser(context("no_such_layout", "x")), std::invalid_argument);
}

TEST(Normaliser, PlacementCodeIsCheckedAgainstTheYearsList) {
  const Normaliser n(context("ssda903", "903"));
  const auto out = run(n, "episodes",
                       {{"CHILD", "C7"},
                        {"DECOM", "01/05/2024"},
                        {"RNE", "S"},
                        {"LS", "C2"},
                        {"PLACE", "H5"},
                        {"PLACE_PROVIDER", "PR1"},
                        {"collection_year", "2024"}});
  ASSERT_EQ(out.records.size(), 1u);  // a query: the episode still counts, without the code
  ASSERT_FALSE(out.findings.empty());
  EXPECT_EQ(out.findings[0].code, "903.146");
  EXPECT_EQ(out.findings[0].year_applied, 2024);
  EXPECT_EQ(std::get<canonical::ClaEpisode>(out.records[0]).placement_type, "");
}

TEST(Normaliser, CinGenderCurrentAndSexElements) {
  const Normaliser n(context("cin_census", "cin"));
  const auto old_form = run(n, "child",
                            {{"LAchildID", "C7"},
                             {"Sex", "9"},
                             {"sex_element", "GenderCurrent"},
                             {"collection_year", "2023"}});
  const auto new_form =
      run(n, "child",
          {{"LAchildID", "C7"}, {"Sex", "9"}, {"sex_element", "Sex"}, {"collection_year", "2024"}});
  EXPECT_EQ(std::get<canonical::Person>(old_form.records.at(0)).sex,
            canonical::Sex::kIndeterminate);
  EXPECT_EQ(new_form.findings.at(0).code, "code.unknown");
}

}  // namespace
}  // namespace hearth::pipelines::normalise
