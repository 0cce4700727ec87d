// A source added with no code: the early help system's CSV export, read by the csv connector and
// normalised by the declarative mapping of config/examples/early_help.yaml, reaches the record
// store, identity (the person view) and the early_help_open indicator through `hearthd run --once`.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The example's connectors, reading `inbox`.
std::string exampleConnectors(const std::filesystem::path& inbox) {
  const std::string example =
      readFile(std::filesystem::path(HEARTH_SOURCE_DIR) / "config/examples/early_help.yaml");
  const size_t list = example.find("\nconnectors:\n");
  if (list == std::string::npos) throw std::runtime_error("the example has no connectors");
  return replaceAll(example.substr(list + 13), "/srv/hearth/inbox/early_help", inbox.string());
}

// Ten episodes of nine children in the 2024/25 year and before: EH01-EH04 still open, EH05-EH07
// and EH10 closed within the year, EH08 closed the year before; EH02 has a second, earlier
// episode; EH09's start is no date, which rejects its row; EH10's NHS number fails its check.
constexpr const char* kExport =
    "EpisodeID,ChildRef,Forename,Surname,DOB,Gender,NHSNumber,UPN,Postcode,StartDate,EndDate,"
    "Reason,ClosureReason,Worker\n"
    "E1,EH01,Amy,Hart,07/03/2015,Female,4000000012,,NN1 1AA,01/05/2024,,Parenting,,Team A\n"
    "E2,EH02,Ben,Cole,12/11/2012,Male,4000000020,,NN1 2AB,03/06/2024,,School,,Team A\n"
    "E3,EH02,Ben,Cole,12/11/2012,Male,4000000020,,NN1 2AB,10/01/2023,01/03/2023,School,"
    "Needs met,Team A\n"
    "E4,EH03,Cara,Dunn,01/01/2018,Female,4000000039,,,15/09/2024,,Parenting,,Team B\n"
    "E5,EH04,Dev,Eze,30/06/2010,Male,4000000047,,,20/02/2025,,Housing,,Team B\n"
    "E6,EH05,Eve,Ford,04/04/2016,Female,4000000055,,,01/04/2024,30/09/2024,Parenting,"
    "Needs met,Team A\n"
    "E7,EH06,Finn,Gray,09/09/2011,Male,4000000063,,,01/02/2024,01/07/2024,School,"
    "Stepped up to social care,Team C\n"
    "E8,EH07,Gia,Hall,15/12/2014,Female,4000000071,,,05/05/2024,31/03/2025,Parenting,"
    "Moved away,Team C\n"
    "E9,EH08,Hal,Ives,02/02/2013,Male,4000000098,,,01/01/2022,31/12/2023,Parenting,"
    "Needs met,Team A\n"
    "E10,EH09,Isla,Jay,03/03/2017,Female,4000000101,,,31/02/2024,,Parenting,,Team A\n"
    "E11,EH10,Jon,King,05/05/2012,Male,4000000129,,,01/10/2024,01/12/2024,School,"
    "Family withdrew consent,Team B\n";

constexpr const char* kExportFile = "early_help_episodes_20250401.csv";

// The example's connector as a child process: the Python connector template reading the export,
// with the example's normalise: and mapping: sections unchanged.
std::string templateConnectors(const std::filesystem::path& inbox) {
  std::string connectors = exampleConnectors(inbox);
  const size_t from = connectors.find("    plugin: csv\n");
  const size_t to = connectors.find("    normalise:\n");
  if (from == std::string::npos || to == std::string::npos) {
    throw std::runtime_error("the example's connector is not the csv connector it was");
  }
  const auto source = std::filesystem::path(HEARTH_SOURCE_DIR) / "connectors/templates/python";
  return connectors.replace(from, to - from,
                            "    command: [" + (source / "source.py").string() +
                                "]\n    settings: {path: " + (inbox / kExportFile).string() +
                                ", stream: episodes, key: [EpisodeID]}\n");
}

// Runs `connectors` over the export with `hearthd run --once` and checks what reached the
// canonical records, the rejects, identity and the indicators.
void expectTheExportReachesIdentityAndEarlyHelpOpen(
    const std::function<std::string(const std::filesystem::path& inbox)>& connectors) {
  TempDir dir;
  const auto inbox = dir.path() / "inbox";
  std::filesystem::create_directories(inbox);
  std::ofstream(inbox / kExportFile) << kExport;

  ExternalKafka kafka(8);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.connectors_yaml = connectors(inbox);
  options.extra_yaml =
      "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
      "  population_0_17: 40000\n";
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(300s), 0) << daemon.process().stderrText();

  // Ten rows make ten episodes and ten persons; EH09's row makes neither.
  std::map<std::string, int> kinds;
  consumeAll(kafka.bootstrap(), "hearth.records", [&](std::string_view, std::string_view payload) {
    const json event = json::parse(payload);
    ++kinds[event.at("data").at("record").value("kind", "")];
  });
  EXPECT_EQ(kinds["early_help_episode"], 10);
  EXPECT_EQ(kinds["person"], 10);

  // The rejected date is named where it was written; the failed NHS number is a query.
  std::map<std::string, std::string> findings;
  consumeAll(kafka.bootstrap(), "hearth.rejects", [&](std::string_view, std::string_view payload) {
    const json data = json::parse(payload).at("data");
    findings[data.dump()] = data.value("severity", "");
  });
  std::set<std::string> seen;
  for (const auto& [data, severity] : findings) {
    if (data.find("date.invalid") != std::string::npos) {
      EXPECT_EQ(severity, "reject");
      EXPECT_NE(data.find("early_help_episodes_20250401.csv:11"), std::string::npos) << data;
      seen.insert("date.invalid");
    }
    if (data.find("nhs.check_digit") != std::string::npos) seen.insert("nhs.check_digit");
  }
  EXPECT_EQ(seen, (std::set<std::string>{"date.invalid", "nhs.check_digit"}));

  // Identity: nine children of the early help system, four of them open today.
  size_t persons = 0;
  size_t open = 0;
  consumeAll(
      kafka.bootstrap(), "hearth.person.view", [&](std::string_view, std::string_view payload) {
        if (payload.empty()) return;
        const json data = json::parse(payload).at("data");
        if (!data.contains("sources")) return;
        const auto& sources = data.at("sources");
        if (std::find(sources.begin(), sources.end(), "early_help_system") == sources.end()) {
          return;
        }
        ++persons;
        if (data.at("flags").at("early_help").get<bool>()) ++open;
      });
  EXPECT_EQ(persons, 9u);
  EXPECT_EQ(open, 4u);

  // Children with an episode open during 2024/25: all but EH08 (closed before) and EH09.
  json headline;
  consumeAll(kafka.bootstrap(), "hearth.indicator.values",
             [&](std::string_view, std::string_view payload) {
               const json event = json::parse(payload);
               if (event.at("type") != "uk.gov.hearth.indicator.value.v1") return;  // a marker
               const json& data = event.at("data");
               if (data.at("indicator") == "early_help_open" && data.at("breakdown").is_null()) {
                 headline = data;
               }
             });
  ASSERT_FALSE(headline.is_null());
  EXPECT_EQ(headline.at("numerator").get<double>(), 8);
  EXPECT_NE(daemon.process().stdoutText().find("early_help_open"), std::string::npos);
}

TEST(Mapping, AnEarlyHelpExportReachesIdentityAndEarlyHelpOpenWithNoCode) {
  expectTheExportReachesIdentityAndEarlyHelpOpen(exampleConnectors);
}

TEST(Mapping, ThePythonTemplatesRecordsReachIdentityAndTheIndicatorsThroughAMapping) {
  expectTheExportReachesIdentityAndEarlyHelpOpen(templateConnectors);
}

TEST(Mapping, ReadShowsWhatTheConnectorEmitsPseudonymisedUnlessRawIsAsked) {
  TempDir dir;
  const auto inbox = dir.path() / "inbox";
  std::filesystem::create_directories(inbox);
  std::ofstream(inbox / "early_help_episodes_20250401.csv") << kExport;
  DaemonOptions options;
  options.connectors_yaml = exampleConnectors(inbox);
  const auto config = writeDaemonConfig(dir.path(), options);

  // The first two rows, as the daemon would publish them: no name, no NHS number.
  std::string errors;
  std::string lines;
  ASSERT_EQ(runHearthd({"read", "early_help", "-c", config.string(), "--stream", "episodes",
                        "--limit", "2", "--canonical"},
                       dir.path(), &errors, &lines),
            0)
      << errors;
  std::vector<json> events;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) events.push_back(json::parse(line));
  ASSERT_EQ(events.size(), 4u) << lines;
  EXPECT_EQ(events[0].at("data").at("record").at("kind"), "early_help_episode");
  EXPECT_EQ(events[0].at("data").at("record").at("start"), "2024-05-01");
  EXPECT_EQ(events[1].at("data").at("record").at("kind"), "person");
  EXPECT_EQ(events[1].at("data").at("record").at("birth_date"), "2015-03");
  EXPECT_EQ(events[3].at("data").at("record").at("kind"), "person");
  for (const char* personal : {"Amy", "Hart", "4000000012", "07/03/2015", "2015-03-07", "EH01"}) {
    EXPECT_EQ(lines.find(personal), std::string::npos) << personal << " shown without --raw";
  }
  EXPECT_EQ(errors.find("--raw"), std::string::npos);

  // The row with no date, as its findings.
  ASSERT_EQ(runHearthd({"read", "early_help", "-c", config.string(), "--canonical"}, dir.path(),
                       &errors, &lines),
            0);
  EXPECT_NE(lines.find(R"({"finding":{"code":"date.invalid","severity":"reject","field":)"
                       R"("StartDate")"),
            std::string::npos)
      << lines;

  // --raw shows the source's values, and says so on stderr.
  ASSERT_EQ(runHearthd({"read", "early_help", "-c", config.string(), "--limit", "1", "--raw"},
                       dir.path(), &errors, &lines),
            0);
  const json raw = json::parse(lines);
  EXPECT_EQ(raw.at("fields").at("Forename"), "Amy");
  EXPECT_EQ(raw.at("fields").at("UPN"), nullptr);
  EXPECT_NE(errors.find("--raw shows the source's own values"), std::string::npos) << errors;

  // --canonical --raw: the records as the normaliser made them, each with where it was read.
  ASSERT_EQ(runHearthd({"read", "early_help", "-c", config.string(), "--stream", "episodes",
                        "--limit", "1", "--canonical", "--raw"},
                       dir.path(), &errors, &lines),
            0)
      << errors;
  const json made = json::parse(lines.substr(0, lines.find('\n')));
  EXPECT_EQ(made.at("kind"), "early_help_episode");
  EXPECT_EQ(made.at("provenance").at("stream"), "episodes");
  EXPECT_EQ(made.at("provenance").at("location"), "early_help_episodes_20250401.csv:2");

  EXPECT_NE(runHearthd({"read", "nobody", "-c", config.string()}, dir.path(), &errors), 0);
}

}  // namespace
}  // namespace hearth::testing
