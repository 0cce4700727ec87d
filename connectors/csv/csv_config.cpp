#include "connectors/csv/csv_config.hpp"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "connectors/common/settings_reader.hpp"

namespace hearth::connectors::csv {

const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "csv connector",
  "description": "Reads CSV files (RFC 4180, UTF-8) from one directory, incrementally.",
  "type": "object",
  "additionalProperties": false,
  "required": ["directory", "streams"],
  "properties": {
    "directory": {
      "type": "string", "minLength": 1, "format": "path",
      "description": "Directory holding the files; it is not searched recursively."
    },
    "streams": {
      "type": "array", "minItems": 1,
      "description": "One entry per stream, below.",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "pattern", "key"],
        "properties": {
          "name": {"type": "string", "minLength": 1, "description": "Stream name, unique."},
          "pattern": {
            "type": "string", "minLength": 1, "pattern": "^[^/]+$",
            "description": "Glob over file names in the directory, e.g. episodes*.csv (no /; hidden files never match)."
          },
          "key": {
            "type": "array", "minItems": 1,
            "items": {"type": "string", "minLength": 1},
            "description": "Header columns forming the source key, joined with '|'."
          },
          "timestamp_column": {
            "type": "string", "minLength": 1,
            "description": "Column holding the source time: YYYY-MM-DD, ISO 8601 date-time (2024-01-05T10:30:00Z, offsets allowed; no offset means wall-clock time in time_zone, and a date alone its midnight) or DD/MM/YYYY [HH:MM[:SS]]."
          },
          "delimiter": {
            "type": "string", "minLength": 1, "maxLength": 1, "default": ",",
            "not": {"enum": ["\"", "\n", "\r"]},
            "description": "Field delimiter, one character; not a quote or a line break."
          },
          "encoding": {"type": "string", "enum": ["utf-8"], "default": "utf-8", "description": "Only utf-8 is supported."}
        }
      }
    },
    "checkpoint_every": {
      "type": "integer", "minimum": 1, "default": 1000,
      "description": "Rows (records and rejects) between checkpoints inside a file; one is always emitted at its end. After a crash up to this many rows (and those still in flight) are read and published again."
    },
    "settle_ms": {
      "type": "integer", "minimum": 0, "default": 1000,
      "description": "A last row without a line break is read only once the file has not been modified for this long; until then it waits for the next read."
    },
    "time_zone": {
      "type": "string", "minLength": 1, "format": "time-zone", "default": "Europe/London",
      "description": "tz database zone of the source's clock (e.g. Europe/London): timestamps without an offset are read as its local time, with the summer and winter changes; those with Z or an offset keep it. An unknown name is refused by hearthd validate."
    },
    "max_row_bytes": {
      "type": "integer", "minimum": 1024, "maximum": 268435456, "default": 786432,
      "description": "Longer rows (line ending excluded) are rejected as csv.row_too_long. Keep it at least 64 KiB (for the event around the row) below the Kafka producer's message.max.bytes (librdkafka's default is 1000000; raise both that and the brokers' max.message.bytes for longer rows): hearthd validate refuses a limit that leaves no room."
    }
  }
})json";

namespace {

using nlohmann::json;

const common::SettingsReader kReader("csv");

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  kReader.refuse(where, what);
}

StreamConfig parseStream(const json& object, const std::string& where) {
  if (!object.is_object()) refuse(where, "must be an object");
  kReader.allowOnly(object, where,
                    {"name", "pattern", "key", "timestamp_column", "delimiter", "encoding"});
  StreamConfig stream;
  stream.name = kReader.requireString(object, where + ".", "name");
  stream.pattern = kReader.requireString(object, where + ".", "pattern");
  if (stream.pattern.find('/') != std::string::npos) {
    refuse(where + ".pattern", "must match file names only, without '/'");
  }

  const auto key = object.find("key");
  if (key == object.end()) refuse(where + ".key", "is required");
  if (!key->is_array() || key->empty()) refuse(where + ".key", "must be a non-empty list");
  for (const auto& column : *key) {
    if (!column.is_string() || column.get_ref<const std::string&>().empty()) {
      refuse(where + ".key", "must list non-empty column names");
    }
    stream.key.push_back(column.get<std::string>());
  }

  if (object.contains("timestamp_column")) {
    stream.timestamp_column = kReader.requireString(object, where + ".", "timestamp_column");
  }
  if (object.contains("delimiter")) {
    const std::string delimiter = kReader.requireString(object, where + ".", "delimiter");
    if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r") {
      refuse(where + ".delimiter", "must be one character other than a quote or a line break");
    }
    stream.delimiter = delimiter[0];
  }
  if (object.contains("encoding") &&
      kReader.requireString(object, where + ".", "encoding") != "utf-8") {
    refuse(where + ".encoding", "must be \"utf-8\", the only encoding supported");
  }
  return stream;
}

}  // namespace

CsvConfig parseConfig(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) throw std::invalid_argument("csv connector config is not valid JSON");
  if (!object.is_object()) throw std::invalid_argument("csv connector config must be an object");
  kReader.allowOnly(
      object, "",
      {"directory", "streams", "checkpoint_every", "settle_ms", "max_row_bytes", "time_zone"});

  CsvConfig config;
  config.directory = kReader.requireString(object, "", "directory");
  const auto streams = object.find("streams");
  if (streams == object.end()) refuse("streams", "is required");
  if (!streams->is_array() || streams->empty()) refuse("streams", "must be a non-empty list");
  for (size_t i = 0; i < streams->size(); ++i) {
    StreamConfig stream = parseStream((*streams)[i], "streams[" + std::to_string(i) + "]");
    for (const auto& earlier : config.streams) {
      if (earlier.name == stream.name) {
        refuse("streams[" + std::to_string(i) + "].name",
               "repeats stream name '" + stream.name + "'");
      }
    }
    config.streams.push_back(std::move(stream));
  }
  config.checkpoint_every = kReader.optionalInteger<uint64_t>(
      object, "checkpoint_every", kDefaultCheckpointEvery, 1, uint64_t{1} << 40);
  config.settle_ms =
      kReader.optionalInteger<int64_t>(object, "settle_ms", 1000, 0, int64_t{1} << 40);
  config.max_row_bytes = kReader.optionalInteger<size_t>(
      object, "max_row_bytes", kDefaultMaxRowBytes, 1024, size_t{1} << 28);
  config.time_zone = kReader.optionalTimeZone(object, "time_zone");
  return config;
}

}  // namespace hearth::connectors::csv
