// Health through the real daemon: the synthetic council's FHIR export (UK Core NDJSON) read by the
// fhir connector from a directory, normalised by the fhir layout, linked and derived; the falls
// indicator on hearth.indicator.values must equal the generator's truth under health's
// disclosure convention.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/common/kafka_reader.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

double roundToFive(double count) { return std::round(count / 5) * 5; }

std::string indicatorsYaml(const std::filesystem::path& council) {
  return "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
         "  population_estimates: " +
         (council / "reference/population_estimates.csv").string() +
         "\n  disclosure:\n    health: {suppression_threshold: 8, round_to: 5}\n";
}

// The latest headline of `indicator` on hearth.indicator.values.
json latestHeadline(const std::string& bootstrap, const std::string& indicator) {
  json latest;
  consumeAll(bootstrap, "hearth.indicator.values", [&](std::string_view, std::string_view payload) {
    const json event = json::parse(payload);
    if (event.at("type") != "uk.gov.hearth.indicator.value.v1") return;  // a cycle marker
    const json& data = event.at("data");
    if (data.at("indicator") == indicator && data.at("breakdown").is_null()) latest = data;
  });
  return latest;
}

json truthOf(const std::filesystem::path& council, const std::string& indicator) {
  const json truth = json::parse(readFile(council / "truth/indicators.json"));
  for (const json& entry : truth.at("indicators")) {
    if (entry.at("id") == indicator) return entry;
  }
  return {};
}

TEST(Health, FallsAdmissionsOfTheSyntheticCouncilEqualTheTruth) {
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
  options.connectors_yaml = fhirDirectoryConnectorYaml(council);
  options.extra_yaml = indicatorsYaml(council);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon", {"--once"});
  ASSERT_EQ(daemon.process().wait(300s), 0) << daemon.process().stderrText();
  EXPECT_NE(daemon.process().stdoutText().find("falls_admissions_65"), std::string::npos);

  const json expected = truthOf(council, "falls_admissions_65");
  ASSERT_FALSE(expected.is_null());
  ASSERT_GE(expected.at("numerator").get<double>(), 8) << "too small a council to compare";
  const json value = latestHeadline(kafka.bootstrap(), "falls_admissions_65");
  ASSERT_FALSE(value.is_null());
  EXPECT_FALSE(value.at("suppressed").get<bool>());
  EXPECT_EQ(value.at("rounded_to"), 5);
  EXPECT_EQ(value.at("numerator").get<double>(), roundToFive(expected.at("numerator")));
  EXPECT_EQ(value.at("denominator").get<double>(), roundToFive(expected.at("denominator")));
  // The rate is computed from the unrounded counts, so it must match the truth's exactly.
  EXPECT_NEAR(value.at("value").get<double>(), expected.at("dsr_per_100000").get<double>(), 1e-3);
  const double not_computable = expected.at("not_computable");
  if (not_computable >= 8) {
    EXPECT_EQ(value.at("not_computable").get<double>(), roundToFive(not_computable));
  } else if (not_computable > 0) {
    EXPECT_TRUE(value.at("not_computable").is_null());
  }
  // No reject: the clean council's FHIR is valid UK Core.
  size_t rejects = 0;
  consumeAll(kafka.bootstrap(), "hearth.rejects", [&](std::string_view, std::string_view payload) {
    const json data = json::parse(payload).at("data");
    if (data.value("severity", "") == "reject") ++rejects;
  });
  EXPECT_EQ(rejects, 0u);
}

}  // namespace
}  // namespace hearth::testing
