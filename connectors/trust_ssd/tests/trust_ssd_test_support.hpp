#pragma once

// Runs the real trust_ssd plugin through the host and keeps what it emits.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::trust_ssd::testing {

inline std::string text(hearth_str str) { return std::string(str.data, str.len); }

struct Record {
  std::string stream, key, location;
  int64_t time_ms = 0;
  std::map<std::string, std::pair<hearth_field_type, std::string>> fields;
};

struct Reject {
  std::string stream, key, reason, location, message, raw;
};

class CollectingSink : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    Record copy{text(record.stream),
                text(record.source_key),
                text(record.location),
                record.source_time_ms,
                {}};
    for (size_t i = 0; i < record.field_count; ++i) {
      const hearth_field& field = record.fields[i];
      copy.fields[text(field.name)] = {field.type, text(field.value)};
    }
    records.push_back(std::move(copy));
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    rejects.push_back({text(reject.stream), text(reject.source_key), text(reject.reason_code),
                       text(reject.location), text(reject.message), text(reject.raw)});
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view token) override {
    checkpoints.emplace_back(token);
    return HEARTH_OK;
  }

  std::set<std::string> keys(const std::string& stream) const {
    std::set<std::string> keys;
    for (const Record& record : records) {
      if (record.stream == stream) keys.insert(record.key);
    }
    return keys;
  }
  std::map<std::string, size_t> countsByStream() const {
    std::map<std::string, size_t> counts;
    for (const Record& record : records) ++counts[record.stream];
    return counts;
  }
  std::string lastCheckpoint() const { return checkpoints.empty() ? "" : checkpoints.back(); }

  std::vector<Record> records;
  std::vector<Reject> rejects;
  std::vector<std::string> checkpoints;
};

/// The plugin, loaded once per test binary.
inline std::shared_ptr<const host::PluginLibrary> plugin() {
  static std::shared_ptr<const host::PluginLibrary> loaded = [] {
    auto library = host::loadPlugin(HEARTH_TRUST_SSD_PLUGIN);
    if (!library.ok()) throw std::runtime_error(library.error().message);
    return std::shared_ptr<const host::PluginLibrary>(std::move(*library));
  }();
  return loaded;
}

/// A connector instance whose host resolves the secret reference "test:password" to `password`.
inline std::unique_ptr<host::ConnectorInstance> instance(const std::string& config_json,
                                                         const std::string& password = "",
                                                         std::vector<std::string>* log = nullptr) {
  host::HostServices services;
  services.secret = [password](std::string_view ref) -> std::optional<std::string> {
    if (ref == "test:password") return password;
    return std::nullopt;
  };
  if (log != nullptr) {
    services.log = [log](hearth_log_level, std::string_view message) {
      log->emplace_back(message);
    };
  }
  auto created = host::ConnectorInstance::create(plugin(), config_json, std::move(services));
  if (!created.ok()) throw std::runtime_error(created.error().message);
  return std::move(*created);
}

/// Reads everything after `checkpoint` with a fresh instance, as after a restart.
inline CollectingSink readAfter(const std::string& checkpoint, const std::string& config_json,
                                const std::string& password = "") {
  CollectingSink sink;
  auto connector = instance(config_json, password);
  auto outcome = connector->read(checkpoint, sink);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().message);
  return sink;
}

}  // namespace hearth::connectors::trust_ssd::testing
