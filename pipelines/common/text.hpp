#pragma once

#include <string_view>

namespace hearth::pipelines {

/// `text` without the blanks sources put around values: spaces, tabs and line-ending characters.
inline std::string_view trimBlanks(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace hearth::pipelines
