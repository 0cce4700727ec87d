#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/result.hpp"
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

/// A configured connector as the daemon drives it, whether its code runs in this process (a
/// loaded plugin) or in a child process speaking the Airbyte protocol. Verbs run one at a time;
/// stop() may be called from any thread, also while read() runs.
class Connector {
 public:
  virtual ~Connector() = default;

  virtual Result<void> check() = 0;
  /// The stream catalogue as JSON: {"streams":[{"name":..,"fields":[{"name":..,"type":..}]}]}.
  virtual Result<std::string> discover() = 0;
  /// Reads everything available after `checkpoint` (empty: from the beginning) into `sink`.
  virtual Result<ReadOutcome> read(std::string_view checkpoint, RecordSink& sink) = 0;
  /// Asks a running read() to return soon, and every later one to return at once.
  virtual void stop() = 0;
};

}  // namespace hearth::host
