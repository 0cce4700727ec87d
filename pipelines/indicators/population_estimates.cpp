#include "pipelines/indicators/population_estimates.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "pipelines/common/text.hpp"
#include "pipelines/indicators/csv_line.hpp"

namespace hearth::pipelines::indicators {
namespace {

constexpr int kAdultAge = 18;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> wholeNumber(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Date midYear(int year) {
  return Date{std::chrono::year{year}, std::chrono::June, std::chrono::day{30}};
}

// "2024-06-30" (a time after it is ignored), or a mid-year estimate's year: "2024", "mid-2024",
// "June 2024", "2024-06".
std::optional<Date> estimateDate(std::string_view text) {
  const std::string value = lower(trimBlanks(text));
  if (value.size() >= 10) {
    if (const auto date = canonical::parseIsoDate(value)) return date;
  }
  std::string_view year = value;
  if (year.starts_with("mid-")) year.remove_prefix(4);
  if (year.starts_with("june ")) year.remove_prefix(5);
  if (year.size() == 7 && year.substr(4) == "-06") year = year.substr(0, 4);
  const std::optional<int> number = year.size() == 4 ? wholeNumber(year) : std::nullopt;
  if (!number || *number < 1900 || *number > 2200) return std::nullopt;
  return midYear(*number);
}

enum class AgeKind { kYear, kBandOrTotal, kUnreadable };

// A single year of age: "7", "90+", "Age 7", "Aged 90+", "Aged under 1". Bands and totals
// ("All Ages", "Aged 0 - 15") are told apart from what cannot be read.
AgeKind readAge(std::string_view text, int& age) {
  std::string value = lower(trimBlanks(text));
  std::string_view rest = value;
  if (rest.starts_with("aged ")) rest.remove_prefix(5);
  if (rest.starts_with("age ")) rest.remove_prefix(4);
  if (rest == "under 1") {
    age = 0;
    return AgeKind::kYear;
  }
  if (!rest.empty() && rest.back() == '+') rest.remove_suffix(1);
  if (const std::optional<int> number = wholeNumber(rest); number && *number >= 0) {
    age = *number;
    return AgeKind::kYear;
  }
  if (rest.starts_with("all") || rest.find('-') != std::string_view::npos ||
      rest.find(" to ") != std::string_view::npos) {
    return AgeKind::kBandOrTotal;
  }
  return AgeKind::kUnreadable;
}

// Sex codes as the layouts write them; nullopt when unreadable.
std::optional<bool> allPersons(std::string_view text) {
  static const std::set<std::string, std::less<>> kAll = {
      "0", "all", "all persons", "persons", "people", "total", "p", "t"};
  static const std::set<std::string, std::less<>> kOne = {"1",    "2",      "m",     "f",
                                                          "male", "female", "males", "females"};
  const std::string value = lower(trimBlanks(text));
  if (kAll.contains(value)) return true;
  if (kOne.contains(value)) return false;
  return std::nullopt;
}

std::optional<double> count(std::string_view text) {
  std::string digits;
  for (const char c : trimBlanks(text)) {
    if (c != ',') digits.push_back(c);  // "1,234" as spreadsheets save it
  }
  double value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// Where each piece sits in a header; -1 when absent.
struct Layout {
  int area = -1;
  int date = -1;
  int age = -1;
  int sex = -1;
  int value = -1;
  std::vector<std::pair<int, Date>> by_year;  // population_YYYY columns of the ONS time series
};

Layout layoutOf(const std::vector<std::string>& header) {
  Layout layout;
  auto take = [](int& slot, int index) {
    if (slot < 0) slot = index;
  };
  // First pass: the preferred names, so that a file with both DATE and DATE_NAME uses DATE.
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string name = lower(trimBlanks(header[i]));
    if (name == "laua" || name.starts_with("ladcode") || name == "geography_code" ||
        name == "area_code" ||
        (name.starts_with("lad") && name.size() == 7 && name.substr(5) == "cd")) {
      take(layout.area, i);
    } else if (name == "date" || name == "year" || name == "mid_year") {
      take(layout.date, i);
    } else if (name == "age" || name == "c_age_name") {
      take(layout.age, i);
    } else if (name == "sex" || name == "gender_name") {
      take(layout.sex, i);
    } else if (name == "population" || name == "obs_value") {
      take(layout.value, i);
    } else if (name.starts_with("population_")) {
      if (const auto year = wholeNumber(std::string_view(name).substr(11))) {
        layout.by_year.emplace_back(i, midYear(*year));
      }
    }
  }
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string name = lower(trimBlanks(header[i]));
    if (name == "date_name") take(layout.date, i);
    if (name == "gender") take(layout.sex, i);
  }
  return layout;
}

}  // namespace

std::string PopulationBase::describe() const {
  std::string text = area + ", estimate of " + canonical::formatIsoDate(estimate_date) + ": " +
                     std::to_string(rows) + " rows, " +
                     std::to_string(static_cast<long long>(children + 0.5)) +
                     " residents aged 0-17";
  if (earlier) text += " (none dated within the period: the latest earlier one)";
  return text;
}

void PopulationEstimates::add(std::string area, Date estimate_date, int age, bool all_persons,
                              double residents) {
  Cell& cell =
      cells_[{std::move(area), dayNumber(estimate_date), all_persons}];  // known even if adult
  if (age >= 0) cell.by_age[static_cast<size_t>(std::min(age, kOldestAge))] += residents;
  if (age >= kAdultAge) return;
  ++cell.rows;
  cell.children += residents;
}

PopulationEstimates PopulationEstimates::fromCsv(std::istream& in, std::string_view source) {
  PopulationEstimates estimates;
  estimates.source_ = source;
  const std::string name(source);
  std::string line;
  if (!std::getline(in, line)) throw std::invalid_argument(name + ": empty file");
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  const Layout layout = layoutOf(splitCsvLine(trimBlanks(line)));
  const bool long_form = layout.value >= 0 && layout.date >= 0;
  if (layout.area < 0 || layout.age < 0 || (!long_form && layout.by_year.empty())) {
    throw std::invalid_argument(
        name +
        ":1: not a population estimates layout Hearth reads: expected laua,date,age,"
        "population, the ONS time series (ladcodeNN,...,sex,age,population_YYYY) or a "
        "Nomis download (DATE, GEOGRAPHY_CODE, GENDER_NAME, C_AGE_NAME, OBS_VALUE)");
  }
  int last = std::max({layout.area, layout.age, layout.sex, long_form ? layout.value : -1,
                       long_form ? layout.date : -1});
  for (const auto& [column, date] : layout.by_year) last = std::max(last, column);

  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string_view text = trimBlanks(line);
    if (text.empty()) continue;
    const std::vector<std::string> cells = splitCsvLine(text);
    const std::string where = name + ":" + std::to_string(line_number) + ": ";
    if (static_cast<int>(cells.size()) <= last) {
      throw std::invalid_argument(where + "has " + std::to_string(cells.size()) +
                                  " columns, the header more");
    }
    const std::string area(trimBlanks(cells[layout.area]));
    if (area.empty()) throw std::invalid_argument(where + "the area code is empty");
    int age = 0;
    const AgeKind kind = readAge(cells[layout.age], age);
    if (kind == AgeKind::kBandOrTotal) continue;
    if (kind == AgeKind::kUnreadable) {
      throw std::invalid_argument(where + "the age is not a single year of age");
    }
    bool all_persons = true;
    if (layout.sex >= 0) {
      const std::optional<bool> sex = allPersons(cells[layout.sex]);
      if (!sex) throw std::invalid_argument(where + "the sex is not a code Hearth reads");
      all_persons = *sex;
    }
    if (long_form) {
      const std::optional<Date> date = estimateDate(cells[layout.date]);
      if (!date) throw std::invalid_argument(where + "the date is not a date or a year");
      const std::optional<double> residents = count(cells[layout.value]);
      if (!residents) throw std::invalid_argument(where + "the population is not a count");
      estimates.add(area, *date, age, all_persons, *residents);
      continue;
    }
    for (const auto& [column, date] : layout.by_year) {
      const std::optional<double> residents = count(cells[column]);
      if (!residents) {
        throw std::invalid_argument(where + "the population of " + canonical::formatIsoDate(date) +
                                    " is not a count");
      }
      estimates.add(area, date, age, all_persons, *residents);
    }
  }
  return estimates;
}

Result<PopulationBase> PopulationEstimates::childrenFor(std::string_view area,
                                                        const Period& period) const {
  std::set<std::string> areas;
  for (const auto& [key, cell] : cells_) areas.insert(std::get<0>(key));
  std::string chosen(area);
  if (chosen.empty()) {
    if (areas.size() != 1) {
      return makeError("indicators.population",
                       source_ + ": holds " + std::to_string(areas.size()) +
                           " areas; set indicators.area_code to choose one");
    }
    chosen = *areas.begin();
  }
  if (!areas.contains(chosen)) {
    std::string some;
    for (auto it = areas.begin(); it != areas.end() && std::distance(areas.begin(), it) < 3; ++it) {
      some += (some.empty() ? "" : ", ") + *it;
    }
    return makeError("indicators.population",
                     source_ + ": no rows for area " + chosen + " (it holds " +
                         std::to_string(areas.size()) + " areas" +
                         (some.empty() ? std::string() : ", e.g. " + some) + ")");
  }
  // The latest estimate on or before the period's end, all persons before males plus females.
  const int end = dayNumber(period.end);
  const Cell* best = nullptr;
  int best_day = 0;
  int earliest = 0;
  bool any = false;
  for (const auto& [key, cell] : cells_) {
    const auto& [cell_area, day, all_persons] = key;
    if (cell_area != chosen || cell.rows == 0) continue;
    earliest = any ? std::min(earliest, day) : day;
    any = true;
    if (day > end) continue;
    if (best == nullptr || day > best_day || (day == best_day && all_persons)) {
      best = &cell;
      best_day = day;
    }
  }
  if (best == nullptr) {
    return makeError("indicators.population",
                     source_ + ": no estimate of residents aged 0-17 in " + chosen +
                         " dated on or before " + canonical::formatIsoDate(period.end) +
                         (any ? " (the earliest is " +
                                    canonical::formatIsoDate(dateFromDayNumber(earliest)) + ")"
                              : std::string()));
  }
  PopulationBase base;
  base.area = chosen;
  base.estimate_date = dateFromDayNumber(best_day);
  base.rows = best->rows;
  base.children = best->children;
  base.by_age.assign(best->by_age.begin(), best->by_age.end());
  base.earlier = best_day < dayNumber(period.start);
  return base;
}

}  // namespace hearth::pipelines::indicators
