#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::ssda903 {

/// The JSON Schema (draft 2020-12) of the configuration, as the plugin table publishes it.
extern const char kConfigSchema[];

/// The connector's configuration.
struct Ssda903Config {
  std::string directory;
  std::string collection_year;               // empty: detect it from file and directory names
  std::map<std::string, std::string> files;  // stream -> glob over file names, case-insensitive
  std::string xml_pattern = "*.xml";
  uint64_t checkpoint_every = 10000;
  int64_t settle_ms = 1000;
  size_t max_row_bytes = 786432;  // below Kafka's default message.max.bytes, as for csv
};

/// Reads a configuration; throws std::invalid_argument naming the key at fault.
Ssda903Config parseConfig(std::string_view json);

/// Reads an SSDA903 children-looked-after return from a directory: the CSV file set, read
/// incrementally like the csv connector, and the XML return, read again whole when it changes.
/// Every record carries the collection year of its file.
class Ssda903Connector final : public sdk::Connector {
 public:
  Ssda903Connector(sdk::HostApi host, std::string_view config_json);

  Result<void> check() override;
  Result<std::string> discover() override;
  Result<void> read(std::string_view checkpoint, const sdk::Emitter& emitter) override;

 private:
  Ssda903Config config_;
};

}  // namespace hearth::connectors::ssda903
