// The synthetic council (tests/synth) through the real daemon: every CSV source the project has a
// connector for loads without a reject, and every row reaches Kafka.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
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

/// Splits a CSV line without quoted fields (the truth file has none).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream row(line);
  for (std::string cell; std::getline(row, cell, ',');) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
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
  const size_t postcode = column("postcode");
  size_t people = 0;
  while (std::getline(truth, line)) {
    const auto row = cells(line);
    ++people;
    for (size_t name : {forename, surname}) {
      EXPECT_FALSE(values.contains(row[name])) << "a name was published: " << row[name];
    }
    for (size_t id : {nhs, upn, uln, postcode}) {
      if (row[id].size() >= 6) {
        EXPECT_EQ(text.find(row[id]), std::string::npos) << "an identifier was published";
      }
    }
  }
  EXPECT_GT(people, 1000u);
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
  std::set<std::string> view_keys;
  consumeAll(kafka.bootstrap(), "hearth.person.view", [&](std::string_view key, std::string_view) {
    ++views;
    view_keys.emplace(key);
  });
  EXPECT_EQ(views, persons);
  EXPECT_EQ(view_keys.size(), persons) << "one view per person, keyed by its pseudonym";

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
