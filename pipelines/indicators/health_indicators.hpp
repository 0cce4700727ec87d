#pragma once

#include <string_view>

#include "pipelines/indicators/indicator.hpp"

/// The health rules, one function per indicator. Definitions are in
/// pipelines/indicators/README.md.
namespace hearth::pipelines::indicators::health {

/// An emergency admission method of the NHS data dictionary: 21-28 and 2A-2D.
bool isEmergencyAdmission(std::string_view method);

/// Whether an ICD-10 code ("S72.0", "W19X", "t14") falls in the range of three-character
/// categories from `first` to `last` ("S00", "T98").
bool icd10InRange(std::string_view code, std::string_view first, std::string_view last);

Outcome fallsAdmissions65(const PersonView& person, const Period& period,
                          const RuleContext& context);

}  // namespace hearth::pipelines::indicators::health
