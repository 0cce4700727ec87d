#include "pipelines/identity/identity_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "pipelines/identity/clustering.hpp"
#include "pipelines/identity/linkage_eval.hpp"
#include "pipelines/identity/tests/synthetic_population.hpp"

namespace hearth::pipelines::identity {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

PersonRecord person(std::string source, std::string local_id, std::string given, std::string family,
                    int y, unsigned m, unsigned d, std::string postcode) {
  PersonRecord record;
  record.source_system = std::move(source);
  record.local_id = std::move(local_id);
  record.given_name = std::move(given);
  record.family_name = std::move(family);
  record.birth_date = canonical::Date{year{y}, month{m}, day{d}};
  record.postcode = std::move(postcode);
  return record;
}

// A background population gives EM something to learn from; the records under test are
// streamed in afterwards with that model.
class IdentityIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::PopulationOptions options;
    options.people = 3000;
    options.duplicates = 700;
    population_ = new LabelledRecords(testing::generatePopulation(options));
    IdentityIndex index;
    index.build(population_->records);
    model_ = new MatchModel(index.model());
  }
  static void TearDownTestSuite() {
    delete population_;
    delete model_;
  }

  IdentityIndex withPopulation(LinkageConfig config = {}) const {
    IdentityIndex index(config);
    index.build(population_->records, *model_);
    return index;
  }

  static LabelledRecords* population_;
  static MatchModel* model_;
};
LabelledRecords* IdentityIndexTest::population_ = nullptr;
MatchModel* IdentityIndexTest::model_ = nullptr;

TEST_F(IdentityIndexTest, ValidNhsNumberAndSameBirthDateLinkDespiteDifferentNames) {
  IdentityIndex index = withPopulation();
  PersonRecord a = person("trust_cms", "c1", "Alice", "Quennell", 2012, 4, 5, "LS1 1AA");
  PersonRecord b = person("gp_extract", "g1", "Zoe", "Brightwater", 2012, 4, 5, "LS9 9ZZ");
  a.nhs_number = "943 476 5919";
  b.nhs_number = "9434765919";
  const AddSummary added = index.add({a, b});
  EXPECT_EQ(index.personOf(added.first_index), index.personOf(added.first_index + 1));
  const auto& links = index.links();
  EXPECT_TRUE(std::any_of(links.begin(), links.end(), [&](const ScoredPair& link) {
    return link.b == added.first_index + 1 && link.tier == LinkTier::kNhsAndBirthDate;
  }));
}

TEST_F(IdentityIndexTest, InvalidNhsCheckDigitDoesNotLink) {
  IdentityIndex index = withPopulation();
  PersonRecord a = person("trust_cms", "c1", "Alice", "Quennell", 2012, 4, 5, "LS1 1AA");
  PersonRecord b = person("gp_extract", "g1", "Zoe", "Brightwater", 2012, 4, 5, "LS9 9ZZ");
  a.nhs_number = "4123456879";
  b.nhs_number = "4123456879";
  const AddSummary added = index.add({a, b});
  EXPECT_NE(index.personOf(added.first_index), index.personOf(added.first_index + 1));
}

TEST_F(IdentityIndexTest, AnNhsNumberItsSourceHasNotVerifiedIsNoDeterministicKey) {
  IdentityIndex index = withPopulation();
  PersonRecord a = person("trust_cms", "c1", "Alice", "Quennell", 2012, 4, 5, "LS1 1AA");
  PersonRecord b = person("nhft", "pat-1", "Zoe", "Brightwater", 2012, 4, 5, "LS9 9ZZ");
  a.nhs_number = "9434765919";
  b.nhs_number = "9434765919";
  b.nhs_verified = false;  // UK Core status 02: present but not traced
  const AddSummary added = index.add({a, b});
  const auto& links = index.links();
  EXPECT_FALSE(std::any_of(links.begin(), links.end(), [&](const ScoredPair& link) {
    return link.b == added.first_index + 1 && link.tier == LinkTier::kNhsAndBirthDate;
  }));
  // The model may still link them on the number and birth date: that is its call to make.
}

bool linkedBy(const IdentityIndex& index, std::uint32_t a, std::uint32_t b, LinkTier tier) {
  const auto& links = index.links();
  return std::any_of(links.begin(), links.end(), [&](const ScoredPair& link) {
    return std::minmax(link.a, link.b) == std::minmax(a, b) && link.tier == tier;
  });
}

// A pupil whose UPN changed: the census row gives the new UPN and the old one as former UPN; a
// record elsewhere still holds the old one. Either may arrive first.
TEST_F(IdentityIndexTest, AFormerUpnLinksToTheRecordsOfTheOldUpnWhicheverComesFirst) {
  PersonRecord census = person("school_census", "p1", "Sam", "Quennell", 2014, 9, 1, "LS1 1AA");
  census.upn = "B801200005001";
  census.former_upn = "H243278544154";
  PersonRecord old = person("cin_census", "c9", "Samira", "Okafor", 2014, 9, 1, "LS2 2BB");
  old.upn = "H243278544154";
  for (const bool census_first : {true, false}) {
    IdentityIndex index = withPopulation();
    const std::uint32_t a = index.add({census_first ? census : old}).first_index;
    const std::uint32_t b = index.add({census_first ? old : census}).first_index;
    EXPECT_EQ(index.personOf(a), index.personOf(b)) << census_first;
    // The later record's key meets the earlier's: the old record's UPN finds the census row's
    // former UPN, or the census row's former UPN finds the old record's UPN.
    EXPECT_TRUE(linkedBy(
        index, a, b, census_first ? LinkTier::kUpnAndBirthDate : LinkTier::kFormerUpnAndBirthDate))
        << census_first;
  }
  // Given together, they are taken in the order of what they say: the same link either way.
  std::vector<LinkTier> tiers;
  for (const bool census_first : {true, false}) {
    IdentityIndex index = withPopulation();
    const AddSummary added = census_first ? index.add({census, old}) : index.add({old, census});
    const std::uint32_t a = added.first_index;
    const std::uint32_t b = added.first_index + 1;
    EXPECT_EQ(index.personOf(a), index.personOf(b)) << census_first;
    for (const LinkTier tier : {LinkTier::kUpnAndBirthDate, LinkTier::kFormerUpnAndBirthDate}) {
      if (linkedBy(index, a, b, tier)) tiers.push_back(tier);
    }
  }
  ASSERT_EQ(tiers.size(), 2u);
  EXPECT_EQ(tiers[0], tiers[1]);
  // Another birth date: the former UPN alone is no key.
  IdentityIndex index = withPopulation();
  PersonRecord other = old;
  other.birth_date = canonical::Date{year{2013}, month{2}, day{3}};
  const AddSummary added = index.add({census, other});
  EXPECT_FALSE(
      linkedBy(index, added.first_index, added.first_index + 1, LinkTier::kFormerUpnAndBirthDate));
}

// A 16+ learner without a UPN in NCCIS is the pupil of the KS4 results and the SEN2 return by
// the Unique Learner Number.
TEST_F(IdentityIndexTest, ValidUlnAndSameBirthDateLinkLearnersAcrossReturns) {
  IdentityIndex index = withPopulation();
  PersonRecord nccis = person("nccis", "YP1", "Jo", "Quennell", 2008, 3, 14, "LS1 1AA");
  PersonRecord ks4 = person("ks4", "K7", "Joanne", "Brightwater", 2008, 3, 14, "");
  PersonRecord sen2 = person("sen2", "s3", "Jo-Anne", "Q", 2008, 3, 14, "LS9 9ZZ");
  nccis.uln = "9276308686";
  ks4.uln = "9276308686";
  sen2.uln = "9276308686";
  const AddSummary added = index.add({nccis, ks4, sen2});
  const std::uint32_t first = added.first_index;
  EXPECT_EQ(index.personOf(first), index.personOf(first + 1));
  EXPECT_EQ(index.personOf(first), index.personOf(first + 2));
  EXPECT_TRUE(linkedBy(index, first, first + 1, LinkTier::kUlnAndBirthDate));
  EXPECT_TRUE(linkedBy(index, first, first + 2, LinkTier::kUlnAndBirthDate));
  EXPECT_EQ(tierName(LinkTier::kUlnAndBirthDate), "uln+birth_date");
}

TEST_F(IdentityIndexTest, AnInvalidUlnIsNoDeterministicKey) {
  IdentityIndex index = withPopulation();
  PersonRecord a = person("nccis", "YP1", "Jo", "Quennell", 2008, 3, 14, "LS1 1AA");
  PersonRecord b = person("ks4", "K7", "Joanne", "Brightwater", 2008, 3, 14, "");
  a.uln = "9276308687";  // fails mod 11
  b.uln = "9276308687";
  const AddSummary added = index.add({a, b});
  EXPECT_FALSE(
      linkedBy(index, added.first_index, added.first_index + 1, LinkTier::kUlnAndBirthDate));
}

TEST_F(IdentityIndexTest, ValidUpnAndSameBirthDateLink) {
  IdentityIndex index = withPopulation();
  PersonRecord a = person("school_census", "p1", "Sam", "Quennell", 2014, 9, 1, "LS1 1AA");
  PersonRecord b = person("trust_cms", "c9", "Samira", "Okafor", 2014, 9, 1, "LS2 2BB");
  a.upn = "H243278544154";
  b.upn = "H243278544154";
  const AddSummary added = index.add({a, b});
  EXPECT_EQ(index.personOf(added.first_index), index.personOf(added.first_index + 1));
}

TEST_F(IdentityIndexTest, SameLocalIdWithinOneSourceLinksButNotAcrossSources) {
  IdentityIndex index = withPopulation();
  const AddSummary added = index.add({
      person("trust_cms", "X42", "Ann", "Quennell", 2001, 1, 1, "LS1 1AA"),
      person("trust_cms", "X42", "Anne", "Brightwater", 2003, 2, 2, "LS7 3CD"),
      person("housing", "X42", "Tom", "Okafor", 1960, 6, 6, "LS8 4EF"),
  });
  const std::uint32_t first = added.first_index;
  EXPECT_EQ(index.personOf(first), index.personOf(first + 1));
  EXPECT_NE(index.personOf(first), index.personOf(first + 2));
}

TEST_F(IdentityIndexTest, ReviewBandPairsAreHeldNotLinked) {
  IdentityIndex probe = withPopulation();
  const AddSummary added = probe.add({
      person("trust_cms", "c1", "Katherine", "Quennell", 1984, 2, 11, "LS6 2AB"),
      person("gp_extract", "g1", "Kate", "Quennel", 1984, 11, 2, "LS12 4XY"),
  });
  const std::uint32_t a = added.first_index;
  const double probability = probe.score(a, a + 1).match_probability;
  ASSERT_GT(probability, 0.0);

  // Thresholds either side of this pair's score put it in the review band.
  LinkageConfig config;
  config.review_threshold = probability / 2;
  config.link_threshold = std::nextafter(probability, 2.0);
  IdentityIndex index = withPopulation(config);
  index.add({
      person("trust_cms", "c1", "Katherine", "Quennell", 1984, 2, 11, "LS6 2AB"),
      person("gp_extract", "g1", "Kate", "Quennel", 1984, 11, 2, "LS12 4XY"),
  });
  EXPECT_NE(index.personOf(a), index.personOf(a + 1));
  const auto pending = index.pendingReviews();
  const auto it = std::find_if(pending.begin(), pending.end(),
                               [&](const ScoredPair& p) { return p.a == a && p.b == a + 1; });
  ASSERT_NE(it, pending.end());
  EXPECT_DOUBLE_EQ(it->match_probability, probability);
  const auto reasons = index.explain(*it);
  ASSERT_EQ(reasons.size(), static_cast<std::size_t>(kFieldCount));
  EXPECT_EQ(reasons[static_cast<int>(Field::kGivenName)].level, "alias");
  EXPECT_EQ(reasons[static_cast<int>(Field::kBirthDate)].level, "day/month swapped");

  // A reviewer's force-link settles it.
  const ReviewerDecision link{ReviewerDecision::Kind::kForceLink, a, a + 1};
  index.applyDecisions({&link, 1});
  EXPECT_EQ(index.personOf(a), index.personOf(a + 1));
  const auto still_pending = index.pendingReviews();
  EXPECT_TRUE(std::none_of(still_pending.begin(), still_pending.end(),
                           [&](const ScoredPair& p) { return p.a == a && p.b == a + 1; }));
}

TEST_F(IdentityIndexTest, ReviewerSplitUndoesALinkAndALaterLinkRestoresIt) {
  IdentityIndex index = withPopulation();
  const AddSummary added = index.add({
      person("trust_cms", "c1", "Robert", "Quennell", 1975, 5, 17, "LS6 2AB"),
      person("gp_extract", "g1", "Bob", "Quennell", 1975, 5, 17, "LS6 2AB"),
  });
  const std::uint32_t a = added.first_index;
  ASSERT_EQ(index.personOf(a), index.personOf(a + 1));

  const ReviewerDecision split{ReviewerDecision::Kind::kCannotLink, a, a + 1};
  index.applyDecisions({&split, 1});
  EXPECT_NE(index.personOf(a), index.personOf(a + 1));

  const ReviewerDecision merge{ReviewerDecision::Kind::kForceLink, a + 1, a};
  index.applyDecisions({&merge, 1});
  EXPECT_EQ(index.personOf(a), index.personOf(a + 1));
}

TEST_F(IdentityIndexTest, SplitHoldsAgainstTransitiveLinks) {
  IdentityIndex index = withPopulation();
  const AddSummary added = index.add({
      person("trust_cms", "c1", "Robert", "Quennell", 1975, 5, 17, "LS6 2AB"),
      person("gp_extract", "g1", "Bob", "Quennell", 1975, 5, 17, "LS6 2AB"),
      person("housing", "h1", "Robert", "Quennell", 1975, 5, 17, "LS6 2AB"),
  });
  const std::uint32_t a = added.first_index;
  ASSERT_EQ(index.personOf(a), index.personOf(a + 2));
  const ReviewerDecision split{ReviewerDecision::Kind::kCannotLink, a, a + 2};
  index.applyDecisions({&split, 1});
  EXPECT_NE(index.personOf(a), index.personOf(a + 2));
}

TEST_F(IdentityIndexTest, StreamingAddEqualsBatchWithTheSameModel) {
  IdentityIndex batch;
  batch.build(population_->records, *model_);

  const std::size_t head = population_->records.size() * 3 / 4;
  IdentityIndex streamed;
  streamed.build({population_->records.begin(), population_->records.begin() + head}, *model_);
  std::vector<PersonRecord> tail(population_->records.begin() + head, population_->records.end());
  for (std::size_t start = 0; start < tail.size(); start += 100) {
    const auto end = std::min(tail.size(), start + 100);
    streamed.add({tail.begin() + start, tail.begin() + end});
  }
  EXPECT_EQ(streamed.personIds(), batch.personIds());
  EXPECT_EQ(streamed.stats().candidate_pairs, batch.stats().candidate_pairs);
}

TEST_F(IdentityIndexTest, BatchIsDeterministicAcrossRunsAndThreadCounts) {
  LinkageConfig one_thread;
  one_thread.threads = 1;
  IdentityIndex first(one_thread);
  first.build(population_->records);
  IdentityIndex second;
  second.build(population_->records);
  EXPECT_EQ(first.personIds(), second.personIds());
  EXPECT_EQ(first.links().size(), second.links().size());
  EXPECT_EQ(first.model().prior, second.model().prior);
}

// A build of 20,000 records or more files its blocks on two threads, each rule by one: the
// blocks, so the candidate pairs, links and persons, are those of one thread.
TEST(IdentityIndexBuild, BlocksFiledOnTwoThreadsEqualOneThreads) {
  testing::PopulationOptions options;
  options.people = 20'000;
  options.duplicates = 4'000;
  const LabelledRecords population = testing::generatePopulation(options);
  ASSERT_GE(population.records.size(), 20'000u);
  LinkageConfig one_thread;
  one_thread.threads = 1;
  IdentityIndex first(one_thread);
  first.build(population.records);
  IdentityIndex second;  // two threads
  second.build(population.records);
  EXPECT_EQ(first.stats().candidate_pairs, second.stats().candidate_pairs);
  EXPECT_EQ(first.stats().oversized_blocks, second.stats().oversized_blocks);
  EXPECT_EQ(first.personIds(), second.personIds());
  ASSERT_EQ(first.links().size(), second.links().size());
  for (std::size_t i = 0; i < first.links().size(); ++i) {
    EXPECT_EQ(first.links()[i].a, second.links()[i].a);
    EXPECT_EQ(first.links()[i].b, second.links()[i].b);
  }
}

// The same records in another order: the same people, links and review pairs, and the same
// model. Resolution follows what the records say, not the order they arrive in (the daemon's
// order is that of its held source records, which any change to how it holds them would move).
TEST(IdentityIndexBuild, TheOrderOfTheRecordsChangesNothing) {
  testing::PopulationOptions options;
  options.people = 20'000;
  options.duplicates = 4'000;
  const LabelledRecords population = testing::generatePopulation(options);
  const std::size_t n = population.records.size();
  // A fixed permutation that moves every record: odd positions reversed, then even ones.
  std::vector<std::uint32_t> original_of(n);  // permuted index -> original index
  std::size_t next = 0;
  for (std::size_t i = n; i-- > 0;) {
    if (i % 2 == 1) original_of[next++] = static_cast<std::uint32_t>(i);
  }
  for (std::size_t i = 0; i < n; i += 2) original_of[next++] = static_cast<std::uint32_t>(i);
  std::vector<PersonRecord> permuted;
  permuted.reserve(n);
  for (const std::uint32_t i : original_of) permuted.push_back(population.records[i]);

  // Few EM pairs and u samples, so both are samples (of blocks, of random pairs), as they are
  // for a whole council's records.
  LinkageConfig config;
  config.em_pairs = 20'000;
  config.u_samples = 200'000;
  IdentityIndex first(config);
  first.build(population.records);
  IdentityIndex second(config);
  second.build(std::move(permuted));

  // Each record's cluster as the set of original indices in it, compared by its smallest member.
  auto partition = [n](const IdentityIndex& index, auto original) {
    std::vector<std::uint32_t> smallest(n, UINT32_MAX);
    for (std::uint32_t r = 0; r < n; ++r) {
      std::uint32_t& s = smallest[index.personOf(r)];
      s = std::min(s, original(r));
    }
    std::vector<std::uint32_t> person(n);
    for (std::uint32_t r = 0; r < n; ++r) person[original(r)] = smallest[index.personOf(r)];
    return person;
  };
  auto pairs = [](const std::vector<ScoredPair>& scored, auto original) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (const ScoredPair& p : scored) {
      out.emplace_back(std::minmax(original(p.a), original(p.b)));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  auto same = [](std::uint32_t r) { return r; };
  auto back = [&](std::uint32_t r) { return original_of[r]; };

  EXPECT_EQ(first.model().prior, second.model().prior);
  for (std::size_t f = 0; f < first.model().m.size(); ++f) {
    EXPECT_EQ(first.model().m[f], second.model().m[f]) << "m of field " << f;
    EXPECT_EQ(first.model().u[f], second.model().u[f]) << "u of field " << f;
  }
  EXPECT_EQ(first.stats().candidate_pairs, second.stats().candidate_pairs);
  EXPECT_EQ(partition(first, same), partition(second, back));
  EXPECT_EQ(pairs(first.links(), same), pairs(second.links(), back));
  EXPECT_EQ(pairs(first.reviewBand(), same), pairs(second.reviewBand(), back));
}

// 3,000 people, 600 of them recorded twice: links enough to check that two builds agree.
LabelledRecords smallPopulation() {
  testing::PopulationOptions options;
  options.people = 3'000;
  options.duplicates = 600;
  return testing::generatePopulation(options);
}

// An index that takes nothing more lets go of its blocking and of the pairs it found: who is
// whom and why two records scored as they did still answer, and a build starts it afresh.
TEST(IdentityIndexBuild, ReleasedForAddingItStillAnswersWhatItResolved) {
  const LabelledRecords population = smallPopulation();
  IdentityIndex index;
  index.build(population.records);
  const std::vector<std::uint32_t> persons = index.personIds();
  const std::vector<ScoredPair> links = index.links();
  const std::vector<ScoredPair> reviews = index.pendingReviews();
  ASSERT_GT(links.size(), 300u);
  auto explained = [&index](const std::vector<ScoredPair>& pairs) {
    std::vector<std::pair<std::string, double>> out;
    for (const ScoredPair& pair : pairs) {
      for (const ComparisonReason& reason : index.explain(pair)) {
        out.emplace_back(std::string(reason.level), reason.weight);
      }
    }
    return out;
  };
  const auto reasons = explained(links);
  ASSERT_FALSE(reasons.empty());

  EXPECT_FALSE(index.releasedForAdding());
  index.releaseForAdding();
  EXPECT_TRUE(index.releasedForAdding());
  EXPECT_EQ(index.personIds(), persons);
  EXPECT_TRUE(index.links().empty());
  EXPECT_TRUE(index.pendingReviews().empty());
  EXPECT_EQ(explained(links), reasons);
  const auto model_link = std::find_if(links.begin(), links.end(), [](const ScoredPair& link) {
    return link.tier == LinkTier::kProbabilistic;
  });
  ASSERT_NE(model_link, links.end());
  EXPECT_EQ(index.score(model_link->a, model_link->b).match_probability,
            model_link->match_probability);

  index.build(population.records);
  EXPECT_FALSE(index.releasedForAdding());
  EXPECT_EQ(index.personIds(), persons);
  EXPECT_EQ(index.links().size(), links.size());
  EXPECT_EQ(index.pendingReviews().size(), reviews.size());
}

// Records asked for a part at a time, into one list filled again and again, resolve as the same
// records given at once: the same model, the same links with the same scores, the same persons.
TEST(IdentityIndexBuild, RecordsGivenAPartAtATimeResolveAsWhenGivenAtOnce) {
  const LabelledRecords population = smallPopulation();
  IdentityIndex whole;
  whole.build(population.records);
  ASSERT_GT(whole.links().size(), 300u);
  auto scores = [](const std::vector<ScoredPair>& pairs) {
    std::vector<std::tuple<std::uint32_t, std::uint32_t, LinkTier, double>> out;
    for (const ScoredPair& pair : pairs) {
      out.emplace_back(pair.a, pair.b, pair.tier, pair.match_probability);
    }
    return out;
  };
  // A part size that does not divide the records, one that does, and one larger than them all.
  for (const std::size_t part_size :
       {std::size_t{997}, population.records.size() / 4, population.records.size() * 2}) {
    SCOPED_TRACE(part_size);
    std::size_t given = 0;
    std::size_t asked = 0;
    IdentityIndex in_parts;
    in_parts.build(
        [&](std::vector<PersonRecord>& part) {
          ++asked;
          if (given == population.records.size()) return false;
          const std::size_t count = std::min(part_size, population.records.size() - given);
          part.assign(population.records.begin() + static_cast<std::ptrdiff_t>(given),
                      population.records.begin() + static_cast<std::ptrdiff_t>(given + count));
          given += count;
          return true;
        },
        population.records.size());
    EXPECT_EQ(asked, (population.records.size() + part_size - 1) / part_size + 1);
    EXPECT_EQ(in_parts.stats().records, population.records.size());
    EXPECT_EQ(in_parts.model().em_iterations, whole.model().em_iterations);
    EXPECT_EQ(in_parts.personIds(), whole.personIds());
    EXPECT_EQ(scores(in_parts.links()), scores(whole.links()));
    EXPECT_EQ(scores(in_parts.pendingReviews()), scores(whole.pendingReviews()));
  }
}

TEST_F(IdentityIndexTest, LinksTheGeneratedPopulationAccurately) {
  IdentityIndex index = withPopulation();
  const PairwiseMetrics metrics = evaluatePairwise(index.personIds(), population_->truth);
  EXPECT_GE(metrics.precision, 0.99);
  EXPECT_GE(metrics.recall, 0.97);
}

TEST(ConstrainedClusters, PersonIdIsTheSmallestRecordAndConstraintsBlockUnions) {
  ConstrainedClusters clusters;
  clusters.reset(5);
  clusters.forbid(0, 3);
  EXPECT_TRUE(clusters.link(4, 3));
  EXPECT_TRUE(clusters.link(1, 0));
  EXPECT_FALSE(clusters.link(1, 4));  // Would put 0 and 3 together.
  EXPECT_EQ(clusters.personOf(4), 3u);
  EXPECT_EQ(clusters.personOf(1), 0u);
}

TEST(PairwiseMetrics, CountsPairsWithinClusters) {
  // Truth: {0,1,2} {3}; predicted: {0,1} {2,3}.
  const std::vector<std::uint32_t> truth = {7, 7, 7, 8};
  const std::vector<std::uint32_t> predicted = {0, 0, 2, 2};
  const PairwiseMetrics metrics = evaluatePairwise(predicted, truth);
  EXPECT_EQ(metrics.true_pairs, 3u);
  EXPECT_EQ(metrics.predicted_pairs, 2u);
  EXPECT_EQ(metrics.correct_pairs, 1u);
  EXPECT_DOUBLE_EQ(metrics.precision, 0.5);
  EXPECT_DOUBLE_EQ(metrics.recall, 1.0 / 3.0);
}

TEST(FebrlReader, ReadsPaddedColumnsAndTheEntityFromRecId) {
  std::istringstream csv(
      "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, "
      "state, date_of_birth, soc_sec_id\n"
      "rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209, "
      "6988048\n"
      "rec-223-dup-0, jo, waller, 6, tullaroop st, willaroo, st james, 4011, wa, 19081290, "
      "6988048\n");
  auto read = readLinkageCsv(csv, true);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->records.size(), 2u);
  EXPECT_EQ(read->truth[0], 223u);
  EXPECT_EQ(read->truth[1], 223u);
  EXPECT_EQ(read->records[0].given_name, "");
  EXPECT_EQ(read->records[0].family_name, "waller");
  EXPECT_EQ(read->records[0].postcode, "4011");
  EXPECT_EQ(read->records[0].extra_id, "6988048");
  EXPECT_EQ(read->records[0].address_line, "6 tullaroop street");
  EXPECT_EQ(read->records[0].locality, "st james");
  EXPECT_TRUE(read->records[0].birth_date->ok());
  EXPECT_FALSE(read->records[1].birth_date->ok());  // Day 90 kept as typed.
}

}  // namespace
}  // namespace hearth::pipelines::identity
