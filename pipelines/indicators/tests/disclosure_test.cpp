#include "pipelines/indicators/disclosure.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace hearth::pipelines::indicators {
namespace {

IndicatorValue cell(std::string breakdown, std::string value, double numerator,
                    std::optional<double> denominator = std::nullopt) {
  IndicatorValue v;
  v.indicator_id = "test_indicator";
  v.period.label = "2024-25";
  v.breakdown_name = std::move(breakdown);
  v.breakdown_value = std::move(value);
  v.numerator = numerator;
  v.denominator = denominator;
  v.value = denominator && *denominator > 0 ? numerator / *denominator * 100 : numerator;
  v.unit = denominator ? "percent" : "count";
  return v;
}

const DisclosureConvention kSocialCare = *disclosureConvention("social_care");
const DisclosureConvention kHealth = *disclosureConvention("health");

// The attacker: every breakdown's cells add up to the headline. Unknowns are the hidden cells
// (and the headline when hidden); each breakdown gives one linear equation in them, the visible
// cells moved to the right-hand side. A hidden value is recovered exactly when its unit vector
// lies in the row space of the equations: in reduced row echelon form, a row that is that unit
// vector. Returns the hidden cells it recovers, by index.
std::vector<size_t> recoverable(const std::vector<IndicatorValue>& cells) {
  std::vector<size_t> unknowns;  // cell index of each unknown
  std::map<size_t, size_t> column_of;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].suppressed) {
      column_of[i] = unknowns.size();
      unknowns.push_back(i);
    }
  }
  std::optional<size_t> headline;
  std::map<std::string, std::vector<size_t>> breakdowns;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].breakdown_name.empty()) {
      headline = i;
    } else {
      breakdowns[cells[i].breakdown_name].push_back(i);
    }
  }
  if (!headline) return {};
  const size_t n = unknowns.size();
  std::vector<std::vector<double>> rows;
  for (const auto& [name, members] : breakdowns) {
    std::vector<double> row(n + 1, 0.0);
    auto add = [&](size_t i, double sign) {
      if (cells[i].suppressed) {
        row[column_of[i]] += sign;
      } else {
        row[n] -= sign * cells[i].numerator;
      }
    };
    for (const size_t i : members) add(i, 1.0);
    add(*headline, -1.0);
    rows.push_back(row);
  }
  // Reduced row echelon form.
  size_t pivot_row = 0;
  for (size_t col = 0; col < n && pivot_row < rows.size(); ++col) {
    size_t best = pivot_row;
    for (size_t r = pivot_row; r < rows.size(); ++r) {
      if (std::abs(rows[r][col]) > std::abs(rows[best][col])) best = r;
    }
    if (std::abs(rows[best][col]) < 1e-9) continue;
    std::swap(rows[best], rows[pivot_row]);
    const double p = rows[pivot_row][col];
    for (double& x : rows[pivot_row]) x /= p;
    for (size_t r = 0; r < rows.size(); ++r) {
      if (r == pivot_row || std::abs(rows[r][col]) < 1e-12) continue;
      const double f = rows[r][col];
      for (size_t c = 0; c <= n; ++c) rows[r][c] -= f * rows[pivot_row][c];
    }
    ++pivot_row;
  }
  std::vector<size_t> found;
  for (const auto& row : rows) {
    size_t nonzero = 0;
    size_t at = 0;
    for (size_t c = 0; c < n; ++c) {
      if (std::abs(row[c]) > 1e-9) {
        ++nonzero;
        at = c;
      }
    }
    if (nonzero == 1) found.push_back(unknowns[at]);
  }
  return found;
}

TEST(Disclosure, TheAttackerRecoversACellThatPrimarySuppressionAloneHides) {
  std::vector<IndicatorValue> cells = {cell("", "", 40), cell("sex", "F", 3), cell("sex", "M", 30),
                                       cell("sex", "U", 7)};
  DisclosureConvention primary_only = kSocialCare;
  primary_only.secondary = false;
  applyDisclosure(std::span<IndicatorValue>(cells), primary_only);
  EXPECT_EQ(recoverable(cells), (std::vector<size_t>{1}));
}

TEST(Disclosure, OneSmallCellHidesTheNextSmallestOfItsBreakdown) {
  std::vector<IndicatorValue> cells = {cell("", "", 40), cell("sex", "F", 3), cell("sex", "M", 30),
                                       cell("sex", "U", 7)};
  const auto why = applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_EQ(why,
            (std::vector<Hidden>{Hidden::kNo, Hidden::kPrimary, Hidden::kNo, Hidden::kSecondary}));
  EXPECT_TRUE(recoverable(cells).empty());
  EXPECT_EQ(cells[0].numerator, 40);  // nothing rounded under this convention
}

TEST(Disclosure, ZeroIsShownAndIsNotAProtection) {
  // 0 identifies nobody; hiding it beside the 2 would leave the 2 recoverable all the same.
  std::vector<IndicatorValue> cells = {cell("", "", 22), cell("age", "0-4", 2),
                                       cell("age", "5-9", 0), cell("age", "10-15", 20)};
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_TRUE(cells[1].suppressed);
  EXPECT_FALSE(cells[2].suppressed);
  EXPECT_TRUE(cells[3].suppressed);
  EXPECT_TRUE(recoverable(cells).empty());
}

TEST(Disclosure, HiddenCellsWhoseTotalIsSmallAreHiddenFurther) {
  // 1 and 1 hidden would total 2: both pinned to 1. The 50 goes too, then the total is 52.
  std::vector<IndicatorValue> cells = {cell("", "", 52), cell("sex", "F", 1), cell("sex", "M", 1),
                                       cell("sex", "U", 50)};
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_TRUE(cells[1].suppressed && cells[2].suppressed && cells[3].suppressed);
  EXPECT_FALSE(cells[0].suppressed);
}

TEST(Disclosure, AHiddenHeadlineIsNotGivenAwayByABreakdownShownWhole) {
  std::vector<IndicatorValue> cells = {cell("", "", 4), cell("sex", "F", 0), cell("sex", "M", 4),
                                       cell("age", "0-4", 0), cell("age", "5-9", 0)};
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_TRUE(cells[0].suppressed);
  // The age breakdown of zeros would add up to the headline: one of it is hidden.
  EXPECT_TRUE(cells[3].suppressed || cells[4].suppressed);
  EXPECT_TRUE(recoverable(cells).empty());
}

TEST(Disclosure, HealthHidesOneToSevenAndRoundsTheRestButNotTheRate) {
  std::vector<IndicatorValue> cells = {cell("", "", 123, 1000), cell("sex", "F", 7, 400),
                                       cell("sex", "M", 116, 600)};
  applyDisclosure(std::span<IndicatorValue>(cells), kHealth);
  EXPECT_TRUE(cells[1].suppressed);
  EXPECT_TRUE(cells[2].suppressed);  // secondary: the headline less 7 is 116
  EXPECT_FALSE(cells[0].suppressed);
  EXPECT_EQ(cells[0].numerator, 125);
  EXPECT_DOUBLE_EQ(cells[0].value, 12.3);  // from the unrounded count
}

TEST(Disclosure, ACountOfFamiliesIsNotAPartOfTheHeadline) {
  std::vector<IndicatorValue> cells = {cell("", "", 40), cell("count_of", "families", 31)};
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_FALSE(cells[0].suppressed);
  EXPECT_FALSE(cells[1].suppressed);
  cells[1].numerator = 3;
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_TRUE(cells[1].suppressed);
  EXPECT_FALSE(cells[0].suppressed);  // hiding the families does not hide the people
}

TEST(Disclosure, HousingPublishesUnrounded) {
  std::vector<IndicatorValue> cells = {cell("", "", 3), cell("sex", "F", 1), cell("sex", "M", 2)};
  applyDisclosure(std::span<IndicatorValue>(cells), *disclosureConvention("housing"));
  for (const IndicatorValue& v : cells) EXPECT_FALSE(v.suppressed);
  EXPECT_EQ(cells[1].numerator, 1);
}

// Random tables of people counted by three breakdowns: whatever the counts, every small cell is
// hidden and no hidden cell can be worked out from what is shown.
TEST(Disclosure, NoHiddenCellIsRecoverableFromAnyRandomTable) {
  std::mt19937 rng(20261202);
  for (int round = 0; round < 3000; ++round) {
    const int people = std::uniform_int_distribution<int>(0, 60)(rng);
    const std::vector<std::pair<std::string, int>> dims = {{"sex", 3}, {"age", 5}, {"area", 7}};
    std::map<std::pair<std::string, int>, int> counts;
    for (int p = 0; p < people; ++p) {
      for (const auto& [name, size] : dims) {
        // Skewed, so small cells are common.
        const int v =
            std::min(size - 1, static_cast<int>(std::geometric_distribution<int>(0.45)(rng)));
        ++counts[{name, v}];
      }
    }
    std::vector<IndicatorValue> cells = {cell("", "", people)};
    for (const auto& [name, size] : dims) {
      for (int v = 0; v < size; ++v) {
        cells.push_back(cell(name, std::to_string(v), counts[{name, v}]));
      }
    }
    const std::vector<IndicatorValue> original = cells;
    applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
    for (size_t i = 0; i < cells.size(); ++i) {
      if (original[i].numerator > 0 && original[i].numerator < 5) {
        ASSERT_TRUE(cells[i].suppressed) << "round " << round << " cell " << i;
      }
    }
    ASSERT_TRUE(recoverable(cells).empty()) << "round " << round;
  }
}

}  // namespace
}  // namespace hearth::pipelines::indicators
