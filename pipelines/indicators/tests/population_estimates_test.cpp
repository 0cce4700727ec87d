#include "pipelines/indicators/population_estimates.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace hearth::pipelines::indicators {
namespace {

// A national file in Hearth's long form: three areas, three mid-year estimates, ages 0-90.
// Residents of age a in area number k in year y: (k + 1) * 100 + (y - 2022) * 10 + a % 3.
std::string nationalFile() {
  const char* const areas[] = {"E06000001", "E06000002", "E08000025"};
  std::string text = "laua,date,age,population\n";
  for (int k = 0; k < 3; ++k) {
    for (int year = 2022; year <= 2024; ++year) {
      for (int age = 0; age <= 90; ++age) {
        const int residents = (k + 1) * 100 + (year - 2022) * 10 + age % 3;
        text += std::string(areas[k]) + "," + std::to_string(year) + "-06-30," +
                std::to_string(age) + "," + std::to_string(residents) + "\n";
      }
    }
  }
  return text;
}

// Residents aged 0-17 of area number k in year y, as nationalFile() writes them.
double expectedChildren(int k, int year) {
  double total = 0;
  for (int age = 0; age < 18; ++age) total += (k + 1) * 100 + (year - 2022) * 10 + age % 3;
  return total;
}

PopulationEstimates read(const std::string& text) {
  std::istringstream in(text);
  return PopulationEstimates::fromCsv(in, "population.csv");
}

TEST(PopulationEstimates, UsesOnlyTheConfiguredAreaAndTheMidYearEstimateTheYearStarts) {
  const PopulationEstimates estimates = read(nationalFile());
  const auto base = estimates.childrenFor("E06000002", financialYearStarting(2023));
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_EQ(base->area, "E06000002");
  EXPECT_EQ(canonical::formatIsoDate(base->estimate_date), "2023-06-30");
  EXPECT_EQ(base->rows, 18u);
  EXPECT_DOUBLE_EQ(base->children, expectedChildren(1, 2023));
  EXPECT_FALSE(base->earlier);
  EXPECT_EQ(base->describe(),
            "E06000002, estimate of 2023-06-30: 18 rows, 3798 residents aged 0-17");
}

TEST(PopulationEstimates, FallsBackToTheLatestEarlierYearAndSaysSo) {
  const auto base = read(nationalFile()).childrenFor("E08000025", financialYearStarting(2026));
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(canonical::formatIsoDate(base->estimate_date), "2024-06-30");
  EXPECT_DOUBLE_EQ(base->children, expectedChildren(2, 2024));
  EXPECT_TRUE(base->earlier);
  EXPECT_NE(base->describe().find("latest earlier"), std::string::npos);
}

TEST(PopulationEstimates, AnEstimateDatedAtThePeriodEndCountsForThatYear) {
  // As the synthetic council writes it: residents on the last day of the financial year.
  const auto base = read(
                        "laua,date,age,population\nE06000001,2025-03-31,4,7\n"
                        "E06000001,2025-03-31,40,9\n")
                        .childrenFor("", financialYearStarting(2024));
  ASSERT_TRUE(base.ok());
  EXPECT_DOUBLE_EQ(base->children, 7);
  EXPECT_FALSE(base->earlier);
}

TEST(PopulationEstimates, RefusesToGuessTheAreaOrToUseAnotherOne) {
  const PopulationEstimates estimates = read(nationalFile());
  const auto unset = estimates.childrenFor("", financialYearStarting(2023));
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.error().message.find("holds 3 areas; set indicators.area_code"),
            std::string::npos);
  const auto missing = estimates.childrenFor("E09000001", financialYearStarting(2023));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("population.csv: no rows for area E09000001"),
            std::string::npos);
  const auto too_early = estimates.childrenFor("E06000001", financialYearStarting(2020));
  ASSERT_FALSE(too_early.ok());
  EXPECT_NE(too_early.error().message.find("the earliest is 2022-06-30"), std::string::npos);
}

TEST(PopulationEstimates, ReadsTheOnsTimeSeriesWideByYearAndAddsBothSexes) {
  const auto estimates = read(
      "\xEF\xBB\xBF"
      "ladcode23,laname23,country,sex,age,population_2022,population_2023\n"
      "E06000001,Hartlepool,E,1,0,100,110\n"
      "E06000001,Hartlepool,E,2,0,90,95\n"
      "E06000001,Hartlepool,E,1,17,50,51\n"
      "E06000001,Hartlepool,E,2,90,1000,1000\n"
      "E06000002,Middlesbrough,E,1,5,7777,7777\n");
  const auto base = estimates.childrenFor("E06000001", financialYearStarting(2023));
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_DOUBLE_EQ(base->children, 110 + 95 + 51);
  EXPECT_EQ(base->rows, 3u);
}

TEST(PopulationEstimates, ReadsANomisDownloadSkippingTotalsAndPreferringAllPersons) {
  const auto estimates = read(
      "DATE,DATE_NAME,GEOGRAPHY_NAME,GEOGRAPHY_CODE,GENDER_NAME,C_AGE_NAME,MEASURES_NAME,"
      "OBS_VALUE\n"
      "2023,2023,Hartlepool,E06000001,Total,All Ages,Value,\"92,338\"\n"
      "2023,2023,Hartlepool,E06000001,Total,Aged 0 - 15,Value,17000\n"
      "2023,2023,Hartlepool,E06000001,Total,Aged under 1,Value,\"1,001\"\n"
      "2023,2023,Hartlepool,E06000001,Total,Age 17,Value,1002\n"
      "2023,2023,Hartlepool,E06000001,Male,Age 17,Value,500\n"
      "2023,2023,Hartlepool,E06000001,Female,Age 17,Value,502\n"
      "2023,2023,Hartlepool,E06000001,Total,Aged 90+,Value,800\n");
  const auto base = estimates.childrenFor("E06000001", financialYearStarting(2023));
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_DOUBLE_EQ(base->children, 1001 + 1002);
  EXPECT_EQ(base->rows, 2u);
}

TEST(PopulationEstimates, NamesTheFileAndLineOfWhatItCannotRead) {
  auto refusal = [](const std::string& text) {
    try {
      read(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("read without complaint");
  };
  EXPECT_EQ(refusal("code,name,all ages,0,1\nE06000001,Hartlepool,92338,1001,1002\n").substr(0, 18),
            "population.csv:1: ");
  EXPECT_EQ(refusal("laua,date,age,population\nE06000001,2023,4,7\nE06000001,2023,four,7\n"),
            "population.csv:3: the age is not a single year of age");
  EXPECT_EQ(refusal("laua,date,age,population\nE06000001,someday,4,7\n"),
            "population.csv:2: the date is not a date or a year");
  EXPECT_EQ(refusal("laua,date,age,population\nE06000001,2023,4,-7\n"),
            "population.csv:2: the population is not a count");
  EXPECT_EQ(refusal("laua,date,age,population\nE06000001,2023\n"),
            "population.csv:2: has 2 columns, the header more");
  EXPECT_EQ(refusal(""), "population.csv: empty file");
}

}  // namespace
}  // namespace hearth::pipelines::indicators
