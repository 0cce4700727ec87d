#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/privacy/identifier_form.hpp"

namespace hearth::pipelines {

/// What happens to a source field before it leaves the daemon.
enum class FieldAction : uint8_t {
  kKeep,
  kDrop,           // names, addresses, free text: never published
  kPseudonymise,   // identifiers (NHS number, UPN, ULN, NI number): keyed pseudonym
  kBirthMonth,     // birth dates: "YYYY-MM" only
  kPostcodeSector  // postcodes: the sector, "NN1 5"
};

/// Decides a FieldAction per field name. Private by default: field names that commonly hold
/// direct identifiers (in the statutory returns and in general) are recognised without any
/// configuration; a deployment adds its own names on top. Matching ignores case and anything
/// that is not a letter or digit, so "Date of Birth", "date_of_birth" and "DOB" all match; most
/// built-in names also match as a suffix, for extracts that prefix columns with their table
/// ("pers_surname"). Exact matches, then configured rules, win over suffix matches.
class FieldPolicy {
 public:
  struct Overrides {
    std::vector<std::string> keep;
    std::vector<std::string> drop;
    std::vector<std::string> pseudonymise;
    std::vector<std::string> birth_month;
    std::vector<std::string> postcode_sector;
  };

  FieldPolicy();
  explicit FieldPolicy(const Overrides& overrides);

  /// What happens to a field, and for a pseudonymised one the form of its value.
  struct Decision {
    FieldAction action = FieldAction::kKeep;
    IdentifierForm form = IdentifierForm::kLocal;
  };
  Decision decide(std::string_view field_name) const;
  FieldAction actionFor(std::string_view field_name) const { return decide(field_name).action; }

  /// The identifier domain used when pseudonymising a field (its normalised name).
  static std::string normaliseName(std::string_view field_name);

 private:
  struct Rule {
    std::string name;  // normalised
    FieldAction action;
    bool suffix = false;  // also matches names ending with it
    IdentifierForm form = IdentifierForm::kLocal;
  };
  IdentifierForm formOf(const Rule& rule, const std::string& normalised) const;

  std::vector<Rule> rules_;  // configured rules first, so they win over the built-in ones
};

/// "1992-07-14", "14/07/1992" or "1992-07-14T00:00:00" -> "1992-07"; anything else -> "".
std::string birthMonth(std::string_view date);

/// "nn1 5ab", "NN15AB" -> "NN1 5"; not a UK postcode shape -> "". Pseudo-postcodes (ZZ99) -> "".
std::string postcodeSector(std::string_view postcode);

}  // namespace hearth::pipelines
