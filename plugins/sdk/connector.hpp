#pragma once

// C++ helpers for writing a connector against the C ABI in hearth_connector.h.
//
// A connector derives from hearth::sdk::Connector and exports its table with the trampolines
// below, which turn every C++ exception and every failed Result into a status and a message in the
// host's error buffer, so nothing but C types ever crosses the library boundary:
//
//   HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
//     static const hearth_connector_plugin kPlugin = {
//         .abi_major = HEARTH_CONNECTOR_ABI_MAJOR, .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
//         .struct_size = sizeof(hearth_connector_plugin), .name = "csv", ...,
//         .create = hearth::sdk::create<CsvConnector>, .check = hearth::sdk::check,
//         .discover = hearth::sdk::discover, .read = hearth::sdk::read,
//         .stop = hearth::sdk::stop, .destroy = hearth::sdk::destroy};
//     return &kPlugin;
//   }

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/result.hpp"
#include "plugins/sdk/hearth_connector.h"

/// Marks a connector's entry point, the only symbol its library exports.
#define HEARTH_CONNECTOR_EXPORT extern "C" __attribute__((visibility("default")))

namespace hearth::sdk {

/// A C view of `text`; valid only as long as the bytes it points to.
constexpr hearth_str toStr(std::string_view text) noexcept { return {text.data(), text.size()}; }

/// A C++ view of a C string view; a null pointer reads as empty.
constexpr std::string_view toView(hearth_str text) noexcept {
  return text.data == nullptr ? std::string_view() : std::string_view(text.data, text.len);
}

/// Writes `message` NUL-terminated into a C error buffer, cut short to fit if need be.
inline void writeError(char* err, size_t err_len, std::string_view message) noexcept {
  if (err == nullptr || err_len == 0) return;
  size_t length = std::min(message.size(), err_len - 1);
  if (length < message.size()) {
    // Never cut a UTF-8 sequence in half: the host forwards the message into JSON logs.
    while (length > 0 && (static_cast<unsigned char>(message[length]) & 0xC0) == 0x80) --length;
  }
  std::memcpy(err, message.data(), length);
  err[length] = '\0';
}

/// Error codes that select the status a failed verb reports; any other code means HEARTH_ERROR.
inline constexpr std::string_view kRetryCode = "connector.retry";
inline constexpr std::string_view kCancelledCode = "connector.cancelled";

/// A transient failure (source unreachable): the host retries the verb with backoff.
inline Error retryLater(std::string message) {
  return Error{std::string(kRetryCode), std::move(message)};
}

/// The connector stopped because the host asked it to.
inline Error cancelled() {
  return Error{std::string(kCancelledCode), "stopped at the host's request"};
}

/// What read() returns when an emitter call answered `status` (not HEARTH_OK): the host's answer
/// travels back to it unchanged.
inline Error emitterRefused(hearth_status status) {
  switch (status) {
    case HEARTH_CANCELLED:
      return cancelled();
    case HEARTH_RETRY:
      return retryLater("the host asked to retry later");
    default:
      return Error{"connector.emit_refused", "the host refused an emitted item"};
  }
}

/// The C status that reports `error`.
inline hearth_status statusOf(const Error& error) noexcept {
  if (error.code == kRetryCode) return HEARTH_RETRY;
  if (error.code == kCancelledCode) return HEARTH_CANCELLED;
  return HEARTH_ERROR;
}

/// The services the host offers a connector, tolerant of hosts with an older, shorter API table.
class HostApi {
 public:
  /// Longest secret value secret() can return.
  static constexpr size_t kMaxSecretBytes = 4096;

  HostApi() = default;
  explicit HostApi(const hearth_host_api* api) noexcept : api_(api) {}

  /// Logs one line; never pass personal data.
  void log(hearth_log_level level, std::string_view message) const {
    if (auto fn = member(&hearth_host_api::log)) fn(api_->ctx, level, std::string(message).c_str());
  }

  /// Adds to the counter hearth_connector_<name>_total.
  void counterAdd(std::string_view name, double value) const {
    if (auto fn = member(&hearth_host_api::counter_add)) {
      fn(api_->ctx, std::string(name).c_str(), value);
    }
  }

  /// The host's clock, Unix epoch milliseconds.
  int64_t nowMs() const {
    if (auto fn = member(&hearth_host_api::now_ms)) return fn(api_->ctx);
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  /// True once the host wants the connector to stop.
  bool cancelled() const noexcept {
    auto fn = member(&hearth_host_api::cancelled);
    return fn != nullptr && fn(api_->ctx) != 0;
  }

  /// Resolves a secret reference; empty when the host does not know it.
  std::optional<std::string> secret(std::string_view ref) const {
    auto fn = member(&hearth_host_api::secret);
    if (fn == nullptr) return std::nullopt;
    std::string value(kMaxSecretBytes, '\0');
    if (fn(api_->ctx, std::string(ref).c_str(), value.data(), value.size()) != HEARTH_OK) {
      return std::nullopt;
    }
    value.resize(::strnlen(value.data(), value.size()));
    return value;
  }

 private:
  // A callback of the host table, or null when the host's table is too old to have it.
  template <typename Fn>
  Fn member(Fn hearth_host_api::*field) const noexcept {
    if (api_ == nullptr) return nullptr;
    const auto* base = reinterpret_cast<const char*>(api_);
    const auto* at = reinterpret_cast<const char*>(&(api_->*field));
    if (static_cast<size_t>(at - base) + sizeof(Fn) > api_->struct_size) return nullptr;
    return api_->*field;
  }

  const hearth_host_api* api_ = nullptr;
};

/// A field for a record's field table; `name` and `value` must outlive the emit call.
constexpr hearth_field field(std::string_view name, std::string_view value,
                             hearth_field_type type = HEARTH_FIELD_STRING) noexcept {
  return {toStr(name), toStr(value), type};
}

/// A record, in C++ terms; see hearth_record.
struct Record {
  std::string_view stream;
  std::string_view source_key;
  int64_t source_time_ms = 0;
  std::string_view location;
  std::span<const hearth_field> fields;
};

/// A rejected input, in C++ terms; see hearth_reject.
struct Reject {
  std::string_view stream;
  std::string_view source_key;
  std::string_view reason_code;
  std::string_view message;
  std::string_view location;
  std::string_view raw;
};

/// The host's sinks for one read(). A result other than HEARTH_OK means: stop and return it.
class Emitter {
 public:
  explicit Emitter(const hearth_emitter* emitter) noexcept : emitter_(emitter) {}

  hearth_status record(const hearth_record& record) const {
    return emitter_->emit_record(emitter_->ctx, &record);
  }

  hearth_status record(const Record& record) const {
    const hearth_record c_record = {
        .stream = toStr(record.stream),
        .source_key = toStr(record.source_key),
        .source_time_ms = record.source_time_ms,
        .location = toStr(record.location),
        .fields = record.fields.data(),
        .field_count = record.fields.size(),
    };
    return emitter_->emit_record(emitter_->ctx, &c_record);
  }

  hearth_status reject(const Reject& reject) const {
    const hearth_reject c_reject = {
        .stream = toStr(reject.stream),
        .source_key = toStr(reject.source_key),
        .reason_code = toStr(reject.reason_code),
        .message = toStr(reject.message),
        .location = toStr(reject.location),
        .raw = toStr(reject.raw),
    };
    return emitter_->emit_reject(emitter_->ctx, &c_reject);
  }

  hearth_status checkpoint(std::string_view token) const {
    return emitter_->emit_checkpoint(emitter_->ctx, toStr(token));
  }

  /// `unit` must be a NUL-terminated literal such as "bytes".
  void progress(uint64_t done, uint64_t total, const char* unit) const {
    if (emitter_->progress != nullptr) emitter_->progress(emitter_->ctx, done, total, unit);
  }

 private:
  const hearth_emitter* emitter_;
};

/// Base class of a C++ connector. The host calls the verbs from one thread at a time, except
/// stop(), which may come from any thread while read() runs.
class Connector {
 public:
  explicit Connector(HostApi host) noexcept : host_(host) {}
  virtual ~Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  /// Can the connector reach its source with its configuration?
  virtual Result<void> check() = 0;
  /// The stream catalogue as JSON: {"streams":[{"name":..,"fields":[{"name":..,"type":..}]}]}.
  virtual Result<std::string> discover() = 0;
  /// Emits everything available after `checkpoint` (empty: from the beginning), then returns.
  virtual Result<void> read(std::string_view checkpoint, const Emitter& emitter) = 0;
  /// Asks a running read() to return soon; the request stays in force for later reads.
  virtual void stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

 protected:
  const HostApi& host() const noexcept { return host_; }
  /// True once stop() was called or the host cancelled; a long read() polls it between rows.
  bool stopRequested() const noexcept {
    return stop_requested_.load(std::memory_order_relaxed) || host_.cancelled();
  }

 private:
  HostApi host_;
  std::atomic<bool> stop_requested_{false};
};

namespace detail {

inline hearth_connector* toHandle(Connector* connector) noexcept {
  return reinterpret_cast<hearth_connector*>(connector);
}

inline Connector* fromHandle(hearth_connector* handle) noexcept {
  return reinterpret_cast<Connector*>(handle);
}

// Runs `body` so that no exception leaves it: this is the last C++ frame before the C boundary.
template <typename Body>
hearth_status guarded(char* err, size_t err_len, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    writeError(err, err_len, e.what());
  } catch (...) {
    writeError(err, err_len, "unknown exception");
  }
  return HEARTH_ERROR;
}

inline hearth_status report(const Error& error, char* err, size_t err_len) noexcept {
  writeError(err, err_len, error.message);
  return statusOf(error);
}

inline hearth_status missingHandle(char* err, size_t err_len) noexcept {
  writeError(err, err_len, "called without a connector");
  return HEARTH_ERROR;
}

}  // namespace detail

/// Trampoline for hearth_connector_plugin::create. `T` is built from the host API and the
/// configuration JSON; a constructor that throws refuses the configuration with its message.
template <typename T>
hearth_status create(const hearth_host_api* host, const char* config_json, hearth_connector** out,
                     char* err, size_t err_len) noexcept {
  static_assert(std::is_base_of_v<Connector, T>, "a connector derives from hearth::sdk::Connector");
  static_assert(std::is_constructible_v<T, HostApi, std::string_view>,
                "a connector is constructible from (HostApi, std::string_view config_json)");
  return detail::guarded(err, err_len, [&] {
    if (out == nullptr) {
      writeError(err, err_len, "create() called without an output pointer");
      return HEARTH_ERROR;
    }
    *out = nullptr;
    auto connector = std::make_unique<T>(HostApi(host), config_json == nullptr ? "" : config_json);
    *out = detail::toHandle(connector.release());
    return HEARTH_OK;
  });
}

/// Trampoline for hearth_connector_plugin::check.
inline hearth_status check(hearth_connector* self, char* err, size_t err_len) noexcept {
  if (self == nullptr) return detail::missingHandle(err, err_len);
  return detail::guarded(err, err_len, [&] {
    Result<void> result = detail::fromHandle(self)->check();
    return result.ok() ? HEARTH_OK : detail::report(result.error(), err, err_len);
  });
}

/// Trampoline for hearth_connector_plugin::discover.
inline hearth_status discover(hearth_connector* self, hearth_json_sink sink, void* sink_ctx,
                              char* err, size_t err_len) noexcept {
  if (self == nullptr) return detail::missingHandle(err, err_len);
  return detail::guarded(err, err_len, [&] {
    Result<std::string> catalogue = detail::fromHandle(self)->discover();
    if (!catalogue.ok()) return detail::report(catalogue.error(), err, err_len);
    if (sink != nullptr) sink(sink_ctx, catalogue->c_str(), catalogue->size());
    return HEARTH_OK;
  });
}

/// Trampoline for hearth_connector_plugin::read.
inline hearth_status read(hearth_connector* self, hearth_str checkpoint,
                          const hearth_emitter* emitter, char* err, size_t err_len) noexcept {
  if (self == nullptr) return detail::missingHandle(err, err_len);
  if (emitter == nullptr || emitter->emit_record == nullptr || emitter->emit_reject == nullptr ||
      emitter->emit_checkpoint == nullptr) {
    writeError(err, err_len, "read() called without a complete emitter");
    return HEARTH_ERROR;
  }
  return detail::guarded(err, err_len, [&] {
    Result<void> result = detail::fromHandle(self)->read(toView(checkpoint), Emitter(emitter));
    return result.ok() ? HEARTH_OK : detail::report(result.error(), err, err_len);
  });
}

/// Trampoline for hearth_connector_plugin::stop.
inline void stop(hearth_connector* self) noexcept {
  if (self != nullptr) detail::fromHandle(self)->stop();
}

/// Trampoline for hearth_connector_plugin::destroy.
inline void destroy(hearth_connector* self) noexcept { delete detail::fromHandle(self); }

}  // namespace hearth::sdk
