#pragma once

#include <string>
#include <string_view>

namespace hearth::pipelines::identity {

/// Folds text to lower-case ASCII for comparison: accents and other marks are stripped ("Zoë" ->
/// "zoe", "Ștefan" -> "stefan"), letters without a decomposition are spelled out ("Łukasz" ->
/// "lukasz", "Strauß" -> "strauss", "Ødegård" -> "odegard", "Æsa" -> "aesa"), typographic
/// apostrophes and dashes become ASCII ones, and anything still outside ASCII (another script, a
/// symbol) is dropped. Text that is not valid UTF-8 is read as Latin-1 (Windows exports).
/// ASCII text is only lower-cased, without calling into the Unicode tables.
std::string foldToAscii(std::string_view text);

}  // namespace hearth::pipelines::identity
