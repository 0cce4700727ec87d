#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hearth::daemon::app {

/// The verbs of `hearthd`; each returns the process exit code and prints for a human.
/// Exit codes: 0 success, 1 failure of the operation, 2 invalid configuration or usage.
int runCommand(const std::filesystem::path& config, bool once);
int validateCommand(const std::filesystem::path& config);
int pluginsCommand(const std::filesystem::path& config, std::vector<std::filesystem::path> dirs);
int specCommand(const std::filesystem::path& config, std::vector<std::filesystem::path> dirs,
                const std::string& plugin);
int checkCommand(const std::filesystem::path& config, const std::string& connector);
int discoverCommand(const std::filesystem::path& config, const std::string& connector);
int versionCommand();

}  // namespace hearth::daemon::app
