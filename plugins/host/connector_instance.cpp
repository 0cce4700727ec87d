#include "plugins/host/connector_instance.hpp"

#include <array>
#include <chrono>
#include <cstring>
#include <exception>
#include <utility>

namespace hearth::host {
namespace {

// Room for a connector's error message; longer ones arrive cut short.
using ErrorBuffer = std::array<char, 4096>;

std::string_view viewOf(hearth_str text) {
  return text.data == nullptr ? std::string_view() : std::string_view(text.data, text.len);
}

// The C++ state behind the hearth_emitter of one read(). The callbacks pass the connector's
// structs straight to the sink: nothing is copied or allocated per record.
struct EmitContext {
  RecordSink* sink;
  ReadOutcome outcome;
  std::string sink_failure;  // set when the sink threw; the exception must not cross the C ABI

  hearth_status failed(const char* what) noexcept {
    try {
      sink_failure = what;
    } catch (...) {
      // Out of memory while recording the message; the status alone still stops the read.
    }
    return HEARTH_ERROR;
  }

  static EmitContext& of(void* ctx) { return *static_cast<EmitContext*>(ctx); }

  static hearth_status emitRecord(void* ctx, const hearth_record* record) noexcept {
    EmitContext& self = of(ctx);
    if (record == nullptr) return self.failed("connector emitted a null record");
    try {
      ++self.outcome.records;
      return self.sink->onRecord(*record);
    } catch (const std::exception& e) {
      return self.failed(e.what());
    } catch (...) {
      return self.failed("the record sink threw an unknown exception");
    }
  }

  static hearth_status emitReject(void* ctx, const hearth_reject* reject) noexcept {
    EmitContext& self = of(ctx);
    if (reject == nullptr) return self.failed("connector emitted a null reject");
    try {
      ++self.outcome.rejects;
      return self.sink->onReject(*reject);
    } catch (const std::exception& e) {
      return self.failed(e.what());
    } catch (...) {
      return self.failed("the record sink threw an unknown exception");
    }
  }

  static hearth_status emitCheckpoint(void* ctx, hearth_str token) noexcept {
    EmitContext& self = of(ctx);
    try {
      ++self.outcome.checkpoints;
      return self.sink->onCheckpoint(viewOf(token));
    } catch (const std::exception& e) {
      return self.failed(e.what());
    } catch (...) {
      return self.failed("the record sink threw an unknown exception");
    }
  }

  static void progress(void* ctx, uint64_t done, uint64_t total, const char* unit) noexcept {
    EmitContext& self = of(ctx);
    try {
      self.sink->onProgress(done, total, unit == nullptr ? std::string_view() : unit);
    } catch (...) {
      // Progress is advisory; a sink that fails to show it must not stop the read.
    }
  }
};

// Keeps the message of a buffer a misbehaving plugin may have left unterminated.
const char* terminated(ErrorBuffer& buffer) {
  buffer.back() = '\0';
  return buffer.data();
}

}  // namespace

void RecordSink::onProgress(uint64_t /*done*/, uint64_t /*total*/, std::string_view /*unit*/) {}

ConnectorInstance::ConnectorInstance(std::shared_ptr<const PluginLibrary> plugin,
                                     HostServices services)
    : plugin_(std::move(plugin)),
      services_(std::move(services)),
      host_api_{
          .abi_major = kAbiMajor,
          .abi_minor = kAbiMinor,
          .struct_size = sizeof(hearth_host_api),
          .ctx = this,
          .log = &ConnectorInstance::hostLog,
          .counter_add = &ConnectorInstance::hostCounterAdd,
          .now_ms = &ConnectorInstance::hostNowMs,
          .cancelled = &ConnectorInstance::hostCancelled,
          .secret = &ConnectorInstance::hostSecret,
      } {}

ConnectorInstance::~ConnectorInstance() {
  // The plugin's destroy() is a per-plugin function, so the handle cannot live in a unique_ptr
  // with a stateless deleter; the library itself outlives this call through plugin_.
  if (handle_ != nullptr) plugin_->table().destroy(handle_);
}

Result<std::unique_ptr<ConnectorInstance>> ConnectorInstance::create(
    std::shared_ptr<const PluginLibrary> plugin, std::string_view config_json,
    HostServices services) {
  std::unique_ptr<ConnectorInstance> instance(
      new ConnectorInstance(std::move(plugin), std::move(services)));
  const std::string config(config_json);  // the ABI wants it NUL-terminated
  ErrorBuffer err{};
  hearth_connector* handle = nullptr;
  hearth_status status = HEARTH_ERROR;
  try {
    status = instance->plugin_->table().create(&instance->host_api_, config.c_str(), &handle,
                                               err.data(), err.size());
  } catch (...) {
    // Only a plugin that bypasses the SDK gets here; its state is unknown, so it is refused.
    return instance->failure("create", HEARTH_ERROR, "threw an exception across the C ABI");
  }
  if (status != HEARTH_OK) return instance->failure("create", status, terminated(err));
  if (handle == nullptr) {
    return instance->failure("create", HEARTH_ERROR, "reported success but returned no connector");
  }
  instance->handle_ = handle;
  return instance;
}

Result<void> ConnectorInstance::check() {
  std::lock_guard lock(verb_mutex_);
  ErrorBuffer err{};
  hearth_status status = HEARTH_ERROR;
  try {
    status = plugin_->table().check(handle_, err.data(), err.size());
  } catch (...) {
    return failure("check", HEARTH_ERROR, "threw an exception across the C ABI");
  }
  if (status != HEARTH_OK) return failure("check", status, terminated(err));
  return {};
}

Result<std::string> ConnectorInstance::discover() {
  std::lock_guard lock(verb_mutex_);
  std::string catalogue;
  auto sink = [](void* ctx, const char* json, size_t len) {
    try {
      static_cast<std::string*>(ctx)->assign(json, len);
    } catch (...) {
      // Out of memory: the empty catalogue is reported below.
    }
  };
  ErrorBuffer err{};
  hearth_status status = HEARTH_ERROR;
  try {
    status = plugin_->table().discover(handle_, sink, &catalogue, err.data(), err.size());
  } catch (...) {
    return failure("discover", HEARTH_ERROR, "threw an exception across the C ABI");
  }
  if (status != HEARTH_OK) return failure("discover", status, terminated(err));
  if (catalogue.empty()) return failure("discover", HEARTH_ERROR, "returned no stream catalogue");
  return catalogue;
}

Result<ReadOutcome> ConnectorInstance::read(std::string_view checkpoint, RecordSink& sink) {
  std::lock_guard lock(verb_mutex_);
  if (stopped_.load()) return ReadOutcome{.cancelled = true};

  EmitContext context{.sink = &sink, .outcome = {}, .sink_failure = {}};
  const hearth_emitter emitter = {
      .ctx = &context,
      .emit_record = &EmitContext::emitRecord,
      .emit_reject = &EmitContext::emitReject,
      .emit_checkpoint = &EmitContext::emitCheckpoint,
      .progress = &EmitContext::progress,
  };
  const hearth_str token = {checkpoint.empty() ? "" : checkpoint.data(), checkpoint.size()};
  ErrorBuffer err{};
  hearth_status status = HEARTH_ERROR;
  try {
    status = plugin_->table().read(handle_, token, &emitter, err.data(), err.size());
  } catch (...) {
    return failure("read", HEARTH_ERROR, "threw an exception across the C ABI");
  }
  if (!context.sink_failure.empty()) {
    return makeError(std::string(kFailedCode),
                     "connector '" + std::string(plugin_->name()) +
                         "' read stopped: the record sink failed: " + context.sink_failure);
  }
  switch (status) {
    case HEARTH_OK:
      return context.outcome;
    case HEARTH_CANCELLED:
      context.outcome.cancelled = true;
      return context.outcome;
    default:
      return failure("read", status, terminated(err));
  }
}

void ConnectorInstance::stop() {
  stopped_.store(true);
  if (plugin_->table().stop != nullptr && handle_ != nullptr) plugin_->table().stop(handle_);
}

Error ConnectorInstance::failure(std::string_view verb, hearth_status status,
                                 const char* message) const {
  std::string text = "connector '" + std::string(plugin_->name()) + "' (" +
                     plugin_->path().string() + ") " + std::string(verb) + " failed: ";
  text += (message != nullptr && message[0] != '\0') ? message : "(no message)";
  return makeError(std::string(status == HEARTH_RETRY ? kRetryCode : kFailedCode), std::move(text));
}

void ConnectorInstance::hostLog(void* ctx, hearth_log_level level, const char* message) {
  auto* self = static_cast<ConnectorInstance*>(ctx);
  if (!self->services_.log || message == nullptr) return;
  try {
    self->services_.log(level, message);
  } catch (...) {
    // A log line that cannot be written is lost; the connector must not see an exception.
  }
}

void ConnectorInstance::hostCounterAdd(void* ctx, const char* name, double value) {
  auto* self = static_cast<ConnectorInstance*>(ctx);
  if (!self->services_.counterAdd || name == nullptr) return;
  try {
    self->services_.counterAdd(name, value);
  } catch (...) {
    // Same as logging: metrics are best effort at this boundary.
  }
}

int64_t ConnectorInstance::hostNowMs(void* ctx) {
  auto* self = static_cast<ConnectorInstance*>(ctx);
  if (self->services_.nowMs) {
    try {
      return self->services_.nowMs();
    } catch (...) {
      // Fall back to the system clock below.
    }
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int ConnectorInstance::hostCancelled(void* ctx) {
  auto* self = static_cast<ConnectorInstance*>(ctx);
  return self->stopped_.load(std::memory_order_relaxed) ||
                 self->services_.cancellation.stop_requested()
             ? 1
             : 0;
}

hearth_status ConnectorInstance::hostSecret(void* ctx, const char* ref, char* out, size_t out_len) {
  auto* self = static_cast<ConnectorInstance*>(ctx);
  if (!self->services_.secret || ref == nullptr || out == nullptr || out_len == 0) {
    return HEARTH_ERROR;
  }
  try {
    std::optional<std::string> value = self->services_.secret(ref);
    if (!value || value->size() >= out_len) return HEARTH_ERROR;
    std::memcpy(out, value->data(), value->size());
    out[value->size()] = '\0';
    return HEARTH_OK;
  } catch (...) {
    return HEARTH_ERROR;
  }
}

}  // namespace hearth::host
