// Reads the real sample files under ${HEARTH_SHARED_DATA} and checks the row count of each.
//
// The expected counts were obtained independently of this reader, with Python's csv module:
//   rows = list(csv.reader(open(path, newline="", encoding="utf-8-sig")))
//   count = len([r for r in rows[1:] if r])  # data rows: header and blank rows excluded
// which also confirmed that every row of every file has the header's number of columns.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "connectors/csv/csv_reader.hpp"
#include "connectors/csv/tests/csv_test_support.hpp"

namespace hearth::connectors::csv {
namespace {

const std::filesystem::path kSharedData = HEARTH_SHARED_DATA;

const std::map<std::string, size_t> kExpectedDataRows = {
    {"ssda903/903_2023_24_rule_info.csv", 311},
    {"ssda903/903_2024_25_rule_info.csv", 312},
    {"ssda903/DoLo.csv", 1},
    {"ssda903/SSDA903_2020_episodes.csv", 5},
    {"ssda903/SSDA903_2020_header.csv", 5},
    {"ssda903/ad1.csv", 29},
    {"ssda903/episodes.csv", 5050},
    {"ssda903/header.csv", 2675},
    {"ssda903/missing.csv", 43},
    {"ssda903/oc2.csv", 2675},
    {"ssda903/oc3.csv", 53},
    {"ssda903/placed_for_adoption.csv", 29},
    {"ssda903/placed_for_adoption_errors.csv", 30},
    {"ssda903/previous_permanence.csv", 2675},
    {"ssda903/reviews.csv", 12582},
    {"ssda903/sw_episodes.csv", 1},
    {"ssda903/uasc.csv", 132},
    {"school-census/2025_spring_fsmperiod.csv", 25889},
    {"school-census/2025_spring_pupilnolongeronroll.csv", 375},
    {"school-census/2025_spring_pupilonroll.csv", 9498},
    {"school-census/2025_spring_senneeds.csv", 16954},
    {"school-census/2025_spring_termlyexclusionsonroll.csv", 10064},
    {"school-census/2025_spring_termlysessiondetailsonroll.csv", 41251},
};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(CsvSampleData, EverySampleFileIsCovered) {
  for (const char* folder : {"ssda903", "school-census"}) {
    for (const auto& entry : std::filesystem::directory_iterator(kSharedData / folder)) {
      if (entry.path().extension() != ".csv") continue;
      const std::string name = std::string(folder) + "/" + entry.path().filename().string();
      EXPECT_TRUE(kExpectedDataRows.contains(name)) << name << " has no expected row count";
    }
  }
}

TEST(CsvSampleData, ReadsEachSampleFileWithItsExactRowCountAndNoRejects) {
  for (const auto& [name, expected_rows] : kExpectedDataRows) {
    SCOPED_TRACE(name);
    const std::string text = readFile(kSharedData / name);
    ASSERT_FALSE(text.empty());
    const testing::Parsed parsed = testing::parseText(text);
    ASSERT_TRUE(parsed.ended);
    ASSERT_FALSE(parsed.rows.empty());
    const size_t columns = parsed.rows.front().fields.size();
    for (const auto& row : parsed.rows) {
      EXPECT_TRUE(row.ok()) << "line " << row.start.line << ": " << reasonCode(row.error);
      EXPECT_EQ(row.fields.size(), columns) << "line " << row.start.line;
    }
    EXPECT_EQ(parsed.rows.size() - 1, expected_rows);

    const testing::Parsed chunked = testing::parseText(text, {}, 4093);
    EXPECT_EQ(chunked.rows.size(), parsed.rows.size());
  }
}

}  // namespace
}  // namespace hearth::connectors::csv
