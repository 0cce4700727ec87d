#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/indicators/output.hpp"

namespace hearth::pipelines::indicators {

/// How a family of indicators is made safe to publish: its publisher's convention, as
/// configuration (DESIGN "Indicator catalogue"; docs/sources.md).
struct DisclosureConvention {
  /// Counts from 1 to `suppress_below - 1` are hidden (`c`); 0 identifies nobody and is shown.
  /// Social care and education publish with 5; health hides 1-7, so 8; housing 0 (nothing).
  int suppress_below = 5;
  /// Visible counts are rounded to the nearest multiple of this (health: 5); 0 or 1 leaves them.
  /// Values (percentages, rates) are computed from the unrounded counts.
  int round_to = 0;
  /// Hide further cells so that no hidden one can be recovered from the visible ones.
  bool secondary = true;

  bool operator==(const DisclosureConvention&) const = default;
};

/// The conventions by name, as configuration names them: "social_care" and "education"
/// (c below 5), "health" (1-7 hidden, the rest rounded to 5), "housing" (unrounded, nothing
/// hidden). None for an unknown name.
std::optional<DisclosureConvention> disclosureConvention(std::string_view name);

/// Cells of this breakdown are other counts of the headline's cohort (its distinct families),
/// not parts of it: each is checked on its own (primary suppression only).
inline constexpr std::string_view kCountOfBreakdown = "count_of";

/// What made a cell hidden.
enum class Hidden { kNo, kPrimary, kSecondary };

/// Applies `convention` to the cells of one indicator over one period: the headline (empty
/// breakdown name) and every cell of every breakdown, each breakdown adding up to the headline.
///
/// 1. Primary: a cell whose numerator or denominator is from 1 to suppress_below - 1 is hidden.
/// 2. Secondary: while a hidden value could be worked out (a breakdown with one hidden cell and a
///    known headline; a hidden headline known from a breakdown shown whole; hidden cells whose
///    total is itself a small count), the smallest visible non-zero cell of that breakdown is
///    hidden too, or the headline when nothing else is left.
/// 3. Counts are rounded, and a value that is a count; rates stay as computed from the
///    unrounded counts. A not_computable count of 1 to suppress_below - 1 is marked hidden.
///
/// Hidden cells keep their numbers in memory but are marked `suppressed`; what is published of
/// them is the `c` marker (null numerator, denominator and value). Returns why each cell was
/// hidden, in the order of `cells`.
std::vector<Hidden> applyDisclosure(std::span<IndicatorValue> cells,
                                    const DisclosureConvention& convention);

/// The convention applied to one cell on its own (a table of one): suppressed when its
/// numerator or denominator is from 1 to suppress_below - 1 (its not_computable count is
/// marked apart); counts rounded, and the value too when it is a count. A rate keeps the value
/// the unrounded counts give.
void discloseCell(IndicatorValue& value, const DisclosureConvention& convention);

}  // namespace hearth::pipelines::indicators
