// The indicators through the real daemon: the case system's three exports of a synthetic council
// and its education sources (school census with exclusions and attendance on and off roll, the
// children missing education register, KS4 results, NCCIS) are read, normalised, resolved and
// derived, and every headline on hearth.indicator.values must equal the generator's expected value
// exactly; every published value and fact must match its JSON Schema in config/schemas.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "daemon/config/json_schema.hpp"
#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

hearth::config::JsonSchema loadSchema(const std::string& name) {
  auto schema = hearth::config::JsonSchema::parse(
      readFile(std::filesystem::path(HEARTH_SOURCE_DIR) / "config/schemas" / name));
  if (!schema) throw std::runtime_error(name + ": " + schema.error().message);
  return std::move(schema).value();
}

// The demo's connectors from the line starting `from` up to the line starting `to`.
std::string demoConnectorsBetween(const std::filesystem::path& council, const std::string& from,
                                  const std::string& to) {
  const std::string all = demoConnectors(council);
  const size_t begin = all.find(from);
  if (begin == std::string::npos) throw std::runtime_error("config/demo.yaml has no " + from);
  return all.substr(begin, all.find(to, begin) - begin);
}

// The clean synthetic council every indicator test reads (seed 7, 5%, no injected errors).
std::filesystem::path cleanCouncil(const TempDir& dir) {
  const auto council = dir.path() / "council";
  ChildProcess synth(
      HEARTH_SYNTH_PATH,
      {"--seed", "7", "--scale", "0.05", "--mess-rate", "0", "--out", council.string(), "--quiet"},
      dir.path(), "synth");
  EXPECT_EQ(synth.wait(120s), 0) << synth.stderrText();
  return council;
}

// The daemon reporting 2024-25 on that council through `connectors`, every cell published.
DaemonOptions indicatorOptions(const ExternalKafka& kafka, const std::filesystem::path& council,
                               std::string connectors) {
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.suppression_threshold = 0;  // compare every cell, however small
  options.connectors_yaml = std::move(connectors);
  options.extra_yaml =
      "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
      "  postcode_lookup: " +
      (council / "reference/postcode_lookup.csv").string() +
      "\n  population_estimates: " + (council / "reference/population_estimates.csv").string() +
      "\n  gias_establishments: " + (council / "education/gias_establishments.csv").string() +
      "\n  ofsted_inspections:\n    - " +
      (council / "ofsted/state_funded_schools_mi.csv").string() + "\n    - " +
      (council / "ofsted/early_years_providers_mi.csv").string() + "\n";
  return options;
}

// Each of `ids` has a headline equal to the generator's truth; how many were compared.
size_t expectHeadlinesEqualTruth(const std::map<std::string, json>& headlines,
                                 const std::filesystem::path& council,
                                 const std::set<std::string>& ids) {
  const json truth = json::parse(readFile(council / "truth/indicators.json"));
  size_t compared = 0;
  for (const json& expected : truth.at("indicators")) {
    const std::string id = expected.at("id");
    if (!ids.contains(id)) continue;
    if (!headlines.contains(id)) {
      ADD_FAILURE() << "no headline for " << id;
      continue;
    }
    ++compared;
    const json& got = headlines.at(id);
    EXPECT_DOUBLE_EQ(got.at("numerator").get<double>(), expected.at("numerator").get<double>())
        << id;
    if (!expected.at("denominator").is_null()) {
      EXPECT_DOUBLE_EQ(got.at("denominator").get<double>(),
                       expected.at("denominator").get<double>())
          << id;
    }
  }
  return compared;
}

TEST(Indicators, EveryHeadlineOfTheSyntheticCouncilEqualsTheGeneratorsExpectedValue) {
  TempDir dir;
  const auto council = cleanCouncil(dir);
  ExternalKafka kafka(16);
  const DaemonOptions options =
      indicatorOptions(kafka, council,
                       demoConnectors(council, "  # Homelessness cases") +
                           demoConnectorsBetween(council, "  - name: nccis", "  - name: adult_care"));
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(300s), 0) << daemon.process().stderrText();
  // `run --once` ends by printing the table.
  EXPECT_NE(daemon.process().stdoutText().find("cla_count"), std::string::npos);

  const auto value_schema = loadSchema("hearth.indicator.value.v1.json");
  const auto fact_schema = loadSchema("hearth.indicator.fact.v1.json");
  std::map<std::string, json> headlines;  // the latest value of each indicator's headline
  size_t values = 0;
  consumeAll(kafka.bootstrap(), "hearth.indicator.values",
             [&](std::string_view, std::string_view payload) {
               const json event = json::parse(payload);
               EXPECT_EQ(event.at("type"), "uk.gov.hearth.indicator.value.v1");
               const json& data = event.at("data");
               for (const auto& error : value_schema.validate(data)) {
                 ADD_FAILURE() << "value event: " << error.toString() << "\n" << data.dump();
               }
               ++values;
               if (data.at("breakdown").is_null()) headlines[data.at("indicator")] = data;
             });
  size_t facts = 0;
  consumeAll(kafka.bootstrap(), "hearth.indicator.facts",
             [&](std::string_view key, std::string_view payload) {
               const json event = json::parse(payload);
               const json& data = event.at("data");
               for (const auto& error : fact_schema.validate(data)) {
                 ADD_FAILURE() << "fact event: " << error.toString() << "\n" << data.dump();
               }
               EXPECT_EQ(data.at("subject"), key) << "facts are keyed by the person's pseudonym";
               ++facts;
             });
  EXPECT_GT(values, 10u);
  EXPECT_GT(facts, 100u);

  // The indicators the case system's and the education systems' exports answer; the others'
  // sources are not connected here.
  static const std::set<std::string> kCaseSystemIndicators = {"cla_count",
                                                              "cp_plan_count",
                                                              "re_referral_12m",
                                                              "referral_decision_1wd",
                                                              "assessment_45wd",
                                                              "cla_placed_20_miles",
                                                              "cla_stability_short",
                                                              "cla_stability_long",
                                                              "care_leaver_accom_19_21",
                                                              "early_help_open",
                                                              "care_leaver_neet",
                                                              "neet_16_17",
                                                              "cme_open",
                                                              "ks4_eng_maths_4",
                                                              "persistent_absence",
                                                              "ehcp_count",
                                                              "funded_2yo"};
  EXPECT_EQ(expectHeadlinesEqualTruth(headlines, council, kCaseSystemIndicators),
            kCaseSystemIndicators.size());
  for (const std::string& id : kCaseSystemIndicators) {
    EXPECT_NE(daemon.process().stdoutText().find(id), std::string::npos) << "the table shows " << id;
  }

  // The same table from the state store, with the daemon gone.
  ChildProcess offline(hearthdPath(), {"indicators", "--offline", "--config", config.string()},
                       dir.path(), "indicators");
  ASSERT_EQ(offline.wait(60s), 0) << offline.stderrText();
  EXPECT_EQ(offline.stdoutText(), daemon.process().stdoutText());
}

const std::set<std::string> kHousingAndAdultIndicators = {
    "homeless_duty_owed",    "temp_accommodation", "rough_sleeping",
    "asc_long_term_support", "asc_feels_safe",     "care_leaver_neet"};

// Housing and adult social care: the clean council's H-CLIC sections, rough sleeping contacts,
// Client Level Data and survey (with the case system's exports for the care leavers) through the
// demo's connectors; each of their indicators equals the truth and `run --once` prints them.
TEST(Indicators, HousingAndAdultSocialCareOfTheCleanCouncilEqualTheTruth) {
  TempDir dir;
  const auto council = cleanCouncil(dir);
  ExternalKafka kafka(16);
  const DaemonOptions options = indicatorOptions(kafka, council, demoConnectors(council));
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(300s), 0) << daemon.process().stderrText();

  const std::string table = daemon.process().stdoutText();
  for (const std::string& id : kHousingAndAdultIndicators) {
    EXPECT_NE(table.find(id), std::string::npos) << id << " missing from the printed table";
  }

  std::map<std::string, json> headlines;
  consumeAll(kafka.bootstrap(), "hearth.indicator.values",
             [&](std::string_view, std::string_view payload) {
               const json data = json::parse(payload).at("data");
               if (data.at("breakdown").is_null()) headlines[data.at("indicator")] = data;
             });
  EXPECT_EQ(expectHeadlinesEqualTruth(headlines, council, kHousingAndAdultIndicators),
            kHousingAndAdultIndicators.size());

  // The clean council's housing and adult social care rows load without a finding.
  std::map<std::string, size_t> findings;
  consumeAll(kafka.bootstrap(), "hearth.rejects", [&](std::string_view, std::string_view payload) {
    const json event = json::parse(payload);
    const std::string source = event.value("source", "");
    const std::string connector = source.substr(source.rfind('/') + 1);
    if (connector == "housing" || connector == "adult_care" || connector == "asc_survey") {
      ++findings[connector + " " + event.at("data").value("reason", "")];
    }
  });
  EXPECT_TRUE(findings.empty()) << findings.begin()->first;
}

}  // namespace
}  // namespace hearth::testing
