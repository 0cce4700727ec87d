#pragma once

// Runs a connector plugin through the real host and keeps copies of all it emits.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::testing {

inline std::string text(hearth_str str) { return std::string(str.data, str.len); }

using Fields = std::vector<std::pair<std::string, std::optional<std::string>>>;  // nullopt: NULL

struct Record {
  std::string stream, key, location;
  Fields fields;

  std::optional<std::string> field(std::string_view name) const {
    for (const auto& [field, value] : fields) {
      if (field == name) return value;
    }
    ADD_FAILURE() << "no field " << name << " in " << stream << " record " << key;
    return std::nullopt;
  }
};

struct Reject {
  std::string stream, key, reason, location, message;
};

class CollectingSink : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    Record copy{text(record.stream), text(record.source_key), text(record.location), {}};
    for (size_t i = 0; i < record.field_count; ++i) {
      const hearth_field& field = record.fields[i];
      copy.fields.emplace_back(text(field.name),
                               field.type == HEARTH_FIELD_NULL
                                   ? std::nullopt
                                   : std::optional<std::string>(text(field.value)));
    }
    records.push_back(std::move(copy));
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    rejects.push_back({text(reject.stream), text(reject.source_key), text(reject.reason_code),
                       text(reject.location), text(reject.message)});
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view token) override {
    checkpoints.emplace_back(token);
    return HEARTH_OK;
  }

  /// Records per stream.
  std::map<std::string, size_t> streamCounts() const {
    std::map<std::string, size_t> counts;
    for (const Record& record : records) ++counts[record.stream];
    return counts;
  }
  /// Records per stream of one file, told by the location "<file>:<line>".
  std::map<std::string, size_t> streamCounts(const std::string& file) const {
    std::map<std::string, size_t> counts;
    for (const Record& record : records) {
      if (record.location.starts_with(file + ":")) ++counts[record.stream];
    }
    return counts;
  }
  std::map<std::string, size_t> rejectCounts() const {
    std::map<std::string, size_t> counts;
    for (const Reject& reject : rejects) ++counts[reject.reason];
    return counts;
  }
  const Record* find(std::string_view stream, std::string_view key) const {
    for (const Record& record : records) {
      if (record.stream == stream && record.key == key) return &record;
    }
    return nullptr;
  }

  std::vector<Record> records;
  std::vector<Reject> rejects;
  std::vector<std::string> checkpoints;
};

/// A loaded plugin and the log and counters of the instances made from it.
class PluginHarness {
 public:
  explicit PluginHarness(const char* path) {
    auto plugin = host::loadPlugin(path);
    if (!plugin.ok()) throw std::runtime_error(plugin.error().message);
    plugin_ = std::move(*plugin);
  }

  std::unique_ptr<host::ConnectorInstance> connect(const std::string& config_json) {
    host::HostServices services;
    services.log = [this](hearth_log_level level, std::string_view message) {
      log.push_back(std::to_string(level) + " " + std::string(message));
    };
    services.counterAdd = [this](std::string_view name, double value) {
      counters[std::string(name)] += value;
    };
    services.secret = [this](std::string_view ref) -> std::optional<std::string> {
      const auto it = secrets.find(std::string(ref));
      if (it == secrets.end()) return std::nullopt;
      return it->second;
    };
    auto instance = host::ConnectorInstance::create(plugin_, config_json, std::move(services));
    if (!instance.ok()) {
      ADD_FAILURE() << instance.error().message;
      return nullptr;
    }
    return std::move(*instance);
  }

  /// Reads everything after `checkpoint` with a fresh instance, as after a restart.
  CollectingSink readAfter(const std::string& checkpoint, const std::string& config_json) {
    CollectingSink sink;
    auto instance = connect(config_json);
    if (instance == nullptr) return sink;
    auto outcome = instance->read(checkpoint, sink);
    EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().message);
    if (outcome.ok()) {
      EXPECT_FALSE(outcome->cancelled);
    }
    return sink;
  }

  bool logged(std::string_view part) const {
    for (const std::string& line : log) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }

  std::shared_ptr<host::PluginLibrary> plugin_;
  std::vector<std::string> log;
  std::map<std::string, double> counters;
  std::map<std::string, std::string> secrets;  // what the host's secret() resolves
};

}  // namespace hearth::connectors::testing
