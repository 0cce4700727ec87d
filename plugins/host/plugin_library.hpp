#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "plugins/sdk/hearth_connector.h"

namespace hearth::host {

/// The connector ABI this host implements.
inline constexpr uint32_t kAbiMajor = HEARTH_CONNECTOR_ABI_MAJOR;
inline constexpr uint32_t kAbiMinor = HEARTH_CONNECTOR_ABI_MINOR;

/// What a catalogue lists about a plugin.
struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::filesystem::path path;
};

/// A loaded, validated connector plugin. The library stays mapped while any reference to it lives,
/// which is why connector instances hold one.
class PluginLibrary {
 public:
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string_view name() const { return table_->name; }
  std::string_view version() const { return table_->version; }
  std::string_view description() const;
  /// The JSON Schema the connector's configuration must satisfy; the daemon validates against it.
  std::string_view configSchema() const { return table_->config_schema; }
  uint32_t abiMajor() const { return table_->abi_major; }
  uint32_t abiMinor() const { return table_->abi_minor; }
  PluginInfo info() const;
  /// The plugin's table; every required callback is known to be present.
  const hearth_connector_plugin& table() const { return *table_; }

 private:
  friend Result<std::shared_ptr<PluginLibrary>> loadPlugin(const std::filesystem::path& path);

  struct DlCloser {
    void operator()(void* handle) const noexcept;
  };
  using Handle = std::unique_ptr<void, DlCloser>;

  PluginLibrary(std::filesystem::path path, Handle handle, const hearth_connector_plugin* table)
      : path_(std::move(path)), handle_(std::move(handle)), table_(table) {}

  std::filesystem::path path_;
  Handle handle_;
  const hearth_connector_plugin* table_;
};

/// Loads a connector plugin (RTLD_NOW | RTLD_LOCAL) and checks its table before anything else
/// touches it. A refusal names the file and, for a version mismatch, both ABI versions.
Result<std::shared_ptr<PluginLibrary>> loadPlugin(const std::filesystem::path& path);

}  // namespace hearth::host
