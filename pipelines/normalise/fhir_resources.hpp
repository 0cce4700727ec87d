#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::pipelines::normalise::fhir {

/// Something wrong with a resource: a Hearth reason code ("fhir.json"), the element it is about
/// ("Patient.birthDate") and why. `fatal` issues leave nothing usable of the resource.
struct Issue {
  std::string code;
  std::string element;
  std::string message;
  bool fatal = false;
};

/// A reference to another resource as the resource wrote it: "Patient/123" gives type Patient
/// and id 123. A conditional reference ("Patient?identifier=sys|value") has no id: `conditional`
/// holds its search text instead; absolute URLs keep only their last two segments.
struct Reference {
  std::string type;
  std::string id;
  std::string conditional;
  std::string key() const { return type + "/" + id; }  // "Encounter/123", the raw source key
};

/// The elements of a UK Core Patient Hearth reads. Dates stay text: the caller checks them.
struct PatientElements {
  std::string id;
  std::string nhs_number;
  std::string nhs_verification;  // UKCore-NHSNumberVerificationStatusEngland code, "" if absent
  std::string given_name;
  std::string family_name;
  std::string gender;           // male | female | other | unknown
  std::string birth_date;       // YYYY, YYYY-MM or YYYY-MM-DD
  std::string deceased;         // deceasedDateTime, or "true" for deceasedBoolean without a date
  std::string ethnic_category;  // UKCore-EthnicCategoryEngland code (A ... Z, 99)
  std::string postcode;
  std::string uprn;
};

struct RankedCondition {
  Reference condition;
  int rank = 0;  // 0: not given
};

/// The elements of an Encounter (a hospital admission).
struct EncounterElements {
  std::string id;
  std::optional<Reference> subject;
  std::string encounter_class;   // class.code (R4 Coding; R5 CodeableConcept list also read)
  std::string admission_method;  // Extension-UKCore-AdmissionMethod, on hospitalization or root
  std::string start;             // period.start, a date or dateTime
  std::string end;
  std::vector<RankedCondition> diagnoses;
};

/// The elements of a Condition (a diagnosis).
struct ConditionElements {
  std::string id;
  std::optional<Reference> subject;
  std::optional<Reference> encounter;
  std::vector<std::string> icd10;   // codes of system http://hl7.org/fhir/sid/icd-10 (or -uk)
  std::vector<std::string> snomed;  // codes of system http://snomed.info/sct
  std::string recorded;             // recordedDate
};

/// The elements of a RelatedPerson: who they are (as a Patient's elements, `id` the
/// RelatedPerson's), whose record names them, and how they are related (v3 RoleCode codes: MTH).
struct RelatedPersonElements {
  PatientElements person;
  std::optional<Reference> patient;
  std::vector<std::string> relationships;
};

/// What one resource gave: the elements of its type (resourceType says which), and the issues.
struct ParsedResource {
  std::string resource_type;
  std::optional<PatientElements> patient;
  std::optional<EncounterElements> encounter;
  std::optional<ConditionElements> condition;
  std::optional<RelatedPersonElements> related_person;
  std::vector<Issue> issues;
  bool usable() const;  // parsed, and no fatal issue
};

/// Reads one FHIR R4 resource from its JSON text. Never throws: invalid JSON, a root that is not
/// an object or a resource without resourceType or id is a fatal issue; an element of the wrong
/// JSON type is an issue naming it, and is left out. Resource types other than Patient, Encounter,
/// Condition and RelatedPerson give only their type. Reuses a parser per thread.
ParsedResource parseResource(std::string_view json);

/// Parses a reference string; nullopt when it names no resource ("", "#contained").
std::optional<Reference> parseReference(std::string_view text);

/// The DfE ethnicity code (WBRI, ...) of an NHS ethnic category (A ... Z), "" when unknown.
std::string_view dfeEthnicity(std::string_view nhs_category);

}  // namespace hearth::pipelines::normalise::fhir
