#include "pipelines/normalise/census_term.hpp"

#include <charconv>
#include <chrono>

namespace hearth::pipelines::normalise {

std::optional<canonical::Date> censusDayOfBladeFile(std::string_view location) {
  using namespace std::chrono;
  // The file's name: after the last slash of either kind. (find_last_of looks each character up
  // in the set of two with memchr, and every row of a census return asks.)
  for (size_t i = location.size(); i-- > 0;) {
    if (location[i] == '/' || location[i] == '\\') {
      location.remove_prefix(i + 1);
      break;
    }
  }
  if (location.size() < 12 || location[4] != '_') return std::nullopt;
  int y = 0;
  const auto parsed = std::from_chars(location.data(), location.data() + 4, y);
  if (parsed.ec != std::errc{} || parsed.ptr != location.data() + 4 || y < 1900) {
    return std::nullopt;
  }
  const std::string_view term = location.substr(5, 7);
  year_month_weekday census;
  if (term == "spring_") {
    census = year{y} / January / Thursday[3];
  } else if (term == "summer_") {
    census = year{y} / May / Thursday[3];
  } else if (term == "autumn_") {
    census = year{y} / October / Thursday[1];
  } else {
    return std::nullopt;
  }
  return canonical::Date{sys_days{census}};
}

}  // namespace hearth::pipelines::normalise
