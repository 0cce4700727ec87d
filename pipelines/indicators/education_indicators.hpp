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
Outcome ehcpCount(const PersonView& person, const Period& period, const RuleContext& context);
Outcome funded2yo(const PersonView& person, const Period& period, const RuleContext& context);

Outcome permanentExclusionRate(const PersonView& person, const Period& period,
                               const RuleContext& context);
Outcome pupilsGoodOutstanding(const PersonView& person, const Period& period,
                              const RuleContext& context);

/// The last academic year (1 September - 31 August) that ended by the period's end, and its
/// January census day (the third Thursday).
struct AcademicYear {
  Date start;
  Date end;
  Date census;
};
AcademicYear lastCompleteAcademicYear(const Period& period);

/// The two-year-old entitlement's bases: economic criteria, high-level SEN or disability,
/// looked after or adopted from care.
bool isTwoYearOldBasis(std::string_view basis);

/// The January census day (third Thursday) on or before the period's end: the day SEN2 and the
/// spring school and early years censuses describe.
Date januaryCensusDay(const Period& period);

/// The setting of an EHC plan's placement on `day`, for breakdowns: "mainstream", "special" or
/// "other" as the GIAS register has the school (a URN or UKPRN); "other" for a SEN2 setting
/// code or no placement that day; "unknown" when the register lacks the school named (or no
/// register is configured), so the gap shows rather than falling into "other".
std::string_view ehcSettingOn(const canonical::EhcPlan& plan, Date day,
                              const SchoolRegister* schools);

}  // namespace hearth::pipelines::indicators::education
