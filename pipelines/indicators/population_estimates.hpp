#pragma once

#include <array>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/result.hpp"
#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

/// Single years of age are kept up to this one, which also holds everyone older (ONS: 90+).
inline constexpr int kOldestAge = 90;

/// The rows of a population estimates file that give a period's base, for the log line and
/// `hearthd validate` that say which were used.
struct PopulationBase {
  std::string area;     // the area code the rows were filtered by
  Date estimate_date;   // of the estimate used (an ONS mid-year estimate is 30 June)
  size_t rows = 0;      // single-year-of-age rows summed
  double children = 0;  // residents aged 0-17
  /// Residents by single year of age, the last entry standing for kOldestAge and over.
  std::vector<double> by_age;
  bool earlier = false;  // dated before the period: its own year's estimate was absent

  /// "E06000001, estimate of 2024-06-30: 18 rows, 24310 residents aged 0-17".
  std::string describe() const;
};

/// Resident population by area, estimate date and single year of age, read from a CSV in one of
/// the layouts below (column names in any case; a UTF-8 byte order mark is skipped):
/// - Hearth's long form `laua,date,age,population` (date YYYY-MM-DD, or a year for mid-year);
/// - the ONS mid-year estimates time series, long by age and wide by year:
///   `ladcode23,laname23,country,sex,age,population_2011,...,population_2023` (any ladcodeNN);
/// - a Nomis download of the mid-year estimates (NM_2002_1, "data.csv"): DATE or DATE_NAME,
///   GEOGRAPHY_CODE, GENDER_NAME or GENDER, C_AGE_NAME ("Age 7", "Aged 90+"), OBS_VALUE.
/// Rows for both sexes and for all persons are told apart: when a sex column is present, rows
/// marked all persons are used if there are any, otherwise males and females are added. Age
/// bands and totals ("All Ages", "Aged 0 - 15") are skipped.
class PopulationEstimates {
 public:
  /// Throws std::invalid_argument naming `source` and the line: a header of no known layout, or
  /// a row whose area, date, age or count cannot be read.
  static PopulationEstimates fromCsv(std::istream& in, std::string_view source);

  /// Residents aged 0-17 of `area` (empty: the file's only area) for `period`: the latest
  /// estimate dated on or before the period's end (for a financial year, the mid-year estimate
  /// of the year it starts, as DfE rates use); `earlier` is set when that estimate predates the
  /// period. An error names the file, the area and the estimates it holds when none fits.
  Result<PopulationBase> childrenFor(std::string_view area, const Period& period) const;

  /// Adds residents (tests, and the readers of each layout).
  void add(std::string area, Date estimate_date, int age, bool all_persons, double count);

 private:
  struct Cell {
    size_t rows = 0;
    double children = 0;
    std::array<double, kOldestAge + 1> by_age{};
  };
  // (area, estimate date, all persons?) -> residents aged 0-17
  std::map<std::tuple<std::string, int, bool>, Cell> cells_;
  std::string source_;
};

}  // namespace hearth::pipelines::indicators
