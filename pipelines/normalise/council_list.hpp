#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "pipelines/normalise/record_reader.hpp"

/// What the layouts of the council's own lists (the CME register, NCCIS, KS4 results) share.
namespace hearth::pipelines::normalise {

/// The person a row of a council's own list names (the CME register, NCCIS, KS4 results), with
/// the names, birth date and sex identity links on; the caller adds identifiers and postcode.
canonical::Person namedPerson(RecordReader& r, const canonical::Subject& subject,
                              std::string_view given, std::string_view family,
                              std::string_view birth, std::string_view sex);

/// Publishes the person a row names and the involvement it records, unless something rejected
/// the row or it named no subject (`ok` false).
template <typename T>
size_t emitWithPerson(RecordReader& r, bool ok, canonical::Person&& person, T&& involvement) {
  if (!ok) return 0;
  return emit(r, std::move(person)) + emit(r, std::forward<T>(involvement));
}

/// A layout of one stream, named by the connector, with ISO dates: the council's own lists.
Layout singleStreamLayout(std::string_view name, StreamFields fields,
                          std::vector<std::string_view> ignored_everywhere,
                          size_t (*normalise)(RecordReader&));

}  // namespace hearth::pipelines::normalise
