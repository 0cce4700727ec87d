#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pipelines/events/event_id.hpp"
#include "pipelines/events/raw_record.hpp"
#include "pipelines/privacy/field_policy.hpp"
#include "pipelines/privacy/pseudonymiser.hpp"

namespace hearth::pipelines {

inline constexpr std::string_view kRecordEventType = "uk.gov.hearth.record.v1";
inline constexpr std::string_view kRejectEventType = "uk.gov.hearth.reject.v1";

/// An event ready for a topic: the message key and the CloudEvents JSON payload.
struct EncodedEvent {
  std::string key;
  std::string payload;
};

/// Starts a CloudEvents 1.0 structured-JSON event: every attribute, then `"data":{` left open for
/// the caller to fill and close (with "}}").
void appendEventHeader(std::string& out, std::string_view id, std::string_view source_uri,
                       std::string_view type, std::string_view data_schema,
                       std::string_view subject, int64_t now_ms);

/// Starts the `provenance` object every event of `source` carries: `{"connector":...,"plugin":...,
/// "plugin_version":...`, left open for the caller's further members.
void appendProvenanceStart(std::string& out, const SourceInfo& source);

/// appendEventHeader() for the events of one source and type, from the parts that are the same
/// for each of them written as JSON once. The time's JSON is kept while the clock gives the same
/// millisecond: events come by the hundred thousand a second.
class EventHeaderWriter {
 public:
  EventHeaderWriter(std::string_view source_uri, std::string_view type,
                    std::string_view data_schema);
  /// As appendEventHeader(out, id, source_uri, type, data_schema, subject, now_ms), with the
  /// subject given as a JSON string already.
  void append(std::string& out, std::string_view id, std::string_view subject_json, int64_t now_ms);

 private:
  std::string after_id_;    // `","source":...,"subject":`
  std::string after_time_;  // `,"datacontenttype":...,"data":{`
  int64_t time_ms_ = std::numeric_limits<int64_t>::min();
  std::string time_json_;  // time_ms_ as a JSON timestamp
};

/// Encodes source records as pseudonymous CloudEvents 1.0 (structured JSON) for `hearth.records`.
///
/// The event id is deterministic: a hash (EventIdBuilder) of the connector, stream, source key, the
/// record's content (its version) and the rule version, so a replay after a crash yields the same
/// ids and consumers can deduplicate. The key is the pseudonym of the source key. Direct
/// identifiers are handled by the FieldPolicy before anything is written. One encoder per thread.
class RecordEventEncoder {
 public:
  RecordEventEncoder(SourceInfo source, Pseudonymiser pseudonymiser, FieldPolicy policy,
                     std::string rule_version);

  /// Overwrites `out` (reusing its capacity). `now_ms` is the extraction time.
  void encode(const RawRecordView& record, int64_t now_ms, EncodedEvent& out);

  /// Rejects keep the raw input and the source key: they go to the restricted rejects topic only.
  void encodeReject(const RejectView& reject, int64_t now_ms, EncodedEvent& out);

 private:
  struct CachedAction {
    std::string name;
    std::string domain;  // the pseudonym domain: the normalised field name
    FieldAction action = FieldAction::kKeep;
    IdentifierForm form = IdentifierForm::kLocal;
    bool valid = false;
    std::string json_name;  // the name as a JSON string and its colon, as every event writes it
  };
  const CachedAction& cachedAction(size_t index, std::string_view name);

  SourceInfo source_;
  std::string source_uri_;
  std::string record_schema_;
  std::string reject_schema_;
  EventHeaderWriter record_header_;
  std::string stream_json_;  // key_domain_stream_ as a JSON string: records come in its runs
  Pseudonymiser pseudonymiser_;
  FieldPolicy policy_;
  std::string rule_version_;
  std::string provenance_json_;
  EventIdBuilder ids_;
  std::string id_;
  // Records of one stream repeat the same field names; remember decisions by position.
  std::vector<CachedAction> action_cache_;
  std::string key_domain_;  // "<connector>/<stream>": separates source keys of different streams
  std::string key_domain_stream_;
};

}  // namespace hearth::pipelines
