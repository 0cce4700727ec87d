#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

namespace hearth::daemon::app {

/// Makes relative paths in a connector's settings absolute against `base` (the directory of the
/// config file), as with the daemon's own paths. A setting is a path when its schema says
/// "format": "path"; nested objects and arrays are followed through "properties" and "items".
void resolveSettingPaths(nlohmann::json& settings, const nlohmann::json& schema,
                         const std::filesystem::path& base);

}  // namespace hearth::daemon::app
