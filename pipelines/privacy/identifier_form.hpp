#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::pipelines {

/// How the values of an identifier scheme are written before they are pseudonymised, so that one
/// identifier gives one pseudonym however a source spaced or cased it ("943 476 5919" and
/// "9434765919" are one NHS number).
enum class IdentifierForm : uint8_t {
  kLocal,    // a system's own id: surrounding white space dropped, case kept (it may matter)
  kDigits,   // NHS number, ULN, UPRN: white space and hyphens dropped
  kLetters,  // UPN, NI number: white space and hyphens dropped, letters upper-cased
};

/// The form of a canonical scheme ("nhs", "upn", "former_upn", "uln", "nino", "uprn"); kLocal for
/// any other.
IdentifierForm identifierFormOf(std::string_view scheme);

/// `value` in the given form.
std::string normaliseIdentifier(IdentifierForm form, std::string_view value);

}  // namespace hearth::pipelines
