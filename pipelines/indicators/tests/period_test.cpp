#include "pipelines/indicators/period.hpp"

#include <gtest/gtest.h>

#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using testing::day;

TEST(Period, FinancialYearRunsFromAprilToMarch) {
  const Period p = financialYearStarting(2024);
  EXPECT_EQ(p.start, day(2024, 4, 1));
  EXPECT_EQ(p.end, day(2025, 3, 31));
  EXPECT_EQ(p.label, "2024-25");
}

TEST(Period, AcademicYearRunsFromSeptemberToAugust) {
  const Period p = academicYearStarting(2099);
  EXPECT_EQ(p.start, day(2099, 9, 1));
  EXPECT_EQ(p.end, day(2100, 8, 31));
  EXPECT_EQ(p.label, "AY2099-00");
}

TEST(Period, RollingTwelveMonthsEndOnTheGivenDay) {
  const Period p = rolling12MonthsTo(day(2025, 2, 28));
  EXPECT_EQ(p.start, day(2024, 2, 29));
  EXPECT_EQ(p.end, day(2025, 2, 28));
}

TEST(Period, SnapshotIsOneDay) {
  const Period p = snapshot(day(2025, 3, 31));
  EXPECT_EQ(p.start, p.end);
  EXPECT_EQ(p.label, "2025-03-31");
}

TEST(Period, TwelveMonthsBeforeLeapDayIsTwentyEighthFebruary) {
  EXPECT_EQ(addMonthsClamped(day(2024, 2, 29), -12), day(2023, 2, 28));
  EXPECT_EQ(addMonthsClamped(day(2025, 3, 31), -30), day(2022, 9, 30));
  EXPECT_EQ(addMonthsClamped(day(2024, 1, 31), 1), day(2024, 2, 29));
}

TEST(Period, OpenOnADayExcludesTheDayItEnds) {
  EXPECT_FALSE(openOn(day(2024, 1, 1), day(2025, 3, 31), day(2025, 3, 31)));
  EXPECT_TRUE(openOn(day(2024, 1, 1), day(2025, 4, 1), day(2025, 3, 31)));
  EXPECT_TRUE(openOn(day(2025, 3, 31), std::nullopt, day(2025, 3, 31)));
  EXPECT_FALSE(openOn(std::nullopt, std::nullopt, day(2025, 3, 31)));
}

TEST(Period, OpenDuringIncludesAnEndOnTheFirstDay) {
  const Period p = financialYearStarting(2024);
  EXPECT_TRUE(openDuring(day(2023, 1, 1), day(2024, 4, 1), p));
  EXPECT_FALSE(openDuring(day(2023, 1, 1), day(2024, 3, 31), p));
  EXPECT_FALSE(openDuring(day(2025, 4, 1), std::nullopt, p));
}

}  // namespace
}  // namespace hearth::pipelines::indicators
