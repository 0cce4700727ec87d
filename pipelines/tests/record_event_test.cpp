#include "pipelines/events/record_event.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "pipelines/canonical/json.hpp"
#include "pipelines/events/canonical_event.hpp"

namespace hearth::pipelines {
namespace {

constexpr int64_t kNow = 1711929599123;

RecordEventEncoder makeEncoder() {
  return RecordEventEncoder({"trust_903", "csv", "1.0.0"}, Pseudonymiser("test key", "v1"),
                            FieldPolicy(), "1");
}

struct Fixture {
  std::vector<FieldView> fields = {
      {"CHILD", "C1001", false},
      {"Surname", "Smith", false},
      {"DOB", "14/07/2012", false},
      {"UPN", "B801200005001", false},
      {"HOME_POST", "NN1 5AB", false},
      {"LS", "C2", false},
      {"DEC", "", true},
  };
  RawRecordView record{"episodes", "C1001|2017-05-01", "episodes.csv:7", 0, fields};
};

TEST(RecordEvent, IsAStructuredCloudEvent) {
  auto encoder = makeEncoder();
  Fixture f;
  EncodedEvent event;
  encoder.encode(f.record, kNow, event);
  const auto json = nlohmann::json::parse(event.payload);
  EXPECT_EQ(json["specversion"], "1.0");
  EXPECT_EQ(json["type"], kRecordEventType);
  EXPECT_EQ(json["source"], "/hearth/connectors/trust_903") << "no area code configured";
  EXPECT_EQ(json["dataschema"], "http://127.0.0.1:8080/schemas/hearth.record.v1.json");
  EXPECT_EQ(json["time"], "2024-03-31T23:59:59.123Z");
  EXPECT_EQ(json["id"].get<std::string>().size(), 32u);
  EXPECT_EQ(json["data"]["key"], event.key);
  EXPECT_EQ(json["data"]["location"], "episodes.csv:7");
  EXPECT_EQ(json["data"]["provenance"]["plugin"], "csv");
  EXPECT_EQ(json["data"]["fields"]["LS"], "C2");
  EXPECT_TRUE(json["data"]["fields"]["DEC"].is_null());
}

// The encoder writes a record event's header from parts made once, and keeps the stream's and the
// time's JSON from one record to the next: each event still begins as appendEventHeader() writes
// it, through changes of stream and of time, with names that need escaping.
TEST(RecordEvent, BeginsAsEveryEventsHeaderAcrossStreamsAndTimes) {
  const SourceInfo source{"trust_903", "csv", "1.0.0", {"E06000062", "https://x.example/\"s\"/"}};
  RecordEventEncoder encoder(source, Pseudonymiser("test key", "v1"), FieldPolicy(), "1");
  Fixture f;
  const std::string source_uri = source.origin.sourceUri("connectors/trust_903");
  const std::string schema = source.origin.dataSchema(kRecordEventType);
  EncodedEvent event;
  int checked = 0;
  for (const std::string_view stream : {"episodes", "episodes", "re\"views", "episodes"}) {
    for (const int64_t now : {kNow, kNow, kNow + 4, kNow + 1000}) {
      f.record.stream = stream;
      encoder.encode(f.record, now, event);
      const auto json = nlohmann::json::parse(event.payload);
      std::string expected;
      appendEventHeader(expected, json["id"].get<std::string>(), source_uri, kRecordEventType,
                        schema, stream, now);
      EXPECT_EQ(event.payload.substr(0, expected.size()), expected) << stream << " at " << now;
      EXPECT_EQ(json["data"]["stream"], stream);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16);
}

TEST(RecordEvent, SourceNamesTheCouncilAndDataschemaTheSchemaOfItsType) {
  RecordEventEncoder encoder(
      {"trust_903", "csv", "1.0.0", {"E06000062", "https://hearth.example.gov.uk/schemas/"}},
      Pseudonymiser("test key", "v1"), FieldPolicy(), "1");
  Fixture f;
  EncodedEvent event;
  encoder.encode(f.record, kNow, event);
  auto json = nlohmann::json::parse(event.payload);
  EXPECT_EQ(json["source"], "/hearth/E06000062/connectors/trust_903");
  EXPECT_EQ(json["dataschema"], "https://hearth.example.gov.uk/schemas/hearth.record.v1.json");

  encoder.encodeReject(
      {"episodes", "", "csv.bad_row", "a bad row", "episodes.csv:9", "x,y", "reject", {}, 0}, kNow,
      event);
  json = nlohmann::json::parse(event.payload);
  EXPECT_EQ(json["source"], "/hearth/E06000062/connectors/trust_903");
  EXPECT_EQ(json["dataschema"], "https://hearth.example.gov.uk/schemas/hearth.reject.v1.json");
}

TEST(RecordEvent, PublishesNoDirectIdentifier) {
  auto encoder = makeEncoder();
  Fixture f;
  EncodedEvent event;
  encoder.encode(f.record, kNow, event);
  for (const char* identifier :
       {"Smith", "14/07/2012", "2012-07-14", "B801200005001", "NN1 5AB", "C1001"}) {
    EXPECT_EQ(event.payload.find(identifier), std::string::npos) << identifier;
    EXPECT_EQ(event.key.find(identifier), std::string::npos) << identifier;
  }
  const auto fields = nlohmann::json::parse(event.payload)["data"]["fields"];
  EXPECT_FALSE(fields.contains("Surname"));
  EXPECT_EQ(fields["DOB"], "2012-07");
  EXPECT_EQ(fields["HOME_POST"], "NN1 5");
  EXPECT_TRUE(fields["UPN"].get<std::string>().starts_with("v1."));
}

// The pseudonyms a record's fields get, by field name.
nlohmann::json pseudonymsOf(std::vector<FieldView> fields) {
  auto encoder = makeEncoder();
  const RawRecordView record{"people", "P1", "people.csv:2", 0, fields};
  EncodedEvent event;
  encoder.encode(record, kNow, event);
  return nlohmann::json::parse(event.payload)["data"]["fields"];
}

TEST(RecordEvent, IdentifiersAreNormalisedBeforeTheyArePseudonymised) {
  const auto spaced = pseudonymsOf({{"NHS Number", "943 476 5919", false},
                                    {"upn", " b801200005001 ", false},
                                    {"NINO", "qq 12 34 56 c", false},
                                    {"pers_uln", "9434-765-919", false},
                                    {"child_id", "  C1001\t", false}});
  const auto compact = pseudonymsOf({{"NHS Number", "9434765919", false},
                                     {"upn", "B801200005001", false},
                                     {"NINO", "QQ123456C", false},
                                     {"pers_uln", "9434765919", false},
                                     {"child_id", "C1001", false}});
  for (const char* field : {"NHS Number", "upn", "NINO", "pers_uln", "child_id"}) {
    EXPECT_EQ(spaced[field], compact[field]) << field;
  }
  // A local id keeps its case: systems may tell "c1001" from "C1001".
  EXPECT_NE(pseudonymsOf({{"child_id", "c1001", false}})["child_id"], compact["child_id"]);
  EXPECT_TRUE(pseudonymsOf({{"NHS Number", "   ", false}})["NHS Number"].is_null());
}

TEST(CanonicalEvent, LinkedIdentifiersAreNormalisedBeforeTheyArePseudonymised) {
  Pseudonymiser pseudonymiser("test key", "v1");
  auto published = [&](std::string scheme, std::string value) {
    canonical::LinkedIdentifier link;
    link.subject = {"ssd", "P1"};
    link.identifier = {std::move(scheme), std::move(value), "ssd"};
    return std::get<canonical::LinkedIdentifier>(publishable(link, pseudonymiser)).identifier.value;
  };
  EXPECT_EQ(published("nhs", "943 476 5919"), published("nhs", "9434765919"));
  EXPECT_EQ(published("upn", "b801200005001"), published("upn", "B801200005001"));
  EXPECT_EQ(published("nhs", "9434765919"), pseudonymiser.pseudonym("nhs", "9434765919"));
}

// The canonical encoder writes its header and provenance from parts made once: each event still
// begins as appendEventHeader() writes it, and names where it came from, whatever its kind and
// time.
TEST(CanonicalEvent, BeginsAsEveryEventsHeaderAndNamesItsProvenance) {
  const SourceInfo source{"school_census", "csv", "2.1.0", {"E06000062", "https://x.example/"}};
  CanonicalEventEncoder encoder(source, Pseudonymiser("test key", "v1"), "7");
  const std::string source_uri = source.origin.sourceUri("connectors/school_census");
  const std::string schema = source.origin.dataSchema(kCanonicalEventType);
  canonical::LinkedIdentifier link;
  link.subject = {"school_census", "P1"};
  link.identifier = {"upn", "B801200005001", "school_census"};
  canonical::MissingEpisode missing;
  missing.subject = {"ssd", "C1"};
  missing.start = canonical::Date{std::chrono::year{2024}, std::chrono::June, std::chrono::day{1}};
  EncodedEvent event;
  int checked = 0;
  for (const int64_t now : {kNow, kNow, kNow + 4}) {
    for (const canonical::Record& record : {canonical::Record(link), canonical::Record(missing)}) {
      encoder.encode(record, "census.xml:/Pupil[1]", 0, now, event);
      const auto json = nlohmann::json::parse(event.payload);
      std::string expected;
      appendEventHeader(expected, json["id"].get<std::string>(), source_uri, kCanonicalEventType,
                        schema, canonical::recordKind(record), now);
      EXPECT_EQ(event.payload.substr(0, expected.size()), expected) << now;
      const auto& provenance = json["data"]["provenance"];
      EXPECT_EQ(provenance["connector"], "school_census");
      EXPECT_EQ(provenance["plugin"], "csv");
      EXPECT_EQ(provenance["plugin_version"], "2.1.0");
      EXPECT_EQ(provenance["rule_version"], "7");
      EXPECT_TRUE(json["data"].contains("record"));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);
}

TEST(CanonicalEvent, RecentSubjectPseudonymsAreTheSubjectsOwn) {
  Pseudonymiser pseudonymiser("test key", "v1");
  RecentSubjectPseudonyms recent;
  // More subjects than the table has slots, twice over, and the same value in two systems:
  // however they fall, each answer is its subject's pseudonym.
  for (int round = 0; round < 2; ++round) {
    for (int n = 0; n < 3000; ++n) {
      for (const char* system : {"ssd", "school_census"}) {
        const canonical::Subject subject{system, "P" + std::to_string(n)};
        ASSERT_EQ(recent.of(pseudonymiser, subject), subjectPseudonym(pseudonymiser, subject));
      }
    }
  }
  EXPECT_NE(recent.of(pseudonymiser, {"ssd", "P1"}),
            recent.of(pseudonymiser, {"school_census", "P1"}));
}

TEST(CanonicalEvent, ThisThreadsRecentPseudonymsKeepEachKeysApart) {
  // The thread's table serves every pseudonymiser the thread meets (a reload may bring a new
  // key): a subject met under one key is never answered with its pseudonym under another.
  const Pseudonymiser first("test key", "v1");
  const Pseudonymiser second("another key", "v1");
  const Pseudonymiser rotated("test key", "v2");
  EXPECT_NE(first.fingerprint(), second.fingerprint());
  EXPECT_NE(first.fingerprint(), rotated.fingerprint());
  EXPECT_EQ(first.fingerprint(), Pseudonymiser("test key", "v1").fingerprint());
  RecentSubjectPseudonyms& recent = RecentSubjectPseudonyms::ofThisThread();
  const canonical::Subject subject{"ssd", "P1"};
  for (const Pseudonymiser* p : {&first, &second, &rotated, &first}) {
    EXPECT_EQ(recent.of(*p, subject), subjectPseudonym(*p, subject));
  }
  EXPECT_NE(subjectPseudonym(first, subject), subjectPseudonym(second, subject));
  EXPECT_EQ(&RecentSubjectPseudonyms::ofThisThread(), &recent);
}

TEST(CanonicalEvent, AppendJsonAppendsWhatToJsonReturns) {
  canonical::Person person;
  person.subject = {"ssd", "P1"};
  person.given_name = "Ann";
  person.postcode = "NN1 5AB";
  std::string out = "before:";
  canonical::appendJson(out, person);
  EXPECT_EQ(out, "before:" + canonical::toJson(person));
  EXPECT_NE(out.find(R"("given_name":"Ann")"), std::string::npos);
}

TEST(RecordEvent, SameRecordGivesSameIdOnReplay) {
  Fixture f;
  EncodedEvent first;
  EncodedEvent second;
  makeEncoder().encode(f.record, kNow, first);
  makeEncoder().encode(f.record, kNow + 60'000, second);
  EXPECT_EQ(nlohmann::json::parse(first.payload)["id"],
            nlohmann::json::parse(second.payload)["id"]);
  EXPECT_EQ(first.key, second.key);
}

TEST(RecordEvent, ChangedContentGivesNewId) {
  auto encoder = makeEncoder();
  Fixture f;
  EncodedEvent before;
  encoder.encode(f.record, kNow, before);
  f.fields[5].value = "C1";
  EncodedEvent after;
  encoder.encode(f.record, kNow, after);
  EXPECT_NE(nlohmann::json::parse(before.payload)["id"],
            nlohmann::json::parse(after.payload)["id"]);
  EXPECT_EQ(before.key, after.key);  // same source record, new version
}

TEST(RecordEvent, RejectKeepsLocationReasonAndSanitisedRawInput) {
  auto encoder = makeEncoder();
  EncodedEvent event;
  encoder.encodeReject({"episodes", "", "csv.invalid_utf8", "invalid UTF-8 in column 3",
                        "episodes.csv:12", "C1,\xFF,x", "reject", "", 0},
                       kNow, event);
  const auto json = nlohmann::json::parse(event.payload);
  EXPECT_EQ(json["type"], kRejectEventType);
  EXPECT_EQ(json["data"]["reason"], "csv.invalid_utf8");
  EXPECT_EQ(json["data"]["location"], "episodes.csv:12");
  EXPECT_EQ(json["data"]["raw"], "C1,\xEF\xBF\xBD,x");
  EXPECT_EQ(event.key, "episodes.csv:12");
}

}  // namespace
}  // namespace hearth::pipelines
