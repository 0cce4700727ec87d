#pragma once

#include "pipelines/indicators/indicator.hpp"

/// The children's social care rules, one function per indicator. Definitions and the choices
/// made are in pipelines/indicators/README.md.
namespace hearth::pipelines::indicators::csc {

Outcome claCount(const PersonView& person, const Period& period, const RuleContext& context);
Outcome cpPlanCount(const PersonView& person, const Period& period, const RuleContext& context);
Outcome reReferral12m(const PersonView& person, const Period& period, const RuleContext& context);
Outcome referralDecision1wd(const PersonView& person, const Period& period,
                            const RuleContext& context);
Outcome assessment45wd(const PersonView& person, const Period& period, const RuleContext& context);
Outcome claPlaced20Miles(const PersonView& person, const Period& period,
                         const RuleContext& context);
Outcome claStabilityShort(const PersonView& person, const Period& period,
                          const RuleContext& context);
Outcome claStabilityLong(const PersonView& person, const Period& period,
                         const RuleContext& context);
Outcome careLeaverAccom1921(const PersonView& person, const Period& period,
                            const RuleContext& context);
Outcome careLeaverNeet(const PersonView& person, const Period& period, const RuleContext& context);
Outcome earlyHelpOpen(const PersonView& person, const Period& period, const RuleContext& context);

}  // namespace hearth::pipelines::indicators::csc
