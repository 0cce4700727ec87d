#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipelines/canonical/compact_string.hpp"
#include "pipelines/canonical/date.hpp"
#include "pipelines/canonical/education.hpp"
#include "pipelines/canonical/provenance.hpp"

namespace hearth::pipelines::canonical {

enum class Sex { kNotRecorded, kMale, kFemale, kUnknown, kIndeterminate };

struct Person {
  Provenance provenance;
  Subject subject;
  std::vector<Identifier> identifiers;  // la_child first, then in the order the source gave them
  std::optional<Date> birth_date;
  std::optional<Date> expected_birth_date;
  Sex sex = Sex::kNotRecorded;
  CompactString ethnicity;  // DfE ethnicity code (WBRI, ...)
  CompactString postcode;   // normalised "AA9 9AA"
  std::optional<Date> death_date;
  std::optional<bool> is_mother;
  std::optional<Date> first_child_birth_date;
  CompactString upn_unknown_reason;  // UN1..UN10 when no UPN is known
  CompactString family_id;           // the source's family or household group (SSD ssd_family)
  // Names as the source spelled them (trimmed only): identity compares them, and the daemon
  // strips them before anything is published.
  CompactString given_name;
  CompactString family_name;
  CompactString former_family_name;
  CompactString uprn;  // Unique Property Reference Number of the home, digits
};

/// An identifier that arrives apart from the person (SSD ssd_linked_identifiers).
struct LinkedIdentifier {
  Provenance provenance;
  Subject subject;
  Identifier identifier;
};

/// A subject that is the same person as another: a source whose rows name the row they hang from
/// rather than the person (SEN2) links each row's id to its parent's, and identity follows the
/// links to the subject that has the person's records.
struct SubjectLink {
  Provenance provenance;
  Subject subject;
  Subject same_as;
};

struct Contact {
  Provenance provenance;
  Subject subject;
  std::optional<Date> received;
  std::string source;           // CIN referral source code
  std::optional<Date> decided;  // when the decision on the contact was made (SSD outcome)
};

struct Referral {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;  // CIN closure
  std::string source;       // ReferralSource code (1A ... 10)
  std::optional<bool> no_further_action;
  std::string primary_need;    // N0..N9
  std::string closure_reason;  // RC1..RC8
};

struct Assessment {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> authorised;
  std::vector<std::string> factors;
};

struct Section47 {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
  std::optional<bool> conference_not_required;
};

struct InitialCpConference {
  Provenance provenance;
  Subject subject;
  std::optional<Date> date;
  std::optional<Date> target;
};

struct CpPlan {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string initial_category;  // NEG PHY SAB EMO MUL
  std::string latest_category;
};

struct CinPlan {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
};

/// A children-looked-after episode; codes are the SSDA903 code sets.
struct ClaEpisode {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
  CompactString reason_new_episode;  // RNE
  CompactString legal_status;        // LS
  CompactString category_of_need;    // CIN
  CompactString placement_type;      // PLACE
  CompactString placement_provider;  // PLACE_PROVIDER
  CompactString reason_ceased;       // REC
  CompactString reason_place_change;
  CompactString home_postcode;
  CompactString placement_postcode;
  CompactString urn;
};

struct MissingEpisode {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string kind;  // M missing, A away without authorisation
};

struct CareLeaverStatus {
  Provenance provenance;
  Subject subject;
  std::string in_touch;       // YES NO DIED REFU NREQ RHOM
  std::string activity;       // F1 ... G6, "0"
  std::string accommodation;  // type letter B ... Z; "0" when not in touch
  std::optional<bool> accommodation_suitable;
  std::optional<Date> latest_contact;  // the contact the status was recorded at (SSD)
};

struct EarlyHelpEpisode {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;
  std::optional<Date> end;
  std::string reason;
  std::string end_reason;
};

/// Pre-proceedings under the Public Law Outline, and the family group decision-making offered in
/// them (CIN census from 2025/26, PreProceedingsandFGDM).
struct PreProceedings {
  Provenance provenance;
  Subject subject;
  std::optional<Date> start;  // the decision to begin pre-proceedings (PPStartDate)
  std::optional<Date> letter_before_proceedings;  // sent to the parents (LBPSentDate)
  std::optional<bool> fgdm_offered;               // in that letter (FGDMMeetingOffer)
  std::optional<bool> fgdm_facilitated;           // in the pre-proceedings (FGDMMeetingFac)
  std::optional<Date> initial_meeting;            // first effective meeting (InitialPPMeetingDate)
  std::optional<int> review_meetings;             // held after it (ReviewMeetingsCount)
  std::optional<Date> step_decision;      // the decision to step up or down (StepDecisionDate)
  std::string outcome;                    // PPOutcome: A, B or C
  std::optional<Date> court_application;  // for care proceedings (CourtAppDate)
  std::optional<Date> care_proceedings_letter;  // initiating them, to parents (LetterInitCPDate)
};

/// A diagnosis as an admission lists it: the condition it points at and its position.
struct RankedDiagnosis {
  std::string condition;  // the diagnosis record's source key ("Condition/123")
  int rank = 0;           // 1 = primary; 0 when the source gives no rank
  bool operator==(const RankedDiagnosis&) const = default;
};

/// A hospital admission (a FHIR Encounter; the spell of Hospital Episode Statistics).
struct HospitalAdmission {
  Provenance provenance;
  Subject subject;
  std::string encounter;        // the admission's source key ("Encounter/123"), what diagnoses cite
  std::string encounter_class;  // v3 ActCode: IMP inpatient, EMER emergency, AMB ambulatory
  std::string admission_method;  // NHS data dictionary: 11-13 elective, 21-28 and 2A-2D emergency
  std::optional<Date> admitted;
  std::optional<Date> discharged;
  std::vector<RankedDiagnosis> diagnoses;  // by rank, unranked last
};

/// The codes of one diagnosis (a FHIR Condition) made during an admission.
struct Diagnosis {
  Provenance provenance;
  Subject subject;
  std::string encounter;  // the admission's source key ("Encounter/123"); empty when not given
  std::vector<std::string> icd10;   // ICD-10 codes as written ("S72.0", "W19")
  std::vector<std::string> snomed;  // SNOMED CT concept ids
  std::optional<Date> recorded;
};

}  // namespace hearth::pipelines::canonical

#include "pipelines/canonical/adult_records.hpp"  // IWYU pragma: export

namespace hearth::pipelines::canonical {

using Record =
    std::variant<Person, LinkedIdentifier, Contact, Referral, Assessment, Section47,
                 InitialCpConference, CpPlan, CinPlan, ClaEpisode, MissingEpisode, CareLeaverStatus,
                 EarlyHelpEpisode, PreProceedings, HomelessnessCase, HomelessnessDuty,
                 TemporaryAccommodation, HouseholdMember, RoughSleepingContact, AdultCareEvent,
                 AdultCareSurveyResponse, HospitalAdmission, Diagnosis, Exclusion, Attendance,
                 MissingEducation, NeetStatus, Ks4Result, SubjectLink, EhcRequest, EhcAssessment,
                 EhcNamedPlan, EhcActivePlan, EhcPlacement, SenNeed, EarlyYearsFunding,
                 TwoYearOldEligibility, SenProvision, CensusSchool, Enrolment>;

/// The stable name of a record's kind, as used in event types and JSON ("cla_episode").
std::string_view recordKind(const Record& record);

const Provenance& provenanceOf(const Record& record);
const Subject& subjectOf(const Record& record);

/// Adds an identifier that arrived on its own to the person it belongs to (no duplicates).
void addIdentifier(Person& person, const Identifier& identifier);

}  // namespace hearth::pipelines::canonical
