#include "plugins/host/plugin_catalog.hpp"

#include <algorithm>
#include <string>
#include <system_error>

namespace hearth::host {
namespace {

bool looksLikePlugin(const std::filesystem::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  std::error_code ec;
  return name.starts_with(PluginCatalog::kFilePrefix) &&
         name.ends_with(PluginCatalog::kFileSuffix) && entry.is_regular_file(ec);
}

// Plugin files of one directory, sorted so that a scan's outcome does not depend on the order
// the file system returns them in.
Result<std::vector<std::filesystem::path>> pluginFiles(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::directory_iterator it(directory, ec);
  if (ec) {
    return makeError("plugin.directory",
                     "cannot list plugin directory " + directory.string() + ": " + ec.message());
  }
  std::vector<std::filesystem::path> files;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (looksLikePlugin(*it)) files.push_back(it->path());
  }
  if (ec) {
    return makeError("plugin.directory",
                     "cannot list plugin directory " + directory.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string joinPaths(const std::vector<std::filesystem::path>& paths) {
  std::string joined;
  for (const auto& path : paths) {
    if (!joined.empty()) joined += ", ";
    joined += path.string();
  }
  return joined.empty() ? "(no directories)" : joined;
}

}  // namespace

PluginCatalog PluginCatalog::scan(const std::vector<std::filesystem::path>& directories) {
  PluginCatalog catalog;
  catalog.directories_ = directories;
  for (const auto& directory : directories) {
    auto files = pluginFiles(directory);
    if (!files.ok()) {
      catalog.problems_.push_back({directory, files.error()});
      continue;
    }
    for (const auto& file : *files) {
      auto plugin = loadPlugin(file);
      if (!plugin.ok()) {
        catalog.problems_.push_back({file, plugin.error()});
        continue;
      }
      auto same_name =
          std::find_if(catalog.plugins_.begin(), catalog.plugins_.end(),
                       [&](const auto& loaded) { return loaded->name() == (*plugin)->name(); });
      if (same_name != catalog.plugins_.end()) {
        catalog.problems_.push_back(
            {file, makeError("plugin.duplicate", "plugin " + (*plugin)->path().string() +
                                                     " is another connector named '" +
                                                     std::string((*plugin)->name()) + "'; using " +
                                                     (*same_name)->path().string())});
        continue;
      }
      catalog.plugins_.push_back(std::move(*plugin));
    }
  }
  std::sort(catalog.plugins_.begin(), catalog.plugins_.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
  return catalog;
}

std::vector<PluginInfo> PluginCatalog::list() const {
  std::vector<PluginInfo> infos;
  infos.reserve(plugins_.size());
  for (const auto& plugin : plugins_) infos.push_back(plugin->info());
  return infos;
}

Result<std::shared_ptr<PluginLibrary>> PluginCatalog::find(std::string_view name_or_path) const {
  if (name_or_path.find('/') != std::string_view::npos) {
    const std::filesystem::path path(name_or_path);
    std::error_code ec;
    for (const auto& plugin : plugins_) {
      if (std::filesystem::equivalent(plugin->path(), path, ec)) return plugin;
    }
    return loadPlugin(path);
  }
  for (const auto& plugin : plugins_) {
    if (plugin->name() == name_or_path) return plugin;
  }
  std::string known;
  for (const auto& plugin : plugins_) {
    known += known.empty() ? "" : ", ";
    known += plugin->name();
  }
  return makeError("plugin.not_found", "no connector plugin named '" + std::string(name_or_path) +
                                           "' in " + joinPaths(directories_) +
                                           " (found: " + (known.empty() ? "none" : known) + ")");
}

}  // namespace hearth::host
