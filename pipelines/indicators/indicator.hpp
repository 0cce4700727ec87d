#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/indicators/census_schools.hpp"
#include "pipelines/indicators/period.hpp"
#include "pipelines/indicators/person_records.hpp"
#include "pipelines/indicators/postcode_lookup.hpp"
#include "pipelines/indicators/school_register.hpp"
#include "pipelines/indicators/working_days.hpp"

namespace hearth::pipelines::indicators {

/// What part of a person's outcome falls under one value of the indicator's own breakdown (the
/// setting of an EHC plan, the phase of a school): an item-level breakdown the person's
/// attributes cannot give.
struct OutcomePart {
  std::string value;
  int cohort = 0;
  int numerator = 0;
  bool operator==(const OutcomePart&) const = default;
};

/// What one person adds to an indicator for one period. Counts are items (referrals, contacts,
/// assessments) for item-level indicators and 0 or 1 for person-level ones.
struct Outcome {
  int cohort = 0;
  int numerator = 0;
  std::optional<Date> cohort_date;     // the evidence that put the person in the cohort
  std::optional<Date> numerator_date;  // ... and in the numerator
  std::vector<std::string> cohort_evidence;
  std::vector<std::string> numerator_evidence;
  /// Items that would be in the cohort but whose records cannot say whether they count (a
  /// diagnosis without ICD-10): counted apart, never as a "no".
  int not_computable = 0;
  /// For age-standardised rates: the standard population band of each numerator item.
  std::vector<uint8_t> numerator_age_bands;
  /// Cells of the indicator's own breakdown (IndicatorDefinition::parts_breakdown).
  std::vector<OutcomePart> parts;
  bool operator==(const Outcome&) const = default;
};

/// Where an indicator's denominator comes from.
enum class DenominatorKind {
  kNone,        // a count
  kCohort,      // the people or items in the cohort
  kPopulation,  // a configured resident population (rates per 10,000)
  /// Residents of the bands from `standardised_from_age` up: a rate per 100,000 directly
  /// standardised to the European Standard Population 2013.
  kStandardPopulation,
};

/// The dimensions a value can be broken down by, read from the person's resolved attributes.
enum class Breakdown { kAgeBand, kSex, kEthnicityGroup, kLocalArea, kAdultAgeBand };

std::string_view breakdownName(Breakdown breakdown);

/// What the rules may consult besides the person: reference data, never other people.
struct RuleContext {
  const WorkingDays& working_days;
  const PostcodeLookup& postcodes;
  const SchoolRegister* schools = nullptr;  // GIAS and Ofsted; null when not configured
  /// The schools of the school census returns, which pupils' enrolments name; null: none.
  const CensusSchools* census_schools = nullptr;
};

using AssessFn = Outcome (*)(const PersonView& person, const Period& period,
                             const RuleContext& context);

/// One indicator of the catalogue: its identity, its wording and the rule that places a person.
struct IndicatorDefinition {
  std::string_view id;
  int version = 1;
  std::string_view description;
  std::string_view cohort;       // who or what is counted below the line
  std::string_view numerator;    // ... and above it
  std::string_view denominator;  // empty for counts
  std::string_view unit;         // "count", "percent", "per 10,000 aged 0-17"
  DenominatorKind denominator_kind = DenominatorKind::kNone;
  std::span<const Breakdown> breakdowns;
  bool counts_families = false;  // also publishes distinct families (Person::family_id)
  /// The rule counts this many snapshots (NEET: three month ends); numerator and denominator
  /// are published as their averages.
  int averaged_over = 1;
  AssessFn assess = nullptr;
  /// The service family whose publisher's disclosure convention the values follow
  /// ("social_care", "education", "health", "housing", "adult_social_care"; disclosure.hpp).
  std::string_view family = "social_care";
  int standardised_from_age = 0;  // kStandardPopulation: the youngest age counted (a band start)
  bool counts_not_computable = false;  // publishes Outcome::not_computable
  /// The name of the breakdown the rule fills itself (Outcome::parts), e.g. "setting"; empty
  /// when it has none.
  std::string_view parts_breakdown = {};
};

}  // namespace hearth::pipelines::indicators
