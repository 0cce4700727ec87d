#pragma once

#include "tests/synth/rng.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Council plan figures the education history is calibrated to, at 100% scale.
inline constexpr double kEhcPlansAtCensus = 3875;
inline constexpr double kPupilsAtGoodSchools = 0.841;

/// Schools and settings, enrolments, SEN support and EHC plans, exclusions, attendance, NCCIS
/// activity, funded early education, children missing education and KS4 results.
void simulateEducation(World& world, Rng& rng);

/// Census days of the school census terms written out: spring, summer and autumn of the year
/// before the period end, and spring of the last year.
struct CensusTerm {
  std::string name;  // 2024_spring
  Day census = 0;
  Day term_start = 0;  // the previous term, which the termly modules describe
  Day term_end = 0;
};
std::vector<CensusTerm> censusTerms(int year_end);

/// A pupil's attendance in the term a census return describes: what the termly session details
/// module reports and what persistent absence is computed from.
struct TermSessions {
  int possible = 0;
  int missed = 0;
};
TermSessions termSessions(const World& world, uint32_t pupil, const CensusTerm& term);

/// Whether the school's latest inspection is under Ofsted's report card framework (from 10
/// November 2025): such a school has no overall effectiveness grade.
bool reportCard(const School& school);

/// Whether the school is in the school census (state-funded primary, secondary, special, PRU).
bool inSchoolCensus(const School& school);

}  // namespace hearth::synth
