#include "tests/synth/calendar.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace hearth::synth {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
Day dayFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

Ymd civilFromDay(Day day) {
  const int z = day + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

int weekday(Day day) { return ((day % 7) + 7 + 3) % 7; }

static int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<size_t>(month - 1)];
}

Day addMonths(Day day, int months) {
  const Ymd d = civilFromDay(day);
  int total = d.year * 12 + (d.month - 1) + months;
  const int year = total >= 0 ? total / 12 : (total - 11) / 12;
  const int month = total - year * 12 + 1;
  return dayFromCivil(year, month, std::min(d.day, daysInMonth(year, month)));
}

int ageOn(Day dob, Day on) {
  const Ymd b = civilFromDay(dob);
  const Ymd o = civilFromDay(on);
  int age = o.year - b.year;
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) --age;
  return age;
}

int academicAge(Day dob, Day on) {
  const Ymd o = civilFromDay(on);
  const int year = o.month >= 9 ? o.year : o.year - 1;
  return ageOn(dob, dayFromCivil(year, 8, 31));
}

Day januaryCensusDay(int year) {
  Day d = dayFromCivil(year, 1, 1);
  while (weekday(d) != 3) ++d;
  return d + 14;
}

std::string isoDate(Day day) {
  const Ymd d = civilFromDay(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string dmyDate(Day day) {
  const Ymd d = civilFromDay(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

std::string bladeDate(Day day) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Ymd d = civilFromDay(day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%s-%02d 00:00:00", d.year,
                kMonths[static_cast<size_t>(d.month - 1)], d.day);
  return buf;
}

std::string isoDateTime(Day day, int minute_of_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:00", minute_of_day / 60, minute_of_day % 60);
  return isoDate(day) + buf;
}

const std::vector<BankHoliday>& englandBankHolidays() {
  struct Entry {
    int y, m, d;
    std::string_view name;
  };
  static constexpr Entry kEntries[] = {
      {2015, 1, 1, "New Year's Day"},
      {2015, 4, 3, "Good Friday"},
      {2015, 4, 6, "Easter Monday"},
      {2015, 5, 4, "Early May bank holiday"},
      {2015, 5, 25, "Spring bank holiday"},
      {2015, 8, 31, "Summer bank holiday"},
      {2015, 12, 25, "Christmas Day"},
      {2015, 12, 28, "Boxing Day"},
      {2016, 1, 1, "New Year's Day"},
      {2016, 3, 25, "Good Friday"},
      {2016, 3, 28, "Easter Monday"},
      {2016, 5, 2, "Early May bank holiday"},
      {2016, 5, 30, "Spring bank holiday"},
      {2016, 8, 29, "Summer bank holiday"},
      {2016, 12, 26, "Boxing Day"},
      {2016, 12, 27, "Christmas Day"},
      {2017, 1, 2, "New Year's Day"},
      {2017, 4, 14, "Good Friday"},
      {2017, 4, 17, "Easter Monday"},
      {2017, 5, 1, "Early May bank holiday"},
      {2017, 5, 29, "Spring bank holiday"},
      {2017, 8, 28, "Summer bank holiday"},
      {2017, 12, 25, "Christmas Day"},
      {2017, 12, 26, "Boxing Day"},
      {2018, 1, 1, "New Year's Day"},
      {2018, 3, 30, "Good Friday"},
      {2018, 4, 2, "Easter Monday"},
      {2018, 5, 7, "Early May bank holiday"},
      {2018, 5, 28, "Spring bank holiday"},
      {2018, 8, 27, "Summer bank holiday"},
      {2018, 12, 25, "Christmas Day"},
      {2018, 12, 26, "Boxing Day"},
      {2019, 1, 1, "New Year's Day"},
      {2019, 4, 19, "Good Friday"},
      {2019, 4, 22, "Easter Monday"},
      {2019, 5, 6, "Early May bank holiday"},
      {2019, 5, 27, "Spring bank holiday"},
      {2019, 8, 26, "Summer bank holiday"},
      {2019, 12, 25, "Christmas Day"},
      {2019, 12, 26, "Boxing Day"},
      {2020, 1, 1, "New Year's Day"},
      {2020, 4, 10, "Good Friday"},
      {2020, 4, 13, "Easter Monday"},
      {2020, 5, 8, "Early May bank holiday (VE day)"},
      {2020, 5, 25, "Spring bank holiday"},
      {2020, 8, 31, "Summer bank holiday"},
      {2020, 12, 25, "Christmas Day"},
      {2020, 12, 28, "Boxing Day"},
      {2021, 1, 1, "New Year's Day"},
      {2021, 4, 2, "Good Friday"},
      {2021, 4, 5, "Easter Monday"},
      {2021, 5, 3, "Early May bank holiday"},
      {2021, 5, 31, "Spring bank holiday"},
      {2021, 8, 30, "Summer bank holiday"},
      {2021, 12, 27, "Christmas Day"},
      {2021, 12, 28, "Boxing Day"},
      {2022, 1, 3, "New Year's Day"},
      {2022, 4, 15, "Good Friday"},
      {2022, 4, 18, "Easter Monday"},
      {2022, 5, 2, "Early May bank holiday"},
      {2022, 6, 2, "Spring bank holiday"},
      {2022, 6, 3, "Platinum Jubilee bank holiday"},
      {2022, 8, 29, "Summer bank holiday"},
      {2022, 9, 19, "Bank Holiday for the State Funeral of Queen Elizabeth II"},
      {2022, 12, 26, "Boxing Day"},
      {2022, 12, 27, "Christmas Day"},
      {2023, 1, 2, "New Year's Day"},
      {2023, 4, 7, "Good Friday"},
      {2023, 4, 10, "Easter Monday"},
      {2023, 5, 1, "Early May bank holiday"},
      {2023, 5, 8, "Bank holiday for the coronation of King Charles III"},
      {2023, 5, 29, "Spring bank holiday"},
      {2023, 8, 28, "Summer bank holiday"},
      {2023, 12, 25, "Christmas Day"},
      {2023, 12, 26, "Boxing Day"},
      {2024, 1, 1, "New Year's Day"},
      {2024, 3, 29, "Good Friday"},
      {2024, 4, 1, "Easter Monday"},
      {2024, 5, 6, "Early May bank holiday"},
      {2024, 5, 27, "Spring bank holiday"},
      {2024, 8, 26, "Summer bank holiday"},
      {2024, 12, 25, "Christmas Day"},
      {2024, 12, 26, "Boxing Day"},
      {2025, 1, 1, "New Year's Day"},
      {2025, 4, 18, "Good Friday"},
      {2025, 4, 21, "Easter Monday"},
      {2025, 5, 5, "Early May bank holiday"},
      {2025, 5, 26, "Spring bank holiday"},
      {2025, 8, 25, "Summer bank holiday"},
      {2025, 12, 25, "Christmas Day"},
      {2025, 12, 26, "Boxing Day"},
      {2026, 1, 1, "New Year's Day"},
      {2026, 4, 3, "Good Friday"},
      {2026, 4, 6, "Easter Monday"},
      {2026, 5, 4, "Early May bank holiday"},
      {2026, 5, 25, "Spring bank holiday"},
      {2026, 8, 31, "Summer bank holiday"},
      {2026, 12, 25, "Christmas Day"},
      {2026, 12, 28, "Boxing Day"},
      {2027, 1, 1, "New Year's Day"},
      {2027, 3, 26, "Good Friday"},
      {2027, 3, 29, "Easter Monday"},
      {2027, 5, 3, "Early May bank holiday"},
      {2027, 5, 31, "Spring bank holiday"},
      {2027, 8, 30, "Summer bank holiday"},
      {2027, 12, 27, "Christmas Day"},
      {2027, 12, 28, "Boxing Day"},
  };
  static const std::vector<BankHoliday> kHolidays = [] {
    std::vector<BankHoliday> out;
    for (const Entry& e : kEntries) out.push_back({dayFromCivil(e.y, e.m, e.d), e.name});
    return out;
  }();
  return kHolidays;
}

bool isBankHoliday(Day day) {
  const auto& list = englandBankHolidays();
  return std::binary_search(
      list.begin(), list.end(), BankHoliday{day, {}},
      [](const BankHoliday& a, const BankHoliday& b) { return a.day < b.day; });
}

bool isWorkingDay(Day day) { return weekday(day) < 5 && !isBankHoliday(day); }

int workingDaysAfter(Day from, Day to) {
  int count = 0;
  for (Day d = from + 1; d <= to; ++d) count += isWorkingDay(d) ? 1 : 0;
  return count;
}

Day addWorkingDays(Day from, int n) {
  Day d = from;
  while (n > 0) {
    ++d;
    if (isWorkingDay(d)) --n;
  }
  return d;
}

}  // namespace hearth::synth
