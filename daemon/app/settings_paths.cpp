#include "daemon/app/settings_paths.hpp"

namespace hearth::daemon::app {

void resolveSettingPaths(nlohmann::json& settings, const nlohmann::json& schema,
                         const std::filesystem::path& base) {
  if (!schema.is_object()) return;
  if (settings.is_string()) {
    if (schema.value("format", "") != "path") return;
    const std::filesystem::path path(settings.get<std::string>());
    if (path.is_relative()) settings = (base / path).lexically_normal().string();
    return;
  }
  if (settings.is_object()) {
    const auto properties = schema.find("properties");
    if (properties == schema.end() || !properties->is_object()) return;
    for (auto& [key, value] : settings.items()) {
      if (const auto sub = properties->find(key); sub != properties->end()) {
        resolveSettingPaths(value, *sub, base);
      }
    }
    return;
  }
  if (settings.is_array()) {
    const auto items = schema.find("items");
    if (items == schema.end()) return;
    for (auto& value : settings) resolveSettingPaths(value, *items, base);
  }
}

}  // namespace hearth::daemon::app
