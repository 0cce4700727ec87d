#include "plugins/host/plugin_catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace hearth::host {
namespace {

const std::filesystem::path kFixtures = HEARTH_HOST_FIXTURE_DIR;

const std::vector<std::string> kAllFixtures = {
    "fixture_crash_in_read", "fixture_crash_on_load", "fixture_create_error",
    "fixture_create_throws", "fixture_good",          "fixture_missing_callback",
    "fixture_missing_entry", "fixture_newer_minor",   "fixture_null_table",
    "fixture_small_table",   "fixture_wrong_major",
};

std::vector<std::string> namesOf(const PluginCatalog& catalog) {
  std::vector<std::string> names;
  for (const auto& [name, path] : catalog.files()) names.push_back(name);
  return names;
}

TEST(PluginCatalog, AScanListsPluginFilesWithoutRunningThem) {
  // One of them faults as soon as it is loaded: a scan that loaded it would kill this test.
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  EXPECT_EQ(namesOf(catalog), kAllFixtures);
  EXPECT_TRUE(catalog.problems().empty());
  EXPECT_EQ(catalog.files().at("fixture_good"), kFixtures / "hearth_connector_fixture_good.so");
}

TEST(PluginCatalog, DescribingEveryPluginReportsTheRefusedAndTheCrashedOnes) {
  const PluginCatalog::Listing listing = PluginCatalog::scan({kFixtures}).describeAll();
  std::vector<std::string> described;
  for (const auto& plugin : listing.plugins) described.push_back(plugin.info.name);
  EXPECT_EQ(described, (std::vector<std::string>{"fixture_crash_in_read", "fixture_create_error",
                                                 "fixture_create_throws", "fixture_good"}));
  std::vector<std::string> refused;
  for (const auto& problem : listing.problems) {
    refused.push_back(problem.path.filename().string() + " " + problem.error.code);
  }
  EXPECT_EQ(refused, (std::vector<std::string>{
                         "hearth_connector_fixture_crash_on_load.so plugin.crashed",
                         "hearth_connector_fixture_missing_callback.so plugin.incomplete",
                         "hearth_connector_fixture_missing_entry.so plugin.missing_entry",
                         "hearth_connector_fixture_newer_minor.so plugin.abi_minor",
                         "hearth_connector_fixture_null_table.so plugin.null_table",
                         "hearth_connector_fixture_small_table.so plugin.table_size",
                         "hearth_connector_fixture_wrong_major.so plugin.abi_major",
                     }));
  const PluginDescription& good = listing.plugins.back();
  EXPECT_EQ(good.info.version, "0.1.0");
  EXPECT_EQ(good.info.abi_major, kAbiMajor);
  EXPECT_EQ(good.info.abi_minor, kAbiMinor);
  EXPECT_EQ(good.info.path, kFixtures / "hearth_connector_fixture_good.so");
  EXPECT_EQ(good.info.description, "Emits three records, a reject and a checkpoint");
  EXPECT_FALSE(good.config_schema.empty());
}

TEST(PluginCatalog, ACrashWhileDescribingNamesTheFileAndTheSignal) {
  const auto described = PluginCatalog::scan({kFixtures}).describe("fixture_crash_on_load");
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.error().message,
            "plugin " + (kFixtures / "hearth_connector_fixture_crash_on_load.so").string() +
                " crashed while loading (signal 11, Segmentation fault)");
}

TEST(PluginCatalog, FindsAPluginByNameLoadingOnlyThatOne) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  auto plugin = catalog.find("fixture_good");
  ASSERT_TRUE(plugin.ok()) << plugin.error().message;
  EXPECT_EQ((*plugin)->name(), "fixture_good");
  auto again = catalog.find("fixture_good");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), plugin->get());
}

TEST(PluginCatalog, FindsAPluginByExplicitPathOutsideTheScannedDirectories) {
  const PluginCatalog catalog = PluginCatalog::scan({});
  auto plugin = catalog.find((kFixtures / "hearth_connector_fixture_good.so").string());
  ASSERT_TRUE(plugin.ok()) << plugin.error().message;
  EXPECT_EQ((*plugin)->name(), "fixture_good");
}

TEST(PluginCatalog, ARefusedPluginCarriesTheRefusal) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  EXPECT_EQ(catalog.find("fixture_wrong_major").error().code, "plugin.abi_major");
  auto plugin = catalog.find((kFixtures / "hearth_connector_fixture_wrong_major.so").string());
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.error().code, "plugin.abi_major");
}

TEST(PluginCatalog, UnknownNameListsWhereItLookedAndWhatItFound) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  auto plugin = catalog.find("odbc");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.error().code, "plugin.not_found");
  std::string found;
  for (const auto& name : kAllFixtures) found += (found.empty() ? "" : ", ") + name;
  EXPECT_EQ(plugin.error().message, "no connector plugin named 'odbc' in " + kFixtures.string() +
                                        " (found: " + found + ")");
}

TEST(PluginCatalog, KeepsTheFirstOfTwoPluginsWithTheSameName) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures, kFixtures});
  EXPECT_EQ(namesOf(catalog).size(), kAllFixtures.size());
  const auto duplicates = std::count_if(
      catalog.problems().begin(), catalog.problems().end(),
      [](const PluginProblem& problem) { return problem.error.code == "plugin.duplicate"; });
  EXPECT_EQ(duplicates, static_cast<long>(kAllFixtures.size()));
}

TEST(PluginCatalog, AMissingDirectoryIsAProblemNotAFailure) {
  const auto missing = kFixtures / "no_such_directory";
  const PluginCatalog catalog = PluginCatalog::scan({missing, kFixtures});
  EXPECT_EQ(namesOf(catalog).size(), kAllFixtures.size());
  ASSERT_FALSE(catalog.problems().empty());
  EXPECT_EQ(catalog.problems().front().path, missing);
  EXPECT_EQ(catalog.problems().front().error.code, "plugin.directory");
}

}  // namespace
}  // namespace hearth::host
