#pragma once

#include "pipelines/indicators/indicator.hpp"

/// The cross-service rules: measures no single statutory return can give, read from a person's
/// own records and what their household and family share with them (PersonView::linked).
/// Definitions and the choices made are in pipelines/indicators/README.md.
namespace hearth::pipelines::indicators::cross {

Outcome careLeaversOwedDuty(const PersonView& person, const Period& period,
                            const RuleContext& context);
Outcome cpChildrenInTemporaryAccommodation(const PersonView& person, const Period& period,
                                           const RuleContext& context);
Outcome claWithEhcp(const PersonView& person, const Period& period, const RuleContext& context);
Outcome familyMultipleNeeds(const PersonView& person, const Period& period,
                            const RuleContext& context);

/// The spring school census day of the January in `period`'s last year: its third Thursday.
Date springCensusDay(const Period& period);

}  // namespace hearth::pipelines::indicators::cross
