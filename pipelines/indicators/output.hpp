#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/indicators/period.hpp"
#include "pipelines/indicators/person_records.hpp"

namespace hearth::pipelines::indicators {

/// The version of the shared rules (deduplication, open-on-day, working days, suppression):
/// a change to any of them changes every value, so consumers see it on each one.
inline constexpr std::string_view kRuleVersion = "1";

/// One published cell of an indicator: the headline (empty breakdown) or one breakdown value.
struct IndicatorValue {
  std::string indicator_id;
  int indicator_version = 1;
  double numerator = 0;
  std::optional<double> denominator;  // none for counts
  double value = 0;                   // percent, rate or count, as `unit` says
  std::string unit;
  Period period;
  std::string area;            // the council's code, or the local area's for that breakdown
  std::string breakdown_name;  // empty for the headline
  std::string breakdown_value;
  std::string rule_version{kRuleVersion};
  bool suppressed = false;  // numerator or denominator of 1..threshold-1
  /// Items left out because their records cannot say whether they count; none for indicators
  /// that have no such items.
  std::optional<double> not_computable;
  bool not_computable_suppressed = false;
  int rounded_to = 1;  // counts were rounded to the nearest multiple of this
  bool operator==(const IndicatorValue&) const = default;
};

enum class FactChange { kEntered, kLeft };
enum class FactSet { kCohort, kNumerator };

/// A person entering or leaving an indicator's cohort or numerator.
struct IndicatorFact {
  PersonKey person = 0;
  /// The catalogue's id, which lives as long as the program: a council's first evaluation
  /// makes hundreds of thousands of facts, held until each is published.
  std::string_view indicator_id;
  int indicator_version = 1;
  Period period;
  FactChange change = FactChange::kEntered;
  FactSet set = FactSet::kNumerator;
  std::optional<Date> date;               // the date of the evidence that placed the person
  std::vector<std::string> evidence_ids;  // the events of the records that placed the person
  std::string_view rule_version = kRuleVersion;
  bool operator==(const IndicatorFact&) const = default;
};

std::string_view factChangeName(FactChange change);
std::string_view factSetName(FactSet set);

/// The CloudEvents `data` of a value (schema config/schemas/hearth.indicator.value.v1.json).
/// A suppressed cell carries null numerator, denominator and value.
std::string toJson(const IndicatorValue& value);

/// The CloudEvents `data` of a fact (schema config/schemas/hearth.indicator.fact.v1.json).
/// `subject` is what identifies the person on the topic: the pseudonym, never the person key.
std::string toJson(const IndicatorFact& fact, std::string_view subject);

/// The marker that ends a derive cycle on the values topic: the cycle's number, its period, the
/// keys of the values it wrote, how many values the snapshot holds and their digest.
struct CycleMarker {
  uint64_t cycle = 0;
  Period period;
  std::vector<std::string> keys_written;
  size_t values = 0;
  std::string digest;  // "sha256:" and 64 hex digits
};

/// The CloudEvents `data` of a marker (schema config/schemas/hearth.indicator.cycle.v1.json).
std::string toJson(const CycleMarker& marker);

/// A plain-text table for a terminal: indicator, period, numerator, denominator, value, unit.
/// Suppressed cells show "c", as published tables do.
std::string renderTable(const std::vector<IndicatorValue>& values);

}  // namespace hearth::pipelines::indicators
