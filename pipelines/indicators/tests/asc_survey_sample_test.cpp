// The Adult Social Care Survey's own respondent rows (../shared/data/asc-survey) through the
// survey layout and the indicator engine: the unweighted "feel safe" share equals the one the
// file's derived ASCOF_4A column gives (1 = feels as safe as they want, blank = no valid answer).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "pipelines/indicators/csv_line.hpp"
#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/tests/test_records.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::indicators {
namespace {

using namespace testing;

TEST(AscSurveySample, FeelSafeShareEqualsTheSurveysOwnDerivedColumn) {
  std::ifstream in(std::string(HEARTH_SHARED_DATA) + "/asc-survey/cleaned_data_expected_test.csv");
  ASSERT_TRUE(in.good());
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  const std::vector<std::string> header = splitCsvLine(line);

  const normalise::Normaliser normaliser(
      normalise::NormaliseContext{.layout = "asc_survey",
                                  .connector = "asc_survey",
                                  .source_system = "adult_social_care",
                                  .today = day(2025, 6, 1),
                                  .default_collection_year = 2024});
  IndicatorEngine engine(configFor(financialYearStarting(2024), 0), shippedBankHolidays(),
                         testPostcodes());
  int rows = 0, derived_safe = 0, derived_valid = 0, findings = 0;
  PersonKey key = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::vector<std::string> cells = splitCsvLine(line);
    ASSERT_EQ(cells.size(), header.size()) << line;
    std::vector<FieldView> fields;
    for (size_t i = 0; i < header.size(); ++i) {
      fields.push_back({header[i], cells[i]});
      if (header[i] == "ASCOF_4A" && !cells[i].empty()) {
        ++derived_valid;
        derived_safe += std::stod(cells[i]) == 1.0 ? 1 : 0;
      }
    }
    normalise::NormaliseOutput out;
    const std::string location = "cleaned_data_expected_test.csv:" + std::to_string(++rows + 1);
    normaliser.normalise(
        RawRecordView{
            .stream = "survey", .source_key = location, .location = location, .fields = fields},
        out);
    findings += static_cast<int>(out.findings.size());
    ASSERT_EQ(out.records.size(), 1u) << location;
    engine.add(++key, location, out.records[0]);
  }
  engine.evaluate();
  EXPECT_EQ(rows, 12);
  EXPECT_EQ(findings, 0);
  ASSERT_EQ(derived_valid, 9);
  for (const IndicatorValue& v : engine.values(true)) {
    if (v.indicator_id != "asc_feels_safe") continue;
    EXPECT_EQ(v.numerator, derived_safe);
    EXPECT_EQ(v.denominator, derived_valid);
    EXPECT_DOUBLE_EQ(v.value, 100.0 * derived_safe / derived_valid);
    return;
  }
  ADD_FAILURE() << "no asc_feels_safe value";
}

}  // namespace
}  // namespace hearth::pipelines::indicators
