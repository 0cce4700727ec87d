#include "plugins/host/plugin_catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace hearth::host {
namespace {

const std::filesystem::path kFixtures = HEARTH_HOST_FIXTURE_DIR;

std::vector<std::string> namesOf(const PluginCatalog& catalog) {
  std::vector<std::string> names;
  for (const auto& info : catalog.list()) names.push_back(info.name);
  return names;
}

std::vector<std::string> problemFiles(const PluginCatalog& catalog) {
  std::vector<std::string> files;
  for (const auto& problem : catalog.problems()) files.push_back(problem.path.filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PluginCatalog, ListsLoadablePluginsByNameAndReportsTheRefusedOnes) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});

  EXPECT_EQ(namesOf(catalog), (std::vector<std::string>{"fixture_create_error",
                                                        "fixture_create_throws", "fixture_good"}));
  EXPECT_EQ(problemFiles(catalog), (std::vector<std::string>{
                                       "hearth_connector_fixture_missing_callback.so",
                                       "hearth_connector_fixture_missing_entry.so",
                                       "hearth_connector_fixture_newer_minor.so",
                                       "hearth_connector_fixture_null_table.so",
                                       "hearth_connector_fixture_small_table.so",
                                       "hearth_connector_fixture_wrong_major.so",
                                   }));
  const PluginInfo good = catalog.list().back();
  EXPECT_EQ(good.version, "0.1.0");
  EXPECT_EQ(good.abi_major, kAbiMajor);
  EXPECT_EQ(good.abi_minor, kAbiMinor);
  EXPECT_EQ(good.path, kFixtures / "hearth_connector_fixture_good.so");
  EXPECT_EQ(good.description, "Emits three records, a reject and a checkpoint");
}

TEST(PluginCatalog, FindsAPluginByName) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  auto plugin = catalog.find("fixture_good");
  ASSERT_TRUE(plugin.ok()) << plugin.error().message;
  EXPECT_EQ((*plugin)->name(), "fixture_good");
}

TEST(PluginCatalog, FindsAPluginByExplicitPathOutsideTheScannedDirectories) {
  const PluginCatalog catalog = PluginCatalog::scan({});
  auto plugin = catalog.find((kFixtures / "hearth_connector_fixture_good.so").string());
  ASSERT_TRUE(plugin.ok()) << plugin.error().message;
  EXPECT_EQ((*plugin)->name(), "fixture_good");
}

TEST(PluginCatalog, ExplicitPathOfARefusedPluginCarriesTheRefusal) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  auto plugin = catalog.find((kFixtures / "hearth_connector_fixture_wrong_major.so").string());
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.error().code, "plugin.abi_major");
}

TEST(PluginCatalog, UnknownNameListsWhereItLookedAndWhatItFound) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures});
  auto plugin = catalog.find("odbc");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.error().code, "plugin.not_found");
  EXPECT_EQ(plugin.error().message,
            "no connector plugin named 'odbc' in " + kFixtures.string() +
                " (found: fixture_create_error, fixture_create_throws, fixture_good)");
}

TEST(PluginCatalog, KeepsTheFirstOfTwoPluginsWithTheSameName) {
  const PluginCatalog catalog = PluginCatalog::scan({kFixtures, kFixtures});
  EXPECT_EQ(namesOf(catalog).size(), 3u);
  const auto duplicates = std::count_if(
      catalog.problems().begin(), catalog.problems().end(),
      [](const PluginProblem& problem) { return problem.error.code == "plugin.duplicate"; });
  EXPECT_EQ(duplicates, 3);
}

TEST(PluginCatalog, AMissingDirectoryIsAProblemNotAFailure) {
  const auto missing = kFixtures / "no_such_directory";
  const PluginCatalog catalog = PluginCatalog::scan({missing, kFixtures});
  EXPECT_EQ(namesOf(catalog).size(), 3u);
  ASSERT_FALSE(catalog.problems().empty());
  EXPECT_EQ(catalog.problems().front().path, missing);
  EXPECT_EQ(catalog.problems().front().error.code, "plugin.directory");
}

}  // namespace
}  // namespace hearth::host
