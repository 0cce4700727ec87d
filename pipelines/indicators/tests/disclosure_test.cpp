#include "pipelines/indicators/disclosure.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "pipelines/indicators/tests/disclosure_attack.hpp"

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

using disclosure_attack::recoverable;

const DisclosureConvention kSocialCare = *disclosureConvention("social_care");
const DisclosureConvention kHealth = *disclosureConvention("health");

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

TEST(Disclosure, FiveHiddenOnesAreNotLeftToTotalFive) {
  // Five areas of one person each beside a shown 40: hidden, they would total 5, so all ones.
  std::vector<IndicatorValue> cells = {cell("", "", 45)};
  for (int a = 0; a < 5; ++a) cells.push_back(cell("area", std::to_string(a), 1));
  cells.push_back(cell("area", "5", 40));
  applyDisclosure(std::span<IndicatorValue>(cells), kSocialCare);
  EXPECT_TRUE(cells[6].suppressed);
  EXPECT_TRUE(recoverable(cells).empty());
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
