#include "connectors/ssda903/ssda903_year.hpp"

#include <gtest/gtest.h>

namespace hearth::connectors::ssda903 {
namespace {

std::string yearOf(std::string_view configured, std::string_view directory, std::string_view file) {
  const auto year = detectCollectionYear(configured, directory, file);
  return year ? year->year + " from " + year->source : "none";
}

TEST(CollectionYear, ConfigurationWinsOverNames) {
  EXPECT_EQ(yearOf("2024", "/in/2019", "SSDA903_2020_header.csv"), "2024 from configuration");
}

TEST(CollectionYear, TheFileNameYearComesBeforeTheDirectory) {
  EXPECT_EQ(yearOf("", "/in/2019", "SSDA903_2020_header.csv"),
            "2020 from file name SSDA903_2020_header.csv");
}

TEST(CollectionYear, ADirectoryNamedAfterTheYearCountsAtAnyDepth) {
  EXPECT_EQ(yearOf("", "/in/2024_25", "header.csv"), "2024 from directory 2024_25");
  EXPECT_EQ(yearOf("", "/in/2023-2024/903/", "header.csv"), "2023 from directory 2023-2024");
  EXPECT_EQ(yearOf("", "/in/2025", "header.csv"), "2025 from directory 2025");
}

TEST(CollectionYear, NumbersThatAreNotYearsAreIgnored) {
  EXPECT_EQ(yearOf("", "/in/council123456", "header_12345.csv"), "none");
  EXPECT_EQ(yearOf("", "/in/2024x", "header.csv"), "none");
}

}  // namespace
}  // namespace hearth::connectors::ssda903
