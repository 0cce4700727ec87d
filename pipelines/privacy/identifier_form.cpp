#include "pipelines/privacy/identifier_form.hpp"

#include <array>
#include <utility>

namespace hearth::pipelines {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The canonical schemes with a national format; every other scheme is a local id.
constexpr std::array<std::pair<std::string_view, IdentifierForm>, 7> kSchemeForms = {{
    {"nhs", IdentifierForm::kDigits},
    {"uln", IdentifierForm::kDigits},
    {"uprn", IdentifierForm::kDigits},
    {"upn", IdentifierForm::kLetters},
    {"former_upn", IdentifierForm::kLetters},
    {"nino", IdentifierForm::kLetters},
    {"ni_number", IdentifierForm::kLetters},
}};

}  // namespace

IdentifierForm identifierFormOf(std::string_view scheme) {
  for (const auto& [name, form] : kSchemeForms) {
    if (name == scheme) return form;
  }
  return IdentifierForm::kLocal;
}

std::string normaliseIdentifier(IdentifierForm form, std::string_view value) {
  if (form == IdentifierForm::kLocal) {
    while (!value.empty() && isSpace(value.front())) value.remove_prefix(1);
    while (!value.empty() && isSpace(value.back())) value.remove_suffix(1);
    return std::string(value);
  }
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (isSpace(c) || c == '-') continue;
    if (form == IdentifierForm::kLetters && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

}  // namespace hearth::pipelines
