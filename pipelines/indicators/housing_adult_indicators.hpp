#pragma once

#include "pipelines/indicators/indicator.hpp"

/// The housing and adult social care rules, one function per indicator. Definitions and the
/// choices made are in pipelines/indicators/README.md.
namespace hearth::pipelines::indicators::adults {

Outcome homelessDutyOwed(const PersonView& person, const Period& period,
                         const RuleContext& context);
Outcome tempAccommodation(const PersonView& person, const Period& period,
                          const RuleContext& context);
Outcome roughSleeping(const PersonView& person, const Period& period, const RuleContext& context);
Outcome ascLongTermSupport(const PersonView& person, const Period& period,
                           const RuleContext& context);
Outcome ascFeelsSafe(const PersonView& person, const Period& period, const RuleContext& context);

/// Whether a Client Level Data service is long-term support (Release 2 labels).
bool isLongTermSupport(const canonical::AdultCareEvent& event);

}  // namespace hearth::pipelines::indicators::adults
