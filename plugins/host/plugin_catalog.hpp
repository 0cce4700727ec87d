#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::host {

/// A file that looked like a plugin but was refused, and why.
struct PluginProblem {
  std::filesystem::path path;
  Error error;
};

/// What describe() learnt of a plugin without loading it into this process.
struct PluginDescription {
  PluginInfo info;
  std::string config_schema;
};

/// The connector plugins found in a set of directories.
///
/// A scan only lists files: no plugin code runs until a plugin is asked for by name, so a broken
/// plugin that no connector uses cannot take the daemon down. describe() looks inside plugins in
/// child processes, for listings and checks that must survive a plugin that faults on load.
class PluginCatalog {
 public:
  /// File names a directory scan considers: hearth_connector_<name>.so.
  static constexpr std::string_view kFilePrefix = "hearth_connector_";
  static constexpr std::string_view kFileSuffix = ".so";

  /// Lists every hearth_connector_<name>.so in `directories`, in order, without loading any. A
  /// directory that cannot be listed, and a second file for a name already found, become
  /// problems() rather than failing the scan.
  static PluginCatalog scan(const std::vector<std::filesystem::path>& directories);

  /// The connector names found, sorted, each with the file that provides it.
  const std::map<std::string, std::filesystem::path, std::less<>>& files() const { return files_; }
  const std::vector<PluginProblem>& problems() const { return problems_; }

  /// Loads the plugin with connector name `name_or_path` into this process (once; later calls
  /// return the same library), or, when the argument contains a '/', the plugin file at that
  /// path. A plugin whose table names another connector than its file is refused. Not
  /// thread-safe.
  Result<std::shared_ptr<PluginLibrary>> find(std::string_view name_or_path) const;

  /// Loads the plugin `name_or_path` in a child process and reports what it declares. A plugin
  /// that crashes, or does not load within `timeout`, is an error naming the file and the
  /// signal; this process never runs its code.
  Result<PluginDescription> describe(std::string_view name_or_path,
                                     std::chrono::milliseconds timeout = kDescribeTimeout) const;

  /// describe() for every plugin found; the refused ones (and the scan's problems) in `problems`.
  struct Listing {
    std::vector<PluginDescription> plugins;  // sorted by name
    std::vector<PluginProblem> problems;
  };
  Listing describeAll(std::chrono::milliseconds timeout = kDescribeTimeout) const;

  static constexpr std::chrono::milliseconds kDescribeTimeout{10000};

 private:
  std::filesystem::path pathOf(std::string_view name_or_path) const;
  Error notFound(std::string_view name) const;

  std::vector<std::filesystem::path> directories_;
  std::map<std::string, std::filesystem::path, std::less<>> files_;
  std::vector<PluginProblem> problems_;
  mutable std::map<std::filesystem::path, std::shared_ptr<PluginLibrary>> loaded_;
};

}  // namespace hearth::host
