#include <map>
#include <string>
#include <vector>

#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

constexpr const char* kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
constexpr const char* kVerificationUrl =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus";
constexpr const char* kVerificationSystem =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland";
constexpr const char* kLocalSystem = "https://fhir.nhft.nhs.uk/Id/local-patient-identifier";
constexpr const char* kIcd10System = "http://hl7.org/fhir/sid/icd-10";
constexpr const char* kSnomedSystem = "http://snomed.info/sct";

std::string jsonString(std::string_view s) { return "\"" + jsonEscape(s) + "\""; }

const char* verificationDisplay(const std::string& code) {
  if (code == "01") return "Number present and verified";
  if (code == "02") return "Number present but not traced";
  if (code == "03") return "Trace required";
  return "Trace attempted - No match or multiple match found";
}

const char* conditionDisplay(const std::string& code) {
  static const std::map<std::string, const char*> kDisplays = {
      {"S72.0", "Fracture of neck of femur"},
      {"S72.1", "Pertrochanteric fracture"},
      {"S06.0", "Concussion"},
      {"S52.5", "Fracture of lower end of radius"},
      {"W19.X", "Unspecified fall"},
      {"W01.X", "Fall on same level from slipping, tripping and stumbling"},
      {"W10.X", "Fall on and from stairs and steps"},
      {"J18.9", "Pneumonia, unspecified"},
      {"N39.0", "Urinary tract infection, site not specified"},
      {"I50.9", "Heart failure, unspecified"}};
  const auto it = kDisplays.find(code);
  return it == kDisplays.end() ? "" : it->second;
}

// NHS ethnic category (data dictionary, UK Core EthnicCategoryEngland) of a DfE ethnicity code.
const char* nhsEthnicCategory(const std::string& dfe) {
  static const std::map<std::string, const char*> kCategories = {
      {"WBRI", "A"}, {"WIRI", "B"}, {"WOTH", "C"}, {"WROM", "C"}, {"MWBC", "D"}, {"MWBA", "E"},
      {"MWAS", "F"}, {"MOTH", "G"}, {"AIND", "H"}, {"APKN", "J"}, {"ABAN", "K"}, {"AOTH", "L"},
      {"BCRB", "M"}, {"BAFR", "N"}, {"BOTH", "P"}, {"CHNE", "R"}, {"OOTH", "S"}, {"REFU", "Z"}};
  const auto it = kCategories.find(dfe);
  return it == kCategories.end() ? "99" : it->second;
}

// A SNOMED CT concept for each ICD-10 code the generator uses: the specific concept where there
// is an obvious one, else the broad one (injury, fall, disease). UK Core feeds lead with SNOMED.
const char* snomedConcept(const std::string& icd10) {
  static const std::map<std::string, const char*> kConcepts = {{"S72.0", "5913000"},
                                                               {"S06.0", "110030002"},
                                                               {"J18.9", "233604007"},
                                                               {"N39.0", "68566005"},
                                                               {"I50.9", "84114007"}};
  const auto it = kConcepts.find(icd10);
  if (it != kConcepts.end()) return it->second;
  if (icd10[0] == 'S' || icd10[0] == 'T') return "417163006";
  if (icd10[0] == 'W') return "1912002";
  return "64572001";
}

std::string coding(const char* system, const std::string& code, const char* display) {
  std::string out = std::string("{\"system\":\"") + system + "\",\"code\":" + jsonString(code);
  if (*display != '\0') out += ",\"display\":" + jsonString(display);
  return out + "}";
}

// A child's mother as UK Core records her on the child's record: a RelatedPerson whose patient
// is the child, relationship MTH (v3 RoleCode), with her NHS number, name, birth date and home.
std::string relatedPersonJson(const World& w, const RecordedPerson& mother,
                              const std::string& child_id) {
  const Address& a = w.addresses[mother.address];
  std::string line = "{\"resourceType\":\"RelatedPerson\",\"id\":" + jsonString(mother.local_id) +
                     ",\"meta\":{\"profile\":[\"https://fhir.hl7.org.uk/StructureDefinition/"
                     "UKCore-RelatedPerson\"]},\"active\":true";
  line += ",\"patient\":{\"reference\":\"Patient/" + child_id + "\"}";
  line +=
      ",\"relationship\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
      "v3-RoleCode\",\"code\":\"MTH\",\"display\":\"mother\"}]}]";
  if (!mother.nhs_number.empty()) {
    line += std::string(",\"identifier\":[{\"system\":\"") + kNhsNumberSystem + "\",\"value\":\"" +
            mother.nhs_number + "\"}]";
  }
  line += ",\"name\":[{\"use\":\"official\",\"family\":" + jsonString(mother.surname) +
          ",\"given\":[" + jsonString(mother.forename) + "]}]";
  line += ",\"gender\":\"female\",\"birthDate\":\"" + isoDate(mother.dob) + "\"";
  line += ",\"address\":[{\"use\":\"home\",\"line\":[" +
          jsonString(std::to_string(a.house_number) + " " + w.streets[a.street]) +
          "],\"postalCode\":" + jsonString(w.postcodes[a.postcode].code) + "}]";
  return line + "}\n";
}

}  // namespace

void writeFhir(SourceContext& ctx) {
  const World& w = ctx.world();
  // Which people have encounters, and which Patient record each encounter was filed under.
  std::map<uint32_t, std::vector<const Admission*>> by_person;
  for (const Admission& a : w.admissions) by_person[a.person].push_back(&a);

  OutputFile patients(ctx.root(), "fhir/Patient.ndjson", ctx.stats());
  OutputFile encounters(ctx.root(), "fhir/Encounter.ndjson", ctx.stats());
  OutputFile conditions(ctx.root(), "fhir/Condition.ndjson", ctx.stats());
  uint64_t patient_count = 0, encounter_count = 0, condition_count = 0;

  auto write_patient = [&](const RecordedPerson& r, const std::string& verification,
                           bool no_fixed_abode) {
    const Person& p = w.people[r.person];
    const Address& a = w.addresses[r.address];
    std::string line =
        "{\"resourceType\":\"Patient\",\"id\":" + jsonString(r.local_id) +
        ",\"meta\":{\"profile\":[\"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient\"]}" +
        ",\"extension\":[{\"url\":\"https://fhir.hl7.org.uk/StructureDefinition/"
        "Extension-UKCore-EthnicCategory\",\"valueCodeableConcept\":{\"coding\":[" +
        coding("https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland",
               nhsEthnicCategory(p.ethnicity), "") +
        "]}}]" + ",\"identifier\":[";
    if (!r.nhs_number.empty()) {
      line += std::string("{\"extension\":[{\"url\":\"") + kVerificationUrl +
              "\",\"valueCodeableConcept\":{\"coding\":[{\"system\":\"" + kVerificationSystem +
              "\",\"code\":\"" + verification + "\",\"display\":\"" +
              verificationDisplay(verification) + "\"}]}}],\"system\":\"" + kNhsNumberSystem +
              "\",\"value\":\"" + r.nhs_number + "\"},";
    }
    line += std::string("{\"system\":\"") + kLocalSystem +
            "\",\"value\":" + jsonString(r.local_id) + "}]";
    line += ",\"name\":[{\"use\":\"official\",\"family\":" + jsonString(r.surname) +
            ",\"given\":[" + jsonString(r.forename);
    if (!p.middlename.empty()) line += "," + jsonString(p.middlename);
    line += "]}]";
    line += std::string(",\"gender\":\"") + (p.sex == Sex::kMale ? "male" : "female") + "\"";
    line += ",\"birthDate\":\"" + isoDate(r.dob) + "\"";
    if (no_fixed_abode) {
      line += ",\"address\":[{\"use\":\"home\",\"postalCode\":\"ZZ99 3VZ\"}]";
    } else {
      line +=
          ",\"address\":[{\"extension\":[{\"url\":\"https://fhir.hl7.org.uk/"
          "StructureDefinition/Extension-UKCore-AddressKey\",\"extension\":[{\"url\":\"type\","
          "\"valueCoding\":{\"system\":\"https://fhir.hl7.org.uk/CodeSystem/"
          "UKCore-AddressKeyType\",\"code\":\"uprn\"}},{\"url\":\"value\",\"valueString\":\"" +
          std::to_string(a.uprn) + "\"}]}],\"use\":\"home\",\"line\":[" +
          jsonString(std::to_string(a.house_number) + " " + w.streets[a.street]) + "],\"city\":" +
          jsonString(w.postcodes[a.postcode].area == 0xFFFF
                         ? ""
                         : w.local_areas[w.postcodes[a.postcode].area].name) +
          ",\"postalCode\":" + jsonString(w.postcodes[a.postcode].code) + "}]";
    }
    line += "}\n";
    patients.write(line);
    patients.countRecord();
    ++patient_count;
    ctx.truth("fhir/Patient.ndjson", r.local_id, r.person);
  };

  std::vector<uint8_t> rough(w.people.size(), 0);
  for (const RoughSleeping& r : w.rough_sleeping) rough[r.person] = 1;

  uint32_t n = 0;
  std::map<uint32_t, std::string> patient_id;
  for (const auto& [person, admissions] : by_person) {
    ++n;
    const std::string id = "pat-" + std::to_string(100000 + n * 3);
    patient_id[person] = id;
    const RecordedPerson r =
        ctx.record(person, id, "fhir/Patient.ndjson", w.timeline.extract_day, false, true);
    // Verified unless the number was mistyped or never traced.
    std::string verification = "01";
    if (r.nhs_number != w.people[person].nhs_number)
      verification = "02";
    else if (ctx.rng().chance(0.02))
      verification = ctx.rng().chance(0.5) ? "02" : "03";
    write_patient(r, verification, rough[person] && ctx.rng().chance(0.5));
    std::string dup_id;
    if (ctx.duplicate()) {
      dup_id = "pat-" + std::to_string(100000 + n * 3 + 1);
      const RecordedPerson dup =
          ctx.record(person, dup_id, "fhir/Patient.ndjson", w.timeline.extract_day, false, true);
      write_patient(dup, dup.nhs_number.empty() ? "01" : "03", false);
      ctx.error("fhir/Patient.ndjson", dup_id, "duplicate_record", "id", id, dup_id);
    }
    for (size_t i = 0; i < admissions.size(); ++i) {
      const Admission& a = *admissions[i];
      const std::string& subject = !dup_id.empty() && i % 2 == 1 ? dup_id : id;
      const std::string enc_id = "enc-" + std::to_string(a.id);
      // UK Core carries the admission method on Encounter.hospitalization.
      std::string line =
          "{\"resourceType\":\"Encounter\",\"id\":\"" + enc_id +
          "\",\"status\":\"finished\",\"class\":{\"system\":\"http://terminology.hl7.org/"
          "CodeSystem/v3-ActCode\",\"code\":\"" +
          a.cls + "\",\"display\":\"inpatient encounter\"}" +
          ",\"subject\":{\"reference\":\"Patient/" + subject + "\"}" + ",\"period\":{\"start\":\"" +
          isoDate(a.admitted) + "\",\"end\":\"" +
          isoDate(ctx.date(a.discharged, a.admitted - 3, "fhir/Encounter.ndjson", enc_id,
                           "period.end")) +
          "\"}" +
          ",\"hospitalization\":{\"extension\":[{\"url\":\"https://fhir.hl7.org.uk/"
          "StructureDefinition/Extension-UKCore-AdmissionMethod\",\"valueCodeableConcept\":{"
          "\"coding\":[" +
          coding("https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland",
                 ctx.code(a.method, "99", "fhir/Encounter.ndjson", enc_id, "admissionMethod"), "") +
          "]}}]},\"diagnosis\":[";
      // The list is not always in rank order: the rank says which diagnosis is primary.
      const bool reversed = ctx.rng().chance(0.3);
      for (size_t k = 0; k < a.diagnoses.size(); ++k) {
        const size_t d = reversed ? a.diagnoses.size() - 1 - k : k;
        if (k > 0) line += ",";
        line += "{\"condition\":{\"reference\":\"Condition/cond-" + std::to_string(a.id) + "-" +
                std::to_string(d + 1) + "\"},\"rank\":" + std::to_string(d + 1) + "}";
      }
      line +=
          "],\"serviceProvider\":{\"identifier\":{\"system\":\"https://fhir.nhs.uk/Id/"
          "ods-organization-code\",\"value\":\"RNS\"}}}\n";
      encounters.write(line);
      encounters.countRecord();
      ++encounter_count;
      ctx.truth("fhir/Encounter.ndjson", enc_id, person);
      for (size_t d = 0; d < a.diagnoses.size(); ++d) {
        const std::string cond_id = "cond-" + std::to_string(a.id) + "-" + std::to_string(d + 1);
        const char* display = conditionDisplay(a.diagnoses[d]);
        std::string c =
            "{\"resourceType\":\"Condition\",\"id\":\"" + cond_id +
            "\",\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
            "condition-category\",\"code\":\"encounter-diagnosis\"}]}]" +
            ",\"code\":{\"coding\":[" +
            coding(kSnomedSystem, snomedConcept(a.diagnoses[d]), display);
        if (a.icd10_coded) c += "," + coding(kIcd10System, a.diagnoses[d], display);
        c += "]},\"subject\":{\"reference\":\"Patient/" + subject +
             "\"},\"encounter\":{\"reference\":\"Encounter/" + enc_id + "\"},\"recordedDate\":\"" +
             isoDate(a.admitted) + "\"}\n";
        conditions.write(c);
        conditions.countRecord();
        ++condition_count;
        ctx.truth("fhir/Condition.ndjson", cond_id, person);
      }
    }
  }
  // The trust also keeps the child health record (CHIS) of every child resident: a Patient for
  // each under 20 on the extract day not already written, and for each child whose mother is
  // known a RelatedPerson (relationship MTH) naming the child as its patient.
  OutputFile related(ctx.root(), "fhir/RelatedPerson.ndjson", ctx.stats());
  uint64_t related_count = 0;
  for (uint32_t person = 0; person < w.people.size(); ++person) {
    const Person& p = w.people[person];
    if (p.dob > w.timeline.extract_day || ageOn(p.dob, w.timeline.extract_day) >= 20) continue;
    auto [it, added] = patient_id.try_emplace(person);
    if (added) {
      ++n;
      it->second = "pat-" + std::to_string(100000 + n * 3);
      const RecordedPerson r = ctx.record(person, it->second, "fhir/Patient.ndjson",
                                          w.timeline.extract_day, false, true);
      write_patient(r, r.nhs_number == p.nhs_number ? "01" : "02", false);
    }
    if (p.mother == kNone) continue;
    const std::string id = "rel-" + std::to_string(100000 + person);
    const RecordedPerson m =
        ctx.record(p.mother, id, "fhir/RelatedPerson.ndjson", w.timeline.extract_day, false, true);
    related.write(relatedPersonJson(w, m, it->second));
    related.countRecord();
    ctx.truth("fhir/RelatedPerson.ndjson", id, p.mother);
    ++related_count;
  }
  patients.close();
  encounters.close();
  conditions.close();
  related.close();

  // The Bulk Data "complete" status body, so a client can be pointed at the folder.
  OutputFile manifest(ctx.root(), "fhir/manifest.json", ctx.stats());
  manifest.write("{\n  \"transactionTime\": \"" + isoDate(w.timeline.extract_day) +
                 "T02:00:00Z\",\n");
  manifest.write(
      "  \"request\": "
      "\"https://fhir.nhft.nhs.uk/R4/Group/west-northants/"
      "$export?_type=Patient,Encounter,Condition,RelatedPerson\",\n");
  manifest.write("  \"requiresAccessToken\": true,\n  \"output\": [\n");
  manifest.write("    {\"type\": \"Patient\", \"url\": \"Patient.ndjson\", \"count\": " +
                 std::to_string(patient_count) + "},\n");
  manifest.write("    {\"type\": \"Encounter\", \"url\": \"Encounter.ndjson\", \"count\": " +
                 std::to_string(encounter_count) + "},\n");
  manifest.write("    {\"type\": \"Condition\", \"url\": \"Condition.ndjson\", \"count\": " +
                 std::to_string(condition_count) + "},\n");
  manifest.write(
      "    {\"type\": \"RelatedPerson\", \"url\": \"RelatedPerson.ndjson\", \"count\": " +
      std::to_string(related_count) + "}\n");
  manifest.write("  ],\n  \"error\": []\n}\n");
}

}  // namespace hearth::synth
