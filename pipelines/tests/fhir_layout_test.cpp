// The FHIR layout: UK Core resources into canonical records, and what it does with bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/fhir.hpp"

namespace hearth::pipelines::normalise::fhir {
namespace {

using canonical::Date;

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

ResourceContext contextFor(std::string stream, std::string key) {
  ResourceContext context;
  context.provenance.origin = canonical::Origin("nhft", "trust_fhir", stream);
  context.provenance.source_key = std::move(key);
  context.location = "Patient.ndjson:3";
  context.today = day(2025, 6, 1);
  return context;
}

NormaliseOutput run(std::string stream, std::string_view resource, std::string_view deleted = "") {
  NormaliseOutput out;
  normaliseResource(contextFor(stream, stream + "/x"), resource, deleted, out);
  return out;
}

bool hasFinding(const NormaliseOutput& out, std::string_view code, validation::Severity severity) {
  return std::any_of(out.findings.begin(), out.findings.end(), [&](const validation::Finding& f) {
    return f.code == code && f.severity == severity;
  });
}

std::string patient(std::string_view verification, std::string_view nhs = "9990000018") {
  return std::string(
             R"({"resourceType":"Patient","id":"pat-1","identifier":[{"extension":[{"url":)"
             R"("https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",)"
             R"("valueCodeableConcept":{"coding":[{"code":")") +
         std::string(verification) +
         R"("}]}}],"system":"https://fhir.nhs.uk/Id/nhs-number","value":")" + std::string(nhs) +
         R"("}],"name":[{"use":"official","family":"Lovelace","given":["Ada"]}],"gender":"female",)"
         R"("birthDate":"1948-03-01","deceasedDateTime":"2025-01-02T23:30:00Z",)"
         R"("extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",)"
         R"("valueCodeableConcept":{"coding":[{"code":"A"}]}}],)"
         R"("address":[{"use":"home","postalCode":"nn1 5ab","extension":[{"url":)"
         R"("https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AddressKey","extension":)"
         R"([{"url":"type","valueCoding":{"code":"UPRN"}},{"url":"value","valueString":"100031"}]}]}]})";
}

TEST(FhirLayout, PatientBecomesAPersonWithItsVerifiedNhsNumber) {
  const NormaliseOutput out = run("Patient", patient("01"));
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(out.findings.empty());
  const auto& p = std::get<canonical::Person>(out.records[0]);
  EXPECT_EQ(p.subject, (canonical::Subject{"nhft", "pat-1"}));
  ASSERT_EQ(p.identifiers.size(), 1u);
  EXPECT_EQ(p.identifiers[0], (canonical::Identifier{"nhs", "9990000018", "nhft", "01"}));
  EXPECT_EQ(p.birth_date, day(1948, 3, 1));
  EXPECT_EQ(p.death_date, day(2025, 1, 2));
  EXPECT_EQ(p.sex, canonical::Sex::kFemale);
  EXPECT_EQ(p.ethnicity, "WBRI");
  EXPECT_EQ(p.postcode, "NN1 5AB");
  EXPECT_EQ(p.uprn, "100031");
  EXPECT_EQ(p.given_name, "Ada");
  EXPECT_EQ(p.family_name, "Lovelace");
}

TEST(FhirLayout, EveryVerificationStatusIsKeptForIdentityToWeigh) {
  for (const char* status : {"01", "02", "03", "04", "05", "06", "07", "08"}) {
    const NormaliseOutput out = run("Patient", patient(status));
    ASSERT_EQ(out.records.size(), 1u) << status;
    EXPECT_EQ(std::get<canonical::Person>(out.records[0]).identifiers.at(0).verification, status);
  }
}

TEST(FhirLayout, AnNhsNumberFailingItsCheckDigitIsQueriedAndDropped) {
  const NormaliseOutput out = run("Patient", patient("01", "9990000019"));
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(std::get<canonical::Person>(out.records[0]).identifiers.empty());
  EXPECT_TRUE(hasFinding(out, "nhs.check_digit", validation::Severity::kQuery));
}

TEST(FhirLayout, EncounterBecomesAnAdmissionWithDiagnosesInRankOrder) {
  const NormaliseOutput out = run("Encounter", R"({"resourceType":"Encounter","id":"enc-7",
    "class":{"code":"IMP"},"subject":{"reference":"Patient/pat-1"},
    "period":{"start":"2024-06-01T23:30:00Z","end":"2024-06-09"},
    "hospitalization":{"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod",
      "valueCodeableConcept":{"coding":[{"code":"21"}]}}]},
    "diagnosis":[{"condition":{"reference":"Condition/c-9"}},{"condition":{"reference":"Condition/c-2"},"rank":2},
                 {"condition":{"reference":"Condition/c-1"},"rank":1}]})");
  ASSERT_EQ(out.records.size(), 1u) << (out.findings.empty() ? "" : out.findings[0].message);
  const auto& a = std::get<canonical::HospitalAdmission>(out.records[0]);
  EXPECT_EQ(a.subject, (canonical::Subject{"nhft", "pat-1"}));
  EXPECT_EQ(a.encounter, "Encounter/enc-7");
  EXPECT_EQ(a.encounter_class, "IMP");
  EXPECT_EQ(a.admission_method, "21");
  EXPECT_EQ(a.admitted, day(2024, 6, 1));  // the day in the source's zone (UTC here)
  EXPECT_EQ(a.discharged, day(2024, 6, 9));
  ASSERT_EQ(a.diagnoses.size(), 3u);
  EXPECT_EQ(a.diagnoses[0], (canonical::RankedDiagnosis{"Condition/c-1", 1}));
  EXPECT_EQ(a.diagnoses[1], (canonical::RankedDiagnosis{"Condition/c-2", 2}));
  EXPECT_EQ(a.diagnoses[2], (canonical::RankedDiagnosis{"Condition/c-9", 0}));
}

TEST(FhirLayout, ConditionBecomesADiagnosisOnItsEncounter) {
  const NormaliseOutput out = run("Condition", R"({"resourceType":"Condition","id":"c-1",
    "code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000"},{"system":"http://hl7.org/fhir/sid/icd-10","code":"S72.0"}]},
    "subject":{"reference":"Patient/pat-1"},"encounter":{"reference":"Encounter/enc-7"},"recordedDate":"2024-06-01"})");
  ASSERT_EQ(out.records.size(), 1u);
  const auto& d = std::get<canonical::Diagnosis>(out.records[0]);
  EXPECT_EQ(d.encounter, "Encounter/enc-7");
  EXPECT_EQ(d.icd10, std::vector<std::string>{"S72.0"});
  EXPECT_EQ(d.snomed, std::vector<std::string>{"5913000"});
  EXPECT_EQ(d.recorded, day(2024, 6, 1));
  EXPECT_EQ(canonical::toJson(out.records[0], {.include_provenance = false}),
            R"({"kind":"diagnosis","subject":{"system":"nhft","value":"pat-1"},)"
            R"("encounter":"Encounter/enc-7","icd10":["S72.0"],"snomed":["5913000"],)"
            R"("recorded":"2024-06-01"})");
}

TEST(FhirLayout, ADeletionWithdrawsTheRecordAndGivesNothing) {
  const NormaliseOutput out = run("Patient", "", "true");
  EXPECT_TRUE(out.withdrawn);
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(out.findings.empty());
}

TEST(FhirLayout, BadJsonIsARejectNamingTheReason) {
  const NormaliseOutput out = run("Patient", R"({"resourceType":"Patient","id":"p1","birthDate":)");
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(hasFinding(out, "fhir.json", validation::Severity::kReject));
  EXPECT_EQ(out.findings.at(0).location, "Patient.ndjson:3");
  EXPECT_TRUE(hasFinding(run("Patient", ""), "fhir.no_resource", validation::Severity::kReject));
}

TEST(FhirLayout, AResourceOfTheWrongTypeForItsStreamIsRejected) {
  const NormaliseOutput out = run(
      "Patient", R"({"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/p"}})");
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(hasFinding(out, "fhir.resource_type", validation::Severity::kReject));
}

TEST(FhirLayout, WrongTypesAndMissingFieldsAreQueriedNotFatal) {
  const NormaliseOutput out = run("Patient", R"({"resourceType":"Patient","id":"p1",
    "birthDate":["1948-03-01"],"gender":"robot","identifier":"9990000018"})");
  ASSERT_EQ(out.records.size(), 1u);
  const auto& p = std::get<canonical::Person>(out.records[0]);
  EXPECT_FALSE(p.birth_date.has_value());
  EXPECT_EQ(p.sex, canonical::Sex::kNotRecorded);
  EXPECT_TRUE(hasFinding(out, "fhir.element_type", validation::Severity::kQuery));
  EXPECT_TRUE(hasFinding(out, "fhir.code", validation::Severity::kQuery));
  // An encounter without a subject names nobody: rejected.
  EXPECT_TRUE(hasFinding(run("Encounter", R"({"resourceType":"Encounter","id":"e1"})"),
                         "fhir.subject", validation::Severity::kReject));
}

TEST(FhirLayout, PartialFutureAndUnreadableDates) {
  NormaliseOutput out =
      run("Patient", R"({"resourceType":"Patient","id":"p1","birthDate":"1948"})");
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(hasFinding(out, "fhir.partial_date", validation::Severity::kQuery));
  out = run("Patient", R"({"resourceType":"Patient","id":"p1","birthDate":"2031-01-01"})");
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(hasFinding(out, "date.future", validation::Severity::kReject));
  out =
      run("Encounter", R"({"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/p"},
    "period":{"start":"2024-02-30","end":"2024-01-01"}})");
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_TRUE(hasFinding(out, "fhir.date", validation::Severity::kQuery));
}

TEST(FhirLayout, AConditionalSubjectKeepsTheRecordApartWithAQuery) {
  const NormaliseOutput out = run("Condition", R"({"resourceType":"Condition","id":"c1",
    "subject":{"reference":"Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018"},
    "encounter":{"reference":"Encounter?identifier=x|1"}})");
  ASSERT_EQ(out.records.size(), 1u);
  const auto& d = std::get<canonical::Diagnosis>(out.records[0]);
  EXPECT_EQ(d.subject.value, "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018");
  EXPECT_TRUE(d.encounter.empty());
  EXPECT_TRUE(hasFinding(out, "fhir.conditional_reference", validation::Severity::kQuery));
  // The finding names the element, never the value it searched by.
  for (const auto& f : out.findings) EXPECT_EQ(f.message.find("999"), std::string::npos);
}

std::string relatedPerson(std::string_view code, std::string_view patient = "Patient/pat-7") {
  return std::string(R"({"resourceType":"RelatedPerson","id":"rel-1","patient":{"reference":")") +
         std::string(patient) +
         R"("},"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":")" +
         std::string(code) +
         R"("}]}],"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9990000018"}],)"
         R"("name":[{"family":"Lovelace","given":["Ada"]}],"gender":"female","birthDate":"1988-03-01",)"
         R"("address":[{"use":"home","postalCode":"NN1 5AB"}]})";
}

// A mother on her child's record: she is a person of her own, named after the RelatedPerson, and
// she and the child are the two members of a mother's group.
TEST(FhirLayout, AMotherOnHerChildsRecordBecomesHerPersonAndAMothersGroup) {
  const NormaliseOutput out = run("RelatedPerson", relatedPerson("MTH"));
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_TRUE(out.findings.empty());
  const auto& mother = std::get<canonical::Person>(out.records[0]);
  EXPECT_EQ(mother.subject.value, "RelatedPerson/rel-1");
  ASSERT_EQ(mother.identifiers.size(), 1u);
  EXPECT_EQ(mother.identifiers[0].value, "9990000018");
  EXPECT_EQ(mother.family_name, "Lovelace");
  EXPECT_EQ(mother.birth_date, day(1988, 3, 1));
  EXPECT_EQ(mother.postcode, "NN1 5AB");
  const auto& child = std::get<canonical::HouseholdMember>(out.records[1]);
  const auto& her = std::get<canonical::HouseholdMember>(out.records[2]);
  EXPECT_EQ(child.subject.value, "pat-7");
  EXPECT_EQ(child.relationship, "Child");
  EXPECT_EQ(her.subject.value, "RelatedPerson/rel-1");
  EXPECT_EQ(her.relationship, "Mother");
  EXPECT_EQ(child.group, "mother/RelatedPerson/rel-1");
  EXPECT_EQ(her.group, child.group);
  // Another relationship has no place yet; a mother of no patient is rejected.
  EXPECT_TRUE(run("RelatedPerson", relatedPerson("FTH")).records.empty());
  const NormaliseOutput orphan = run("RelatedPerson", relatedPerson("MTH", "Practitioner/p1"));
  EXPECT_TRUE(orphan.records.empty());
  EXPECT_TRUE(hasFinding(orphan, "fhir.subject", validation::Severity::kReject));
}

TEST(FhirLayout, TypesWithoutACanonicalPlaceGiveNothing) {
  const NormaliseOutput out = run("Observation", R"({"resourceType":"Observation","id":"o1"})");
  EXPECT_TRUE(out.records.empty());
  EXPECT_TRUE(out.findings.empty());
}

// Synthea's US-shaped bulk output: no NHS numbers, US Core extensions, conditional references
// to practitioners and locations. Every resource normalises, none is rejected, the counts are
// exact, and no person carries an NHS number to link deterministically on.
TEST(FhirLayout, SyntheaBulkOutputLoadsWithExactCountsAndNoRejects) {
  std::map<std::string, int> records;
  int rejects = 0;
  for (const char* type : {"Patient", "Encounter", "Condition"}) {
    std::ifstream in(std::string(HEARTH_FHIR_BULK_SAMPLES) + "/" + type + ".000.ndjson");
    ASSERT_TRUE(in) << type;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      NormaliseOutput out;
      ResourceContext context =
          contextFor(type, std::string(type) + "/" + std::to_string(++number));
      context.today = day(2026, 1, 1);
      normaliseResource(context, line, "", out);
      for (const auto& record : out.records) {
        ++records[std::string(canonical::recordKind(record))];
        if (const auto* p = std::get_if<canonical::Person>(&record)) {
          EXPECT_TRUE(p->identifiers.empty());
          EXPECT_TRUE(p->birth_date.has_value());
        }
      }
      for (const auto& f : out.findings) {
        rejects += f.severity == validation::Severity::kReject ? 1 : 0;
        if (f.severity == validation::Severity::kReject)
          ADD_FAILURE() << f.code << " " << f.message;
      }
    }
  }
  EXPECT_EQ(records["person"], 13);
  EXPECT_EQ(records["hospital_admission"], 1215);
  EXPECT_EQ(records["diagnosis"], 555);
  EXPECT_EQ(rejects, 0);
}

}  // namespace
}  // namespace hearth::pipelines::normalise::fhir
