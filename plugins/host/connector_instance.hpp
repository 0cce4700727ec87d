#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "plugins/host/connector.hpp"
#include "plugins/host/plugin_library.hpp"
#include "plugins/sdk/hearth_connector.h"

namespace hearth::host {

/// One configured connector, alive from create() to destruction; it keeps its plugin loaded.
/// Verbs run one at a time (calls from several threads are serialised); stop() may be called
/// from any thread, also while read() runs.
class ConnectorInstance final : public Connector {
 public:
  /// Creates the connector. `config_json` must already be valid against the plugin's
  /// configSchema().
  static Result<std::unique_ptr<ConnectorInstance>> create(
      std::shared_ptr<const PluginLibrary> plugin, std::string_view config_json,
      HostServices services);

  ~ConnectorInstance() override;
  ConnectorInstance(const ConnectorInstance&) = delete;
  ConnectorInstance& operator=(const ConnectorInstance&) = delete;

  Result<void> check() override;
  /// The stream catalogue as JSON.
  Result<std::string> discover() override;
  /// Reads everything available after `checkpoint` (empty: from the beginning) into `sink`.
  Result<ReadOutcome> read(std::string_view checkpoint, RecordSink& sink) override;
  /// Asks a running read() to return soon, and every later one to return at once.
  void stop() override;

  const PluginLibrary& plugin() const { return *plugin_; }

 private:
  ConnectorInstance(std::shared_ptr<const PluginLibrary> plugin, HostServices services);

  Error failure(std::string_view verb, hearth_status status, const char* message) const;

  static void hostLog(void* ctx, hearth_log_level level, const char* message);
  static void hostCounterAdd(void* ctx, const char* name, double value);
  static int64_t hostNowMs(void* ctx);
  static int hostCancelled(void* ctx);
  static hearth_status hostSecret(void* ctx, const char* ref, char* out, size_t out_len);

  std::shared_ptr<const PluginLibrary> plugin_;
  HostServices services_;
  // The connector keeps a pointer to this table for its whole life, so it lives here, and
  // instances are only handed out behind a unique_ptr that never moves them.
  hearth_host_api host_api_;
  hearth_connector* handle_ = nullptr;
  std::atomic<bool> stopped_{false};
  std::mutex verb_mutex_;
};

}  // namespace hearth::host
