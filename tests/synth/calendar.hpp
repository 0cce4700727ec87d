#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::synth {

/// Days since 1970-01-01 (proleptic Gregorian).
using Day = int32_t;
inline constexpr Day kNoDay = std::numeric_limits<int32_t>::min();

struct Ymd {
  int year;
  int month;
  int day;
};

Day dayFromCivil(int year, int month, int day);
Ymd civilFromDay(Day day);
/// 0 = Monday ... 6 = Sunday.
int weekday(Day day);
/// Adds calendar months, clamping to the last day of a shorter month (31 Jan + 1 month = 28/29
/// Feb).
Day addMonths(Day day, int months);
inline Day addYears(Day day, int years) { return addMonths(day, 12 * years); }
/// Completed years of age on `on`.
int ageOn(Day dob, Day on);
/// Age on 31 August before `on`: the school's "academic age", which fixes the national
/// curriculum year.
int academicAge(Day dob, Day on);
/// Third Thursday of January: the spring school census and SEN2 reference day.
Day januaryCensusDay(int year);

std::string isoDate(Day day);                         // 2025-03-31
std::string dmyDate(Day day);                         // 31/03/2025
std::string bladeDate(Day day);                       // 2025-Mar-31 00:00:00
std::string isoDateTime(Day day, int minute_of_day);  // 2025-03-31T09:05:00

struct BankHoliday {
  Day day;
  std::string_view name;
};

/// England and Wales bank holidays 2015-2027, shipped with the output so that a consumer can
/// check the working-day arithmetic against the same list.
const std::vector<BankHoliday>& englandBankHolidays();
bool isBankHoliday(Day day);
bool isWorkingDay(Day day);
/// Working days d with from < d <= to: the start day itself is not counted.
int workingDaysAfter(Day from, Day to);
/// The n-th working day after `from`.
Day addWorkingDays(Day from, int n);

}  // namespace hearth::synth
