#include "pipelines/normalise/normaliser.hpp"

#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"

namespace hearth::pipelines::normalise {
namespace {

const canonical::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

NormaliseContext context(ConnectorKind kind, std::string connector) {
  return NormaliseContext{.kind = kind,
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
  const auto ssd = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_missing",
                       {{"miss_person_id", "C7"},
                        {"miss_missing_episode_type", "Missing"},
                        {"miss_missing_episode_start_date", "2021-05-01"},
                        {"miss_missing_episode_end_date", "2021-05-03"}});
  ASSERT_EQ(ssd.records.size(), 1u);
  EXPECT_TRUE(ssd.findings.empty()) << ssd.findings.front().code;
  const auto return903 = run(
      Normaliser(context(ConnectorKind::kSsda903, "903")), "missing",
      {{"CHILD", "C7"}, {"MISSING", "M"}, {"MIS_START", "01/05/2021"}, {"MIS_END", "03/05/2021"}});
  ASSERT_FALSE(return903.findings.empty());
  EXPECT_EQ(return903.findings.front().code, "903.571");
}

TEST(Normaliser, SameCareLeaverFrom903CsvXmlAndSsdIsIdentical) {
  const Normaliser csv(context(ConnectorKind::kSsda903, "903_csv"));
  const Normaliser ssd(context(ConnectorKind::kTrustSsd, "ssd"));
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
  const auto a = run(Normaliser(context(ConnectorKind::kSsda903, "903")), "missing",
                     {{"CHILD", "C7"},
                      {"MISSING", "M"},
                      {"MIS_START", "01/05/2024"},
                      {"MIS_END", "03/05/2024"},
                      {"collection_year", "2024"}});
  const auto b = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_missing",
                     {{"miss_person_id", "C7"},
                      {"miss_missing_episode_type", "Missing"},
                      {"miss_missing_episode_start_date", "2024-05-01 10:30:00.000"},
                      {"miss_missing_episode_end_date", "2024-05-03T08:00:00"}});
  ASSERT_EQ(a.records.size(), 1u);
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(content(a), content(b));
}

TEST(Normaliser, SamePersonFrom903AndSsdOnceLinkedIdentifiersAreAdded) {
  const auto header = run(Normaliser(context(ConnectorKind::kSsda903, "903")), "header",
                          {{"CHILD", "C7"},
                           {"SEX", "F"},
                           {"DOB", "30/03/2010"},
                           {"ETHNIC", "WBRI"},
                           {"UPN", "B801200005001"},
                           {"MOTHER", "0"},
                           {"collection_year", "2024"}});
  const Normaliser ssd(context(ConnectorKind::kTrustSsd, "ssd"));
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
  const auto csv = run(Normaliser(context(ConnectorKind::kSsda903, "903")), "episodes",
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
  const auto ssd = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_cla_episodes",
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
  const Normaliser ssd(context(ConnectorKind::kTrustSsd, "ssd"));
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
  const auto out = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_person",
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

TEST(Normaliser, SchoolCensusPupilOnRollBecomesAPersonKeyedByItsBladeRow) {
  const Normaliser n(NormaliseContext{.kind = ConnectorKind::kSchoolCensus,
                                      .connector = "school_census",
                                      .source_system = "school_census",
                                      .today = kToday,
                                      .default_collection_year = 2024});
  EXPECT_EQ(connectorKindFromName("school_census"), ConnectorKind::kSchoolCensus);
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
  const auto cin = run(Normaliser(context(ConnectorKind::kCinCensus, "cin")), "cin_episode",
                       {{"LAchildID", "C7"},
                        {"CINreferralDate", "2024-04-02"},
                        {"ReferralSource", "3E"},
                        {"PrimaryNeedCode", "N1"},
                        {"ReferralNFA", "false"},
                        {"collection_year", "2024"}});
  const auto ssd = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_cin_episodes",
                       {{"cine_person_id", "C7"},
                        {"cine_referral_date", "2024-04-02"},
                        {"cine_referral_source_code", "3E"},
                        {"cine_cin_primary_need_code", "N1"},
                        {"cine_referral_nfa", "N"}});
  EXPECT_EQ(content(cin), content(ssd));
}

TEST(Normaliser, CpPlanCategoryWordsMapToCensusCodes) {
  const auto ssd = run(Normaliser(context(ConnectorKind::kTrustSsd, "ssd")), "ssd_cp_plans",
                       {{"cppl_person_id", "C7"},
                        {"cppl_cp_plan_start_date", "2024-04-02"},
                        {"cppl_cp_plan_initial_category", "Neglect"},
                        {"cppl_cp_plan_latest_category", "Emotional abuse"}});
  const auto& plan = std::get<canonical::CpPlan>(ssd.records.at(0));
  EXPECT_EQ(plan.initial_category, "NEG");
  EXPECT_EQ(plan.latest_category, "EMO");
}

TEST(Normaliser, InvalidStartDateRejectsTheEpisodeWith141) {
  const auto out = run(Normaliser(context(ConnectorKind::kSsda903, "903")), "episodes",
                       {{"CHILD", "C7"}, {"DECOM", "31/02/2024"}, {"collection_year", "2024"}});
  EXPECT_TRUE(out.records.empty());
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].code, "903.141");
  EXPECT_EQ(out.findings[0].severity, validation::Severity::kReject);
  EXPECT_EQ(out.findings[0].location, "test:1");
  EXPECT_EQ(out.findings[0].source_key, "k1");
}

TEST(Normaliser, FutureDatesAreRejected) {
  const auto out = run(Normaliser(context(ConnectorKind::kCinCensus, "cin")), "cin_plan",
                       {{"LAchildID", "C7"}, {"CINPlanStartDate", "2030-01-01"}});
  EXPECT_TRUE(out.records.empty());
  EXPECT_EQ(out.findings.at(0).code, "date.future");
}

TEST(Normaliser, PlacementCodeIsCheckedAgainstTheYearsList) {
  const Normaliser n(context(ConnectorKind::kSsda903, "903"));
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
  const Normaliser n(context(ConnectorKind::kCinCensus, "cin"));
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
