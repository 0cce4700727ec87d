#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/events/event_id.hpp"
#include "pipelines/events/raw_record.hpp"
#include "pipelines/events/record_event.hpp"
#include "pipelines/privacy/pseudonymiser.hpp"

namespace hearth::pipelines {

inline constexpr std::string_view kCanonicalEventType = "uk.gov.hearth.canonical.v1";

/// The pseudonym of a record's subject (system + local id): the key of its events, and what
/// identity resolution's person view is keyed from.
std::string subjectPseudonym(const Pseudonymiser& pseudonymiser, const canonical::Subject& subject);
/// The same for a subject written as "<system>/<local id>" (system names hold no '/').
std::string subjectPseudonym(const Pseudonymiser& pseudonymiser, std::string_view subject_key);

/// The record as it may leave the daemon: names dropped, the subject and every identifier
/// replaced by their pseudonyms (an identifier's domain is its scheme, so the same NHS number
/// gives the same pseudonym whichever source carried it), postcodes cut to their sector.
/// Personal dates are cut to the month when encoded (canonical::JsonOptions). References to
/// other source records ("Encounter/123") become the pseudonym that keys that record's own raw
/// events from `connector` (domain "<connector>/<type>"), so a withdrawal joins to them.
canonical::Record publishable(const canonical::Record& record, Pseudonymiser& pseudonymiser,
                              std::string_view connector = {});

/// The pseudonyms of the subjects met lately: a source record's several records share their
/// subject, whose pseudonym costs an HMAC, and so, often, do the rows next to it. A small table
/// by hash of the subject, each slot holding the last subject that fell in it.
class RecentSubjectPseudonyms {
 public:
  const std::string& of(const Pseudonymiser& pseudonymiser, const canonical::Subject& subject);

  /// The calling thread's table. A connector's thread encodes a source record's events and then
  /// hands its records to the derive, which names them by the same pseudonyms: sharing the
  /// table, the second finds what the first worked out.
  static RecentSubjectPseudonyms& ofThisThread();

 private:
  struct Slot {
    uint64_t key = 0;  ///< The pseudonymiser's fingerprint.
    std::string system;
    std::string value;
    std::string pseudonym;  ///< Empty while the slot is unused.
  };
  static constexpr size_t kSlots = 1024;
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
};

/// Encodes canonical records as pseudonymous CloudEvents 1.0 for `hearth.records`:
/// type `uk.gov.hearth.canonical.v1`, subject the record kind, key the subject's pseudonym.
/// `data` holds the kind, the subject pseudonym, where the record came from and the record.
///
/// The id is deterministic: a hash of the connector, stream, source key, the record's position
/// among those its source record produced, its canonical content and the rule version.
class CanonicalEventEncoder {
 public:
  CanonicalEventEncoder(SourceInfo source, Pseudonymiser pseudonymiser, std::string rule_version);

  /// Overwrites `out`. `location` is where its source record was read (the raw record's: a file
  /// and line, an XML path); `index` is the record's position among those of one source record.
  void encode(const canonical::Record& record, std::string_view location, size_t index,
              int64_t now_ms, EncodedEvent& out);

 private:
  SourceInfo source_;
  std::string source_uri_;
  std::string data_schema_;
  Pseudonymiser pseudonymiser_;
  std::string rule_version_;
  EventHeaderWriter header_;
  // The same for every event: `,"provenance":{"connector":...,"plugin_version":...,` and
  // `,"rule_version":...},"record":`, as JSON.
  std::string provenance_json_;
  std::string rule_version_json_;
  EventIdBuilder ids_;
  std::string id_;
  std::string content_;
  /// Each record kind's name as a JSON string, by its place in canonical::Record; made at its
  /// first event.
  std::array<std::string, std::variant_size_v<canonical::Record>> kind_json_;
};

}  // namespace hearth::pipelines
