// The FHIR layout: NHS FHIR R4 (UK Core) resources, one raw record each, as the fhir connector
// reads them from a Bulk Data export, a paged search or a directory of NDJSON files.
#include "pipelines/normalise/fhir.hpp"

#include <algorithm>
#include <climits>

#include "pipelines/normalise/fhir_resources.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/identifiers.hpp"

namespace hearth::pipelines::normalise::fhir {
namespace {

using canonical::Date;
using validation::Finding;
using validation::Severity;

// Collects a resource's findings; once a reject is noted, the resource gives nothing.
class Findings {
 public:
  Findings(const ResourceContext& context, NormaliseOutput& out) : context_(context), out_(out) {}

  void add(std::string code, std::string message, std::string_view element, Severity severity) {
    Finding f;
    f.code = std::move(code);
    f.message = std::move(message);
    f.field = element;
    f.severity = severity;
    f.stream = context_.provenance.stream();
    f.source_key = context_.provenance.source_key;
    f.location = context_.location;
    out_.findings.push_back(std::move(f));
    rejected_ = rejected_ || severity == Severity::kReject;
  }
  bool rejected() const { return rejected_; }

  // A date or dateTime element as a calendar date: partial dates ("1948", "1948-02") and
  // unreadable ones are queried and left out, dates after today rejected.
  std::optional<Date> date(const std::string& text, std::string_view element) {
    if (text.empty()) return std::nullopt;
    if (text.size() < 10) {
      add("fhir.partial_date", std::string(element) + " gives no day: left out", element,
          Severity::kQuery);
      return std::nullopt;
    }
    const std::optional<Date> parsed = canonical::parseIsoDate(text, context_.time_zone);
    if (!parsed) {
      add("fhir.date", std::string(element) + " is not a date", element, Severity::kQuery);
      return std::nullopt;
    }
    if (*parsed > context_.today) {
      add("date.future",
          std::string(element) + " is in the future, after " +
              canonical::formatIsoDate(context_.today),
          element, Severity::kReject);
    }
    return parsed;
  }

  // The patient a resource is about: a literal reference becomes the subject; a conditional one
  // ("Patient?identifier=...") names no resource, so the record stays under the reference itself
  // and cannot meet its Patient record (a query says so).
  bool subject(const std::optional<Reference>& reference, std::string_view element,
               canonical::Subject& subject) {
    if (!reference || reference->type != "Patient") {
      add("fhir.subject", std::string(element) + " names no Patient: the record names no person",
          element, Severity::kReject);
      return false;
    }
    subject.system = context_.provenance.source_system();
    if (!reference->id.empty()) {
      subject.value = reference->id;
      return true;
    }
    subject.value = "Patient?" + reference->conditional;
    add("fhir.conditional_reference",
        std::string(element) +
            " is a conditional reference: the record is kept apart from the "
            "Patient it searches for",
        element, Severity::kQuery);
    return true;
  }

 private:
  const ResourceContext& context_;
  NormaliseOutput& out_;
  bool rejected_ = false;
};

canonical::Sex sexOf(std::string_view gender) {
  if (gender == "male") return canonical::Sex::kMale;
  if (gender == "female") return canonical::Sex::kFemale;
  if (gender == "other") return canonical::Sex::kIndeterminate;
  if (gender == "unknown") return canonical::Sex::kUnknown;
  return canonical::Sex::kNotRecorded;
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

canonical::Person person(const ResourceContext& context, const PatientElements& p, Findings& f) {
  canonical::Person out;
  out.provenance = context.provenance;
  out.subject = {context.provenance.source_system(), p.id};
  if (!p.nhs_number.empty()) {
    std::string digits;
    for (const char c : p.nhs_number) {
      if (c != ' ') digits.push_back(c);
    }
    if (validation::isValidNhsNumber(digits)) {
      out.identifiers.push_back(
          {"nhs", std::move(digits), context.provenance.source_system(), p.nhs_verification});
    } else {
      f.add("nhs.check_digit", "NHS number fails the mod 11 check", "Patient.identifier.value",
            Severity::kQuery);
    }
  }
  out.given_name = p.given_name;
  out.family_name = p.family_name;
  out.sex = sexOf(p.gender);
  if (!p.gender.empty() && out.sex == canonical::Sex::kNotRecorded) {
    f.add("fhir.code", "Patient.gender is not male, female, other or unknown", "Patient.gender",
          Severity::kQuery);
  }
  out.birth_date = f.date(p.birth_date, "Patient.birthDate");
  if (p.deceased != "true") out.death_date = f.date(p.deceased, "Patient.deceasedDateTime");
  if (!p.ethnic_category.empty()) {
    out.ethnicity = std::string(dfeEthnicity(p.ethnic_category));
    if (out.ethnicity.empty()) {
      f.add("fhir.code", "the ethnic category is not a UKCore-EthnicCategoryEngland code",
            "Patient.extension.ethnicCategory", Severity::kQuery);
    }
  }
  // ZZ99 3VZ and its kin are the NHS pseudo-postcodes for no fixed abode (and abroad): a fact
  // about the person, not a mistyped postcode, and no place to locate them.
  const bool pseudo_postcode = p.postcode.size() >= 4 && (p.postcode.substr(0, 4) == "ZZ99" ||
                                                          p.postcode.substr(0, 4) == "zz99");
  if (!p.postcode.empty() && !pseudo_postcode) {
    if (std::optional<std::string> postcode = validation::normalisePostcode(p.postcode)) {
      out.postcode = std::move(*postcode);
    } else {
      f.add("postcode.invalid", "Patient.address.postalCode is not a valid postcode",
            "Patient.address.postalCode", Severity::kQuery);
    }
  }
  if (allDigits(p.uprn)) {
    out.uprn = p.uprn;
  } else if (!p.uprn.empty()) {
    f.add("fhir.uprn", "the address key UPRN is not a number", "Patient.address.extension",
          Severity::kQuery);
  }
  return out;
}

canonical::HospitalAdmission admission(const ResourceContext& context, const EncounterElements& e,
                                       Findings& f) {
  canonical::HospitalAdmission out;
  out.provenance = context.provenance;
  f.subject(e.subject, "Encounter.subject", out.subject);
  out.encounter = "Encounter/" + e.id;
  out.encounter_class = e.encounter_class;
  out.admission_method = e.admission_method;
  out.admitted = f.date(e.start, "Encounter.period.start");
  out.discharged = f.date(e.end, "Encounter.period.end");
  if (out.admitted && out.discharged && *out.discharged < *out.admitted) {
    f.add("fhir.period", "Encounter.period ends before it starts", "Encounter.period",
          Severity::kQuery);
  }
  for (const RankedCondition& d : e.diagnoses) {
    if (d.condition.id.empty()) continue;  // a conditional reference names no Condition
    out.diagnoses.push_back({d.condition.key(), d.rank});
  }
  std::stable_sort(out.diagnoses.begin(), out.diagnoses.end(), [](const auto& a, const auto& b) {
    return (a.rank == 0 ? INT_MAX : a.rank) < (b.rank == 0 ? INT_MAX : b.rank);
  });
  return out;
}

canonical::Diagnosis diagnosis(const ResourceContext& context, const ConditionElements& c,
                               Findings& f) {
  canonical::Diagnosis out;
  out.provenance = context.provenance;
  f.subject(c.subject, "Condition.subject", out.subject);
  if (c.encounter && c.encounter->type == "Encounter" && !c.encounter->id.empty()) {
    out.encounter = c.encounter->key();
  }
  out.icd10 = c.icd10;
  out.snomed = c.snomed;
  out.recorded = f.date(c.recorded, "Condition.recordedDate");
  return out;
}

// The v3 RoleCode codes of a mother: mother, natural, gestational and adoptive mother.
bool isMother(const std::vector<std::string>& relationships) {
  return std::any_of(relationships.begin(), relationships.end(), [](const std::string& code) {
    return code == "MTH" || code == "NMTH" || code == "GESTM" || code == "ADOPTM";
  });
}

// A child's mother as the child's record names her: the mother as a Person of her own, named
// after the RelatedPerson (identity links her to her own records by her NHS number and details),
// and the two as the members of a mother's group. Other relationships have no place yet.
size_t motherAndChild(const ResourceContext& context, const RelatedPersonElements& related,
                      Findings& f, NormaliseOutput& out) {
  if (!isMother(related.relationships)) return 0;
  canonical::HouseholdMember child;
  child.provenance = context.provenance;
  if (!f.subject(related.patient, "RelatedPerson.patient", child.subject)) return 0;
  canonical::Person mother = person(context, related.person, f);
  mother.subject.value = "RelatedPerson/" + related.person.id;
  if (f.rejected()) return 0;
  canonical::HouseholdMember membership;
  membership.provenance = context.provenance;
  membership.subject = mother.subject;
  // "mother/" marks the group as a mother's (daemon/derive/person_view.cpp, groupOf).
  child.group = "mother/" + mother.subject.value;
  child.relationship = "Child";
  membership.group = child.group;
  membership.relationship = "Mother";
  out.records.emplace_back(std::move(mother));
  out.records.emplace_back(std::move(child));
  out.records.emplace_back(std::move(membership));
  return 3;
}

}  // namespace

size_t normaliseResource(const ResourceContext& context, std::string_view resource,
                         std::string_view deleted, NormaliseOutput& out) {
  Findings f(context, out);
  if (deleted == "true" || deleted == "1") {
    out.withdrawn = true;
    return 0;
  }
  if (resource.empty()) {
    f.add("fhir.no_resource", "the record carries no resource", "resource", Severity::kReject);
    return 0;
  }
  const ParsedResource parsed = parseResource(resource);
  for (const Issue& issue : parsed.issues) {
    f.add(issue.code, issue.element + " " + issue.message, issue.element,
          issue.fatal ? Severity::kReject : Severity::kQuery);
  }
  if (!parsed.usable() && parsed.resource_type.empty()) return 0;
  const std::string_view stream = context.provenance.stream();
  if (!stream.empty() && parsed.resource_type != stream) {
    f.add("fhir.resource_type",
          "a " + parsed.resource_type + " resource in the " + std::string(stream) + " stream",
          "resourceType", Severity::kReject);
  }
  if (f.rejected()) return 0;
  if (parsed.related_person) return motherAndChild(context, *parsed.related_person, f, out);
  canonical::Record record;
  if (parsed.patient) {
    record = person(context, *parsed.patient, f);
  } else if (parsed.encounter) {
    record = admission(context, *parsed.encounter, f);
  } else if (parsed.condition) {
    record = diagnosis(context, *parsed.condition, f);
  } else {
    return 0;  // a type the canonical model has no place for
  }
  if (f.rejected()) return 0;
  out.records.push_back(std::move(record));
  return 1;
}

namespace {

// A raw record as the fhir connector emits it: `resource` (the JSON text), `deleted` for a
// deletion, and `last_updated`, meta.lastUpdated, which is already the record's source time.
size_t normaliseStream(RecordReader& r) {
  const ResourceContext context{r.provenance(), r.context().today, r.context().time_zone,
                                r.location()};
  return normaliseResource(context, r.field("resource"), r.field("deleted"), r.out());
}

StreamLayout stream(std::string_view resource_type) {
  return {{resource_type, {}, {}}, &normaliseStream};
}

}  // namespace

}  // namespace hearth::pipelines::normalise::fhir

namespace hearth::pipelines::normalise {

// The resource types the canonical model has a place for; any other type is its own stream,
// published field by field (its `resource` dropped by the field policy).
const Layout& fhirLayout() {
  static const Layout kLayout = makeLayout({
      .name = "fhir",
      .mapped_everywhere = {"resource", "deleted"},
      .ignored_everywhere = {"last_updated"},
      .streams = {fhir::stream("Patient"), fhir::stream("Encounter"), fhir::stream("Condition"),
                  fhir::stream("RelatedPerson")},
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
