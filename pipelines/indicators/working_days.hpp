#pragma once

#include <istream>
#include <string_view>
#include <vector>

#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

/// Monday to Friday less the England and Wales bank holidays it was given.
class WorkingDays {
 public:
  WorkingDays() = default;
  explicit WorkingDays(const std::vector<Date>& bank_holidays);

  /// Reads `date,name` CSV (header first, ISO dates). Throws std::runtime_error naming `source`
  /// and the line: the list is start-up configuration, and a wrong one skews every figure.
  static WorkingDays fromCsv(std::istream& in, std::string_view source);

  bool isWorkingDay(Date day) const;
  /// Working days d with from < d <= to: the start day itself is not counted; 0 when to <= from.
  int workingDaysAfter(Date from, Date to) const;
  size_t bankHolidayCount() const { return holidays_.size(); }

 private:
  /// Working days in [a fixed Monday, day): differences of it count a range in O(log n).
  int workingDaysBefore(int day) const;

  std::vector<int> holidays_;  // weekday bank holidays as day numbers, sorted
};

}  // namespace hearth::pipelines::indicators
