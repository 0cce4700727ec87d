#pragma once

#include <string>

#include "pipelines/canonical/compact_string.hpp"
#include "pipelines/canonical/origin.hpp"

namespace hearth::pipelines::canonical {

/// Where a canonical record came from. Later stages never branch on it; it is kept for audit,
/// rejects and rebuilds. The names a whole stream shares are held once (Origin). Where in the
/// source the record was read (a file and line, an XML path) is the raw record's, not kept with
/// each canonical record: its events and rejects take it from there.
struct Provenance {
  Origin origin;
  // Each record of a council holds this: 16 bytes, where a std::string takes 32.
  CompactString source_key;
  int collection_year = 0;  // 2024 = 2024/25; 0 when the source has none

  /// The system that allocated the local ids, e.g. "trust_cms".
  const std::string& source_system() const noexcept { return origin.source_system(); }
  const std::string& connector() const noexcept { return origin.connector(); }  // its instance
  const std::string& stream() const noexcept { return origin.stream(); }
};

/// An identifier of a person under one scheme ("nhs", "upn", "former_upn", "uln", "la_child").
/// `source` is the system that allocated or supplied it: local ids are unique only within it.
struct Identifier {
  CompactString scheme;
  CompactString value;
  CompactString source;
  /// How far the source vouches for the value: for NHS numbers the UK Core verification status
  /// ("01" present and verified ... "08"); empty when the source says nothing. Only an NHS number
  /// with no status or "01" is a deterministic linkage key.
  CompactString verification = {};
  bool operator==(const Identifier&) const = default;
};

/// The local id a record is about: (system, value), the key identity starts from.
struct Subject {
  CompactString system;
  CompactString value;
  bool operator==(const Subject&) const = default;
};

}  // namespace hearth::pipelines::canonical
