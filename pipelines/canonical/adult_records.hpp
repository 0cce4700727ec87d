#pragma once

#include <optional>
#include <string>

#include "pipelines/canonical/compact_string.hpp"
#include "pipelines/canonical/date.hpp"

// Housing and adult social care involvements of the canonical model (DESIGN.md, "Canonical
// model"). Included by model.hpp, which defines Provenance and Subject before it.
namespace hearth::pipelines::canonical {

/// A homelessness case (H-CLIC Main), about its main applicant. Sections of the same case share
/// `case_ref`, which is stable across quarters; `household` names the applicant's household group.
struct HomelessnessCase {
  Provenance provenance;
  Subject subject;
  std::string case_ref;
  std::string household;
  std::optional<Date> application;
  std::optional<Date> assessment;  // the initial assessment, which decides the duty owed
  std::optional<bool> prevention_duty_owed;
  std::optional<bool> relief_duty_owed;
  std::string reason;  // reason for loss, or threat of loss, of the last settled home
  std::optional<bool> sleeping_rough;  // at application
  /// The case reference of the same case in an earlier return, when the source says it changed.
  std::string previous_case_ref;
};

/// One duty of a homelessness case: "prevention", "relief" (H-CLIC Prevention and Relief
/// sections) or "main" (the main duty decision, dated by `start`).
struct HomelessnessDuty {
  Provenance provenance;
  Subject subject;  // the case's main applicant
  std::string case_ref;
  std::string duty;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string outcome;  // how the duty ended, or the main duty decision
};

/// A temporary accommodation placement of a homelessness case's household.
struct TemporaryAccommodation {
  Provenance provenance;
  Subject subject;  // the case's main applicant
  std::string case_ref;
  std::string placement_ref;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string type;
  std::optional<bool> with_children;
  std::optional<bool> out_of_district;
};

/// A person's membership of a household group: an H-CLIC case's household (People section), the
/// SSD family table, a CLD carer link.
struct HouseholdMember {
  Provenance provenance;
  Subject subject;             // the member
  CompactString group;         // the group's reference in its source ("HH1042", a case reference)
  CompactString relationship;  // to the applicant or head: "Main applicant", "Partner", "Child"
  std::optional<Date> start;
  std::optional<Date> end;
};

/// Someone seen sleeping rough (outreach contact, street count).
struct RoughSleepingContact {
  Provenance provenance;
  Subject subject;
  std::optional<Date> date;
  std::string area;
};

/// One adult social care event of Client Level Data: a request, assessment, service or review.
struct AdultCareEvent {
  Provenance provenance;
  Subject subject;
  CompactString event_type;  // Request, Assessment, Service, Review
  CompactString reference;   // the source's event reference: not a reliable key
  std::optional<Date> start;
  std::optional<Date> end;
  CompactString outcome;
  /// Release 2 labels, whatever release the source used: "Long term support: Nursing care".
  CompactString service_type;
  CompactString service_component;
  CompactString delivery_mechanism;
  CompactString client_type;  // Service User, Carer, ...
  CompactString support_reason;
  /// The end of the reporting period of the submission it came in: the latest wins.
  std::optional<Date> submitted;
};

/// An answer sheet of the Adult Social Care Survey.
struct AdultCareSurveyResponse {
  Provenance provenance;
  Subject subject;
  std::string survey_year;  // "2024-25"
  std::optional<int> q7a;   // 1 "I feel as safe as I want" ... 4; absent when not validly answered
  std::optional<int> q7b;   // 1 "services help me feel safe" ... 4
  std::optional<int> stratum;  // 1-4, kept for weighting
};

}  // namespace hearth::pipelines::canonical
