#include "tests/synth/calendar.hpp"

#include <gtest/gtest.h>

namespace hearth::synth {
namespace {

TEST(Calendar, RoundTripsCivilDates) {
  for (Day d = dayFromCivil(1990, 1, 1); d < dayFromCivil(2030, 1, 1); d += 37) {
    const Ymd ymd = civilFromDay(d);
    EXPECT_EQ(dayFromCivil(ymd.year, ymd.month, ymd.day), d);
  }
  EXPECT_EQ(dayFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(isoDate(dayFromCivil(2024, 2, 29)), "2024-02-29");
}

TEST(Calendar, KnowsWeekdays) {
  EXPECT_EQ(weekday(dayFromCivil(2025, 3, 31)), 0);   // a Monday
  EXPECT_EQ(weekday(dayFromCivil(2024, 12, 25)), 2);  // a Wednesday
}

TEST(Calendar, AddMonthsClampsToTheEndOfShorterMonths) {
  EXPECT_EQ(addMonths(dayFromCivil(2024, 1, 31), 1), dayFromCivil(2024, 2, 29));
  EXPECT_EQ(addMonths(dayFromCivil(2025, 3, 31), -12), dayFromCivil(2024, 3, 31));
  EXPECT_EQ(addYears(dayFromCivil(2024, 2, 29), 1), dayFromCivil(2025, 2, 28));
}

TEST(Calendar, CountsAgeAndAcademicAge) {
  const Day dob = dayFromCivil(2010, 9, 1);
  EXPECT_EQ(ageOn(dob, dayFromCivil(2025, 8, 31)), 14);
  EXPECT_EQ(ageOn(dob, dayFromCivil(2025, 9, 1)), 15);
  // Born 1 September: the oldest in the year group that starts reception in September 2015.
  EXPECT_EQ(academicAge(dob, dayFromCivil(2015, 10, 1)), 4);
  EXPECT_EQ(academicAge(dayFromCivil(2010, 8, 31), dayFromCivil(2015, 10, 1)), 5);
}

TEST(Calendar, JanuaryCensusIsTheThirdThursday) {
  EXPECT_EQ(januaryCensusDay(2025), dayFromCivil(2025, 1, 16));
  EXPECT_EQ(januaryCensusDay(2024), dayFromCivil(2024, 1, 18));
}

TEST(WorkingDays, SkipWeekendsAndEnglandBankHolidays) {
  // Thursday 28 March 2024 to Tuesday 2 April 2024: Good Friday and Easter Monday fall between.
  EXPECT_EQ(workingDaysAfter(dayFromCivil(2024, 3, 28), dayFromCivil(2024, 4, 2)), 1);
  EXPECT_EQ(addWorkingDays(dayFromCivil(2024, 3, 28), 1), dayFromCivil(2024, 4, 2));
  // Friday to Monday is one working day.
  EXPECT_EQ(workingDaysAfter(dayFromCivil(2025, 3, 28), dayFromCivil(2025, 3, 31)), 1);
  // The same day is zero.
  EXPECT_EQ(workingDaysAfter(dayFromCivil(2025, 3, 28), dayFromCivil(2025, 3, 28)), 0);
  EXPECT_TRUE(isBankHoliday(dayFromCivil(2022, 9, 19)));
  EXPECT_TRUE(isBankHoliday(dayFromCivil(2023, 5, 8)));
  EXPECT_FALSE(isWorkingDay(dayFromCivil(2024, 12, 26)));
}

TEST(WorkingDays, ListIsSortedAndEightOrMorePerYear) {
  const auto& list = englandBankHolidays();
  for (size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1].day, list[i].day);
  for (int year = 2015; year <= 2027; ++year) {
    int n = 0;
    for (const BankHoliday& h : list) n += civilFromDay(h.day).year == year ? 1 : 0;
    EXPECT_GE(n, 8) << year;
    for (const BankHoliday& h : list) {
      if (civilFromDay(h.day).year == year) {
        EXPECT_LT(weekday(h.day), 5) << isoDate(h.day);
      }
    }
  }
}

TEST(DateFormats, SpellDatesAsTheSourcesDo) {
  const Day d = dayFromCivil(2025, 2, 16);
  EXPECT_EQ(dmyDate(d), "16/02/2025");
  EXPECT_EQ(bladeDate(d), "2025-Feb-16 00:00:00");
  EXPECT_EQ(isoDateTime(d, 9 * 60 + 5), "2025-02-16T09:05:00");
}

}  // namespace
}  // namespace hearth::synth
