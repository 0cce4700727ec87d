#include "plugins/host/plugin_library.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace hearth::host {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(HEARTH_HOST_FIXTURE_DIR) /
         ("hearth_connector_fixture_" + name + ".so");
}

// The message of a refusal, or a failure if the plugin loaded.
std::string refusalOf(const std::filesystem::path& path, const std::string& expected_code) {
  auto plugin = loadPlugin(path);
  if (plugin.ok()) {
    ADD_FAILURE() << path << " loaded but should have been refused";
    return {};
  }
  EXPECT_EQ(plugin.error().code, expected_code);
  return plugin.error().message;
}

TEST(PluginLibrary, LoadsAValidPluginAndExposesItsTable) {
  auto plugin = loadPlugin(fixture("good"));
  ASSERT_TRUE(plugin.ok()) << plugin.error().message;
  const PluginLibrary& library = **plugin;
  EXPECT_EQ(library.name(), "fixture_good");
  EXPECT_EQ(library.version(), "0.1.0");
  EXPECT_EQ(library.description(), "Emits three records, a reject and a checkpoint");
  EXPECT_EQ(library.abiMajor(), kAbiMajor);
  EXPECT_EQ(library.abiMinor(), kAbiMinor);
  EXPECT_EQ(library.path(), fixture("good"));
  EXPECT_NE(library.configSchema().find("\"additionalProperties\":false"), std::string::npos);

  const PluginInfo info = library.info();
  EXPECT_EQ(info.name, "fixture_good");
  EXPECT_EQ(info.path, fixture("good"));
}

TEST(PluginLibrary, RefusesADifferentMajorVersionNamingFileAndBothVersions) {
  EXPECT_EQ(refusalOf(fixture("wrong_major"), "plugin.abi_major"),
            "plugin " + fixture("wrong_major").string() +
                " was built for connector ABI 2.0; this hearthd supports 1.0 (major versions must "
                "match)");
}

TEST(PluginLibrary, RefusesANewerMinorVersionNamingFileAndBothVersions) {
  EXPECT_EQ(refusalOf(fixture("newer_minor"), "plugin.abi_minor"),
            "plugin " + fixture("newer_minor").string() +
                " was built for connector ABI 1.1; this hearthd supports 1.0 (a newer minor "
                "version needs a newer hearthd)");
}

TEST(PluginLibrary, RefusesALibraryWithoutTheEntrySymbol) {
  EXPECT_EQ(refusalOf(fixture("missing_entry"), "plugin.missing_entry"),
            "plugin " + fixture("missing_entry").string() +
                " does not export hearth_connector_plugin_v1, the entry point of connector ABI "
                "1.x (is it a Hearth connector?)");
}

TEST(PluginLibrary, RefusesAnEntryPointThatReturnsNoTable) {
  EXPECT_EQ(refusalOf(fixture("null_table"), "plugin.null_table"),
            "plugin " + fixture("null_table").string() +
                " returned no connector table from hearth_connector_plugin_v1");
}

TEST(PluginLibrary, RefusesATableShorterThanItsAbiVersionRequires) {
  const std::string message = refusalOf(fixture("small_table"), "plugin.table_size");
  EXPECT_EQ(message.rfind(
                "plugin " + fixture("small_table").string() + " declares a connector table of ", 0),
            0u)
      << message;
  EXPECT_NE(message.find("connector ABI 1.0 needs at least " +
                         std::to_string(sizeof(hearth_connector_plugin))),
            std::string::npos)
      << message;
}

TEST(PluginLibrary, RefusesATableWithoutARequiredCallback) {
  EXPECT_EQ(refusalOf(fixture("missing_callback"), "plugin.incomplete"),
            "plugin " + fixture("missing_callback").string() +
                " has no read in its connector table (ABI 1.0)");
}

TEST(PluginLibrary, RefusesAMissingFileWithTheLoadersReason) {
  const auto path = std::filesystem::path(HEARTH_HOST_FIXTURE_DIR) / "no_such_plugin.so";
  const std::string message = refusalOf(path, "plugin.load_failed");
  EXPECT_EQ(message.rfind("plugin " + path.string() + " could not be loaded: ", 0), 0u) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST(PluginLibrary, RefusesAFileThatIsNotASharedLibrary) {
  const auto path = std::filesystem::path(testing::TempDir()) / "hearth_connector_text.so";
  std::ofstream(path) << "this is not an ELF file\n";
  const std::string message = refusalOf(path, "plugin.load_failed");
  EXPECT_EQ(
      message.rfind("plugin " + path.lexically_normal().string() + " could not be loaded: ", 0), 0u)
      << message;
  std::filesystem::remove(path);
}

TEST(PluginLibrary, ReportsTheAbsolutePathOfARelativeArgument) {
  const auto absolute = fixture("wrong_major");
  const auto relative = std::filesystem::relative(absolute);
  const std::string message = refusalOf(relative, "plugin.abi_major");
  EXPECT_EQ(message.rfind("plugin " + absolute.string() + " ", 0), 0u) << message;
}

}  // namespace
}  // namespace hearth::host
