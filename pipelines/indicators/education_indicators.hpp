#pragma once

#include "pipelines/indicators/indicator.hpp"

/// The education rules, one function per indicator. Definitions and the choices made are in
/// pipelines/indicators/README.md.
namespace hearth::pipelines::indicators::education {

Outcome neet1617(const PersonView& person, const Period& period, const RuleContext& context);
Outcome cmeOpen(const PersonView& person, const Period& period, const RuleContext& context);
Outcome ks4EnglishMaths4(const PersonView& person, const Period& period,
                         const RuleContext& context);
Outcome persistentAbsence(const PersonView& person, const Period& period,
                          const RuleContext& context);

}  // namespace hearth::pipelines::indicators::education
