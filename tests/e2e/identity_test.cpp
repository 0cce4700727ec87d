// Identity through the real daemon: the case system's exports and the school census of a
// synthetic council resolve into persons, and a reviewer's merge and unmerge, made through the
// admin API, are audited, published on hearth.identity and reversed exactly.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/common/http_get.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

// The "persons" figure of the n-th "derived" log line (1-based).
std::optional<size_t> personsAfterDerive(ChildProcess& process, int n) {
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

TEST(Identity, ReviewerMergeAndUnmergeAreAuditedPublishedAndReversible) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(HEARTH_SYNTH_PATH,
                     {"--seed", "5", "--scale", "0.01", "--out", council.string(), "--quiet"},
                     dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = demoConnectors(council, "  # EHC plans");
  options.extra_yaml = "derive:\n  interval_ms: 300\n";
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  const auto before = personsAfterDerive(daemon.process(), 1);
  ASSERT_TRUE(before.has_value()) << daemon.process().stderrText();

  // Two children of the case system who are different people.
  const uint16_t port = daemon.adminPort();
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
  const auto after_merge = personsAfterDerive(daemon.process(), 2);
  ASSERT_TRUE(after_merge.has_value());
  EXPECT_EQ(*after_merge, *before - 1);

  const std::string unmerge = replaceAll(merge, "\"merge\"", "\"unmerge\"");
  ASSERT_EQ(
      httpRequest(port, "POST", "/api/v1/identity/decisions", "test-admin-token", unmerge).status,
      201);
  const auto after_unmerge = personsAfterDerive(daemon.process(), 3);
  ASSERT_TRUE(after_unmerge.has_value());
  EXPECT_EQ(*after_unmerge, *before);

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
  EXPECT_NE(all.find(R"("actor":"case.reviewer")"), std::string::npos);
  EXPECT_EQ(all.find(a.substr(a.find('/') + 1) + "\""), std::string::npos)
      << "a local id reached hearth.identity";
  daemon.process().signal(SIGTERM);
  EXPECT_EQ(daemon.process().wait(60s), 0);
}

}  // namespace
}  // namespace hearth::testing
