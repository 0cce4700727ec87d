#pragma once

#include "tests/synth/rng.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Headline stocks at 100% scale, from the council plan: children looked after and children on a
/// child protection plan on 31 March of the last year.
inline constexpr double kClaAtPeriodEnd = 662;
inline constexpr double kCpPlansAtPeriodEnd = 382;

/// Five years of children's social care: contacts, referrals, assessments, section 47 enquiries,
/// conferences and plans, periods of care with placements, care leavers and early help.
///
/// The stocks on the last day are placed exactly (open cases are built backwards from 31 March)
/// and the flows around them are simulated forwards and kept off those cases, so the headline
/// counts land on target while the history still looks like case work.
void simulateSocialCare(World& world, Rng& rng);

}  // namespace hearth::synth
