#include "pipelines/identity/name_folding.hpp"

#include <gtest/gtest.h>

#include "pipelines/identity/comparison.hpp"
#include "pipelines/identity/record_features.hpp"
#include "pipelines/identity/string_similarity.hpp"

namespace hearth::pipelines::identity {
namespace {

TEST(FoldToAscii, StripsAccentsAndKeepsTheBaseLetter) {
  EXPECT_EQ(normaliseName("Zoë"), "zoe");
  EXPECT_EQ(normaliseName("Siân"), "sian");
  EXPECT_EQ(normaliseName("Renée"), "renee");
  EXPECT_EQ(normaliseName("Nguyễn"), "nguyen");  // Two marks on one letter.
}

TEST(FoldToAscii, SpellsOutLettersWithoutADecomposition) {
  EXPECT_EQ(normaliseName("Łukasz"), "lukasz");
  EXPECT_EQ(normaliseName("Strauß"), "strauss");
  EXPECT_EQ(normaliseName("STRAUẞ"), "strauss");
  EXPECT_EQ(normaliseName("Søren Ødegård"), "sorenodegard");
  EXPECT_EQ(normaliseName("Ægir Æsa"), "aegiraesa");
  EXPECT_EQ(normaliseName("Đorđe"), "dorde");
  EXPECT_EQ(normaliseName("Işıl"), "isil");
  EXPECT_EQ(normaliseName("Œdipe"), "oedipe");
  EXPECT_EQ(normaliseName("Þóra"), "thora");
}

TEST(FoldToAscii, Polish) {
  EXPECT_EQ(normaliseName("Wojciech"), "wojciech");
  EXPECT_EQ(normaliseName("Łęcka-Żółkiewska"), "leckazolkiewska");
  EXPECT_EQ(normaliseName("Grzegorz Brzęczyszczykiewicz"), "grzegorzbrzeczyszczykiewicz");
  EXPECT_EQ(normaliseName("Małgorzata Ślusarczyk"), "malgorzataslusarczyk");
}

TEST(FoldToAscii, RomanianCedillaAndCommaBelowAgree) {
  // Romanian text is written with both s-cedilla (U+015F) and s-comma (U+0219).
  EXPECT_EQ(normaliseName("Ştefănescu"), "stefanescu");
  EXPECT_EQ(normaliseName("Ștefănescu"), "stefanescu");
  EXPECT_EQ(normaliseName("Ţurcan"), normaliseName("Țurcan"));
  EXPECT_EQ(normaliseName("Ionuț Bălănescu"), "ionutbalanescu");
}

TEST(FoldToAscii, Portuguese) {
  EXPECT_EQ(normaliseName("João Gonçalves"), "joaogoncalves");
  EXPECT_EQ(normaliseName("Conceição Simões"), "conceicaosimoes");
}

TEST(FoldToAscii, WelshCircumflexes) {
  EXPECT_EQ(normaliseName("Llŷr"), "llyr");
  EXPECT_EQ(normaliseName("Gwenllïan"), "gwenllian");
  EXPECT_EQ(normaliseName("Ŵyn"), "wyn");
  EXPECT_EQ(normaliseName("Siôn Prŷs"), "sionprys");
}

TEST(FoldToAscii, IrishFadasAndPrefixes) {
  EXPECT_EQ(normaliseName("Seán Ó Súilleabháin"), "seanosuilleabhain");
  EXPECT_EQ(normaliseName("Ó Briain"), "obriain");
  EXPECT_EQ(normaliseName("Aoibhínn"), "aoibhinn");
  // The typographic apostrophe of a word processor and the keyboard one give the same name.
  EXPECT_EQ(normaliseName("O\u2019Brien"), normaliseName("O'Brien"));
  EXPECT_EQ(normaliseName("D\u2019Souza"), "dsouza");
}

TEST(FoldToAscii, SomaliAndUrduTransliterationsAreAlreadyAscii) {
  EXPECT_EQ(normaliseName("Cabdullaahi Xasan"), "cabdullaahixasan");
  EXPECT_EQ(normaliseName("Ca\u02BCalin"), "caalin");  // Modifier-letter apostrophe.
  EXPECT_EQ(normaliseName("Muhammad Shāh"), "muhammadshah");
}

TEST(FoldToAscii, HyphenatedAndDoubleBarrelledSurnames) {
  EXPECT_EQ(normaliseName("Smith\u2013Jones"), "smithjones");  // En dash.
  EXPECT_EQ(normaliseName("Bowes-Lyon"), "boweslyon");
  EXPECT_EQ(normaliseName("Pérez García"), "perezgarcia");
}

TEST(FoldToAscii, ReadsBytesThatAreNotUtf8AsLatin1) {
  EXPECT_EQ(normaliseName("Zo\xEB"), "zoe");
  EXPECT_EQ(normaliseName("Si\xE2n"), "sian");
  EXPECT_EQ(foldToAscii("\xFF\xFE"), "yth");  // ÿ, þ: never a crash, never raw bytes.
}

TEST(FoldToAscii, DropsOtherScriptsAndKeepsAsciiAsItIs) {
  EXPECT_EQ(normaliseName("Анна"), "");
  EXPECT_EQ(foldToAscii("Mary-Jane O'Neil 12"), "mary-jane o'neil 12");
  EXPECT_EQ(foldToAscii(""), "");
}

TEST(Transliterations, MapToOneFormalName) {
  EXPECT_EQ(formalGivenName("mohammed"), "muhammad");
  EXPECT_EQ(formalGivenName("mohamed"), "muhammad");
  EXPECT_EQ(formalGivenName("maxamed"), "muhammad");
  EXPECT_EQ(formalGivenName("hussein"), formalGivenName("hussain"));
  EXPECT_EQ(formalGivenName("ayesha"), formalGivenName("aisha"));
  EXPECT_EQ(formalGivenName("shaun"), formalGivenName("sean"));
}

PersonRecord named(std::string given, std::string family) {
  PersonRecord record;
  record.given_name = std::move(given);
  record.family_name = std::move(family);
  return record;
}

TEST(FoldedNames, CompareAsTheSameName) {
  FeatureStore store;
  store.add(named("Zoë", "Łukaszewicz"));
  store.add(named("Zoe", "Lukaszewicz"));
  store.add(named("Siân", "MacDonald"));
  store.add(named("Sian", "McDonald"));
  const ComparisonVector accents = compareRecords(store, 0, 1, false);
  EXPECT_EQ(accents.level(Field::kGivenName), name_level::kExact);
  EXPECT_EQ(accents.level(Field::kFamilyName), name_level::kExact);
  const ComparisonVector mac = compareRecords(store, 2, 3, false);
  EXPECT_EQ(mac.level(Field::kGivenName), name_level::kExact);
  EXPECT_EQ(mac.level(Field::kFamilyName), name_level::kAlias);
}

}  // namespace
}  // namespace hearth::pipelines::identity
