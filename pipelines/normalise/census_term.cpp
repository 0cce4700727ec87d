#include "pipelines/normalise/census_term.hpp"

#include <charconv>
#include <chrono>

namespace hearth::pipelines::normalise {

std::optional<canonical::Date> censusDayOfBladeFile(std::string_view location) {
  using namespace std::chrono;
  const size_t slash = location.find_last_of("/\\");
  if (slash != std::string_view::npos) location.remove_prefix(slash + 1);
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
