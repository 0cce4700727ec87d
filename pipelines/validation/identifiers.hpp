#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hearth::pipelines::validation {

/// NHS number: ten digits (spaces allowed as displayed), mod 11 check digit; 10 is never valid.
bool isValidNhsNumber(std::string_view text);

/// The check letter a UPN's characters 2-13 call for, or nullopt when they are malformed.
std::optional<char> upnCheckLetter(std::string_view upn);

/// UPN: 13 characters, check letter first, digits 2-12, a digit or (temporary UPN) an
/// alphabet letter last. Lower case is not accepted: the DfE never issues it.
bool isValidUpn(std::string_view upn);

/// ULN: ten digits, first not 0, weighted sum mod 11 equal to 10.
bool isValidUln(std::string_view text);

/// A postcode in normal form: upper case, one space before the inward code.
std::optional<std::string> normalisePostcode(std::string_view text);

/// True for a postcode of the shape domain.md gives, in any spacing or case.
bool isValidPostcode(std::string_view text);

}  // namespace hearth::pipelines::validation
