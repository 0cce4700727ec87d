#include "pipelines/validation/identifiers.hpp"

#include <gtest/gtest.h>

namespace hearth::pipelines::validation {
namespace {

TEST(NhsNumber, AcceptsTheDomainExamples) {
  EXPECT_TRUE(isValidNhsNumber("9434765919"));
  EXPECT_TRUE(isValidNhsNumber("9912003888"));
  EXPECT_TRUE(isValidNhsNumber("943 476 5919"));
}

TEST(NhsNumber, RejectsWrongCheckDigitAndShape) {
  EXPECT_FALSE(isValidNhsNumber("4123456879"));
  EXPECT_FALSE(isValidNhsNumber("943476591"));
  EXPECT_FALSE(isValidNhsNumber("94347659190"));
  EXPECT_FALSE(isValidNhsNumber("94347659X9"));
}

TEST(NhsNumber, RemainderGivingTenIsNeverValid) {
  // 1,0,0,0,0,0,0,0,1: 10 + 2 = 12, 12 mod 11 = 1, check 10: no last digit can match.
  for (char last = '0'; last <= '9'; ++last) {
    EXPECT_FALSE(isValidNhsNumber(std::string("100000001") + last));
  }
}

TEST(Upn, AcceptsTheDomainExamples) {
  EXPECT_TRUE(isValidUpn("B801200005001"));
  EXPECT_TRUE(isValidUpn("A950000178301"));
  EXPECT_TRUE(isValidUpn("H243278544154"));
}

TEST(Upn, RejectsWrongCheckLetter) { EXPECT_FALSE(isValidUpn("R247962919251")); }

TEST(Upn, RemaindersTwentyOneAndTwentyTwoAreYAndZ) {
  // Digits at positions 2..13 weigh 2..13; "000000000007" sums 7*13 = 91 = 3*23 + 22.
  EXPECT_EQ(upnCheckLetter("?000000000007"), 'Z');
  EXPECT_TRUE(isValidUpn("Z000000000007"));
  // 4 at position 2 and 1 at position 13: 8 + 13 = 21.
  EXPECT_EQ(upnCheckLetter("?400000000001"), 'Y');
  EXPECT_TRUE(isValidUpn("Y400000000001"));
}

TEST(Upn, TemporaryUpnFinalLetterTakesItsAlphabetIndex) {
  // Whatever the final letter's index, the computed check letter must make the UPN valid.
  const auto check = upnCheckLetter("?80120000500A");
  ASSERT_TRUE(check.has_value());
  EXPECT_TRUE(isValidUpn(std::string(1, *check) + "80120000500A"));
  // I, O and S are not in the alphabet, so no temporary UPN ends with them.
  EXPECT_FALSE(upnCheckLetter("?80120000500I").has_value());
}

TEST(Upn, RejectsBadShape) {
  EXPECT_FALSE(isValidUpn("B80120000500"));
  EXPECT_FALSE(isValidUpn("B8012000A5001"));
}

TEST(Uln, AcceptsTheDomainExampleAndRejectsOthers) {
  EXPECT_TRUE(isValidUln("9276308686"));
  EXPECT_FALSE(isValidUln("9276308687"));
  EXPECT_FALSE(isValidUln("0276308686"));
  EXPECT_FALSE(isValidUln("927630868"));
}

TEST(Postcode, NormalisesCaseAndSpacing) {
  EXPECT_EQ(normalisePostcode("sw1a1aa"), "SW1A 1AA");
  EXPECT_EQ(normalisePostcode("C251YT"), "C25 1YT");
  EXPECT_EQ(normalisePostcode("M1 1AE"), "M1 1AE");
  EXPECT_EQ(normalisePostcode("EG19 7TT"), "EG19 7TT");
  EXPECT_EQ(normalisePostcode("  b33 8th "), "B33 8TH");
}

TEST(Postcode, RejectsForbiddenInwardLettersAndBadOutward) {
  EXPECT_FALSE(isValidPostcode("SW1A 1AC"));
  EXPECT_FALSE(isValidPostcode("SW1A 1IA"));
  EXPECT_FALSE(isValidPostcode("1W1A 1AA"));
  EXPECT_FALSE(isValidPostcode("SW1AA 1AA"));
  EXPECT_FALSE(isValidPostcode("SW1A"));
}

}  // namespace
}  // namespace hearth::pipelines::validation
