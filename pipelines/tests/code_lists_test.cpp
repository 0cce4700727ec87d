#include "pipelines/validation/code_lists.hpp"

#include <gtest/gtest.h>

namespace hearth::pipelines::validation {
namespace {

TEST(CodeLists, SexIsNumericUntil2023AndLettersFrom2024) {
  EXPECT_TRUE(checkCode(CodeSet::k903Sex, 2023, "1").valid);
  EXPECT_FALSE(checkCode(CodeSet::k903Sex, 2023, "M").valid);
  const CodeCheck letters = checkCode(CodeSet::k903Sex, 2024, "U");
  EXPECT_TRUE(letters.valid);
  EXPECT_EQ(letters.year_applied, 2024);
  EXPECT_FALSE(checkCode(CodeSet::k903Sex, 2024, "1").valid);
}

TEST(CodeLists, SupportedAccommodationK3ReplacesH5AndP2From2024) {
  EXPECT_TRUE(checkCode(CodeSet::k903Placement, 2023, "H5").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903Placement, 2023, "P2").valid);
  const CodeCheck h5 = checkCode(CodeSet::k903Placement, 2024, "H5");
  EXPECT_FALSE(h5.valid);
  EXPECT_EQ(h5.year_applied, 2024);
  EXPECT_FALSE(checkCode(CodeSet::k903Placement, 2024, "P2").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903Placement, 2024, "K3").valid);
}

TEST(CodeLists, OtherPlacementSplitsIntoZ11ToZ14From2025) {
  EXPECT_TRUE(checkCode(CodeSet::k903Placement, 2024, "Z1").valid);
  EXPECT_FALSE(checkCode(CodeSet::k903Placement, 2024, "Z11").valid);
  for (const char* code : {"Z11", "Z12", "Z13", "Z14"}) {
    EXPECT_TRUE(checkCode(CodeSet::k903Placement, 2025, code).valid) << code;
  }
  EXPECT_EQ(checkCode(CodeSet::k903Placement, 2030, "Z12").year_applied, 2025);
}

TEST(CodeLists, OlderYearsUseTheOldestListHeld) {
  const CodeCheck check = checkCode(CodeSet::k903Placement, 2017, "H5");
  EXPECT_TRUE(check.valid);
  EXPECT_EQ(check.year_applied, 0);
}

TEST(CodeLists, CareLeaverCodes) {
  EXPECT_TRUE(checkCode(CodeSet::k903InTouch, 2024, "RHOM").valid);
  EXPECT_FALSE(checkCode(CodeSet::k903InTouch, 2024, "MAYBE").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903Activity, 2024, "G6").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903Accommodation, 2024, "S2").valid);
  EXPECT_FALSE(
      checkCode(CodeSet::k903Accommodation, 2024, "S1").valid);  // homeless: never suitable
  EXPECT_FALSE(checkCode(CodeSet::k903Accommodation, 2024, "01").valid);
}

TEST(CodeLists, CinGenderCurrentAndSexDiffer) {
  EXPECT_TRUE(checkCode(CodeSet::kCinGenderCurrent, 2023, "9").valid);
  EXPECT_FALSE(checkCode(CodeSet::kCinSex, 2024, "9").valid);
  EXPECT_TRUE(checkCode(CodeSet::kCinSex, 2024, "F").valid);
}

TEST(CodeLists, CinCodes) {
  EXPECT_TRUE(checkCode(CodeSet::kCinReferralSource, 2024, "3E").valid);
  EXPECT_TRUE(checkCode(CodeSet::kCinReferralSource, 2024, "10").valid);
  EXPECT_FALSE(checkCode(CodeSet::kCinReferralSource, 2024, "3G").valid);
  EXPECT_TRUE(checkCode(CodeSet::kCinPrimaryNeed, 2024, "N0").valid);
  EXPECT_TRUE(checkCode(CodeSet::kCinReasonForClosure, 2024, "RC9").valid);
  EXPECT_FALSE(checkCode(CodeSet::kCinReasonForClosure, 2024, "RC10").valid);
  EXPECT_TRUE(checkCode(CodeSet::kCinCategoryOfAbuse, 2024, "MUL").valid);
}

TEST(CodeLists, EpisodeCodes) {
  EXPECT_TRUE(checkCode(CodeSet::k903LegalStatus, 2024, "V4").valid);
  EXPECT_FALSE(checkCode(CodeSet::k903LegalStatus, 2024, "V1").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903ReasonNewEpisode, 2024, "U").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903ReasonCeased, 2024, "E4A").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903ReasonPlaceChange, 2024, "CUSTOD").valid);
  EXPECT_TRUE(checkCode(CodeSet::k903MissingType, 2024, "A").valid);
  EXPECT_FALSE(checkCode(CodeSet::k903MissingType, 2024, "X").valid);
}

}  // namespace
}  // namespace hearth::pipelines::validation
