#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipelines/canonical/model.hpp"

namespace hearth::pipelines::canonical {

struct JsonOptions {
  /// Off to compare what a record says regardless of which source said it.
  bool include_provenance = true;
  /// On for publishing: dates that identify a person (birth, expected birth, death, first
  /// child's birth) are written as their month only, "YYYY-MM".
  bool personal_dates_as_month = false;
  /// Written as the subject's value in place of the record's own, when set: its pseudonym, for a
  /// record published without a copy of its own.
  std::optional<std::string_view> subject_value = std::nullopt;
  /// Written as the provenance's `location` when set: where the source record was read (a file
  /// and line), which a canonical record does not carry; `hearthd read --canonical --raw` shows it.
  std::optional<std::string_view> location = std::nullopt;
};

/// A stable JSON encoding: fixed key order, absent values omitted, dates as YYYY-MM-DD. Two
/// records with equal content encode to equal bytes, so tests and rebuilds compare encodings.
std::string toJson(const Record& record, JsonOptions options = {});
/// The same, appended to `out`: a caller encoding many records reuses one buffer.
void appendJson(std::string& out, const Record& record, JsonOptions options = {});

}  // namespace hearth::pipelines::canonical
