// The synthetic council (tests/synth) through the real daemon: every CSV source the project has a
// connector for loads without a reject, and every row reaches Kafka.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

struct Stream {
  std::string connector;
  std::string directory;  // under the council's output folder
  std::string name;
  std::string pattern;
  std::string key;  // YAML list body
};

// The same sources `make demo` reads (config/demo.yaml).
const std::vector<Stream> kStreams = {
    {"trust_903", "ssda903/2025", "header", "header.csv", "CHILD"},
    {"trust_903", "ssda903/2025", "episodes", "episodes.csv", "CHILD, DECOM"},
    {"trust_903", "ssda903/2025", "missing", "missing.csv", "CHILD, MIS_START"},
    {"trust_903", "ssda903/2025", "oc3", "oc3.csv", "CHILD"},
    {"school_census", "school-census", "pupil_on_roll", "*_pupilonroll.csv", "pupilonrolltableid"},
    {"school_census", "school-census", "exclusions", "*_termlyexclusionsonroll.csv",
     "termlyexclusionsonrolltableid"},
    {"school_census", "school-census", "sen_needs", "*_senneeds.csv", "senneedstableid"},
    {"sen2", "sen2", "person", "*_person.csv", "persontableid"},
    {"sen2", "sen2", "named_plan", "*_namedplan.csv", "namedplantableid"},
    {"housing", "housing", "main", "hclic_main.csv", "CASE_REF"},
    {"housing", "housing", "people", "hclic_people.csv", "CASE_REF, PERSON_REF"},
    {"housing", "housing", "temporary_accommodation", "hclic_temporaryaccommodation.csv",
     "CASE_REF, TA_PLACEMENT_REF"},
    {"nccis", "nccis", "activity", "nccis_*.csv", "YoungPersonsID, SnapshotDate"},
    {"adult_care", "asc", "client_level_data", "cld_*.csv",
     "LA_Person_Unique_Identifier, Event_Reference"},
};

std::string connectorsYaml(const std::filesystem::path& council) {
  std::ostringstream out;
  std::string current;
  for (const auto& s : kStreams) {
    if (s.connector != current) {
      current = s.connector;
      out << "  - name: " << s.connector << "\n    plugin: csv\n    settings:\n"
          << "      directory: " << (council / s.directory).string() << "\n      streams:\n";
    }
    out << "        - {name: " << s.name << ", pattern: \"" << s.pattern << "\", key: [" << s.key
        << "]}\n";
  }
  return out.str();
}

/// Rows per stream as the generator's manifest.csv (path,bytes,records) counts them.
std::map<std::string, uint64_t> expectedRows(const std::filesystem::path& council) {
  std::map<std::string, uint64_t> rows;
  std::ifstream manifest(council / "manifest.csv");
  std::string line;
  std::getline(manifest, line);
  while (std::getline(manifest, line)) {
    const auto first = line.find(',');
    const auto last = line.rfind(',');
    const std::filesystem::path path = line.substr(0, first);
    const uint64_t records = std::stoull(line.substr(last + 1));
    for (const auto& s : kStreams) {
      if (path.parent_path() == s.directory &&
          fnmatch(s.pattern.c_str(), path.filename().c_str(), 0) == 0) {
        rows[s.connector + "/" + s.name] += records;
      }
    }
  }
  return rows;
}

TEST(SyntheticCouncil, EveryCsvSourceLoadsThroughTheCsvConnectorWithoutRejects) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "7", "--scale", "0.01", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();
  auto expected = expectedRows(council);
  ASSERT_EQ(expected.size(), kStreams.size()) << "a stream matched no generated file";
  std::erase_if(expected, [](const auto& entry) { return entry.second == 0; });  // a small council

  ExternalKafka kafka(64);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = connectorsYaml(council);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(120s), 0) << daemon.process().stderrText();

  std::map<std::string, uint64_t> published;
  consumeAll(kafka.bootstrap(), "hearth.records", [&](std::string_view, std::string_view payload) {
    const std::string_view source = jsonStringField(payload, "source");  // /hearth/connectors/x
    const std::string connector(source.substr(source.rfind('/') + 1));
    ++published[connector + "/" + std::string(jsonStringField(payload, "subject"))];
  });
  EXPECT_EQ(published, expected);
  size_t rejects = 0;
  consumeAll(kafka.bootstrap(), "hearth.rejects",
             [&](std::string_view, std::string_view) { ++rejects; });
  EXPECT_EQ(rejects, 0u);
}

}  // namespace
}  // namespace hearth::testing

namespace hearth::testing {
namespace {

/// Splits one line of a truth file; a value holding a comma or a quote is quoted, CSV-style.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back().push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

/// Every string value in a JSON text (no unescaping: identifiers contain no escapes).
void collectStringValues(std::string_view json, std::unordered_set<std::string>& values) {
  for (size_t at = json.find(":\""); at != std::string_view::npos; at = json.find(":\"", at + 2)) {
    const size_t end = json.find('"', at + 2);
    if (end == std::string_view::npos) return;
    values.emplace(json.substr(at + 2, end - at - 2));
  }
}

/// Which of `needles` occur anywhere in `text`, as substrings. A find() per needle took two
/// minutes on a small council's events (identifiers start with a digit, which the text is full
/// of): here each length of needle takes one pass, a rolling hash looked up first in a bitmap,
/// then in the needles' hashes, and every match confirmed byte for byte.
std::unordered_set<std::string> occurringIn(std::string_view text,
                                            const std::vector<std::string>& needles) {
  constexpr uint64_t kBase = 1099511628211ULL;
  constexpr int kBitmapBits = 22;
  auto hashOf = [](std::string_view s) {
    uint64_t h = 0;
    for (const unsigned char c : s) h = h * kBase + c;
    return h;
  };
  std::map<size_t, std::unordered_map<uint64_t, std::vector<std::string_view>>> by_length;
  for (const std::string& needle : needles) {
    if (!needle.empty()) by_length[needle.size()][hashOf(needle)].push_back(needle);
  }
  std::unordered_set<std::string> found;
  std::vector<bool> bitmap;
  for (const auto& [length, hashes] : by_length) {
    if (text.size() < length) break;
    bitmap.assign(size_t{1} << kBitmapBits, false);
    for (const auto& entry : hashes) bitmap[entry.first >> (64 - kBitmapBits)] = true;
    uint64_t lead = 1;  // kBase to the power length - 1: the weight of the byte leaving
    for (size_t i = 1; i < length; ++i) lead *= kBase;
    uint64_t h = hashOf(text.substr(0, length));
    for (size_t at = 0;; ++at) {
      if (bitmap[h >> (64 - kBitmapBits)]) {
        if (auto it = hashes.find(h); it != hashes.end()) {
          for (const std::string_view needle : it->second) {
            if (text.compare(at, length, needle) == 0) found.emplace(needle);
          }
        }
      }
      if (at + length >= text.size()) break;
      h = (h - static_cast<unsigned char>(text[at]) * lead) * kBase +
          static_cast<unsigned char>(text[at + length]);
    }
  }
  return found;
}

TEST(SyntheticCouncil, OccurringInFindsEverySubstringAndNothingElse) {
  const std::string text = "{\"a\":\"9434765919\",\"b\":\"NN1 1AA\"}\nA123456789012x";
  const auto found = occurringIn(
      text, {"9434765919", "NN1 1AA", "A123456789012", "9434765918", "NN1 1AB", "x", "{", "zz"});
  EXPECT_EQ(found,
            (std::unordered_set<std::string>{"9434765919", "NN1 1AA", "A123456789012", "x", "{"}));
  EXPECT_TRUE(occurringIn("short", {"longer than the text"}).empty());
}

TEST(SyntheticCouncil, TheDemoConnectorsPublishNoNameNhsNumberUpnUlnOrFullPostcode) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "11", "--scale", "0.01", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  // The connectors of config/demo.yaml (every plugin the project has), on this council.
  const std::string connectors = demoConnectors(council);
  ExternalKafka kafka(64);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = connectors;
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(180s), 0) << daemon.process().stderrText();

  std::string text;  // keys and payloads, for substring scans
  std::unordered_set<std::string> values;
  size_t events = 0;
  // Every topic but the restricted rejects topic.
  for (const char* topic : {"hearth.records", "hearth.identity", "hearth.person.view",
                            "hearth.indicator.values", "hearth.indicator.facts"}) {
    events +=
        consumeAll(kafka.bootstrap(), topic, [&](std::string_view key, std::string_view payload) {
          text.append(key).append(payload).push_back('\n');
          // Aggregate cells carry breakdown labels such as the ethnicity group "White", which
          // is also a surname: they are scanned for identifiers, not for names.
          if (std::string_view(topic) != "hearth.indicator.values") {
            collectStringValues(payload, values);
          }
        });
  }
  ASSERT_GT(events, 5'000u);
  // Canonical person records carry the birth month only.
  static const std::regex kFullBirthDate(
      R"re("(birth_date|death_date)":"[0-9]{4}-[0-9]{2}-[0-9]{2}")re");
  EXPECT_FALSE(std::regex_search(text, kFullBirthDate))
      << "a full birth or death date was published";

  std::ifstream truth(council / "truth" / "people.csv");
  std::string line;
  std::getline(truth, line);
  const auto header = cells(line);
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t forename = column("forename"), surname = column("surname");
  const size_t nhs = column("nhs_number"), upn = column("upn"), uln = column("uln");
  const size_t postcode = column("postcode"), uprn = column("uprn");
  size_t people = 0;
  std::vector<std::string> identifiers;
  while (std::getline(truth, line)) {
    const auto row = cells(line);
    ++people;
    for (size_t name : {forename, surname}) {
      EXPECT_FALSE(values.contains(row[name])) << "a name was published: " << row[name];
    }
    for (size_t id : {nhs, upn, uln, postcode, uprn}) {
      if (row[id].size() >= 6) identifiers.push_back(row[id]);
    }
  }
  EXPECT_GT(people, 1000u);
  EXPECT_GT(identifiers.size(), 3000u);
  // The identifiers themselves are not printed: a failure names only how many were published.
  EXPECT_EQ(occurringIn(text, identifiers).size(), 0u) << "identifiers were published";

  // National Insurance numbers of the H-CLIC household members stay inside too.
  std::ifstream members(council / "housing" / "hclic_people.csv");
  std::getline(members, line);
  const auto members_header = cells(line);
  const size_t nino = static_cast<size_t>(
      std::find(members_header.begin(), members_header.end(), "NINO") - members_header.begin());
  ASSERT_LT(nino, members_header.size());
  std::vector<std::string> ninos;
  while (std::getline(members, line)) {
    const auto row = cells(line);
    if (row.size() <= nino || row[nino].empty()) continue;
    ninos.push_back(row[nino]);
  }
  EXPECT_GT(ninos.size(), 10u);
  EXPECT_EQ(occurringIn(text, ninos).size(), 0u) << "National Insurance numbers were published";
}

// The case system's three exports (903, CIN census, SSD tables) go through validation and
// normalisation: canonical records of every involvement kind reach hearth.records, findings carry
// their rule codes on hearth.rejects, every resolved person has a view, and `hearthd rebuild`
// recomputes the same linkage from the record store.
TEST(SyntheticCouncil, CaseSystemSourcesBecomeCanonicalRecordsFindingsAndPersonViews) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "12", "--scale", "0.01", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  const std::string connectors = demoConnectors(council, "  # The school census");
  ExternalKafka kafka(32);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = connectors;
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(180s), 0) << daemon.process().stderrText();

  std::map<std::string, size_t> kinds;
  size_t raw_events = 0;
  consumeAll(kafka.bootstrap(), "hearth.records", [&](std::string_view, std::string_view payload) {
    static const std::regex kKind(
        R"re("type":"uk\.gov\.hearth\.canonical\.v1","subject":"([a-z_0-9]+)")re");
    std::match_results<std::string_view::const_iterator> m;
    if (std::regex_search(payload.begin(), payload.end(), m, kKind)) {
      ++kinds[m[1].str()];
    } else {
      ++raw_events;  // streams the canonical model does not cover (903 reviews, OC2, ...)
    }
  });
  for (const char* kind : {"person", "linked_identifier", "contact", "referral", "assessment",
                           "section47", "initial_cp_conference", "cp_plan", "cla_episode",
                           "care_leaver_status", "early_help_episode"}) {
    EXPECT_GT(kinds[kind], 0u) << "no canonical " << kind << " records";
  }
  EXPECT_GT(kinds["person"], 300u);

  std::map<std::string, size_t> reasons;
  size_t queries = 0;
  consumeAll(kafka.bootstrap(), "hearth.rejects", [&](std::string_view, std::string_view payload) {
    static const std::regex kReason(R"re("reason":"([^"]+)","severity":"(reject|query)")re");
    std::match_results<std::string_view::const_iterator> m;
    if (std::regex_search(payload.begin(), payload.end(), m, kReason)) {
      if (m[2] == "reject") {
        ++reasons[m[1].str()];
      } else {
        ++queries;
      }
    }
  });
  // The synthetic council mistypes some identifiers and codes and writes some impossible dates:
  // they are rejected with a reason, and the rest goes on.
  size_t rejects = 0;
  std::string seen;
  for (const auto& [reason, n] : reasons) {
    rejects += n;
    seen += reason + "=" + std::to_string(n) + " ";
  }
  EXPECT_GT(rejects, 0u);
  std::cout << "rejects by reason: " << seen << "queries: " << queries << '\n';
  EXPECT_LT(rejects, kinds["person"]) << "far more rejects than a mess rate of a few percent";

  const auto derived = daemon.process().waitForStderr("\"derived\"", 1s);
  ASSERT_TRUE(derived.has_value());
  std::smatch persons_match;
  ASSERT_TRUE(std::regex_search(*derived, persons_match, std::regex("\"persons\":([0-9]+)")));
  const size_t persons = std::stoul(persons_match[1]);
  size_t views = 0;
  size_t group_views = 0;
  std::set<std::string> view_keys;
  consumeAll(kafka.bootstrap(), "hearth.person.view",
             [&](std::string_view key, std::string_view payload) {
               // Families and households share the topic, keyed by their group's pseudonym.
               if (payload.find(R"("data":{"group":)") != std::string_view::npos) {
                 ++group_views;
                 return;
               }
               ++views;
               view_keys.emplace(key);
             });
  EXPECT_EQ(views, persons);
  EXPECT_EQ(view_keys.size(), persons) << "one view per person, keyed by its pseudonym";
  EXPECT_GT(group_views, 0u) << "the SSD's families are published as family views";

  std::smatch digest_match;
  ASSERT_TRUE(
      std::regex_search(*derived, digest_match, std::regex("\"linkage_digest\":\"([0-9a-f]+)\"")));
  ChildProcess rebuild(hearthdPath(), {"rebuild", "--identity", "--config", config.string()},
                       dir.path(), "rebuild");
  ASSERT_EQ(rebuild.wait(120s), 0) << rebuild.stderrText();
  EXPECT_NE(rebuild.stdoutText().find("linkage digest     " + digest_match[1].str()),
            std::string::npos)
      << rebuild.stdoutText();
}

}  // namespace
}  // namespace hearth::testing

namespace hearth::testing {
namespace {

/// One row of the generator's truth/errors.csv: an error it injected into a source record.
struct InjectedError {
  std::string file;  // "ssda903/2025/episodes.csv", "ssd/ssd.sqlite", or "case_system" for the
                     // case system's person record, which all three of its exports carry
  std::string key;   // the record: a child id, "<child>#<row>", "<table>:<id>", a blade row id
  std::string kind;  // "invalid_code", "impossible_date", "nhs_mistyped", ...
  std::string field;
};

/// One finding on hearth.rejects, with the child it names.
struct PublishedFinding {
  std::string connector;
  std::string stream;
  std::string source_key;
  std::string location;
  std::string reason;
  std::string severity;
  std::string field;
  std::string child;  // the record's child or person id, when the raw record has one
};

std::vector<InjectedError> readInjectedErrors(const std::filesystem::path& path) {
  std::vector<InjectedError> errors;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // source,file,key,kind,field,truth,recorded
  while (std::getline(in, line)) {
    const auto row = cells(line);
    if (row.size() >= 5) errors.push_back({row[1], row[2], row[3], row[4]});
  }
  return errors;
}

PublishedFinding parseFinding(std::string_view payload) {
  const auto event = nlohmann::json::parse(payload);
  const auto& data = event.at("data");
  PublishedFinding f;
  const std::string source = event.value("source", "");
  f.connector = source.substr(source.rfind('/') + 1);
  f.stream = data.value("stream", "");
  f.source_key = data.value("source_key", "");
  f.location = data.value("location", "");
  f.reason = data.value("reason", "");
  f.severity = data.value("severity", "");
  f.field = data.value("field", "");
  const auto raw = nlohmann::json::parse(data.value("raw", ""), nullptr, false);
  if (raw.is_object()) {
    for (const auto& [name, value] : raw.items()) {
      // The person ids of the case system, H-CLIC People and Client Level Data.
      const bool names_child = name == "CHILD" || name == "LAchildID" || name == "PERSON_REF" ||
                               name == "LA_Person_Unique_Identifier" ||
                               (name.size() > 10 && name.ends_with("_person_id"));
      if (names_child && value.is_string()) f.child = value.get<std::string>();
    }
  }
  return f;
}

// How far from the injected error a finding it causes can land.
enum class Reach {
  kSameField,   // the field the error was injected into
  kSameRecord,  // another field of the same record
  kSameChild,   // another record of the same child in the same file
};

struct Cause {
  std::string_view kind;  // of injected error
  Reach reach;
};

// Which injected error explains a finding with this reason code, and how far it reaches. 903
// codes are the DfE validator's rules: the code-list rules catch invalid codes, the date rules
// impossible dates. Mistyped identifiers reach every record of the person that carries them.
// Two categories are explained as consequences rather than the error itself:
//  - 903.153 (care leaver items not all coded): an invalid IN_TOUCH, ACTIV or ACCOM is dropped
//    from the record, which leaves the other two without it;
//  - 903.142/388/433/501 (episode sequence rules): an impossible end date on one episode breaks
//    the sequence of the child's next one.
std::optional<Cause> causeOf(std::string_view reason) {
  static const std::map<std::string_view, Cause> kCauses = {
      {"nhs.check_digit", {"nhs_mistyped", Reach::kSameChild}},
      {"upn.check_letter", {"upn_mistyped", Reach::kSameChild}},
      {"903.168", {"upn_mistyped", Reach::kSameChild}},
      {"code.unknown", {"invalid_code", Reach::kSameField}},
      {"903.101", {"invalid_code", Reach::kSameField}},
      {"903.131", {"invalid_code", Reach::kSameField}},
      {"903.146", {"invalid_code", Reach::kSameField}},
      {"903.153", {"invalid_code", Reach::kSameRecord}},
      {"date.future", {"impossible_date", Reach::kSameField}},
      {"date.invalid", {"impossible_date", Reach::kSameField}},
      {"903.356", {"impossible_date", Reach::kSameField}},
      {"903.142", {"impossible_date", Reach::kSameChild}},
      {"903.388", {"impossible_date", Reach::kSameChild}},
      {"903.433", {"impossible_date", Reach::kSameChild}},
      {"903.501", {"impossible_date", Reach::kSameChild}},
  };
  const auto it = kCauses.find(reason);
  if (it == kCauses.end()) return std::nullopt;
  return it->second;
}

// The values a csv connector's source key joins with '|' ("ASC700123|EV55"): an error of the
// generator names the record by one of them.
std::set<std::string> keyPartsOf(const std::string& source_key) {
  std::set<std::string> parts;
  std::stringstream in(source_key);
  for (std::string part; std::getline(in, part, '|');) parts.insert(part);
  return parts;
}

std::string_view fileName(std::string_view path) { return path.substr(path.rfind('/') + 1); }

bool explains(const InjectedError& e, const PublishedFinding& f) {
  const std::optional<Cause> cause = causeOf(f.reason);
  if (!cause || e.kind != cause->kind) return false;
  // A mistyped identifier is made once, in the person record the source keeps, and shows in
  // every record of that person that carries the identifier.
  if (e.file == "case_system") return !f.child.empty() && e.key == f.child;
  // Housing and adult social care make it in their person record (H-CLIC People, the CLD client),
  // which every row of that person repeats.
  // A FHIR resource is keyed "Patient/<id>" (a mother "RelatedPerson/<id>"); the generator names
  // it by its id.
  if (e.kind == "nhs_mistyped" || e.kind == "upn_mistyped") {
    return e.key == f.source_key || (!f.child.empty() && e.key == f.child) ||
           "Patient/" + e.key == f.source_key || "RelatedPerson/" + e.key == f.source_key;
  }
  if (cause->reach == Reach::kSameField && e.field != f.field) return false;
  // SSD records are named "<table>:<id>", as the connector's locations are.
  if (e.file.ends_with(".sqlite")) return e.key == f.location;
  const std::string_view location_file =
      std::string_view(f.location).substr(0, std::min(f.location.size(), f.location.find(':')));
  if (fileName(e.file) != fileName(location_file)) return false;
  // 903 rows are "<child>#<row>" in the truth; the connector keys them by child and date, so
  // an episode is matched by its child.
  return e.key == f.source_key || e.key == f.child || keyPartsOf(f.source_key).contains(e.key) ||
         (!f.child.empty() && e.key.starts_with(f.child + "#"));
}

/// Per connector, the rejects and queries its read-complete log lines count.
std::map<std::string, std::pair<uint64_t, uint64_t>> readCompleteCounts(const std::string& log) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> counts;
  static const std::regex kLine(
      R"re("msg":"read complete".*"connector":"([^"]+)".*"rejects":([0-9]+),"queries":([0-9]+))re");
  std::stringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    counts[m[1]].first += std::stoull(m[2]);
    counts[m[1]].second += std::stoull(m[3]);
  }
  std::erase_if(counts,
                [](const auto& entry) { return entry.second == std::pair<uint64_t, uint64_t>{}; });
  return counts;
}

// "A demo of clean-but-messy synthetic data shows only the errors the generator injected": the
// demo's council (seed 2025, scale 0.05, default mess) through the demo's connectors, and every
// finding on hearth.rejects traced to a row of truth/errors.csv by record, field and kind.
TEST(SyntheticCouncil, EveryFindingOfTheDemoIsAnErrorTheGeneratorInjected) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "2025", "--scale", "0.05", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(300s), 0) << synth.stderrText();

  ExternalKafka kafka(32);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = demoConnectors(council);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(400s), 0) << daemon.process().stderrText();

  const auto injected = readInjectedErrors(council / "truth" / "errors.csv");
  ASSERT_GT(injected.size(), 1000u);
  std::unordered_multimap<std::string, const InjectedError*> by_key;
  for (const auto& e : injected) by_key.emplace(e.key, &e);

  std::map<std::string, size_t> by_reason;                         // "connector reason" -> findings
  std::map<std::string, std::pair<uint64_t, uint64_t>> published;  // rejects, queries
  std::vector<PublishedFinding> unexplained;
  consumeAll(kafka.bootstrap(), "hearth.rejects", [&](std::string_view, std::string_view payload) {
    const PublishedFinding f = parseFinding(payload);
    ++by_reason[f.connector + " " + f.reason];
    auto& counts = published[f.connector];
    ++(f.severity == "reject" ? counts.first : counts.second);
    bool explained = false;
    std::set<std::string> keys = keyPartsOf(f.source_key);
    keys.insert({f.child, f.source_key, f.location});
    // A FHIR resource is keyed "<type>/<id>"; the generator names it by its id.
    if (const size_t slash = f.source_key.find('/'); slash != std::string::npos) {
      keys.insert(f.source_key.substr(slash + 1));
    }
    for (const std::string& key : keys) {
      for (auto [it, end] = by_key.equal_range(key); it != end && !explained; ++it) {
        explained = explains(*it->second, f);
      }
    }
    // 903 episode rows are keyed "<child>#<row>" in the truth.
    if (!explained && !f.child.empty()) {
      for (const auto& e : injected) {
        if (e.key.starts_with(f.child + "#") && explains(e, f)) {
          explained = true;
          break;
        }
      }
    }
    if (!explained) unexplained.push_back(f);
  });

  std::string breakdown;
  for (const auto& [reason, n] : by_reason) breakdown += reason + "=" + std::to_string(n) + " ";
  std::cout << "findings by connector and reason: " << breakdown << '\n';
  std::map<std::string, size_t> unexplained_by_rule;
  for (const auto& f : unexplained) {
    ++unexplained_by_rule[f.connector + " " + f.reason + " " + f.field];
  }
  for (const auto& [rule, n] : unexplained_by_rule) {
    std::cout << "unexplained: " << rule << " x" << n << '\n';
  }
  for (size_t i = 0; i < unexplained.size() && i < 25; ++i) {
    const auto& f = unexplained[i];
    ADD_FAILURE() << "no injected error explains " << f.connector << " " << f.reason << " ("
                  << f.severity << ") field " << f.field << " at " << f.location << ", child "
                  << f.child << ", key " << f.source_key;
  }
  EXPECT_EQ(unexplained.size(), 0u);

  // The read-complete log lines count rejects and queries as the rejects topic carries them.
  EXPECT_EQ(readCompleteCounts(daemon.process().stderrText()), published);
}

}  // namespace
}  // namespace hearth::testing
