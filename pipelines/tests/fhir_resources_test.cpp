#include "pipelines/normalise/fhir_resources.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>

namespace hearth::pipelines::normalise::fhir {
namespace {

bool hasIssue(const ParsedResource& parsed, std::string_view code, std::string_view element) {
  return std::any_of(parsed.issues.begin(), parsed.issues.end(),
                     [&](const Issue& i) { return i.code == code && i.element == element; });
}

constexpr std::string_view kUkCorePatient = R"({"resourceType":"Patient","id":"pat-100003",
 "extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
   "valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland","code":"N"}]}}],
 "identifier":[{"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
   "valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland","code":"02"}]}}],
   "system":"https://fhir.nhs.uk/Id/nhs-number","value":"9990000018"},
  {"system":"https://fhir.nhft.nhs.uk/Id/local-patient-identifier","value":"pat-100003"}],
 "name":[{"use":"maiden","family":"Old","given":["Ada"]},{"use":"official","family":"Lovelace","given":["Ada","May"]}],
 "gender":"female","birthDate":"1948-02-29","deceasedDateTime":"2025-01-02T10:00:00+00:00",
 "address":[{"use":"temp","postalCode":"ZZ99 3VZ"},{"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AddressKey",
   "extension":[{"url":"type","valueCoding":{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-AddressKeyType","code":"uprn"}},
   {"url":"value","valueString":"100031234567"}]}],"use":"home","postalCode":"NN1 5AB"}]})";

TEST(FhirResources, ReadsAUkCorePatient) {
  const ParsedResource parsed = parseResource(kUkCorePatient);
  ASSERT_TRUE(parsed.usable());
  EXPECT_TRUE(parsed.issues.empty());
  const PatientElements& p = *parsed.patient;
  EXPECT_EQ(p.id, "pat-100003");
  EXPECT_EQ(p.nhs_number, "9990000018");
  EXPECT_EQ(p.nhs_verification, "02");
  EXPECT_EQ(p.family_name, "Lovelace");
  EXPECT_EQ(p.given_name, "Ada");
  EXPECT_EQ(p.gender, "female");
  EXPECT_EQ(p.birth_date, "1948-02-29");
  EXPECT_EQ(p.deceased, "2025-01-02T10:00:00+00:00");
  EXPECT_EQ(p.ethnic_category, "N");
  EXPECT_EQ(dfeEthnicity(p.ethnic_category), "BAFR");
  EXPECT_EQ(p.postcode, "NN1 5AB");
  EXPECT_EQ(p.uprn, "100031234567");
}

TEST(FhirResources, ReadsAnEncounterWithItsAdmissionMethodAndRankedDiagnoses) {
  const ParsedResource parsed = parseResource(R"({"resourceType":"Encounter","id":"enc-7",
    "status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
    "subject":{"reference":"Patient/pat-1"},"period":{"start":"2024-06-01T09:30:00+01:00","end":"2024-06-09"},
    "hospitalization":{"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod",
      "valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland","code":"2A"}]}}]},
    "diagnosis":[{"condition":{"reference":"Condition/c-2"},"rank":2},{"condition":{"reference":"Condition/c-1"},"rank":1},
                 {"condition":{"reference":"https://fhir.example.nhs.uk/R4/Condition/c-3/_history/2"}}]})");
  ASSERT_TRUE(parsed.usable());
  const EncounterElements& e = *parsed.encounter;
  EXPECT_EQ(e.subject->key(), "Patient/pat-1");
  EXPECT_EQ(e.encounter_class, "IMP");
  EXPECT_EQ(e.admission_method, "2A");
  EXPECT_EQ(e.start, "2024-06-01T09:30:00+01:00");
  EXPECT_EQ(e.end, "2024-06-09");
  ASSERT_EQ(e.diagnoses.size(), 3u);
  EXPECT_EQ(e.diagnoses[0].condition.key(), "Condition/c-2");
  EXPECT_EQ(e.diagnoses[0].rank, 2);
  EXPECT_EQ(e.diagnoses[1].rank, 1);
  EXPECT_EQ(e.diagnoses[2].condition.key(), "Condition/c-3");
  EXPECT_EQ(e.diagnoses[2].rank, 0);
}

TEST(FhirResources, ReadsSnomedAndIcd10CodingsOfACondition) {
  const ParsedResource parsed = parseResource(R"({"resourceType":"Condition","id":"c-1",
    "code":{"coding":[{"system":"http://snomed.info/sct","code":"5913000"},
                      {"system":"http://hl7.org/fhir/sid/icd-10","code":"S72.0"},
                      {"system":"http://example.org/local","code":"X1"}]},
    "subject":{"reference":"Patient/pat-1"},"encounter":{"reference":"Encounter/enc-7"},"recordedDate":"2024-06-01"})");
  ASSERT_TRUE(parsed.usable());
  const ConditionElements& c = *parsed.condition;
  EXPECT_EQ(c.snomed, std::vector<std::string>{"5913000"});
  EXPECT_EQ(c.icd10, std::vector<std::string>{"S72.0"});
  EXPECT_EQ(c.encounter->key(), "Encounter/enc-7");
  EXPECT_EQ(c.recorded, "2024-06-01");
}

TEST(FhirResources, InvalidJsonAndShapelessResourcesAreFatal) {
  for (const std::string_view bad :
       {std::string_view(R"({"resourceType":"Patient","id":"x",)"), std::string_view("[1,2]"),
        std::string_view(""), std::string_view(R"({"id":"x"})"),
        std::string_view(R"({"resourceType":7,"id":"x"})"),
        std::string_view(R"({"resourceType":"Patient"})"),
        std::string_view(R"({"resourceType":"Patient","id":42})")}) {
    const ParsedResource parsed = parseResource(bad);
    EXPECT_FALSE(parsed.usable()) << bad;
    ASSERT_FALSE(parsed.issues.empty()) << bad;
    EXPECT_TRUE(parsed.issues.front().fatal) << bad;
  }
}

TEST(FhirResources, AnElementOfTheWrongTypeIsNamedAndLeftOut) {
  const ParsedResource parsed = parseResource(R"({"resourceType":"Patient","id":"p",
    "birthDate":19480229,"name":{"family":"x"},"gender":"male","identifier":[7,{"system":"https://fhir.nhs.uk/Id/nhs-number","value":9990000018}]})");
  ASSERT_TRUE(parsed.usable());
  EXPECT_TRUE(parsed.patient->birth_date.empty());
  EXPECT_EQ(parsed.patient->gender, "male");
  EXPECT_TRUE(hasIssue(parsed, "fhir.element_type", "Patient.birthDate"));
  EXPECT_TRUE(hasIssue(parsed, "fhir.element_type", "Patient.name"));
  EXPECT_TRUE(hasIssue(parsed, "fhir.element_type", "Patient.identifier[]"));
  EXPECT_TRUE(hasIssue(parsed, "fhir.element_type", "Patient.identifier.value"));
}

TEST(FhirResources, ReferencesRelativeAbsoluteAndConditional) {
  EXPECT_EQ(parseReference("Patient/123")->id, "123");
  EXPECT_EQ(parseReference("https://x.nhs.uk/fhir/R4/Patient/123")->key(), "Patient/123");
  const auto conditional =
      parseReference("Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018");
  ASSERT_TRUE(conditional.has_value());
  EXPECT_EQ(conditional->type, "Patient");
  EXPECT_TRUE(conditional->id.empty());
  EXPECT_EQ(conditional->conditional, "identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018");
  EXPECT_FALSE(parseReference("").has_value());
  EXPECT_FALSE(parseReference("#contained-1").has_value());
  EXPECT_FALSE(parseReference("Patient/").has_value());
  EXPECT_FALSE(parseReference("/123").has_value());
}

// Synthea's bulk output: US-shaped (no NHS numbers, US Core extensions), conditional references
// to practitioners and locations. Every line parses, and each type gives its elements.
TEST(FhirResources, SyntheaBulkOutputParsesLineByLine) {
  std::map<std::string, int> usable;
  for (const char* file : {"Patient.000.ndjson", "Encounter.000.ndjson", "Condition.000.ndjson"}) {
    std::ifstream in(std::string(HEARTH_FHIR_BULK_SAMPLES) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::string line;
    while (std::getline(in, line)) {
      const ParsedResource parsed = parseResource(line);
      if (parsed.usable()) ++usable[parsed.resource_type];
    }
  }
  EXPECT_EQ(usable["Patient"], 13);
  EXPECT_EQ(usable["Encounter"], 1215);
  EXPECT_EQ(usable["Condition"], 555);
}

}  // namespace
}  // namespace hearth::pipelines::normalise::fhir
