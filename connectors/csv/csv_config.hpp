#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_zone.hpp"

namespace hearth::connectors::csv {

/// One stream: the files of the directory whose names match a glob, read with one header each.
struct StreamConfig {
  std::string name;
  std::string pattern;           // glob over file names: "episodes*.csv"
  std::vector<std::string> key;  // columns forming the source key, joined with '|'
  std::string timestamp_column;  // empty: records carry no source time
  char delimiter = ',';
};

/// Rows longer than this are rejected by default: below librdkafka's default message.max.bytes
/// (1,000,000) with 64 KiB to spare for the event around the row, so a row the connector accepts
/// fits in a Kafka message.
inline constexpr size_t kDefaultMaxRowBytes = 786432;
/// Rows between checkpoints by default: often enough that a crash re-reads little.
inline constexpr uint64_t kDefaultCheckpointEvery = 1000;

/// The connector's configuration.
struct CsvConfig {
  std::string directory;
  std::vector<StreamConfig> streams;
  uint64_t checkpoint_every = kDefaultCheckpointEvery;  // rows between checkpoints in a file
  int64_t settle_ms = 1000;  // quiet time before a final unterminated row is taken
  size_t max_row_bytes = kDefaultMaxRowBytes;
  /// The zone of the source's wall clock, for timestamps written without an offset (parseConfig
  /// defaults it to Europe/London).
  TimeZone time_zone = TimeZone::utc();
};

/// The JSON Schema of the configuration (draft 2020-12), as the plugin table publishes it.
extern const char kConfigSchema[];

/// Reads a configuration. Throws std::invalid_argument, naming the key at fault, when it does
/// not satisfy kConfigSchema, names a stream twice or names a time zone the tz database lacks.
CsvConfig parseConfig(std::string_view json);

}  // namespace hearth::connectors::csv
