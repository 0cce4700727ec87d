#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/canonical/date.hpp"
#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/code_lists.hpp"

namespace hearth::pipelines::normalise {

/// A canonical record of type T written as a table: the field naming its subject, then which
/// source field fills which member, each with the check its kind brings (RecordReader). A stream
/// whose fields map one to one is its table; one that needs more (a nested conference, a code
/// spelt in words) starts from its table and adds the rest in code.
template <typename T>
struct FieldMap {
  struct Date {
    std::string_view field;
    std::optional<canonical::Date> T::*member;
  };
  struct Code {
    std::string_view field;
    std::string T::*member;
    validation::CodeSet set;
  };
  struct Text {
    std::string_view field;
    std::string T::*member;
  };
  struct Flag {
    std::string_view field;
    std::optional<bool> T::*member;
  };

  std::string_view subject;
  std::vector<Date> dates = {};          // checked, and held to today or the reference date
  std::vector<Date> planned_dates = {};  // checked to be dates; may lie ahead (targets)
  std::vector<Code> codes = {};          // checked against the code list of the record's year
  std::vector<Text> texts = {};          // copied as they are
  std::vector<Flag> flags = {};          // yes/no in any spelling; anything else is no answer
};

/// The record `map` describes, read from `r`; none when it names no subject (the reader has
/// the finding).
template <typename T>
std::optional<T> mapFields(RecordReader& r, const FieldMap<T>& map) {
  T record = start<T>(r);
  const bool ok = r.subject(map.subject, record.subject);
  for (const auto& d : map.dates) record.*d.member = r.date(d.field);
  for (const auto& d : map.planned_dates) record.*d.member = r.plannedDate(d.field);
  for (const auto& c : map.codes) record.*c.member = r.code(c.field, c.set, "");
  for (const auto& t : map.texts) record.*t.member = r.field(t.field);
  for (const auto& f : map.flags) record.*f.member = parseFlag(r.field(f.field));
  if (!ok) return std::nullopt;
  return record;
}

/// Publishes the record `map` describes unless something rejected it.
template <typename T>
size_t emitMapped(RecordReader& r, const FieldMap<T>& map) {
  std::optional<T> record = mapFields(r, map);
  if (!record) return 0;
  return emit(r, std::move(*record));
}

}  // namespace hearth::pipelines::normalise
