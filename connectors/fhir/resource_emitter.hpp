#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "connectors/fhir/ndjson_reader.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// Turns NDJSON lines into the connector's records and rejects, the same way in every mode:
/// stream = resourceType, source key = Type/id, location = <source>:<line>, fields `resource`
/// (the line verbatim) and `last_updated` (meta.lastUpdated when present).
class ResourceEmitter {
 public:
  ResourceEmitter(const sdk::HostApi& host, const sdk::Emitter& emitter, size_t max_line_bytes);

  /// Drops a resource when one with the same Type/id and a newer or equal meta.lastUpdated was
  /// already emitted in this read (a Bulk Data export may hold one resource in several files).
  void dropDuplicates(bool on) { drop_duplicates_ = on; }

  /// Emits one line of an output file. `announced`, when not empty, lists the only types the
  /// file may hold (its manifest entry's type).
  hearth_status resourceLine(const Line& line, std::string_view source,
                             const std::vector<std::string>& announced = {});
  /// Emits one line of a `deleted` file: a Bundle whose entries name deleted resources; each
  /// becomes a record with `deleted` = true.
  hearth_status deletedLine(const Line& line, std::string_view source);
  /// Emits one resource of a search Bundle, `json` being its text.
  hearth_status resource(std::string_view json, std::string_view location);

  /// A reject that is not about one line (a file that cannot be fetched, a count that does not
  /// add up).
  hearth_status reject(std::string_view stream, std::string_view reason, std::string_view message,
                       std::string_view location, std::string_view raw = {});

  uint64_t records() const { return records_; }
  uint64_t rejects() const { return rejects_; }
  /// Resources emitted of one type.
  uint64_t resourcesOf(std::string_view type) const;

 private:
  // True when key_ was already emitted with a newer or equal meta.lastUpdated.
  bool isStale(int64_t last_updated_ms);
  // Emits the resource parser_ has just read.
  hearth_status emitParsed(std::string_view json, std::string_view location);
  void locate(std::string_view source, uint64_t line);
  // Sets the location of `line`; deals with a blank or overlong line, which needs no parse.
  std::optional<hearth_status> screen(const Line& line, std::string_view source);

  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  size_t max_line_bytes_;
  ResourceParser parser_;
  bool drop_duplicates_ = false;
  std::unordered_map<std::string, int64_t> newest_;  // Type/id -> meta.lastUpdated, ms
  std::unordered_map<std::string, uint64_t> per_type_;
  std::string key_, location_, message_;
  uint64_t records_ = 0;
  uint64_t rejects_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace hearth::connectors::fhir
