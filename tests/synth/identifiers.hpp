#pragma once

#include <string>
#include <string_view>

#include "tests/synth/rng.hpp"

namespace hearth::synth {

/// The UPN check-letter alphabet: I, O and S are never used.
inline constexpr std::string_view kUpnAlphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";

bool isValidNhsNumber(std::string_view digits);
/// The mod-11 check digit of the first nine digits, or -1 when the number cannot be completed.
int nhsCheckDigit(std::string_view first_nine);
/// A valid NHS number in the 4xx/6xx/7xx ranges (9xx is reserved for test numbers).
std::string makeNhsNumber(Rng& rng);

bool isValidUpn(std::string_view upn);
/// The check letter for characters 2-13 of a UPN.
char upnCheckLetter(std::string_view last_twelve);
/// A permanent UPN: check letter, LA number, establishment number, year of allocation, serial.
std::string makeUpn(int la_number, int estab, int year, int serial);

bool isValidUln(std::string_view uln);
std::string makeUln(Rng& rng);

/// Shape check for a full postcode in its normalised form ("NN1 5AB").
bool isValidPostcode(std::string_view postcode);

}  // namespace hearth::synth
