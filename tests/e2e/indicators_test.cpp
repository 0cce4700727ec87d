// The indicators through the real daemon: the case system's three exports of a synthetic council
// and its education sources (school census with exclusions and attendance on and off roll, the
// children missing education register, KS4 results, NCCIS) are read, normalised, resolved and
// derived, and every headline on hearth.indicator.values must equal the generator's expected value
// exactly; every published value and fact must match its JSON Schema in config/schemas.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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

TEST(Indicators, EveryHeadlineOfTheSyntheticCouncilEqualsTheGeneratorsExpectedValue) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(
      HEARTH_SYNTH_PATH,
      {"--seed", "7", "--scale", "0.05", "--mess-rate", "0", "--out", council.string(), "--quiet"},
      dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();

  ExternalKafka kafka(16);
  DaemonOptions options;
  options.brokers = kafka.bootstrap();
  options.suppression_threshold = 0;  // compare every cell, however small
  options.connectors_yaml =
      demoConnectors(council, "  # Homelessness cases") +
      demoConnectorsBetween(council, "  - name: nccis", "  - name: adult_care");
  options.extra_yaml =
      "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
      "  postcode_lookup: " +
      (council / "reference/postcode_lookup.csv").string() +
      "\n  population_estimates: " + (council / "reference/population_estimates.csv").string() +
      "\n";
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

  const json truth = json::parse(readFile(council / "truth/indicators.json"));
  size_t compared = 0;
  for (const json& expected : truth.at("indicators")) {
    const std::string id = expected.at("id");
    if (!headlines.contains(id)) continue;  // indicators of other services
    ++compared;
    const json& got = headlines.at(id);
    EXPECT_NE(daemon.process().stdoutText().find(id), std::string::npos)
        << "the table shows " << id;
    EXPECT_DOUBLE_EQ(got.at("numerator").get<double>(), expected.at("numerator").get<double>())
        << id;
    if (!expected.at("denominator").is_null()) {
      EXPECT_DOUBLE_EQ(got.at("denominator").get<double>(),
                       expected.at("denominator").get<double>())
          << id;
    }
  }
  EXPECT_EQ(compared, 14u) << "the ten children's social care indicators and four of education";

  // The same table from the state store, with the daemon gone.
  ChildProcess offline(hearthdPath(), {"indicators", "--offline", "--config", config.string()},
                       dir.path(), "indicators");
  ASSERT_EQ(offline.wait(60s), 0) << offline.stderrText();
  EXPECT_EQ(offline.stdoutText(), daemon.process().stdoutText());
}

}  // namespace
}  // namespace hearth::testing
