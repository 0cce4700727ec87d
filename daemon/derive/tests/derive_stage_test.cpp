// The derive stage in a running daemon: a source record given again replaces what it said
// before in the indicators, whatever moved inside it.
#include "daemon/derive/derive_stage.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "daemon/derive/tests/synthetic_persons.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
using nlohmann::json;

const canonical::Origin& trust() {
  static const canonical::Origin origin("trust_cms", "trust", "cla");
  return origin;
}

// A row of the trust's looked-after table: the child and the episode it gives.
std::vector<canonical::Record> row(const std::string& child, const std::string& key) {
  canonical::Person person;
  person.provenance = {trust(), canonical::CompactString(key), 2024};
  person.subject = {"trust_cms", canonical::CompactString(child)};
  person.identifiers.push_back({"la_child", canonical::CompactString(child), "trust_cms"});
  person.birth_date = *canonical::parseIsoDate("2012-06-01");
  person.sex = canonical::Sex::kFemale;
  person.postcode = "NN1 1AA";
  canonical::ClaEpisode episode;
  episode.provenance = person.provenance;
  episode.subject = person.subject;
  episode.start = *canonical::parseIsoDate("2024-05-01");
  episode.legal_status = "C2";
  episode.reason_new_episode = "S";
  episode.category_of_need = "N1";
  episode.placement_type = "U1";
  std::vector<canonical::Record> records;
  records.emplace_back(std::move(person));
  records.emplace_back(std::move(episode));
  return records;
}

class DeriveStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hearth-derive-stage-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = state::RecordStore::open(dir_, [](uint32_t, uint64_t) {});
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store).value();
    DeriveOptions options;
    options.indicators.period_end = "2025-03-31";
    options.indicators.area_code = "E06000062";
    options.indicators.population_0_17 = 10000;
    stage_ = std::make_unique<DeriveStage>(options, pipelines::Pseudonymiser("test key", "v1"),
                                           nullptr, nullptr, *store_);
  }
  void TearDown() override {
    stage_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Hands the stage a source record of the trust's looked-after table.
  void give(const std::string& key, std::vector<canonical::Record> records) {
    stage_->accept("trust", "cla", key, records);
  }

  // Rows row-1 ... row-n, each the episode of its own child (C1 ... Cn).
  void acceptRows(int n) {
    for (int i = 1; i <= n; ++i) {
      const std::string key = "row-" + std::to_string(i);
      give(key, row("C" + std::to_string(i), key));
    }
  }

  // The headline numerator of `indicator` after an evaluation.
  double headline(const std::string& indicator,
                  DeriveStage::Then then = DeriveStage::Then::kMayEvaluateAgain) {
    auto summary = stage_->evaluate(then);
    EXPECT_TRUE(summary) << summary.error().message;
    if (summary) persons_ = summary->persons;
    const json published = json::parse(stage_->indicatorsJson());
    for (const json& value : published["values"]) {
      if (value["indicator"] == indicator && value["breakdown"].is_null()) {
        EXPECT_FALSE(value["numerator"].is_null()) << indicator << " is suppressed";
        return value["numerator"].is_null() ? -1 : value["numerator"].get<double>();
      }
    }
    ADD_FAILURE() << "no headline value of " << indicator;
    return -1;
  }

  std::filesystem::path dir_;
  std::unique_ptr<state::RecordStore> store_;
  std::unique_ptr<DeriveStage> stage_;
  uint64_t persons_ = 0;  // of the last evaluation
};

TEST_F(DeriveStageTest, ARowCorrectedToAnotherChildNoLongerCountsTheFirst) {
  acceptRows(6);
  EXPECT_EQ(headline("cla_count"), 6);

  // The source corrects row 1: the episode was child C7's, not C1's. C1 has no other row.
  give("row-1", row("C7", "row-1"));
  EXPECT_EQ(headline("cla_count"), 6);

  // And back again, then the row withdrawn.
  give("row-1", row("C1", "row-1"));
  EXPECT_EQ(headline("cla_count"), 6);
  give("row-1", {});
  EXPECT_EQ(headline("cla_count"), 5);
}

TEST_F(DeriveStageTest, ARowGivenAgainUnchangedCountsOnce) {
  acceptRows(6);
  EXPECT_EQ(headline("cla_count"), 6);
  give("row-2", row("C2", "row-2"));
  give("row-3", row("C3", "row-3"));
  EXPECT_EQ(headline("cla_count"), 6);
}

// Connectors hand rows in on their own threads at once: the evaluation right after sees every
// row, and of each the last word its connector gave, in order (a row corrected to another
// child, then withdrawn).
TEST_F(DeriveStageTest, RowsHandedInFromSeveralThreadsAtOnceAreAllInTheNextEvaluation) {
  constexpr int kThreads = 4;
  constexpr int kRows = 1500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      const std::string connector = "trust" + std::to_string(t);
      for (int i = 0; i < kRows; ++i) {
        const std::string key = "row-" + std::to_string(i);
        const std::string child = "C" + std::to_string(t) + "-" + std::to_string(i);
        std::vector<canonical::Record> records = row(child, key);
        stage_->accept(connector, "cla", key, records);
        EXPECT_TRUE(records.empty());
        if (i % 3 == 0) {
          records = row("D" + child, key);
          stage_->accept(connector, "cla", key, records);
        }
        if (i % 5 == 0) {
          records.clear();
          stage_->accept(connector, "cla", key, records);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  constexpr int kKept = kThreads * (kRows - kRows / 5);
  EXPECT_EQ(headline("cla_count"), kKept);
  EXPECT_EQ(persons_, static_cast<uint64_t>(kKept));
}

// The last evaluation of a one-shot run lets go of what only a later one builds on; should
// another come after all, it resolves identities afresh and still counts every child once.
TEST_F(DeriveStageTest, AnEvaluationAfterTheLastStillCountsEveryChildOnce) {
  acceptRows(6);
  EXPECT_EQ(headline("cla_count", DeriveStage::Then::kExit), 6);
  EXPECT_EQ(persons_, 6u);

  give("row-1", row("C7", "row-1"));  // C1 has no row left
  give("row-7", row("C8", "row-7"));
  EXPECT_EQ(headline("cla_count"), 7);
  EXPECT_EQ(persons_, 7u);
  give("row-2", {});
  EXPECT_EQ(headline("cla_count"), 6);
  EXPECT_EQ(persons_, 6u);
}

// A one-shot run's last evaluation makes no list of open reviews (the admin API, its one
// reader, closes as the run exits), and lets go of what explains the pairs; an evaluation after
// it resolves anew and makes the list, the same as one that never had a last before it.
TEST_F(DeriveStageTest, TheReviewListIsMadeAgainByAnEvaluationAfterTheLast) {
  pipelines::identity::testing::PopulationOptions population;
  population.people = 3000;
  population.duplicates = 700;
  auto giveAll = [&](DeriveStage& stage) {
    for (const auto& r : pipelines::identity::testing::generatePopulation(population).records) {
      canonical::Person person = testing::personOf(r);
      person.provenance = {trust(), canonical::CompactString(r.local_id), 2024};
      std::vector<canonical::Record> records;
      records.emplace_back(std::move(person));
      stage.accept(r.source_system, "people", r.local_id, records);
    }
  };
  giveAll(*stage_);
  auto last = stage_->evaluate(DeriveStage::Then::kExit);
  ASSERT_TRUE(last) << last.error().message;
  ASSERT_GT(last->reviews, 0u) << "the population leaves pairs for review";
  EXPECT_EQ(stage_->reviewsJson(), "[]");  // as it was: not made

  auto next = stage_->evaluate();
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->reviews, last->reviews);
  EXPECT_EQ(next->linkage_digest, last->linkage_digest);
  const json listed = json::parse(stage_->reviewsJson());
  EXPECT_EQ(listed.size(), next->reviews);

  // The same records in a stage that never made a last evaluation list the same reviews.
  TearDown();
  SetUp();
  giveAll(*stage_);
  auto only = stage_->evaluate();
  ASSERT_TRUE(only) << only.error().message;
  EXPECT_EQ(json::parse(stage_->reviewsJson()), listed);
}

}  // namespace
}  // namespace hearth::daemon::derive
