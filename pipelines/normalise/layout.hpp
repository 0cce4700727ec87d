#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "pipelines/canonical/date.hpp"

namespace hearth::pipelines::normalise {

class RecordReader;

/// What normalisation makes of the fields of one stream of a source layout: those it maps into
/// canonical records (or checks), and those it leaves out on purpose. Any other field a record
/// of the stream carries is unmapped: reported, so that nothing a source sends vanishes unseen.
struct StreamFields {
  /// The stream as the layout's connector names it; for layouts whose streams are named by the
  /// operator (StreamMatch::kSuffix), the module the stream name ends with ("pupilonroll").
  std::string_view stream;
  std::vector<std::string_view> mapped;   // sorted, with the layout's fields of every record
  std::vector<std::string_view> ignored;  // sorted, likewise

  bool maps(std::string_view field) const;
  bool ignores(std::string_view field) const;
};

/// One stream of a layout: its fields, and what makes canonical records of one of its records
/// (returning how many it appended to the reader's output).
struct StreamLayout {
  StreamFields fields;
  // A function rather than a pointer so that a layout built from data (mapping.hpp) can carry
  // its rules with it.
  std::function<size_t(RecordReader& reader)> normalise;
};

/// How a layout's stream names are matched: as the connector names them, or (for exports whose
/// files the operator names, "2025_spring_pupil_on_roll") by the module they end with, compared
/// lower case, letters and digits only.
enum class StreamMatch { kExact, kSuffix };

/// How a layout writes its dates.
enum class DateForm {
  kIso,        // 2024-05-01, or a date-time, which becomes a date in the source's time zone
  kUkOrIso,    // the 903 CSV's 01/05/2024; its XML form writes ISO dates
  kBladeOrIso  // DfE blade exports' "2015-Jul-26 00:00:00"; a file saved from a spreadsheet: ISO
};

/// A source layout: the unit that turns one format's raw records into canonical records. Each
/// is one file (pipelines/normalise/<layout>.cpp) and one line of the registry (registry.cpp).
struct Layout {
  /// As configured (a connector's `normalise.kind`) and as metrics label it: "ssda903".
  std::string_view name;
  /// Fields the layout's connector adds to every record, mapped or ignored in every stream.
  std::vector<std::string_view> mapped_everywhere;
  std::vector<std::string_view> ignored_everywhere;
  std::vector<StreamLayout> streams;
  StreamMatch match = StreamMatch::kExact;
  DateForm dates = DateForm::kIso;
  /// The rule codes a stream passes to the reader's checks are the DfE's SSDA903 rules; other
  /// layouts' findings carry Hearth's own codes ("code.unknown").
  bool ssda903_rules = false;
  /// The date the record's return describes the world up to, when it names one: its dates are
  /// held to it rather than to today.
  std::optional<canonical::Date> (*reference_date)(const RecordReader& reader) = nullptr;

  /// The stream `stream` of this layout, or null when normalisation does not cover it (its
  /// records are published field by field).
  const StreamLayout* findStream(std::string_view stream) const;
};

/// Completes a layout as written in its unit: the fields of every record join each stream's
/// lists, which are sorted for lookup.
Layout makeLayout(Layout layout);

/// Every layout, listed once (registry.cpp).
const std::vector<const Layout*>& layouts();

/// The layout configured as `name`, or null.
const Layout* findLayout(std::string_view name);

}  // namespace hearth::pipelines::normalise
