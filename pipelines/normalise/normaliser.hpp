#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/events/raw_record.hpp"
#include "pipelines/validation/finding.hpp"

namespace hearth::pipelines::normalise {

struct Layout;

struct NormaliseContext {
  /// The source layout, by its name in the registry (layout.hpp): "ssda903", "cin_census",
  /// "trust_ssd", "school_census", ...; the connector's configuration names it.
  std::string layout;
  std::string connector;  // instance name, copied into provenance
  /// The system that allocated the local child ids (CHILD, LAchildID, pers_person_id). Sources
  /// fed from the same case system share it, so their records describe the same subject.
  std::string source_system;
  /// Dates after this are impossible and rejected; the caller supplies it so runs are repeatable.
  /// A record of a return is held to the return's reference date instead, when that is earlier:
  /// the CIN census ReferenceDate, the 903's 31 March at the end of its collection year.
  canonical::Date today;
  /// For sources whose records carry no collection_year (SSD tables).
  int default_collection_year = 0;
  /// The zone of the source's clock: date-times with an offset become dates there.
  TimeZone time_zone = TimeZone::utc();
  /// A layout built from a connector's `mapping:` (mapping.hpp); when set, it is used instead of
  /// the registry's, and `layout` is only its name.
  std::shared_ptr<const Layout> mapped_layout = nullptr;
};

/// Records and findings from one or more raw records; reuse it across calls to keep capacity.
struct NormaliseOutput {
  std::vector<canonical::Record> records;
  std::vector<validation::Finding> findings;
  /// Fields with a value that the stream's layout neither maps nor ignores on purpose
  /// (its StreamFields, layout.hpp): names only, viewing the raw records' field names.
  std::vector<std::string_view> unmapped;
  /// The source withdrew the record (a FHIR deletion): whatever it gave before is to go from the
  /// record store, the person view and the indicators.
  bool withdrawn = false;
  /// Kept across records (clear() leaves it): the names of the last record's fields, by
  /// position, and whether its stream's layout maps or ignores each. The rows of a file share
  /// their names, so each is looked up in the layout once, not once a row.
  struct KnownFields {
    const void* stream_fields = nullptr;  // the StreamFields they were looked up in
    std::vector<std::string> names;
    std::vector<uint8_t> known;  // 0: not looked up; 1: mapped or ignored; 2: neither
  } known_fields;
  void clear() {
    records.clear();
    findings.clear();
    unmapped.clear();
    withdrawn = false;
  }
};

/// Turns raw records into canonical records with the context's layout, applying code lists for the
/// record's collection year, identifier checks, impossible-date checks and the single-record 903
/// rules. A record with a reject-severity finding produces no canonical record. Streams that the
/// canonical model does not cover (903 reviews, OC2, AD1, ...) produce nothing and are counted by
/// the caller; of the others, the fields left unmapped are named in the output.
class Normaliser {
 public:
  /// Throws std::invalid_argument when the context names no layout of the registry and carries
  /// no mapped one.
  explicit Normaliser(NormaliseContext context);

  /// Returns the number of canonical records appended to `out`.
  size_t normalise(const RawRecordView& raw, NormaliseOutput& out) const;

  const NormaliseContext& context() const { return context_; }
  const Layout& layout() const { return *layout_; }

 private:
  // The names every record of a stream shares, made once rather than for each record.
  struct Names;
  NormaliseContext context_;
  const Layout* layout_;
  std::shared_ptr<Names> names_;
};

}  // namespace hearth::pipelines::normalise
