#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pipelines/canonical/model.hpp"
#include "pipelines/common/text.hpp"
#include "pipelines/events/raw_record.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "pipelines/validation/code_lists.hpp"
#include "pipelines/validation/finding.hpp"

namespace hearth::pipelines::normalise {

/// Reads one raw record for its layout's stream function: field lookup, dates, codes and
/// identifiers, each checked, collecting findings (with their rule codes and the record's
/// location) into the output as it goes.
class RecordReader {
 public:
  /// `origin` names the source system, connector and stream of the record's provenance; the
  /// reader adds the raw record's key, location and collection year.
  RecordReader(const NormaliseContext& context, const Layout& layout, const StreamFields& fields,
               const RawRecordView& raw, NormaliseOutput& out, canonical::Provenance origin);

  /// The field's value, trimmed; empty when absent or null. Every field a layout reads is listed
  /// as mapped in its stream's fields.
  std::string_view field(std::string_view name) const {
    assert(fields_.maps(name) && "every field normalisation reads is mapped in its layout");
    for (size_t i = 0; i < raw_.fields.size(); ++i) {
      const FieldView& f = raw_.fields[i];
      if (f.name != name) continue;
      if (i < kReadBits) read_ |= uint64_t{1} << i;
      return f.is_null ? std::string_view{} : trimBlanks(f.value);
    }
    return {};
  }

  /// Once the record is read: names its fields with a value that its layout neither maps nor
  /// ignores, and gives each of its findings that says no place in the source the record's
  /// location (rules checked on canonical records, which do not carry it).
  void finish();

  void finding(std::string code, std::string message, std::string_view field_name,
               validation::Severity severity, int year_applied = -1);
  void ruleFinding(std::string_view rule, std::string_view field_name,
                   validation::Severity severity, int year_applied = -1);

  /// A date that cannot lie ahead: an invalid one, or one after today or the return's reference
  /// date, rejects the record. `rule` names the 903 rule for an invalid value, `after_year_rule`
  /// the one for a date after the collection year; empty for Hearth's own codes.
  std::optional<canonical::Date> date(std::string_view name, std::string_view rule = {},
                                      std::string_view after_year_rule = {});
  /// A date that may lie ahead (a target, an expected birth): checked to be a date only.
  std::optional<canonical::Date> plannedDate(std::string_view name, std::string_view rule = {});
  /// A date the caller read from field `name` in a form of its own (a mapping's date format):
  /// none means the text was no date, which rejects the record, as a date after today or the
  /// reference date does unless it may lie ahead.
  std::optional<canonical::Date> checkedDate(std::string_view name,
                                             std::optional<canonical::Date> parsed,
                                             bool may_lie_ahead);
  /// A yes/no field; a value that is neither is a query and is not passed on.
  std::optional<bool> flag(std::string_view name);
  /// A count of things: digits only; anything else is a query and is not passed on.
  std::optional<int> count(std::string_view name);
  /// A number of 0 or more that may have a fraction (sessions written "10.0"); anything else is
  /// a query and is not passed on.
  std::optional<double> number(std::string_view name);
  /// A field without which the record means nothing: blank rejects the record.
  std::string_view required(std::string_view name);
  /// A code of `set` for the record's year. An absent code is fine here (completeness rules say
  /// when it is required); an unknown one is a query and is not passed on.
  std::string code(std::string_view name, validation::CodeSet set, std::string_view rule);
  /// A postcode in its normal form; an invalid one is a query and is not passed on.
  std::string postcode(std::string_view name, std::string_view rule);
  /// The record's subject, the local id in field `name`; a blank one rejects the record.
  bool subject(std::string_view name, canonical::Subject& subject);

  /// Whether a finding so far rejects the record.
  bool rejected() const;

  const canonical::Provenance& provenance() const { return provenance_; }
  /// Where in the source the raw record was read (a file and line, an XML path).
  std::string_view location() const { return raw_.location; }
  int year() const { return provenance_.collection_year; }
  NormaliseOutput& out() { return out_; }
  const NormaliseContext& context() const { return context_; }
  const Layout& layout() const { return layout_; }

 private:
  /// Whether the layout maps or ignores field `name`, the record's `position`th.
  bool layoutKnows(size_t position, std::string_view name);
  std::optional<canonical::Date> heldToLimit(std::string_view name,
                                             std::optional<canonical::Date> parsed,
                                             std::string_view after_year_rule);

  const NormaliseContext& context_;
  const Layout& layout_;
  const StreamFields& fields_;
  const RawRecordView& raw_;
  NormaliseOutput& out_;
  size_t first_finding_;
  canonical::Provenance provenance_;
  canonical::Date limit_;  // dates after it are in the future
  bool limit_is_reference_ = false;
  static constexpr size_t kReadBits = 64;
  mutable uint64_t read_ = 0;  // the first 64 fields: bit i set once field i was read
};

/// A canonical record of type T carrying the reader's provenance.
template <typename T>
T start(RecordReader& r) {
  T record;
  record.provenance = r.provenance();
  return record;
}

/// Publishes the record unless something rejected it; returns the number published.
template <typename T>
size_t emit(RecordReader& r, T&& record) {
  if (r.rejected()) return 0;
  r.out().records.emplace_back(std::forward<T>(record));
  return 1;
}

/// A person whose subject is the local id in `id_field`, carried as its la_child identifier.
canonical::Person personStart(RecordReader& r, std::string_view id_field, bool& ok);

/// Identifiers with their checks: one that fails is a query and is left off the person.
void addUpn(RecordReader& r, canonical::Person& person, std::string_view scheme,
            std::string_view upn, std::string_view rule);
void addUln(RecordReader& r, canonical::Person& person, std::string_view uln);
void addNhsNumber(RecordReader& r, canonical::Person& person, std::string_view nhs);

/// A placement's Ofsted URN; the 903's "XXXXXXX" (no registered provider) is none.
std::string placementUrn(std::string_view urn);

bool equalsIgnoreCase(std::string_view a, std::string_view b);
bool startsWithIgnoreCase(std::string_view text, std::string_view prefix);
/// 1/0, true/false, y/n, yes/no in any case; anything else is no answer.
std::optional<bool> parseFlag(std::string_view text);

}  // namespace hearth::pipelines::normalise
