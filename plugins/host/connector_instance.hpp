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
#include "plugins/host/plugin_library.hpp"
#include "plugins/sdk/hearth_connector.h"

namespace hearth::host {

/// Error codes of a failed verb: kRetryCode when the connector reported a transient failure
/// (retry with backoff), kFailedCode otherwise.
inline constexpr std::string_view kRetryCode = "connector.retry";
inline constexpr std::string_view kFailedCode = "connector.failed";

/// What the daemon offers a connector through the host API. Empty functions are allowed: logs
/// and counters are then dropped, no secret resolves, and the clock is the system clock.
struct HostServices {
  std::function<void(hearth_log_level level, std::string_view message)> log;
  std::function<void(std::string_view name, double value)> counterAdd;
  std::function<std::optional<std::string>(std::string_view ref)> secret;
  std::function<int64_t()> nowMs;
  /// Once a stop is requested here, the connector's cancelled() answers true.
  std::stop_token cancellation;
};

/// Where a read() delivers. The structs passed in are the connector's own, valid only during
/// the call: copy what must outlive it. Any status but HEARTH_OK asks the connector to stop
/// reading and return that status; blocking here is how backpressure reaches the connector.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual hearth_status onRecord(const hearth_record& record) = 0;
  virtual hearth_status onReject(const hearth_reject& reject) = 0;
  virtual hearth_status onCheckpoint(std::string_view token) = 0;
  virtual void onProgress(uint64_t done, uint64_t total, std::string_view unit);
};

/// How a read() that did not fail ended.
struct ReadOutcome {
  bool cancelled = false;  // it returned early because of stop(), cancellation or the sink
  uint64_t records = 0;
  uint64_t rejects = 0;
  uint64_t checkpoints = 0;
};

/// One configured connector, alive from create() to destruction; it keeps its plugin loaded.
/// Verbs run one at a time (calls from several threads are serialised); stop() may be called
/// from any thread, also while read() runs.
class ConnectorInstance {
 public:
  /// Creates the connector. `config_json` must already be valid against the plugin's
  /// configSchema().
  static Result<std::unique_ptr<ConnectorInstance>> create(
      std::shared_ptr<const PluginLibrary> plugin, std::string_view config_json,
      HostServices services);

  ~ConnectorInstance();
  ConnectorInstance(const ConnectorInstance&) = delete;
  ConnectorInstance& operator=(const ConnectorInstance&) = delete;

  Result<void> check();
  /// The stream catalogue as JSON.
  Result<std::string> discover();
  /// Reads everything available after `checkpoint` (empty: from the beginning) into `sink`.
  Result<ReadOutcome> read(std::string_view checkpoint, RecordSink& sink);
  /// Asks a running read() to return soon, and every later one to return at once.
  void stop();

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
