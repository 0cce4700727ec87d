#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hearth::pipelines {

/// One field of a source record, as the connector delivered it (views into its buffers).
struct FieldView {
  std::string_view name;
  std::string_view value;
  bool is_null = false;
};

/// A source record before normalisation. Views stay valid only while the connector's callback
/// runs; anything kept must be copied.
struct RawRecordView {
  std::string_view stream;
  std::string_view source_key;
  std::string_view location;   // "episodes.csv:42"
  int64_t source_time_ms = 0;  // 0 when the source has no timestamp
  std::span<const FieldView> fields;
};

/// A record the connector could not read, with where and why.
struct RejectView {
  std::string_view stream;
  std::string_view source_key;
  std::string_view reason_code;
  std::string_view message;
  std::string_view location;
  std::string_view raw;
  /// "reject": the record went no further; "query": it went on, and the data owner should look.
  std::string_view severity = "reject";
  std::string_view field;         // the offending field, when one is known
  int code_list_year = 0;  // the code-list year applied, for code-list findings (0: none)
};

/// Where a deployment's events say they come from, and where their schemas are published.
struct EventOrigin {
  /// The council's ONS area code (E06000062): part of every event's `source`, so that source and
  /// id stay unique when several councils publish to one cluster. Empty: left out.
  std::string area_code;
  /// Where the admin server (and the package) serve config/schemas; ends in '/'.
  std::string schema_base_url = "http://127.0.0.1:8080/schemas/";

  /// The CloudEvents `source` of a producer ("connectors/trust_903", "derive"):
  /// "/hearth/E06000062/connectors/trust_903".
  std::string sourceUri(std::string_view producer) const;
  /// The `dataschema` of an event type: uk.gov.hearth.record.v1 names hearth.record.v1.json.
  std::string dataSchema(std::string_view type) const;
};

/// Where records come from: the provenance every published event carries.
struct SourceInfo {
  std::string connector;  // the configured connector instance name
  std::string plugin;     // the plugin implementing it, e.g. "csv"
  std::string plugin_version;
  EventOrigin origin = {};
};

}  // namespace hearth::pipelines
