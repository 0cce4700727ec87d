#include "pipelines/identity/string_similarity.hpp"

#include <gtest/gtest.h>

namespace hearth::pipelines::identity {
namespace {

TEST(JaroWinkler, MatchesThePublishedValues) {
  EXPECT_NEAR(jaroWinkler("MARTHA", "MARHTA"), 0.961, 0.0005);
  EXPECT_NEAR(jaroWinkler("DWAYNE", "DUANE"), 0.840, 0.0005);
  EXPECT_NEAR(jaroWinkler("DIXON", "DICKSONX"), 0.813, 0.0005);
}

TEST(JaroWinkler, IsOneForEqualAndZeroForNothingInCommon) {
  EXPECT_DOUBLE_EQ(jaroWinkler("smith", "smith"), 1.0);
  EXPECT_DOUBLE_EQ(jaroWinkler("abc", "xyz"), 0.0);
  EXPECT_DOUBLE_EQ(jaroWinkler("", "smith"), 0.0);
}

TEST(Nicknames, MapToTheSameFormalName) {
  EXPECT_EQ(formalGivenName("bill"), "william");
  EXPECT_EQ(formalGivenName("will"), formalGivenName("william"));
  EXPECT_EQ(formalGivenName("liz"), "elizabeth");
  EXPECT_EQ(formalGivenName("beth"), formalGivenName("liz"));
  EXPECT_EQ(formalGivenName("bob"), "robert");
  EXPECT_EQ(formalGivenName("kate"), "katherine");
  EXPECT_EQ(formalGivenName("catherine"), "katherine");
  EXPECT_EQ(formalGivenName("zebedee"), "zebedee");
}

TEST(NormaliseName, KeepsLowerCaseLettersOnly) {
  EXPECT_EQ(normaliseName(" O'Brien-Smith "), "obriensmith");
  EXPECT_EQ(normaliseName("Mary Jane"), "maryjane");
}

TEST(Soundex, CodesTheClassicExamples) {
  EXPECT_EQ(soundexText("Robert"), "R163");
  EXPECT_EQ(soundexText("Rupert"), "R163");
  EXPECT_EQ(soundexText("Ashcraft"), "A261");  // h does not separate s and c
  EXPECT_EQ(soundexText("Tymczak"), "T522");
  EXPECT_EQ(soundexText("Pfister"), "P236");
  EXPECT_EQ(soundexCode(""), 0u);
}

TEST(KeyingError, AcceptsOneSubstitutionOrAdjacentSwapOnly) {
  EXPECT_TRUE(isOneKeyingErrorApart("4137877", "4137787"));
  EXPECT_TRUE(isOneKeyingErrorApart("2047", "2048"));
  EXPECT_FALSE(isOneKeyingErrorApart("2047", "2047"));
  EXPECT_FALSE(isOneKeyingErrorApart("2047", "3048"));
  EXPECT_FALSE(isOneKeyingErrorApart("2047", "204"));
}

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(boundedEditDistance("ann.lee@gmail.com", "ann.lee@gmail.com", 4), 0u);
  EXPECT_EQ(boundedEditDistance("ann.lee@gmail.com", "ann.lea@gmail.com", 4), 1u);
  EXPECT_EQ(boundedEditDistance("ann.lee@gmail.com", "nan.lee@gmail.com", 4), 1u);  // Swap.
  EXPECT_EQ(boundedEditDistance("ann.lee@gmail.com", "annlee@gmail.com", 4), 1u);
  EXPECT_EQ(boundedEditDistance("hannah88@powers.com", "hannah88opowersc@m", 4), 3u);
  EXPECT_EQ(boundedEditDistance("", "abc", 4), 3u);
}

TEST(EditDistance, StopsAboveTheBound) {
  EXPECT_EQ(boundedEditDistance("ann.lee@gmail.com", "bob99@outlook.com", 4), 5u);
  EXPECT_EQ(boundedEditDistance("a", "abcdefgh", 2), 3u);
}

}  // namespace
}  // namespace hearth::pipelines::identity
