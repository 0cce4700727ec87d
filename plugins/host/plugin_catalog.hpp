#pragma once

#include <filesystem>
#include <memory>
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

/// The connector plugins found in a set of directories.
class PluginCatalog {
 public:
  /// File names a directory scan considers: hearth_connector_<name>.so.
  static constexpr std::string_view kFilePrefix = "hearth_connector_";
  static constexpr std::string_view kFileSuffix = ".so";

  /// Loads every hearth_connector_*.so in `directories`, in order. Files that fail to load, and a
  /// second plugin claiming a name already taken, become problems() rather than failing the scan.
  static PluginCatalog scan(const std::vector<std::filesystem::path>& directories);

  /// The loaded plugins, sorted by connector name.
  const std::vector<std::shared_ptr<PluginLibrary>>& plugins() const { return plugins_; }
  std::vector<PluginInfo> list() const;
  const std::vector<PluginProblem>& problems() const { return problems_; }

  /// The plugin with connector name `name_or_path`, or, when the argument contains a '/', the
  /// plugin file at that path (loaded now if the scan did not find it).
  Result<std::shared_ptr<PluginLibrary>> find(std::string_view name_or_path) const;

 private:
  std::vector<std::filesystem::path> directories_;
  std::vector<std::shared_ptr<PluginLibrary>> plugins_;
  std::vector<PluginProblem> problems_;
};

}  // namespace hearth::host
