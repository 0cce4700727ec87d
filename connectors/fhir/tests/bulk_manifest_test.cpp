// The export manifest parser against the Bulk Data specification's own examples.
#include "connectors/fhir/bulk_manifest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace hearth::connectors::fhir {
namespace {

const std::filesystem::path kManifests =
    std::filesystem::path(HEARTH_SHARED_DATA) / "fhir-bulk" / "manifests";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BulkManifest, EveryManifestOfTheSpecificationParses) {
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kManifests)) {
    if (entry.path().extension() != ".json") continue;  // the .fsh files are FHIR Shorthand
    auto manifest = parseManifest(slurp(entry.path()));
    ASSERT_TRUE(manifest.ok()) << entry.path() << ": " << manifest.error().message;
    EXPECT_EQ(manifest->transaction_time, "2021-01-01T00:00:00Z") << entry.path();
    EXPECT_FALSE(manifest->output.empty()) << entry.path();
    ++parsed;
  }
  EXPECT_EQ(parsed, 4);
}

TEST(BulkManifest, ReadsTheDraftShapeWithErrorAndAnObjectExtension) {
  auto manifest = parseManifest(slurp(kManifests / "export-3.0.0-complete.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_TRUE(manifest->requires_access_token);
  ASSERT_EQ(manifest->output.size(), 3u);
  EXPECT_EQ(manifest->output[1].type, "Observation");
  EXPECT_EQ(manifest->output[1].url, "https://example.com/output/observation_file_1.ndjson");
  ASSERT_EQ(manifest->deleted.size(), 1u);
  ASSERT_EQ(manifest->errors.size(), 1u) << "STU3's error list";
  EXPECT_EQ(manifest->errors[0].url, "https://example.com/output/err_file_1.ndjson");
}

TEST(BulkManifest, ReadsTheCurrentShapeWithOutcomeAndALinkToTheNextManifest) {
  auto manifest =
      parseManifest(slurp(kManifests / "BulkDataManifestOrganizedByPatientExample.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->output.size(), 3u);
  EXPECT_EQ(manifest->output[0].type, "") << "organised by patient: any type";
  ASSERT_EQ(manifest->errors.size(), 1u) << "2.0's outcome list";
  EXPECT_EQ(manifest->next_url, "https://example.org/output/manifest-2.json");
}

TEST(BulkManifest, RefusesWhatIsNotAManifestNamingWhy) {
  EXPECT_EQ(parseManifest("{").error().message, "the export manifest is not JSON");
  EXPECT_EQ(parseManifest(R"({"output": []})").error().message,
            "the export manifest has no transactionTime");
  EXPECT_EQ(parseManifest(R"({"transactionTime": "x"})").error().message,
            "the export manifest has no output list");
  EXPECT_EQ(
      parseManifest(R"({"transactionTime": "x", "output": [{"type": "Patient"}]})").error().message,
      "the export manifest lists in output an entry without a url");
  EXPECT_FALSE(parseManifest(R"({"transactionTime": "x", "output": [], "extension": 3})").ok());
  EXPECT_FALSE(
      parseManifest(R"({"transactionTime": "x", "output": [{"url": "u", "count": -1}]})").ok());
}

}  // namespace
}  // namespace hearth::connectors::fhir
