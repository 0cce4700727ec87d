#include "pipelines/identity/match_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "pipelines/identity/comparison.hpp"
#include "pipelines/identity/identity_index.hpp"
#include "pipelines/identity/tests/synthetic_population.hpp"

namespace hearth::pipelines::identity {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

PersonRecord person(std::string given, std::string family, int y, unsigned m, unsigned d,
                    std::string postcode = "LS6 2AB") {
  PersonRecord record;
  record.given_name = std::move(given);
  record.family_name = std::move(family);
  record.birth_date = canonical::Date{year{y}, month{m}, day{d}};
  record.postcode = std::move(postcode);
  return record;
}

ComparisonVector compare(const PersonRecord& a, const PersonRecord& b) {
  FeatureStore store;
  store.add(a);
  store.add(b);
  return compareRecords(store, 0, 1, true);
}

TEST(Comparison, DayAndMonthSwappedHasItsOwnLevel) {
  const auto v = compare(person("ann", "lee", 2010, 3, 7), person("ann", "lee", 2010, 7, 3));
  EXPECT_EQ(v.level(Field::kBirthDate), date_level::kDayMonthSwapped);
}

TEST(Comparison, BirthDateLevelsFromExactToDifferent) {
  const auto base = person("ann", "lee", 2010, 3, 7);
  EXPECT_EQ(compare(base, base).level(Field::kBirthDate), date_level::kExact);
  EXPECT_EQ(compare(base, person("ann", "lee", 2011, 3, 7)).level(Field::kBirthDate),
            date_level::kOneFieldDifferent);
  EXPECT_EQ(compare(base, person("ann", "lee", 2010, 9, 20)).level(Field::kBirthDate),
            date_level::kWithinAYear);
  EXPECT_EQ(compare(base, person("ann", "lee", 1980, 9, 20)).level(Field::kBirthDate),
            date_level::kDifferent);
}

TEST(Comparison, NicknameAgreesAsAlias) {
  EXPECT_EQ(compare(person("Bill", "Hart", 1950, 1, 2), person("William", "Hart", 1950, 1, 2))
                .level(Field::kGivenName),
            name_level::kAlias);
  EXPECT_EQ(compare(person("Liz", "Hart", 1950, 1, 2), person("Beth", "Hart", 1950, 1, 2))
                .level(Field::kGivenName),
            name_level::kAlias);
}

TEST(Comparison, SwappedNamesAgreeAsAliasNotExact) {
  const auto v =
      compare(person("jake", "westbrook", 1950, 1, 2), person("westbrook", "jake", 1950, 1, 2));
  EXPECT_EQ(v.level(Field::kGivenName), name_level::kAlias);
  EXPECT_EQ(v.level(Field::kFamilyName), name_level::kAlias);
}

TEST(Comparison, JaroWinklerBandsAndPostcodeSector) {
  const auto v = compare(person("martha", "dixon", 1950, 1, 2, "LS6 2AB"),
                         person("marhta", "dicksonx", 1950, 1, 2, "LS6 2XY"));
  EXPECT_EQ(v.level(Field::kGivenName), name_level::kJaroWinkler92);
  EXPECT_EQ(v.level(Field::kFamilyName), name_level::kJaroWinkler70);
  EXPECT_EQ(v.level(Field::kPostcode), postcode_level::kSector);
}

// Similarities are remembered by pool and ids: two stores whose ids name other texts, compared
// one after the other on one thread, each get their own.
TEST(Comparison, RememberedSimilaritiesBelongToTheirOwnStore) {
  FeatureStore near;
  near.add(person("martha", "dixon", 1950, 1, 2));
  near.add(person("marhta", "dixon", 1950, 1, 2));
  FeatureStore far;
  far.add(person("martha", "dixon", 1950, 1, 2));
  far.add(person("zoe", "dixon", 1950, 1, 2));
  ASSERT_EQ(near[1].given, far[1].given);  // the same ids, other texts
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(compareRecords(near, 0, 1, true).level(Field::kGivenName),
              name_level::kJaroWinkler92);
    EXPECT_EQ(compareRecords(far, 0, 1, true).level(Field::kGivenName), name_level::kDifferent);
  }
  // A copy may grow apart from its original: it remembers under a name of its own.
  FeatureStore copy = near;
  EXPECT_NE(copy.names().serial(), near.names().serial());
  EXPECT_EQ(compareRecords(copy, 0, 1, true).level(Field::kGivenName), name_level::kJaroWinkler92);
}

TEST(StringPool, AMovedFromPoolStartsAgainUnderAnotherSerial) {
  StringPool pool;
  EXPECT_EQ(pool.intern("anna"), 1u);
  const std::uint64_t serial = pool.serial();
  StringPool moved = std::move(pool);
  EXPECT_EQ(moved.serial(), serial);
  EXPECT_EQ(moved.text(1), "anna");
  EXPECT_NE(pool.serial(), serial);  // NOLINT(bugprone-use-after-move): what it promises
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.intern("zoe"), 1u);
  EXPECT_EQ(moved.intern("zoe"), 2u);
}

TEST(StringPool, KeepsEveryIdAsItGrowsAndAsItIsCopied) {
  // Texts that differ in their last characters only, or are prefixes of one another, and enough
  // of them for the pool's table to grow many times.
  auto textOf = [](int i) { return "NN" + std::to_string(i % 97) + " " + std::to_string(i); };
  StringPool pool;
  constexpr int kTexts = 50'000;
  for (int i = 0; i < kTexts; ++i) ASSERT_EQ(pool.intern(textOf(i)), static_cast<uint32_t>(i + 1));
  EXPECT_EQ(pool.size(), static_cast<size_t>(kTexts + 1));
  EXPECT_EQ(pool.intern(""), 0u);
  StringPool copy = pool;
  StringPool reversed;
  for (int i = kTexts - 1; i >= 0; --i) reversed.intern(textOf(i));
  for (int i = 0; i < kTexts; ++i) {
    const auto id = static_cast<uint32_t>(i + 1);
    ASSERT_EQ(pool.intern(textOf(i)), id);
    ASSERT_EQ(pool.text(id), textOf(i));
    ASSERT_EQ(copy.intern(textOf(i)), id);
    // The hash of a text is the same whatever order the texts came in.
    ASSERT_EQ(reversed.textHash(reversed.intern(textOf(i))), pool.textHash(id));
  }
  EXPECT_EQ(pool.size(), static_cast<size_t>(kTexts + 1));
  // The copy grows apart: its new text takes the next id there, and the original knows nothing
  // of it.
  EXPECT_EQ(copy.intern("only in the copy"), static_cast<uint32_t>(kTexts + 1));
  EXPECT_EQ(pool.intern("only in the original"), static_cast<uint32_t>(kTexts + 1));
  EXPECT_EQ(copy.text(kTexts + 1), "only in the copy");
}

TEST(Comparison, MissingValuesAreTheMissingLevel) {
  PersonRecord a = person("", "lee", 2010, 3, 7, "");
  a.birth_date.reset();
  const auto v = compare(a, person("ann", "lee", 2010, 3, 7));
  EXPECT_EQ(v.level(Field::kGivenName), kMissingLevel);
  EXPECT_EQ(v.level(Field::kBirthDate), kMissingLevel);
  EXPECT_EQ(v.level(Field::kPostcode), kMissingLevel);
  EXPECT_EQ(v.level(Field::kNhsNumber), kMissingLevel);
}

PersonRecord atAddress(std::string address_line, std::string locality) {
  PersonRecord record = person("ann", "lee", 2010, 3, 7);
  record.address_line = std::move(address_line);
  record.locality = std::move(locality);
  return record;
}

TEST(Comparison, AddressLevelsIgnoreSpacingAndSeparateTheHouseNumber) {
  const auto level = [](const char* x, const char* y) {
    return compare(atAddress(x, ""), atAddress(y, "")).level(Field::kAddressLine);
  };
  EXPECT_EQ(level("21 Bayly Place", "21 bayly p lace"), address_level::kExact);
  EXPECT_EQ(level("21 bayly place", "bayly place"), address_level::kSameStreetAndNumber);
  EXPECT_EQ(level("21 studley street", "21 studley steet"), address_level::kSameStreetAndNumber);
  EXPECT_EQ(level("21 studley street", "43 studley street"), address_level::kSameStreet);
  EXPECT_EQ(level("21 studley street", "12 haines street"), address_level::kDifferent);
  EXPECT_EQ(level("", "12 haines street"), kMissingLevel);
}

TEST(Comparison, LocalityLevels) {
  const auto level = [](const char* x, const char* y) {
    return compare(atAddress("", x), atAddress("", y)).level(Field::kLocality);
  };
  EXPECT_EQ(level("Black Rock", "blackrock"), locality_level::kExact);
  EXPECT_EQ(level("bayswater", "bayswter"), locality_level::kSimilar);
  EXPECT_EQ(level("Bolton", "Blotn"), locality_level::kLooselySimilar);
  EXPECT_EQ(level("Ynys Môn", "ynys mon"), locality_level::kExact);
  EXPECT_EQ(level("bayswater", "mosman"), locality_level::kDifferent);
  EXPECT_EQ(level("bayswater", ""), kMissingLevel);
}

PersonRecord withContacts(std::string email, std::string phone) {
  PersonRecord record = person("ann", "lee", 2010, 3, 7);
  record.email = std::move(email);
  record.phone = std::move(phone);
  return record;
}

TEST(Comparison, EmailLevelsBandByEditDistance) {
  const auto level = [](const char* x, const char* y) {
    return compare(withContacts(x, ""), withContacts(y, "")).level(Field::kEmail);
  };
  EXPECT_EQ(level("Ann.Lee@Gmail.com ", "ann.lee@gmail.com"), email_level::kExact);
  EXPECT_EQ(level("ann.lee@gmail.com", "ann.lee@hotmail.co.uk"), email_level::kSameLocalPart);
  EXPECT_EQ(level("ann.lee@gmail.com", "ann.lea@gmail.com"), email_level::kTwoEdits);
  EXPECT_EQ(level("hannah88@powers.com", "hannah88opowersc@m"), email_level::kFourEdits);
  EXPECT_EQ(level("ann.lee@gmail.com", "bob99@outlook.com"), email_level::kDifferent);
  EXPECT_EQ(level("ann.lee@gmail.com", ""), kMissingLevel);
  EXPECT_EQ(level("ann.lee@gmail.com", "-"), kMissingLevel);  // A placeholder, not an address.
}

TEST(Comparison, PhoneLevelsReadTheUkCountryCodeAsTheTrunkZero) {
  const auto level = [](const char* x, const char* y) {
    return compare(withContacts("", x), withContacts("", y)).level(Field::kPhone);
  };
  EXPECT_EQ(level("+44 7700 900123", "07700 900123"), phone_level::kExact);
  EXPECT_EQ(level("0044 (0)7700 900123", "07700900123"), phone_level::kExact);
  EXPECT_EQ(level("07700 900123", "07700 900132"), phone_level::kOneKeyingError);
  EXPECT_EQ(level("07700 900123", "0113 496 0000"), phone_level::kDifferent);
  EXPECT_EQ(level("07700 900123", "n/a"), kMissingLevel);
}

class EstimatedModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::PopulationOptions options;
    options.people = 4000;
    options.duplicates = 1000;
    IdentityIndex index;
    index.build(testing::generatePopulation(options).records);
    model_ = new MatchModel(index.model());
  }
  static void TearDownTestSuite() { delete model_; }
  static MatchModel* model_;
};
MatchModel* EstimatedModel::model_ = nullptr;

TEST_F(EstimatedModel, EmConvergesWithMAboveUForAgreement) {
  EXPECT_TRUE(model_->em_converged);
  const MatchModel& m = *model_;
  for (const auto& [field, level] : {std::pair{Field::kGivenName, name_level::kExact},
                                     {Field::kFamilyName, name_level::kExact},
                                     {Field::kBirthDate, date_level::kExact},
                                     {Field::kBirthDate, date_level::kDayMonthSwapped},
                                     {Field::kPostcode, postcode_level::kExact},
                                     {Field::kNhsNumber, identifier_level::kEqual},
                                     {Field::kSex, sex_level::kEqual}}) {
    const int f = static_cast<int>(field);
    EXPECT_GT(m.m[f][level], m.u[f][level]) << fieldName(field) << " " << levelName(field, level);
    EXPECT_GT(m.levelWeight(field, level), 0.0);
  }
  for (const auto& [field, level] : {std::pair{Field::kGivenName, name_level::kDifferent},
                                     {Field::kFamilyName, name_level::kDifferent},
                                     {Field::kBirthDate, date_level::kDifferent}}) {
    EXPECT_LT(m.levelWeight(field, level), 0.0) << fieldName(field);
  }
}

TEST_F(EstimatedModel, MissingValuesAreNeutral) {
  for (int f = 0; f < kFieldCount; ++f) {
    EXPECT_EQ(model_->levelWeight(static_cast<Field>(f), kMissingLevel), 0.0);
  }
}

// The generated population has no addresses or contact details: those fields must not weigh
// anything, even in a later batch that does carry them.
TEST_F(EstimatedModel, FieldsNeverSeenByEmStayNeutral) {
  for (const Field field : {Field::kAddressLine, Field::kLocality, Field::kEmail, Field::kPhone}) {
    for (int level = 1; level < levelCount(field); ++level) {
      EXPECT_DOUBLE_EQ(model_->levelWeight(field, level), 0.0) << levelName(field, level);
    }
  }
}

TEST_F(EstimatedModel, RareFamilyNamesWeighMoreThanCommonOnes) {
  EXPECT_GT(model_->termAdjustment(Field::kFamilyName, "thornwick"),
            model_->termAdjustment(Field::kFamilyName, "smith"));
  EXPECT_LT(model_->termAdjustment(Field::kFamilyName, "smith"), 0.0);
}

// Random-pair u where one random pair in `birth_exact` shares a birth date, the other levels of
// every field shared evenly.
FieldProbabilities randomU(double birth_exact) {
  FieldProbabilities u{};
  for (const Field field : kAllFields) {
    const int f = static_cast<int>(field);
    const int levels = levelCount(field);
    for (int l = 1; l < levels; ++l) u[f][l] = 1.0 / (levels - 1);
  }
  const int birth = static_cast<int>(Field::kBirthDate);
  for (int l = 1; l < levelCount(Field::kBirthDate); ++l) {
    u[birth][l] = (1.0 - birth_exact) / (levelCount(Field::kBirthDate) - 2);
  }
  u[birth][date_level::kExact] = birth_exact;
  return u;
}

// 900 candidate pairs agree on names and birth date, 100 disagree on all three: EM takes about
// 900 for matches.
std::vector<PatternCount> nineInTenAgree() {
  ComparisonVector agree;
  agree.set(Field::kGivenName, name_level::kExact);
  agree.set(Field::kFamilyName, name_level::kExact);
  agree.set(Field::kBirthDate, date_level::kExact);
  ComparisonVector differ;
  differ.set(Field::kGivenName, name_level::kDifferent);
  differ.set(Field::kFamilyName, name_level::kDifferent);
  differ.set(Field::kBirthDate, date_level::kDifferent);
  return {{agree, 900}, {differ, 100}};
}

// The same, where groups of linked records share a birth date half as often as records do.
FieldProbabilities byGroup(const FieldProbabilities& random_u) {
  FieldProbabilities u = random_u;
  u[static_cast<int>(Field::kBirthDate)][date_level::kExact] /= 2;
  return u;
}

TEST(EstimateModel, TakesTheMatchesOutOfRandomPairsWhenTheyFit) {
  // 10^9 pairs share a birth date 100,000 times: room for EM's 900 matches.
  const FieldProbabilities random_u = randomU(1e-4);
  const FieldProbabilities by_group = byGroup(random_u);
  const MatchModel model = estimateModel(nineInTenAgree(), random_u, 1e9, {}, &by_group);
  EXPECT_FALSE(model.u_from_linked_groups);
  const double u = model.u[static_cast<int>(Field::kBirthDate)][date_level::kExact];
  EXPECT_LT(u, 1e-4);
  EXPECT_GT(u, 9.9e-5);
}

// 100,000 pairs share a birth date 10 times, but EM says 900 matches agree on it: taken out, they
// would leave u at its floor and a birth date weighing 23 bits, as an NHS number does.
TEST(EstimateModel, MatchesThatDoNotFitTheRandomPairsLeaveUToTheLinkedGroups) {
  const FieldProbabilities random_u = randomU(1e-4);
  const FieldProbabilities by_group = byGroup(random_u);

  const MatchModel grouped = estimateModel(nineInTenAgree(), random_u, 1e5, {}, &by_group);
  EXPECT_TRUE(grouped.u_from_linked_groups);
  EXPECT_DOUBLE_EQ(grouped.u[static_cast<int>(Field::kBirthDate)][date_level::kExact], 5e-5);
  EXPECT_LT(grouped.levelWeight(Field::kBirthDate, date_level::kExact), 15.0);
  EXPECT_GT(grouped.levelWeight(Field::kBirthDate, date_level::kExact), 13.0);

  // Without groups to fall back on (no identifiers in the data), u is as it always was.
  const MatchModel alone = estimateModel(nineInTenAgree(), random_u, 1e5, {});
  EXPECT_FALSE(alone.u_from_linked_groups);
  EXPECT_DOUBLE_EQ(alone.u[static_cast<int>(Field::kBirthDate)][date_level::kExact], 1e-7);
}

TEST(EstimateRandomPairU, CountsAValueOncePerGroupOfLinkedRecords) {
  FeatureStore store;
  store.add(person("ann", "lee", 2010, 3, 7));  // one person's two records ...
  store.add(person("ann", "lee", 2010, 3, 7));
  store.add(person("bob", "ray", 2010, 3, 7));  // ... another born the same day
  store.add(person("cat", "fox", 2011, 5, 1));
  const int birth = static_cast<int>(Field::kBirthDate);

  // Four records, three on one day: 3 * 2 ordered pairs of 4 * 3 share it.
  FieldProbabilities by_group{};
  const std::vector<std::uint32_t> groups = {0, 0, 2, 3};
  const FieldProbabilities by_record = estimateRandomPairU(store, 0, 1, true, groups, &by_group);
  EXPECT_DOUBLE_EQ(by_record[birth][date_level::kExact], 6.0 / 12.0);
  // Three groups, two on that day: 2 * 1 of 3 * 2.
  EXPECT_DOUBLE_EQ(by_group[birth][date_level::kExact], 2.0 / 6.0);
  // "ann" is one group's: no two groups share a given name, and u stays at its lowest, 1e-9.
  const int given = static_cast<int>(Field::kGivenName);
  EXPECT_DOUBLE_EQ(by_record[given][name_level::kExact], 2.0 / 12.0);
  EXPECT_DOUBLE_EQ(by_group[given][name_level::kExact], 1e-9);
}

TEST(MatchProbability, IsTheLogisticOfTheWeightInBaseTwo) {
  EXPECT_DOUBLE_EQ(matchProbability(0.0), 0.5);
  EXPECT_NEAR(matchProbability(std::log2(19.0)), 0.95, 1e-12);
}

}  // namespace
}  // namespace hearth::pipelines::identity
