#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::pipelines::identity {

/// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1 over at most four characters).
double jaroWinkler(std::string_view a, std::string_view b);

/// Lower-case ASCII letters only: "O'Brien-Smith " becomes "obriensmith", "Łukasz" "lukasz"
/// (see foldToAscii).
std::string normaliseName(std::string_view name);

/// The formal name a nickname or another spelling stands for ("bill" -> "william", "mohammed" ->
/// "muhammad"), or the name itself.
/// Expects a normalised name.
std::string_view formalGivenName(std::string_view normalised);

/// American Soundex packed into an integer (0 for a name without letters).
std::uint32_t soundexCode(std::string_view name);

/// Soundex as its four-character text ("R163"), for reports and tests.
std::string soundexText(std::string_view name);

/// Edit distance counting insertions, deletions, substitutions and swaps of adjacent characters
/// (optimal string alignment); any distance above `bound` is reported as bound + 1, which lets
/// the computation stop early.
std::size_t boundedEditDistance(std::string_view a, std::string_view b, std::size_t bound);

/// True when the two strings have equal length and differ in one position, or differ by one
/// adjacent transposition: the typical single keying error in an identifier.
bool isOneKeyingErrorApart(std::string_view a, std::string_view b);

}  // namespace hearth::pipelines::identity
