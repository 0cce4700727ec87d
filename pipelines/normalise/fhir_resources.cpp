#include "pipelines/normalise/fhir_resources.hpp"

#include <simdjson.h>

#include <array>
#include <utility>

namespace hearth::pipelines::normalise::fhir {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::string_view kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
constexpr std::string_view kRoleCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
constexpr std::string_view kVerificationExtension = "Extension-UKCore-NHSNumberVerificationStatus";
constexpr std::string_view kEthnicCategoryExtension = "Extension-UKCore-EthnicCategory";
constexpr std::string_view kAddressKeyExtension = "Extension-UKCore-AddressKey";
constexpr std::string_view kAdmissionMethodExtension = "Extension-UKCore-AdmissionMethod";
constexpr std::string_view kSnomedSystem = "http://snomed.info/sct";
constexpr std::array<std::string_view, 2> kIcd10Systems = {"http://hl7.org/fhir/sid/icd-10",
                                                           "http://hl7.org/fhir/sid/icd-10-uk"};

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Walks one resource, reading elements of the types FHIR gives them and noting an issue for
// each element present with another JSON type. Paths in issues are FHIRPath-like
// ("Encounter.period.start").
class Reader {
 public:
  Reader(std::string type, std::vector<Issue>& issues) : type_(std::move(type)), issues_(issues) {}

  void issue(std::string code, std::string path, std::string message, bool fatal = false) {
    issues_.push_back({std::move(code), type_ + "." + path, std::move(message), fatal});
  }

  std::optional<object> objectAt(object parent, std::string_view key, std::string_view path) {
    return member<object>(parent, key, path, "an object");
  }

  std::optional<array> arrayAt(object parent, std::string_view key, std::string_view path) {
    return member<array>(parent, key, path, "an array");
  }

  std::string text(object parent, std::string_view key, std::string_view path) {
    const std::optional<std::string_view> value =
        member<std::string_view>(parent, key, path, "a string");
    return value ? std::string(*value) : std::string();
  }

  // Objects of an array; other members are issues.
  template <class Visit>
  void eachObject(object parent, std::string_view key, std::string_view path, Visit visit) {
    const std::optional<array> list = arrayAt(parent, key, path);
    if (!list) return;
    for (element item : *list) {
      object member;
      if (item.get(member) != simdjson::SUCCESS) {
        wrongType(std::string(path) + "[]", "an object");
        continue;
      }
      visit(member);
    }
  }

  // The first code of a CodeableConcept (or of a list of them, or of a Coding) whose system
  // satisfies `accept`; empty when there is none.
  template <class Accept>
  std::string codeOf(element concept_or_coding, std::string_view path, Accept accept) {
    std::string found;
    object single;
    if (concept_or_coding.get(single) == simdjson::SUCCESS) {
      if (single["coding"].error() == simdjson::SUCCESS) {
        eachObject(single, "coding", std::string(path) + ".coding", [&](object coding) {
          if (found.empty() &&
              accept(text(coding, "system", std::string(path) + ".coding.system"))) {
            found = text(coding, "code", std::string(path) + ".coding.code");
          }
        });
      } else if (accept(text(single, "system", std::string(path) + ".system"))) {
        found = text(single, "code", std::string(path) + ".code");
      }
      return found;
    }
    array list;
    if (concept_or_coding.get(list) == simdjson::SUCCESS) {
      for (element item : list) {
        if (found.empty()) found = codeOf(item, path, accept);
      }
      return found;
    }
    wrongType(path, "a CodeableConcept");
    return found;
  }

  // The valueCodeableConcept code of the extension whose url ends with `name`, among `parent`'s.
  std::string extensionCode(object parent, std::string_view name, std::string_view path) {
    std::string found;
    eachObject(parent, "extension", std::string(path) + ".extension", [&](object extension) {
      if (!found.empty() || !endsWith(text(extension, "url", "extension.url"), name)) return;
      element value;
      if (extension["valueCodeableConcept"].get(value) == simdjson::SUCCESS ||
          extension["valueCoding"].get(value) == simdjson::SUCCESS) {
        found = codeOf(value, std::string(path) + ".extension.value",
                       [](std::string_view) { return true; });
      } else {
        found = text(extension, "valueCode", std::string(path) + ".extension.valueCode");
      }
    });
    return found;
  }

  std::optional<Reference> reference(object parent, std::string_view key, std::string_view path) {
    const std::optional<object> ref = objectAt(parent, key, path);
    if (!ref) return std::nullopt;
    const std::string target = text(*ref, "reference", std::string(path) + ".reference");
    std::optional<Reference> parsed = parseReference(target);
    if (!parsed && !target.empty()) {
      issue("fhir.reference", std::string(path), "reference names no resource");
    }
    return parsed;
  }

  int positiveInt(object parent, std::string_view key, std::string_view path) {
    element value;
    if (parent[key].get(value) != simdjson::SUCCESS) return 0;
    int64_t number = 0;
    uint64_t unsigned_number = 0;
    if (value.get(number) == simdjson::SUCCESS && number > 0 && number < 1'000'000) {
      return static_cast<int>(number);
    }
    if (value.get(unsigned_number) == simdjson::SUCCESS && unsigned_number < 1'000'000) {
      return static_cast<int>(unsigned_number);
    }
    wrongType(path, "a positive integer");
    return 0;
  }

 private:
  // The member `key` of `parent` as a T; absent: nothing, another JSON type: an issue.
  template <class T>
  std::optional<T> member(object parent, std::string_view key, std::string_view path,
                          std::string_view expected) {
    element value;
    if (parent[key].get(value) != simdjson::SUCCESS) return std::nullopt;
    T out;
    if (value.get(out) != simdjson::SUCCESS) {
      wrongType(path, expected);
      return std::nullopt;
    }
    return out;
  }

  void wrongType(std::string_view path, std::string_view expected) {
    issue("fhir.element_type", std::string(path), "is not " + std::string(expected) + ": left out");
  }

  std::string type_;
  std::vector<Issue>& issues_;
};

PatientElements readPatient(object root, Reader& r) {
  PatientElements p;
  p.id = r.text(root, "id", "id");
  r.eachObject(root, "identifier", "identifier", [&](object identifier) {
    if (!p.nhs_number.empty()) return;
    if (r.text(identifier, "system", "identifier.system") != kNhsNumberSystem) return;
    p.nhs_number = r.text(identifier, "value", "identifier.value");
    p.nhs_verification = r.extensionCode(identifier, kVerificationExtension, "identifier");
  });
  // The official name, else the first one given.
  std::optional<object> chosen;
  r.eachObject(root, "name", "name", [&](object name) {
    if (!chosen || r.text(name, "use", "name.use") == "official") chosen = name;
  });
  if (chosen) {
    p.family_name = r.text(*chosen, "family", "name.family");
    if (const std::optional<array> given = r.arrayAt(*chosen, "given", "name.given")) {
      for (element g : *given) {
        std::string_view first;
        if (g.get(first) == simdjson::SUCCESS) {
          p.given_name = std::string(first);
        } else {
          r.issue("fhir.element_type", "name.given", "is not a string: left out");
        }
        break;
      }
    }
  }
  p.gender = r.text(root, "gender", "gender");
  p.birth_date = r.text(root, "birthDate", "birthDate");
  p.deceased = r.text(root, "deceasedDateTime", "deceasedDateTime");
  if (bool dead = false;
      p.deceased.empty() && root["deceasedBoolean"].get(dead) == simdjson::SUCCESS && dead) {
    p.deceased = "true";
  }
  p.ethnic_category = r.extensionCode(root, kEthnicCategoryExtension, "extension");
  // The home address, else the first.
  std::optional<object> home;
  r.eachObject(root, "address", "address", [&](object address) {
    if (!home || r.text(address, "use", "address.use") == "home") home = address;
  });
  if (home) {
    p.postcode = r.text(*home, "postalCode", "address.postalCode");
    r.eachObject(*home, "extension", "address.extension", [&](object extension) {
      if (!endsWith(r.text(extension, "url", "address.extension.url"), kAddressKeyExtension))
        return;
      std::string type;
      std::string value;
      r.eachObject(extension, "extension", "address.extension.extension", [&](object part) {
        const std::string url = r.text(part, "url", "address.extension.extension.url");
        if (url == "type") {
          element coding;
          if (part["valueCoding"].get(coding) == simdjson::SUCCESS) {
            type =
                r.codeOf(coding, "address.extension.type", [](std::string_view) { return true; });
          }
        } else if (url == "value") {
          value = r.text(part, "valueString", "address.extension.value");
        }
      });
      if (equalsIgnoreCase(type, "uprn")) p.uprn = value;
    });
  }
  return p;
}

EncounterElements readEncounter(object root, Reader& r) {
  EncounterElements e;
  e.id = r.text(root, "id", "id");
  e.subject = r.reference(root, "subject", "subject");
  element cls;
  if (root["class"].get(cls) == simdjson::SUCCESS) {
    e.encounter_class = r.codeOf(cls, "class", [](std::string_view) { return true; });
  }
  if (const std::optional<object> stay = r.objectAt(root, "hospitalization", "hospitalization")) {
    e.admission_method = r.extensionCode(*stay, kAdmissionMethodExtension, "hospitalization");
  }
  if (e.admission_method.empty()) {
    e.admission_method = r.extensionCode(root, kAdmissionMethodExtension, "extension");
  }
  if (const std::optional<object> period = r.objectAt(root, "period", "period")) {
    e.start = r.text(*period, "start", "period.start");
    e.end = r.text(*period, "end", "period.end");
  }
  r.eachObject(root, "diagnosis", "diagnosis", [&](object diagnosis) {
    std::optional<Reference> condition = r.reference(diagnosis, "condition", "diagnosis.condition");
    if (!condition) return;
    e.diagnoses.push_back(
        {std::move(*condition), r.positiveInt(diagnosis, "rank", "diagnosis.rank")});
  });
  return e;
}

ConditionElements readCondition(object root, Reader& r) {
  ConditionElements c;
  c.id = r.text(root, "id", "id");
  c.subject = r.reference(root, "subject", "subject");
  c.encounter = r.reference(root, "encounter", "encounter");
  if (const std::optional<object> code = r.objectAt(root, "code", "code")) {
    r.eachObject(*code, "coding", "code.coding", [&](object coding) {
      const std::string system = r.text(coding, "system", "code.coding.system");
      std::string value = r.text(coding, "code", "code.coding.code");
      if (value.empty()) return;
      if (system == kSnomedSystem) {
        c.snomed.push_back(std::move(value));
      } else if (system == kIcd10Systems[0] || system == kIcd10Systems[1]) {
        c.icd10.push_back(std::move(value));
      }
    });
  }
  c.recorded = r.text(root, "recordedDate", "recordedDate");
  return c;
}

RelatedPersonElements readRelatedPerson(object root, Reader& r) {
  RelatedPersonElements rp;
  rp.person = readPatient(root, r);
  rp.patient = r.reference(root, "patient", "patient");
  r.eachObject(root, "relationship", "relationship", [&](object relationship) {
    r.eachObject(relationship, "coding", "relationship.coding", [&](object coding) {
      if (r.text(coding, "system", "relationship.coding.system") != kRoleCodeSystem) return;
      std::string code = r.text(coding, "code", "relationship.coding.code");
      if (!code.empty()) rp.relationships.push_back(std::move(code));
    });
  });
  return rp;
}

}  // namespace

bool ParsedResource::usable() const {
  if (!patient && !encounter && !condition && !related_person) return false;
  for (const Issue& issue : issues) {
    if (issue.fatal) return false;
  }
  return true;
}

std::optional<Reference> parseReference(std::string_view text) {
  if (text.empty() || text.front() == '#') return std::nullopt;
  if (const size_t query = text.find('?'); query != std::string_view::npos) {
    if (query == 0) return std::nullopt;
    const std::string_view type = text.substr(0, query);
    if (type.find('/') != std::string_view::npos) return std::nullopt;
    return Reference{std::string(type), {}, std::string(text.substr(query + 1))};
  }
  // [base/]Type/id[/_history/n]
  if (const size_t history = text.find("/_history/"); history != std::string_view::npos) {
    text = text.substr(0, history);
  }
  const size_t slash = text.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size())
    return std::nullopt;
  const std::string_view id = text.substr(slash + 1);
  const std::string_view before = text.substr(0, slash);
  const size_t type_start = before.rfind('/');
  const std::string_view type =
      type_start == std::string_view::npos ? before : before.substr(type_start + 1);
  if (type.empty()) return std::nullopt;
  return Reference{std::string(type), std::string(id), {}};
}

std::string_view dfeEthnicity(std::string_view nhs_category) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kCodes = {{
      {"A", "WBRI"},
      {"B", "WIRI"},
      {"C", "WOTH"},
      {"D", "MWBC"},
      {"E", "MWBA"},
      {"F", "MWAS"},
      {"G", "MOTH"},
      {"H", "AIND"},
      {"J", "APKN"},
      {"K", "ABAN"},
      {"L", "AOTH"},
      {"M", "BCRB"},
      {"N", "BAFR"},
      {"P", "BOTH"},
      {"R", "CHNE"},
      {"S", "OOTH"},
      {"Z", "REFU"},
      {"99", "NOBT"},
  }};
  for (const auto& [nhs, dfe] : kCodes) {
    if (nhs == nhs_category) return dfe;
  }
  return {};
}

ParsedResource parseResource(std::string_view json) {
  ParsedResource out;
  thread_local simdjson::dom::parser parser;
  element root;
  if (const auto error = parser.parse(json.data(), json.size(), true).get(root); error) {
    out.issues.push_back({"fhir.json", "resource",
                          "invalid JSON: " + std::string(simdjson::error_message(error)), true});
    return out;
  }
  object resource;
  if (root.get(resource) != simdjson::SUCCESS) {
    out.issues.push_back({"fhir.json", "resource", "is not a JSON object", true});
    return out;
  }
  std::string_view type;
  if (resource["resourceType"].get(type) != simdjson::SUCCESS || type.empty()) {
    out.issues.push_back(
        {"fhir.resource_type", "resourceType", "is missing or not a string", true});
    return out;
  }
  out.resource_type = std::string(type);
  Reader reader(out.resource_type, out.issues);
  std::string_view id;
  if (resource["id"].get(id) != simdjson::SUCCESS || id.empty()) {
    reader.issue("fhir.id", "id", "is missing or not a string", true);
    return out;
  }
  if (type == "Patient") {
    out.patient = readPatient(resource, reader);
  } else if (type == "Encounter") {
    out.encounter = readEncounter(resource, reader);
  } else if (type == "Condition") {
    out.condition = readCondition(resource, reader);
  } else if (type == "RelatedPerson") {
    out.related_person = readRelatedPerson(resource, reader);
  }
  return out;
}

}  // namespace hearth::pipelines::normalise::fhir
