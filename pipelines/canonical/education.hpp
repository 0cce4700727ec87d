#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipelines/canonical/date.hpp"
#include "pipelines/canonical/provenance.hpp"

/// Education involvements of the canonical model: exclusions and attendance from the school
/// census, children missing education, NEET status from NCCIS, KS4 results, and the modules of
/// the SEN2 return that together describe an EHC plan.
namespace hearth::pipelines::canonical {

/// A suspension or permanent exclusion (school census termly exclusions, on or off roll).
struct Exclusion {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::string category;              // PERM, SUSP (FIXD before 2022/23), LNCH
  std::optional<double> sessions;    // sessions excluded; blank for a permanent exclusion
  std::vector<std::string> reasons;  // reason1..reason3 in order, blanks left out
  bool on_roll = true;               // false: reported for a pupil no longer on roll
};

/// One line of a pupil's attendance in the term a school census return describes: the possible
/// sessions (reason "#") or the sessions missed for one absence reason.
struct Attendance {
  Provenance provenance;
  Subject subject;
  std::optional<Date> census;  // census day of the return, which reports the term before it
  bool on_roll = true;         // (beside census: a school census gives millions of these)
  CompactString reason;        // "#" possible sessions; I, M, O, ... sessions missed
  std::optional<double> sessions;
};

/// A pupil's SEN provision on a school census day (pupil on roll, `senprovision`): K for SEN
/// support, E for an EHC plan, N for none.
struct SenProvision {
  Provenance provenance;
  Subject subject;
  std::optional<Date> census;  // census day of the return
  CompactString provision;     // K, E or N
};

/// A school's header in one school census return (the blade export's `schoolcensus` module): the
/// school every pupil row of the return names by its table id. Reference data, not about a
/// person; its subject is the return's row ("schoolcensus/<id>").
struct CensusSchool {
  Provenance provenance;
  Subject subject;
  std::string census_return;   // schoolcensustableid
  std::optional<Date> census;  // the census day (the file's name, else censusdate)
  std::string urn;
  std::string laestab;  // LA number and establishment number, "9374001"
  std::string phase;    // census phase: PS primary, SS secondary, SP special, PR PRU, ...
};

/// A pupil's place at a school in one school census return: on roll on the census day, or no
/// longer on roll (left since the previous census). The school is the return's header, joined
/// by `census_return` where the indicators read it; without its header the school is unknown.
struct Enrolment {
  Provenance provenance;
  Subject subject;
  CompactString census_return;  // the school's header row (schoolcensustableid)
  std::optional<Date> census;   // the census day of the return (the file's name)
  bool on_roll = true;
  std::optional<Date> entry;
  std::optional<Date> leaving;  // no longer on roll
};

/// An episode on the council's children missing education register (s436A Education Act 1996).
struct MissingEducation {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;  // reported missing
  std::optional<Date> end;    // closed: found in education, or moved away
  std::string reason;
};

/// A young person's activity at one NCCIS month end.
struct NeetStatus {
  Provenance provenance;
  Subject subject;
  std::optional<Date> month_end;       // the snapshot
  CompactString activity;              // NCCIS activity code (540 NEET, 710 custody, 810 ...)
  std::optional<Date> activity_start;  // when the activity began
  std::optional<int> academic_age;     // age on the 31 August before the snapshot
  std::optional<bool> send;
  std::optional<bool> care_leaver;
};

/// A KS4 grade, or the publisher's typed reason for having none (never 0).
struct Ks4Grade {
  std::optional<int> grade;  // 1-9, 0 = U
  std::string missing;       // SUPP, NE, NP, LOWCOV, z, or blank when graded
};

/// A pupil's English and maths results at the end of key stage 4.
struct Ks4Result {
  Provenance provenance;
  Subject subject;
  std::string urn;  // the school the pupil was at
  Ks4Grade english;
  Ks4Grade maths;
};

/// A child's funded early education at one setting in the January early years census.
struct EarlyYearsFunding {
  Provenance provenance;
  Subject subject;
  std::optional<Date> census;  // the census day (from the file's name)
  std::string setting;         // the setting's URN (EY..., or a school's)
  std::optional<double> funded_hours;
  std::optional<double> extended_hours;    // the 30 hours of working parents
  std::optional<double> hours_at_setting;  // funded or not
  std::string basis;  // the two-year-old entitlement's basis: ECO, HSD, LAA; blank at 3 and 4
  std::optional<bool> pupil_premium;
};

/// A child on the DWP's list of two-year-olds eligible for funded early education.
struct TwoYearOldEligibility {
  Provenance provenance;
  Subject subject;
  int list_year = 0;  // the collection year of the list
};

// ---- SEN2 -------------------------------------------------------------------------------------
//
// A SEN2 return is relational: a request names the person, an assessment its request, a named
// plan its assessment, a placement or need its plan. Each module row is a record whose subject is
// the row it hangs from ("request/<id>"), and the row's own id is linked to that subject
// (SubjectLink), so identity follows the chain to the person. The person view joins the rows back
// into one EHC plan (EhcPlan).

/// A request for an EHC needs assessment (SEN2 requests).
struct EhcRequest {
  Provenance provenance;
  Subject subject;  // the person
  std::string request;
  std::optional<Date> received;
  std::optional<Date> decided;  // requestoutcomedate
  std::string outcome;          // A assess, B not assessed, W withdrawn ...
};

/// The needs assessment a request led to (SEN2 assessment).
struct EhcAssessment {
  Provenance provenance;
  Subject subject;  // "request/<id>"
  std::string assessment;
  std::string request;
  std::optional<Date> decided;           // assessmentoutcomedate
  std::string outcome;                   // A plan to be issued, B no plan ...
  std::optional<bool> week20_exception;  // an exception to the 20-week limit applies
};

/// An EHC plan as issued (SEN2 namedplan), with its cessation.
struct EhcNamedPlan {
  Provenance provenance;
  Subject subject;  // "assessment/<id>"
  std::string plan;
  std::string assessment;
  std::optional<Date> start;
  std::optional<Date> ceased;
  std::string cease_reason;  // 1..9
};

/// A plan active on the census day (SEN2 activeplans), hanging from its request.
struct EhcActivePlan {
  Provenance provenance;
  Subject subject;  // "request/<id>"
  std::string active_plan;
  std::string request;
  std::optional<Date> last_review;
};

/// Where a plan places its child: a school or provider (URN, UKPRN) or a SEN2 setting code.
/// From plandetail (the placement named in the plan) or placementdetail (the active plan's
/// placement, with dates).
struct EhcPlacement {
  Provenance provenance;
  Subject subject;      // "namedplan/<id>" or "activeplan/<id>"
  std::string owner;    // the named plan's or active plan's id
  bool active = false;  // true: from placementdetail (owner is an active plan)
  std::string urn;
  std::string ukprn;
  std::string setting;  // sensetting code when not at a URN or UKPRN (EYP, OLA, ...)
  std::optional<int> rank;
  std::optional<Date> entry;
  std::optional<Date> leaving;
};

/// One of an active plan's special educational needs, ranked (SEN2 senneed).
struct SenNeed {
  Provenance provenance;
  Subject subject;  // "activeplan/<id>"
  std::string active_plan;
  std::string type;  // ASD, SEMH, SLCN, MLD, ...
  std::optional<int> rank;
};

/// An EHC plan involvement: a request's rows of every module joined by their table ids. Built by
/// the person view (indicators::PersonView::ehc_plans), never published as it stands.
struct EhcPlan {
  std::string request;  // the request's table id
  std::optional<Date> requested;
  std::optional<Date> assessed;  // the assessment's outcome
  std::optional<Date> start;     // the plan issued
  std::optional<Date> ceased;
  std::string cease_reason;
  /// Issued within 20 weeks of the request; none when no plan was issued. The timeliness measure
  /// is given with and without the plans an exception applied to.
  std::optional<bool> within_20_weeks;
  std::optional<bool> week20_exception;
  bool listed_active = false;            // the return lists it among the plans active at its census
  std::vector<EhcPlacement> placements;  // active plan's first, then by rank
  std::vector<std::string> needs;        // by rank, primary first
};

}  // namespace hearth::pipelines::canonical
