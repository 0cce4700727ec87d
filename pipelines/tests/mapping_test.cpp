// A layout written as data: checked against the canonical model, then normalising as a layout
// written in code does, with the same findings for the same bad input.
#include "pipelines/normalise/mapping.hpp"

#include <gtest/gtest.h>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {
namespace {

const canonical::Date kToday{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};

// A council's early help system: one row per episode, naming the child.
Mapping earlyHelpMapping() {
  RecordRule episode{.kind = "early_help_episode", .subject = "ChildRef"};
  episode.fields = {{.target = "start", .from = "StartDate", .date_format = "%d/%m/%Y"},
                    {.target = "end", .from = "EndDate", .date_format = "%d/%m/%Y"},
                    {.target = "reason",
                     .from = "Reason",
                     .codes = {{"Parenting", "parenting"}, {"School", "school"}}}};
  RecordRule person{.kind = "person", .subject = "ChildRef"};
  person.fields = {{.target = "given_name", .from = "Forename"},
                   {.target = "birth_date", .from = "DOB", .date_format = "%d-%b-%Y"},
                   {.target = "sex", .from = "Gender", .codes = {{"Male", "M"}, {"Female", "F"}}},
                   {.target = "postcode", .from = "Postcode"}};
  person.identifiers = {{.scheme = "nhs", .from = "NHSNumber"}, {.scheme = "upn", .from = "UPN"}};
  return Mapping{{StreamRule{.stream = "episodes",
                             .records = {episode, person},
                             .ignore = {"Worker"},
                             .where = "/mapping/streams/episodes"}}};
}

Normaliser normaliser(const Mapping& mapping) {
  return Normaliser(NormaliseContext{.layout = "mapping",
                                     .connector = "early_help",
                                     .source_system = "eh_system",
                                     .today = kToday,
                                     .default_collection_year = 2024,
                                     .mapped_layout = mappedLayout(mapping, "mapping")});
}

NormaliseOutput run(const Normaliser& n, std::initializer_list<FieldView> fields) {
  const std::vector<FieldView> list(fields);
  NormaliseOutput out;
  n.normalise(
      RawRecordView{
          .stream = "episodes", .source_key = "k1", .location = "eh.csv:2", .fields = list},
      out);
  return out;
}

std::string json(const canonical::Record& record) {
  return canonical::toJson(record, {.include_provenance = false});
}

std::vector<std::string> codes(const NormaliseOutput& out) {
  std::vector<std::string> list;
  for (const auto& f : out.findings) list.push_back(f.code);
  return list;
}

TEST(Mapping, ARowBecomesTheEpisodeAndThePersonItNames) {
  const auto out = run(normaliser(earlyHelpMapping()), {{"ChildRef", "EH1"},
                                                        {"StartDate", "03/02/2025"},
                                                        {"EndDate", ""},
                                                        {"Reason", "Parenting"},
                                                        {"Forename", "Amy"},
                                                        {"DOB", "07-Mar-2015"},
                                                        {"Gender", "Female"},
                                                        {"Postcode", "nn1 1aa"},
                                                        {"NHSNumber", "943 476 5919"},
                                                        {"UPN", ""},
                                                        {"Worker", "Team B"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(out.unmapped.empty());
  EXPECT_EQ(json(out.records[0]),
            R"({"kind":"early_help_episode","subject":{"system":"eh_system","value":"EH1"},)"
            R"("start":"2025-02-03","reason":"parenting"})");
  EXPECT_EQ(json(out.records[1]),
            R"({"kind":"person","subject":{"system":"eh_system","value":"EH1"},"identifiers":[)"
            R"({"scheme":"la_child","value":"EH1","source":"eh_system"},)"
            R"({"scheme":"nhs","value":"9434765919","source":"eh_system"}],)"
            R"("birth_date":"2015-03-07","sex":"F","postcode":"NN1 1AA","given_name":"Amy"})");
}

TEST(Mapping, IdentifiersThatFailTheirChecksAreQueriesAndLeftOff) {
  const auto out = run(normaliser(earlyHelpMapping()), {{"ChildRef", "EH1"},
                                                        {"StartDate", "03/02/2025"},
                                                        {"NHSNumber", "9434765918"},
                                                        {"UPN", "A12345678901"}});
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(codes(out), (std::vector<std::string>{"nhs.check_digit", "upn.check_letter"}));
  EXPECT_EQ(std::get<canonical::Person>(out.records[1]).identifiers.size(), 1u);
}

TEST(Mapping, ADateNotInItsFormatOrInTheFutureRejectsTheRow) {
  const auto n = normaliser(earlyHelpMapping());
  const auto bad = run(n, {{"ChildRef", "EH1"}, {"StartDate", "2025-02-03"}});
  EXPECT_TRUE(bad.records.empty());
  EXPECT_EQ(codes(bad), std::vector<std::string>{"date.invalid"});
  EXPECT_EQ(bad.findings[0].field, "StartDate");
  EXPECT_EQ(bad.findings[0].location, "eh.csv:2");
  const auto future = run(n, {{"ChildRef", "EH1"}, {"StartDate", "01/01/2030"}});
  EXPECT_TRUE(future.records.empty());
  EXPECT_EQ(codes(future), std::vector<std::string>{"date.future"});
  const auto impossible = run(n, {{"ChildRef", "EH1"}, {"StartDate", "30/02/2025"}});
  EXPECT_EQ(codes(impossible), std::vector<std::string>{"date.invalid"});
}

TEST(Mapping, AValueOutsideTheCodeMapIsAQueryAndABlankSubjectRejectsOnce) {
  const auto n = normaliser(earlyHelpMapping());
  const auto unmapped = run(n, {{"ChildRef", "EH1"}, {"Reason", "Housing"}, {"Other", "x"}});
  EXPECT_EQ(unmapped.records.size(), 2u);
  EXPECT_EQ(codes(unmapped), std::vector<std::string>{"code.unmapped"});
  EXPECT_EQ(unmapped.unmapped, std::vector<std::string_view>{"Other"});
  const auto no_child = run(n, {{"ChildRef", " "}, {"StartDate", "03/02/2025"}});
  EXPECT_TRUE(no_child.records.empty());
  EXPECT_EQ(codes(no_child), std::vector<std::string>{"record.no_child_id"});
}

TEST(Mapping, ConstantsAndCodeListsOfTheCanonicalFieldApply) {
  RecordRule episode{.kind = "cla_episode", .subject = "id"};
  episode.fields = {{.target = "start", .from = "start"},
                    {.target = "legal_status", .constant = "C2"},
                    {.target = "placement_type", .from = "place"}};
  const auto n = normaliser(Mapping{{StreamRule{.stream = "episodes", .records = {episode}}}});
  const auto out =
      run(n, {{"id", "C1"}, {"start", "2024-05-01T10:00:00"}, {"place", "NOT-A-CODE"}});
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(codes(out), std::vector<std::string>{"code.unknown"});
  const auto& cla = std::get<canonical::ClaEpisode>(out.records[0]);
  EXPECT_EQ(cla.legal_status, "C2");
  EXPECT_EQ(cla.placement_type, "");
  EXPECT_EQ(canonical::formatIsoDate(*cla.start), "2024-05-01");
}

std::vector<std::string> problems(const Mapping& mapping) {
  std::vector<std::string> list;
  for (const auto& p : checkMapping(mapping)) list.push_back(p.where + ": " + p.message);
  return list;
}

TEST(Mapping, CheckingNamesEveryRuleTheCanonicalModelRefusesWhereItWasWritten) {
  RecordRule unknown_kind{.kind = "early_help", .subject = "id", .where = "/s/0"};
  RecordRule bad{.kind = "cla_episode", .subject = "id", .where = "/s/1"};
  bad.fields = {
      {.target = "begin", .from = "a", .where = "/s/1/fields/begin"},
      {.target = "start", .from = "b", .date_format = "%d/%q/%Y", .where = "/s/1/fields/start"},
      {.target = "end", .from = "c", .date_format = "%d/%m", .where = "/s/1/fields/end"},
      {.target = "legal_status",
       .from = "d",
       .codes = {{"Care order", "C9"}},
       .where = "/s/1/fields/legal_status"},
      {.target = "urn", .where = "/s/1/fields/urn"}};
  bad.identifiers = {{.scheme = "nhs", .from = "n", .where = "/s/1/identifiers/nhs"}};
  const auto found =
      problems(Mapping{{StreamRule{.stream = "x", .records = {unknown_kind, bad}, .where = "/s"}}});
  ASSERT_EQ(found.size(), 7u);
  EXPECT_TRUE(found[0].starts_with("/s/0: unknown record kind \"early_help\" (one of person,"))
      << found[0];
  EXPECT_TRUE(found[1].starts_with("/s/1/fields/begin: cla_episode has no field \"begin\""));
  EXPECT_EQ(found[2],
            "/s/1/fields/start: date format \"%d/%q/%Y\" %q is not one of %d %m %b %Y %H %M %S");
  EXPECT_EQ(found[3],
            "/s/1/fields/end: date format \"%d/%m\" needs the day (%d), the month (%m or %b) and "
            "the year (%Y) once each");
  EXPECT_EQ(found[4], "/s/1/fields/legal_status: code map Care order -> \"C9\" is not a LS code");
  EXPECT_EQ(found[5], "/s/1/fields/urn: give the source field (from) or a constant, not both");
  EXPECT_EQ(found[6], "/s/1/identifiers/nhs: identifiers belong to a person record");
  EXPECT_THROW(mappedLayout(Mapping{{StreamRule{.stream = "x", .records = {bad}}}}, "m"),
               std::invalid_argument);
}

}  // namespace
}  // namespace hearth::pipelines::normalise
