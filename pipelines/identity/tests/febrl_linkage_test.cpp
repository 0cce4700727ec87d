#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "pipelines/identity/identity_index.hpp"
#include "pipelines/identity/linkage_eval.hpp"

namespace hearth::pipelines::identity {
namespace {

struct FebrlOutcome {
  PairwiseMetrics metrics;
  BlockingRecall blocking;
  bool em_converged = false;
};

FebrlOutcome linkFebrl(const std::string& file, bool use_soc_sec_id) {
  auto input = readLinkageFile(std::string(HEARTH_FEBRL_DIR) + "/" + file, use_soc_sec_id);
  EXPECT_TRUE(input.ok());
  LinkageConfig config;
  config.use_extra_id = use_soc_sec_id;
  config.keep_candidate_pairs = true;
  IdentityIndex index(config);
  const std::vector<std::uint32_t> truth = input->truth;
  index.build(std::move(input->records));
  FebrlOutcome outcome;
  outcome.metrics = evaluatePairwise(index.personIds(), truth);
  outcome.blocking = blockingRecall(index.candidatePairs(), truth);
  outcome.em_converged = index.model().em_converged;
  std::cout << file << (use_soc_sec_id ? " with" : " without") << " soc_sec_id: precision "
            << outcome.metrics.precision << " recall " << outcome.metrics.recall << " f1 "
            << outcome.metrics.f1 << " blocking recall " << outcome.blocking.recall << " ("
            << index.stats().candidate_pairs << " candidate pairs)\n";
  return outcome;
}

class FebrlLinkage : public ::testing::TestWithParam<std::string> {};

TEST_P(FebrlLinkage, ReachesF1OfAtLeast099WithSocSecId) {
  const FebrlOutcome outcome = linkFebrl(GetParam(), true);
  EXPECT_TRUE(outcome.em_converged);
  EXPECT_GE(outcome.blocking.recall, 0.995);
  EXPECT_GE(outcome.metrics.precision, 0.999);
  EXPECT_GE(outcome.metrics.f1, 0.99);  // Measured: 0.9990, 0.9992, 1.0000 on datasets 1-3.
}

// Without the identifier the address line and locality carry the pairs whose names and birth
// date FEBRL corrupted together; measured F1 is 0.9970, 0.9953 and 0.9962 on datasets 1-3. The
// pairs left are those where nearly every field was changed, or where only the address agrees
// (which, for a household, is not enough to call two records one person). Dataset 2 lands on
// 0.9953 or 0.9964 by the random pairs u is estimated from (seeds 1-6 give both; so does u
// counted over every one of its 12.5 million pairs, 0.9953).
TEST_P(FebrlLinkage, ReachesF1OfAtLeast0995WithoutSocSecId) {
  const FebrlOutcome outcome = linkFebrl(GetParam(), false);
  EXPECT_TRUE(outcome.em_converged);
  EXPECT_GE(outcome.blocking.recall, 0.995);
  EXPECT_GE(outcome.metrics.precision, 0.999);
  EXPECT_GE(outcome.metrics.f1, 0.995);
}

INSTANTIATE_TEST_SUITE_P(Datasets, FebrlLinkage,
                         ::testing::Values("dataset1.csv", "dataset2.csv", "dataset3.csv"),
                         [](const auto& info) { return info.param.substr(0, 8); });

PersonRecord resident(std::string given, std::string family, int y, unsigned m, unsigned d) {
  PersonRecord record;
  record.source_system = "test";
  record.given_name = std::move(given);
  record.family_name = std::move(family);
  record.birth_date =
      canonical::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  record.postcode = "2612";
  record.address_line = "14 wattle crescent";
  record.locality = "braddon";
  return record;
}

// Postcode, address line and locality agree for everyone in a household: with a model learnt
// from FEBRL (where a shared address is strong evidence), two residents with different names and
// birth dates stay apart, while a mistyped record of one of them still links.
TEST(FebrlModel, HouseholdMembersAreNotLinkedOnTheSharedAddressAlone) {
  auto input = readLinkageFile(std::string(HEARTH_FEBRL_DIR) + "/dataset1.csv", false);
  ASSERT_TRUE(input.ok());
  std::vector<PersonRecord> records = input->records;
  IdentityIndex learnt;
  learnt.build(std::move(input->records));

  const auto first = static_cast<std::uint32_t>(records.size());
  records.push_back(resident("anneliese", "kowalczyk", 1981, 3, 4));
  records.push_back(resident("tobias", "nguyen", 2011, 9, 21));
  records.push_back(resident("anneliese", "kowalcyzk", 1981, 3, 4));
  IdentityIndex index;
  index.build(std::move(records), learnt.model());

  EXPECT_NE(index.personOf(first), index.personOf(first + 1));
  EXPECT_EQ(index.personOf(first), index.personOf(first + 2));

  const ScoredPair household = index.score(first, first + 1);
  int location_fields_counted = 0;
  double total = index.model().priorWeight();
  for (const ComparisonReason& reason : index.explain(household)) {
    total += reason.weight;
    const bool location = reason.field == Field::kPostcode || reason.field == Field::kAddressLine ||
                          reason.field == Field::kLocality;
    if (location && reason.weight > 0.0) ++location_fields_counted;
  }
  EXPECT_EQ(location_fields_counted, 1);
  EXPECT_NEAR(total, household.match_weight, 1e-9);
}

TEST(LinkageEval, PrintsTheFiguresForAFebrlFile) {
  LinkageEvalOptions options;
  options.input_path = std::string(HEARTH_FEBRL_DIR) + "/dataset1.csv";
  std::ostringstream out;
  EXPECT_EQ(runLinkageEval(options, out), 0);
  const std::string report = out.str();
  EXPECT_NE(report.find("records: 1000"), std::string::npos) << report;
  EXPECT_NE(report.find("blocking recall: "), std::string::npos);
  EXPECT_NE(report.find("f1: "), std::string::npos);
  EXPECT_NE(report.find("link time: "), std::string::npos);
  EXPECT_NE(report.find("columns used: rec_id, given_name, surname, street_number, address_1, "
                        "suburb, postcode, date_of_birth, soc_sec_id"),
            std::string::npos)
      << report;
}

TEST(LinkageEval, RefusesAMissingFile) {
  std::ostringstream out;
  LinkageEvalOptions options;
  options.input_path = "/nonexistent/file.csv";
  EXPECT_NE(runLinkageEval(options, out), 0);
  EXPECT_NE(out.str().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace hearth::pipelines::identity
