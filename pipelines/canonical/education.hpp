#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipelines/canonical/date.hpp"
#include "pipelines/canonical/provenance.hpp"

/// Education involvements of the canonical model: exclusions and attendance from the school
/// census, children missing education, NEET status from NCCIS and KS4 results.
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
  std::string reason;          // "#" possible sessions; I, M, O, ... sessions missed
  std::optional<double> sessions;
  bool on_roll = true;
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
  std::string activity;                // NCCIS activity code (540 NEET, 710 custody, 810 ...)
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

}  // namespace hearth::pipelines::canonical
