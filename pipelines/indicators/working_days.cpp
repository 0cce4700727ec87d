#include "pipelines/indicators/working_days.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pipelines/indicators/csv_line.hpp"

namespace hearth::pipelines::indicators {
namespace {

// 1970-01-05 was a Monday; day numbers count from 1970-01-01.
constexpr int kMondayDayNumber = 4;

int floorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool isWeekday(int day) {
  const int offset = day - kMondayDayNumber;
  return offset - floorDiv(offset, 7) * 7 < 5;
}

}  // namespace

WorkingDays::WorkingDays(const std::vector<Date>& bank_holidays) {
  for (const Date& d : bank_holidays) {
    const int n = dayNumber(d);
    // A holiday on a weekend changes nothing: the substitute day is listed in its own right.
    if (isWeekday(n)) holidays_.push_back(n);
  }
  std::sort(holidays_.begin(), holidays_.end());
  holidays_.erase(std::unique(holidays_.begin(), holidays_.end()), holidays_.end());
}

WorkingDays WorkingDays::fromCsv(std::istream& in, std::string_view source) {
  std::vector<Date> days;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line_number == 1) continue;
    const std::vector<std::string> fields = splitCsvLine(line);
    const std::optional<Date> day = canonical::parseIsoDate(fields.front());
    if (!day) {
      throw std::runtime_error(std::string(source) + ":" + std::to_string(line_number) +
                               ": not an ISO date: " + fields.front());
    }
    days.push_back(*day);
  }
  if (days.empty()) throw std::runtime_error(std::string(source) + ": no bank holidays listed");
  return WorkingDays(days);
}

bool WorkingDays::isWorkingDay(Date day) const {
  const int n = dayNumber(day);
  return isWeekday(n) && !std::binary_search(holidays_.begin(), holidays_.end(), n);
}

int WorkingDays::workingDaysBefore(int day) const {
  const int offset = day - kMondayDayNumber;
  const int weeks = floorDiv(offset, 7);
  const int weekdays = weeks * 5 + std::min(offset - weeks * 7, 5);
  const auto holidays =
      std::lower_bound(holidays_.begin(), holidays_.end(), day) - holidays_.begin();
  return weekdays - static_cast<int>(holidays);
}

int WorkingDays::workingDaysAfter(Date from, Date to) const {
  const int a = dayNumber(from);
  const int b = dayNumber(to);
  if (b <= a) return 0;
  return workingDaysBefore(b + 1) - workingDaysBefore(a + 1);
}

}  // namespace hearth::pipelines::indicators
