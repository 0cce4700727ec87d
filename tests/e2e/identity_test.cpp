// Identity through the real daemon: the case system's exports and the school census of a
// synthetic council resolve into persons, and a reviewer's merge and unmerge, made through the
// admin API, are audited, published on hearth.identity and reversed exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pipelines/indicators/csv_line.hpp"
#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

// The "persons" figure of the n-th "derived" log line (1-based).
std::optional<size_t> personsAfterDerive(ChildProcess& process, int n) {
  if (n < 1) return std::nullopt;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    const std::string log = process.stderrText();
    std::vector<size_t> persons;
    static const std::regex kDerived(R"re("msg":"derived".*?"persons":([0-9]+))re");
    for (auto it = std::sregex_iterator(log.begin(), log.end(), kDerived);
         it != std::sregex_iterator(); ++it) {
      persons.push_back(std::stoul((*it)[1]));
    }
    if (static_cast<int>(persons.size()) >= n) return persons[n - 1];
  }
  return std::nullopt;
}

// The "reviews" figure of the n-th "derived" log line (1-based).
std::optional<size_t> reviewsAfterDerive(ChildProcess& process, int n) {
  const std::string log = process.stderrText();
  static const std::regex kDerived(R"re("msg":"derived".*?"reviews":([0-9]+))re");
  int seen = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kDerived);
       it != std::sregex_iterator(); ++it) {
    if (++seen == n) return std::stoul((*it)[1]);
  }
  return std::nullopt;
}

// The pairs GET /api/v1/identity/reviews lists, as "record_a|record_b".
std::set<std::string> openReviews(uint16_t port) {
  const auto response = httpRequest(port, "GET", "/api/v1/identity/reviews", "test-admin-token");
  EXPECT_EQ(response.status, 200);
  const nlohmann::json reviews = nlohmann::json::parse(response.body, nullptr, false);
  std::set<std::string> pairs;
  for (const nlohmann::json& review : reviews) {
    EXPECT_TRUE(review["reasons"]["tier"].is_string()) << review.dump();
    EXPECT_TRUE(review["match_probability"].is_number()) << review.dump();
    pairs.insert(review["record_a"].get<std::string>() + "|" +
                 review["record_b"].get<std::string>());
  }
  EXPECT_EQ(pairs.size(), reviews.size()) << "a pair listed twice";
  return pairs;
}

// How many "derived" log lines the daemon has written.
int derives(ChildProcess& process) {
  const std::string log = process.stderrText();
  int count = 0;
  for (size_t at = log.find(R"("msg":"derived")"); at != std::string::npos;
       at = log.find(R"("msg":"derived")", at + 1)) {
    ++count;
  }
  return count;
}

// The id of the latest event of every key on hearth.person.view (an empty id for a tombstone),
// once two reads a second apart agree: every view the derives so far made is on Kafka. A view's
// id hashes its content, so two views of a person with the same id say the same.
std::map<std::string, std::string> settledViews(const std::string& bootstrap) {
  std::map<std::string, std::string> latest;
  for (int attempt = 0; attempt < 30; ++attempt) {
    std::map<std::string, std::string> read;
    consumeAll(bootstrap, "hearth.person.view", [&](std::string_view key, std::string_view view) {
      read[std::string(key)] = view.empty() ? "" : std::string(jsonStringField(view, "id"));
    });
    if (!read.empty() && read == latest) break;
    latest = std::move(read);
    std::this_thread::sleep_for(1s);
  }
  return latest;
}

TEST(Identity, ReviewerMergeAndUnmergeAreAuditedPublishedAndReversible) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "5", "--scale", "0.03", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = demoConnectors(council, "  # EHC plans");
  options.extra_yaml = "derive:\n  interval_ms: 300\n";
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  // Every record read and derived: no derive for a while after the connectors caught up.
  ASSERT_TRUE(daemon.waitCaughtUp(120s));
  ASSERT_TRUE(personsAfterDerive(daemon.process(), 1).has_value()) << daemon.process().stderrText();
  for (int seen = -1; seen != derives(daemon.process());) {
    seen = derives(daemon.process());
    std::this_thread::sleep_for(1500ms);
  }
  const int derived = derives(daemon.process());
  const auto before = personsAfterDerive(daemon.process(), derived);
  ASSERT_TRUE(before.has_value()) << daemon.process().stderrText();
  const std::map<std::string, std::string> views_before = settledViews(kafka.bootstrap());

  // The review pairs the derive held open, for the council's reviewers alone.
  const uint16_t port = daemon.adminPort();
  EXPECT_EQ(httpGet(port, "/api/v1/identity/reviews").status, 401);
  const std::set<std::string> reviews_before = openReviews(port);
  EXPECT_FALSE(reviews_before.empty()) << "the synthetic council's messy records leave some open";
  EXPECT_EQ(reviews_before.size(), reviewsAfterDerive(daemon.process(), derived).value_or(0));

  // Two children of the case system who are different people.
  const std::string a = "trust_cms/" + [&] {
    std::ifstream truth(council / "truth/records.csv");
    std::string line;
    while (std::getline(truth, line)) {
      if (line.rfind("csc,ssd/ssd.sqlite,ssd_person:", 0) != 0) continue;
      return line.substr(30, line.find(',', 30) - 30);
    }
    return std::string();
  }();
  const std::string b = [&] {
    std::ifstream truth(council / "truth/records.csv");
    std::string line;
    std::string first_person;
    while (std::getline(truth, line)) {
      if (line.rfind("csc,ssd/ssd.sqlite,ssd_person:", 0) != 0) continue;
      const std::string person = line.substr(line.rfind(',') + 1);
      if (first_person.empty()) {
        first_person = person;
      } else if (person != first_person) {
        return "trust_cms/" + line.substr(30, line.find(',', 30) - 30);
      }
    }
    return std::string();
  }();
  ASSERT_NE(a, "trust_cms/");
  ASSERT_FALSE(b.empty());

  const std::string merge =
      R"({"action":"merge","record_a":")" + a + R"(","record_b":")" + b +
      R"(","actor":"case.reviewer","reason":"same child, confirmed by phone"})";
  EXPECT_EQ(httpRequest(port, "POST", "/api/v1/identity/decisions", "", merge).status, 401);
  const auto merged =
      httpRequest(port, "POST", "/api/v1/identity/decisions", "test-admin-token", merge);
  ASSERT_EQ(merged.status, 201) << merged.body;
  EXPECT_NE(merged.body.find("\"hash\""), std::string::npos);
  const auto after_merge = personsAfterDerive(daemon.process(), derived + 1);
  ASSERT_TRUE(after_merge.has_value());
  EXPECT_EQ(*after_merge, *before - 1);

  const std::string unmerge = replaceAll(merge, "\"merge\"", "\"unmerge\"");
  ASSERT_EQ(
      httpRequest(port, "POST", "/api/v1/identity/decisions", "test-admin-token", unmerge).status,
      201);
  const auto after_unmerge = personsAfterDerive(daemon.process(), derived + 2);
  ASSERT_TRUE(after_unmerge.has_value());
  EXPECT_EQ(*after_unmerge, *before);
  EXPECT_EQ(openReviews(port), reviews_before);

  // Both decisions are on hearth.identity with their audit trail, and no local id is.
  size_t merges = 0, unmerges = 0, links = 0;
  std::string all;
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       unmerges == 0 && std::chrono::steady_clock::now() < deadline;) {
    merges = unmerges = links = 0;
    all.clear();
    consumeAll(kafka.bootstrap(), "hearth.identity",
               [&](std::string_view, std::string_view payload) {
                 all.append(payload);
                 if (payload.find(R"("decision":"merge")") != std::string_view::npos) ++merges;
                 if (payload.find(R"("decision":"unmerge")") != std::string_view::npos) ++unmerges;
                 if (payload.find(R"("decision":"link")") != std::string_view::npos) ++links;
               });
  }
  EXPECT_EQ(merges, 1u);
  EXPECT_EQ(unmerges, 1u);
  EXPECT_GT(links, 0u) << "school census pupils link to the case system's children";
  // Identity decisions name records by the pseudonyms their canonical records are keyed by on
  // hearth.records, so consumers can join the two.
  std::set<std::string> record_keys;
  consumeAll(kafka.bootstrap(), "hearth.records",
             [&](std::string_view key, std::string_view) { record_keys.emplace(key); });
  static const std::regex kRecords(R"re("records":\["([^"]+)","([^"]+)"\])re");
  size_t named = 0, joined = 0;
  for (auto it = std::sregex_iterator(all.begin(), all.end(), kRecords);
       it != std::sregex_iterator(); ++it) {
    for (int side : {1, 2}) {
      ++named;
      joined += record_keys.contains((*it)[side].str()) ? 1 : 0;
    }
  }
  EXPECT_GT(named, 0u);
  EXPECT_EQ(joined, named) << "identity events name records hearth.records does not key";

  // The person merged away was retired on the compacted view topic, then tombstoned.
  size_t retired = 0, tombstones = 0;
  consumeAll(kafka.bootstrap(), "hearth.person.view", [&](std::string_view, std::string_view view) {
    if (view.empty()) ++tombstones;
    if (view.find(R"("retired":true)") != std::string_view::npos) ++retired;
  });
  EXPECT_GE(retired, 1u);
  EXPECT_EQ(tombstones, retired);
  // Reversed exactly: every view stands as it did before the merge, the merged person's too,
  // though the unmerge touched none of its records (only a subject left it).
  const std::map<std::string, std::string> views_after = settledViews(kafka.bootstrap());
  size_t changed = 0;
  for (const auto& [key, id] : views_before) {
    const auto after = views_after.find(key);
    changed += after == views_after.end() || after->second != id ? 1 : 0;
  }
  EXPECT_EQ(changed, 0u) << "of " << views_before.size() << " views";
  EXPECT_NE(all.find(R"("actor":"case.reviewer")"), std::string::npos);
  EXPECT_EQ(all.find(a.substr(a.find('/') + 1) + "\""), std::string::npos)
      << "a local id reached hearth.identity";
  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(60s), 0);
}

// The cells of one CSV line, its line break's carriage return dropped.
std::vector<std::string> csvCells(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return pipelines::indicators::splitCsvLine(line);
}

// Rows of a CSV file, header first.
std::vector<std::vector<std::string>> csvRows(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) rows.push_back(csvCells(line));
  return rows;
}

size_t columnOf(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::runtime_error("no column " + name);
  return static_cast<size_t>(it - header.begin());
}

// Sources whose records truth/records.csv names by a record reference while the daemon's subject
// for them is a person reference of the same row: Client Level Data events (the council's person
// id) and rough sleeping contacts (the outreach client).
struct PersonColumn {
  std::string source, directory, prefix, person, record;
};
const PersonColumn kPersonColumns[] = {
    {"adult_social_care", "asc", "cld_", "LA_Person_Unique_Identifier", "Event_Reference"},
    {"housing", "housing", "rough_sleeping", "CLIENT_REF", "CONTACT_REF"},
};

// A copy of the truth with a row for each such person reference, told by the truth's person of
// its records; and, per true person, the sources and the files the truth places records in.
std::filesystem::path truthWithPersonReferences(
    const std::filesystem::path& council, const std::filesystem::path& out_path,
    std::map<std::string, std::set<std::string>>& sources_of_person) {
  std::map<std::pair<std::string, std::string>, std::string> person_of_record;  // (file, ref)
  std::ifstream truth(council / "truth/records.csv");
  std::ofstream out(out_path);
  for (std::string line; std::getline(truth, line);) {
    out << line << '\n';
    const auto cells = csvCells(line);
    if (cells.size() < 4) continue;
    person_of_record[{cells[1], cells[2]}] = cells[3];
    sources_of_person[cells[3]].insert(cells[0]);
    sources_of_person[cells[3]].insert(cells[1]);
  }
  std::set<std::string> written;
  for (const PersonColumn& column : kPersonColumns) {
    for (const auto& entry : std::filesystem::directory_iterator(council / column.directory)) {
      const std::string file = column.directory + "/" + entry.path().filename().string();
      if (!entry.path().filename().string().starts_with(column.prefix)) continue;
      const auto rows = csvRows(entry.path());
      const size_t person = columnOf(rows.at(0), column.person);
      const size_t record = columnOf(rows.at(0), column.record);
      for (size_t i = 1; i < rows.size(); ++i) {
        const auto it = person_of_record.find({file, rows[i].at(record)});
        if (it == person_of_record.end() || !written.insert(rows[i].at(person)).second) continue;
        out << column.source << ',' << file << ',' << rows[i].at(person) << ',' << it->second
            << '\n';
      }
    }
  }
  return out_path;
}

// "Adult persons linked across housing, adult social care and health have one view each": the
// clean council's housing, Client Level Data and FHIR export through `run --once`, then every
// adult of truth/adults.csv recorded by two services or more resolves to one person shared with
// nobody else, which holds their records of every service.
TEST(Identity, EveryAdultKnownToTwoServicesResolvesToExactlyOnePerson) {
  TempDir dir;
  std::string error;
  const auto council = generateCouncil(dir.path(), "7", "0.05", error, {"--mess-rate", "0"});
  ASSERT_FALSE(council.empty()) << error;

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml =
      demoConnectorsBetween(council, "  - name: housing", "  - name: nccis") +
      demoConnectorsBetween(council, "  - name: adult_care", "  - name: asc_survey") +
      fhirDirectoryConnectorYaml(council);
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(300s), 0) << daemon.process().stderrText();

  std::map<std::string, std::set<std::string>> sources_of_person;
  const auto per_person = dir.path() / "per_person.csv";
  std::string out;
  ASSERT_EQ(
      runHearthd(
          {"linkage-eval", "--config", config.string(), "--truth",
           truthWithPersonReferences(council, dir.path() / "truth.csv", sources_of_person).string(),
           "--per-person", per_person.string()},
          dir.path(), &error, &out),
      0)
      << error;
  std::map<std::string, std::vector<std::string>> resolution;  // person -> its row
  for (auto& row : csvRows(per_person)) resolution[row.at(0)] = row;

  const auto adults = csvRows(council / "truth/adults.csv");
  ASSERT_EQ(adults.at(0).at(2), "services");
  size_t checked = 0;
  size_t one_source = 0;  // the generator counts activity of a service its exports do not hold
  size_t unlinkable = 0;
  std::map<std::string, size_t> by_services;
  for (size_t i = 1; i < adults.size(); ++i) {
    const std::string& person = adults[i].at(0);
    const std::string& services = adults[i].at(2);
    if (services.find(';') == std::string::npos) continue;  // known to one service only
    const auto it = resolution.find(person);
    ASSERT_NE(it, resolution.end()) << person << " (" << services << ") has no linked record";
    const std::set<std::string>& sources = sources_of_person[person];
    const auto has = [&](const std::string& source) { return sources.contains(source); };
    // Outreach records carry a name and no NHS number, Client Level Data an NHS number and no
    // name: with nothing else of the person (H-CLIC People, a FHIR Patient) there is no evidence
    // to link the two, and they rightly stay apart.
    if (has("housing/rough_sleeping.csv") && has("adult_social_care") && !has("health") &&
        !has("housing/hclic_people.csv") && it->second.at(2) != "1") {
      ++unlinkable;
      continue;
    }
    // An outreach contact holds a name, sex and town only. Among the health export's children
    // and mothers (its child health record) a common name is weak evidence: the contact of a
    // person whose other records are at no fixed abode may stay apart from them, in a second
    // person of its own, never in another's.
    if (has("housing/rough_sleeping.csv") && it->second.at(2) == "2" && it->second.at(3) == "0") {
      ++unlinkable;
      continue;
    }
    EXPECT_EQ(it->second.at(2), "1") << person << " (" << services << ") is split";
    EXPECT_EQ(it->second.at(3), "0") << person << " (" << services << ") shares a person";
    const bool two_sources =
        (has("housing") ? 1 : 0) + (has("adult_social_care") ? 1 : 0) + (has("health") ? 1 : 0) >=
        2;
    if (!two_sources) {
      ++one_source;
      continue;
    }
    ++checked;
    ++by_services[services];
    // Records of two services or more, all in that one person.
    EXPECT_GE(std::stoul(it->second.at(1)), 2u) << person << " (" << services << ")";
  }
  std::string seen;
  for (const auto& [services, n] : by_services) seen += services + "=" + std::to_string(n) + " ";
  EXPECT_GE(checked, 50u) << seen;
  EXPECT_LE(one_source * 10, checked) << one_source << " adults have records of one service only";
  EXPECT_LE(unlinkable * 20, checked) << unlinkable << " adults cannot be linked";
  std::printf(
      "%zu adults with records of two services or more, each one person (%zu left apart: a "
      "rough sleeping contact and Client Level Data only): %s\n",
      checked, unlinkable, seen.c_str());
  EXPECT_GE(by_services.size(), 3u) << "every pairing of services should occur: " << seen;

  // The households' views date their members: every H-CLIC case has an application date.
  size_t households = 0;
  size_t dated = 0;
  size_t left = 0;
  consumeAll(kafka.bootstrap(), "hearth.person.view",
             [&](std::string_view, std::string_view payload) {
               if (payload.empty()) return;  // a tombstone
               const nlohmann::json data = nlohmann::json::parse(payload).at("data");
               if (data.value("kind", "") != "household") return;
               ++households;
               ASSERT_EQ(data.at("membership").size(), data.at("members").size());
               for (const auto& member : data.at("membership")) {
                 dated += member.at("from").is_string();
                 left += member.at("to").is_string();
               }
             });
  EXPECT_GT(households, 20u);
  EXPECT_GT(dated, households) << "members without the date they joined";
  EXPECT_GT(left, 0u) << "no household ever ended";
}

}  // namespace
}  // namespace hearth::testing
