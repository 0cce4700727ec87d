#include "pipelines/indicators/working_days.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipelines/indicators/tests/synth_council.hpp"
#include "pipelines/indicators/tests/test_records.hpp"

namespace hearth::pipelines::indicators {
namespace {

using testing::day;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(WorkingDays, ShippedListAgreesWithTheSyntheticCouncils) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "hearth-indicators-test-council-seed7";
  testing::generateCouncil(HEARTH_SYNTH_BINARY, "--seed 7 --scale 0.05 --mess-rate 0", dir);
  const std::string shipped = readFile(HEARTH_BANK_HOLIDAYS_CSV);
  EXPECT_EQ(shipped, readFile(dir / "reference" / "bank_holidays_england.csv"));
  EXPECT_EQ(shipped.rfind("date,name\n", 0), 0u);
}

TEST(WorkingDays, ShippedListCovers2015To2027) {
  const WorkingDays days = testing::shippedBankHolidays();
  EXPECT_FALSE(days.isWorkingDay(day(2015, 1, 1)));
  EXPECT_FALSE(days.isWorkingDay(day(2022, 9, 19)));  // the state funeral
  EXPECT_FALSE(days.isWorkingDay(day(2023, 5, 8)));   // the coronation
  EXPECT_FALSE(days.isWorkingDay(day(2027, 12, 28)));
  EXPECT_TRUE(days.isWorkingDay(day(2027, 12, 29)));
}

TEST(WorkingDays, CountsDaysStrictlyAfterTheStartUpToTheEnd) {
  const WorkingDays days = testing::shippedBankHolidays();
  EXPECT_EQ(days.workingDaysAfter(day(2024, 6, 3), day(2024, 6, 3)), 0);
  EXPECT_EQ(days.workingDaysAfter(day(2024, 6, 3), day(2024, 6, 4)), 1);
  EXPECT_EQ(days.workingDaysAfter(day(2024, 6, 7), day(2024, 6, 10)), 1);   // Fri -> Mon
  EXPECT_EQ(days.workingDaysAfter(day(2024, 6, 8), day(2024, 6, 10)), 1);   // Sat -> Mon
  EXPECT_EQ(days.workingDaysAfter(day(2024, 12, 20), day(2024, 12, 27)), 3);  // Christmas
  EXPECT_EQ(days.workingDaysAfter(day(2024, 6, 10), day(2024, 6, 3)), 0);
}

TEST(WorkingDays, WithoutHolidaysOnlyWeekendsAreSkipped) {
  const WorkingDays days(std::vector<Date>{});
  EXPECT_EQ(days.workingDaysAfter(day(1969, 12, 26), day(1970, 1, 9)), 10);
  EXPECT_EQ(days.workingDaysAfter(day(2024, 12, 20), day(2024, 12, 27)), 5);
}

TEST(WorkingDays, RejectsABadDateNamingTheLine) {
  std::istringstream in("date,name\n2024-01-01,New Year's Day\n2024-13-01,Nonsense\n");
  try {
    WorkingDays::fromCsv(in, "holidays.csv");
    FAIL() << "accepted a bad date";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("holidays.csv:3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hearth::pipelines::indicators
