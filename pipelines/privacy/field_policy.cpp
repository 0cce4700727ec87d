#include "pipelines/privacy/field_policy.hpp"

#include <array>
#include <cctype>

namespace hearth::pipelines {
namespace {

struct BuiltIn {
  std::string_view name;
  FieldAction action;
  // Also matches names that end with it: case-system extracts prefix every column with its
  // table ("pers_forename", "addr_address_postcode", "moth_childs_dob").
  bool suffix = true;
  IdentifierForm form = IdentifierForm::kLocal;  // of a pseudonymised value
};

// Normalised names (lower case, letters and digits only) of fields that hold direct identifiers
// in the statutory returns (SSDA903, CIN census, school census, SEN2, H-CLIC, CLD), the Standard
// Safeguarding Dataset, FHIR and common exports. Short or generic names match exactly only.
constexpr std::array kBuiltIns = {
    BuiltIn{"forename", FieldAction::kDrop},
    BuiltIn{"forenames", FieldAction::kDrop},
    BuiltIn{"firstname", FieldAction::kDrop},
    BuiltIn{"givenname", FieldAction::kDrop},
    BuiltIn{"middlename", FieldAction::kDrop},
    BuiltIn{"middlenames", FieldAction::kDrop},
    BuiltIn{"preferredname", FieldAction::kDrop},
    BuiltIn{"surname", FieldAction::kDrop},
    BuiltIn{"lastname", FieldAction::kDrop},
    BuiltIn{"familyname", FieldAction::kDrop},
    BuiltIn{"fullname", FieldAction::kDrop},
    BuiltIn{"personname", FieldAction::kDrop},
    BuiltIn{"name", FieldAction::kDrop, false},
    BuiltIn{"address", FieldAction::kDrop},
    BuiltIn{"addressjson", FieldAction::kDrop},
    BuiltIn{"addressline1", FieldAction::kDrop},
    BuiltIn{"addressline2", FieldAction::kDrop},
    BuiltIn{"addressline3", FieldAction::kDrop},
    BuiltIn{"street", FieldAction::kDrop, false},
    BuiltIn{"paon", FieldAction::kDrop, false},
    BuiltIn{"saon", FieldAction::kDrop, false},
    BuiltIn{"email", FieldAction::kDrop},
    BuiltIn{"telephone", FieldAction::kDrop},
    BuiltIn{"phone", FieldAction::kDrop, false},
    // A whole FHIR resource as JSON text (Patient: names, NHS number, address, birth date).
    BuiltIn{"resource", FieldAction::kDrop, false},
    // Local ids are unique only within one system but still single out a person there.
    BuiltIn{"child", FieldAction::kPseudonymise, false},
    BuiltIn{"childid", FieldAction::kPseudonymise},
    BuiltIn{"personid", FieldAction::kPseudonymise},
    BuiltIn{"legacyid", FieldAction::kPseudonymise},
    BuiltIn{"clientid", FieldAction::kPseudonymise},
    BuiltIn{"personref", FieldAction::kPseudonymise},
    BuiltIn{"youngpersonsid", FieldAction::kPseudonymise},
    BuiltIn{"lapersonuniqueidentifier", FieldAction::kPseudonymise},
    BuiltIn{"identifiervalue", FieldAction::kPseudonymise},
    BuiltIn{"uprn", FieldAction::kPseudonymise, true, IdentifierForm::kDigits},
    BuiltIn{"uniquepropertyreferencenumber", FieldAction::kPseudonymise, true,
            IdentifierForm::kDigits},
    BuiltIn{"nhs", FieldAction::kPseudonymise, false, IdentifierForm::kDigits},
    BuiltIn{"nhsnumber", FieldAction::kPseudonymise, true, IdentifierForm::kDigits},
    BuiltIn{"nhsno", FieldAction::kPseudonymise, true, IdentifierForm::kDigits},
    BuiltIn{"upn", FieldAction::kPseudonymise, true, IdentifierForm::kLetters},
    BuiltIn{"uln", FieldAction::kPseudonymise, true, IdentifierForm::kDigits},
    BuiltIn{"uniquelearnernumber", FieldAction::kPseudonymise, true, IdentifierForm::kDigits},
    BuiltIn{"nino", FieldAction::kPseudonymise, true, IdentifierForm::kLetters},
    BuiltIn{"nationalinsurancenumber", FieldAction::kPseudonymise, true, IdentifierForm::kLetters},
    BuiltIn{"dob", FieldAction::kBirthMonth},
    BuiltIn{"dateofbirth", FieldAction::kBirthMonth},
    BuiltIn{"birthdate", FieldAction::kBirthMonth},
    BuiltIn{"deathdate", FieldAction::kBirthMonth},
    BuiltIn{"dateofdeath", FieldAction::kBirthMonth},
    BuiltIn{"postcode", FieldAction::kPostcodeSector},
    BuiltIn{"postalcode", FieldAction::kPostcodeSector},
    BuiltIn{"homepost", FieldAction::kPostcodeSector, false},
    BuiltIn{"plpost", FieldAction::kPostcodeSector, false},
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

}  // namespace

FieldPolicy::FieldPolicy() : FieldPolicy(Overrides{}) {}

FieldPolicy::FieldPolicy(const Overrides& overrides) {
  auto add = [this](const std::vector<std::string>& names, FieldAction action) {
    for (const auto& name : names) rules_.push_back({normaliseName(name), action});
  };
  add(overrides.keep, FieldAction::kKeep);
  add(overrides.drop, FieldAction::kDrop);
  add(overrides.pseudonymise, FieldAction::kPseudonymise);
  add(overrides.birth_month, FieldAction::kBirthMonth);
  add(overrides.postcode_sector, FieldAction::kPostcodeSector);
  for (const auto& built_in : kBuiltIns) {
    rules_.push_back({std::string(built_in.name), built_in.action, built_in.suffix, built_in.form});
  }
}

std::string FieldPolicy::normaliseName(std::string_view field_name) {
  std::string out;
  out.reserve(field_name.size());
  for (char c : field_name) {
    if (isAlpha(c) || isDigit(c)) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

FieldPolicy::Decision FieldPolicy::decide(std::string_view field_name) const {
  const std::string normalised = normaliseName(field_name);
  for (const auto& rule : rules_) {
    if (rule.name == normalised) return {rule.action, formOf(rule, normalised)};
  }
  for (const auto& rule : rules_) {
    if (rule.suffix && normalised.ends_with(rule.name))
      return {rule.action, formOf(rule, normalised)};
  }
  return {};
}

// A configured rule says only that a field is an identifier; the built-in one of the same name,
// if any, says which.
IdentifierForm FieldPolicy::formOf(const Rule& rule, const std::string& normalised) const {
  if (rule.form != IdentifierForm::kLocal) return rule.form;
  for (const auto& other : rules_) {
    if (other.form != IdentifierForm::kLocal &&
        (other.name == normalised || (other.suffix && normalised.ends_with(other.name)))) {
      return other.form;
    }
  }
  return IdentifierForm::kLocal;
}

std::string birthMonth(std::string_view date) {
  auto digits = [&](size_t pos, size_t count) {
    if (pos + count > date.size()) return false;
    for (size_t i = pos; i < pos + count; ++i) {
      if (!isDigit(date[i])) return false;
    }
    return true;
  };
  // ISO: YYYY-MM-DD[...]
  if (digits(0, 4) && date.size() >= 7 && date[4] == '-' && digits(5, 2)) {
    return std::string(date.substr(0, 7));
  }
  // Blade exports: YYYY-Mon-DD[ hh:mm:ss]
  if (digits(0, 4) && date.size() >= 9 && date[4] == '-' && date[8] == '-') {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t m = 0; m < kMonths.size(); ++m) {
      if (date.substr(5, 3) == kMonths[m]) {
        std::string out(date.substr(0, 4));
        out.push_back('-');
        out.push_back(static_cast<char>('0' + (m + 1) / 10));
        out.push_back(static_cast<char>('0' + (m + 1) % 10));
        return out;
      }
    }
  }
  // UK: DD/MM/YYYY
  if (date.size() == 10 && digits(0, 2) && date[2] == '/' && digits(3, 2) && date[5] == '/' &&
      digits(6, 4)) {
    std::string out(date.substr(6, 4));
    out.push_back('-');
    out.append(date.substr(3, 2));
    return out;
  }
  return {};
}

std::string postcodeSector(std::string_view postcode) {
  std::string compact;
  compact.reserve(8);
  for (char c : postcode) {
    if (c == ' ') continue;
    if (!isAlpha(c) && !isDigit(c)) return {};
    compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  // Outward code is 2-4 characters, inward code always digit + two letters.
  if (compact.size() < 5 || compact.size() > 7) return {};
  const std::string_view inward = std::string_view(compact).substr(compact.size() - 3);
  if (!isDigit(inward[0]) || !isAlpha(inward[1]) || !isAlpha(inward[2])) return {};
  if (!isAlpha(compact[0])) return {};
  if (compact.rfind("ZZ99", 0) == 0) return {};  // no fixed abode: not a place
  std::string out = compact.substr(0, compact.size() - 3);
  out.push_back(' ');
  out.push_back(inward[0]);
  return out;
}

}  // namespace hearth::pipelines
