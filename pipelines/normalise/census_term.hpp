#pragma once

#include <optional>
#include <string_view>

#include "pipelines/canonical/date.hpp"

namespace hearth::pipelines::normalise {

/// The census day of the school census return a blade export file belongs to, from the name the
/// export gives it ("2025_spring_termlysessiondetailsonroll.csv", also as "dir/<name>:42"):
/// spring is the third Thursday of January, summer the third Thursday of May, autumn the first
/// Thursday of October. Nullopt when the name does not start with a year and a term.
std::optional<canonical::Date> censusDayOfBladeFile(std::string_view location);

}  // namespace hearth::pipelines::normalise
