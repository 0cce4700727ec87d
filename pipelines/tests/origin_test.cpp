#include "pipelines/canonical/origin.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::canonical {
namespace {

TEST(Origin, CopiesShareOneSetOfNamesAndAssigningMakesThemAnew) {
  const Origin origin("school_census", "census", "termly_session_details_on_roll");
  const Origin copy = origin;
  EXPECT_TRUE(copy.shares(origin));
  EXPECT_EQ(copy.source_system(), "school_census");
  EXPECT_EQ(copy.connector(), "census");
  EXPECT_EQ(copy.stream(), "termly_session_details_on_roll");

  Origin other("school_census", "census", "termly_session_details_on_roll");
  EXPECT_FALSE(other.shares(origin));
  EXPECT_EQ(other, origin);  // equal names, made apart
  other = Origin("school_census", "census", "pupil_on_roll");
  EXPECT_FALSE(other == origin);
  EXPECT_EQ(origin.stream(), "termly_session_details_on_roll");  // the others kept theirs
}

TEST(Origin, NoneNamesNothing) {
  const Origin none;
  EXPECT_EQ(none.source_system(), "");
  EXPECT_EQ(none.connector(), "");
  EXPECT_EQ(none.stream(), "");
  EXPECT_EQ(none, Origin());
  EXPECT_FALSE(none == Origin("", "", "x"));
}

TEST(Origin, SelfAssignmentAndMovesKeepTheNames) {
  Origin a("trust_cms", "trust_ssd", "ssd_person");
  const Origin& alias = a;
  a = alias;
  EXPECT_EQ(a.source_system(), "trust_cms");
  Origin b = std::move(a);
  EXPECT_EQ(b.stream(), "ssd_person");
  EXPECT_EQ(a, Origin());  // NOLINT(bugprone-use-after-move): a moved-from origin names nothing
  a = std::move(b);
  EXPECT_EQ(a.connector(), "trust_ssd");
}

// Records are made on a connector's thread and read and dropped on the derive's: the count that
// keeps the names is shared across threads.
TEST(Origin, CopiesMadeAndDroppedOnManyThreadsLeaveTheNamesWhole) {
  const Origin origin("nhft", "health", "hospital_admissions");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&origin] {
      std::vector<Origin> held;
      for (int i = 0; i < 100000; ++i) {
        held.push_back(origin);
        if (held.size() > 64) held.clear();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(origin.stream(), "hospital_admissions");
  const Origin copy = origin;
  EXPECT_TRUE(copy.shares(origin));
}

// A stream's records name their source system, connector and stream through one shared origin,
// made when the normaliser first meets the stream; where each was read is the raw record's.
TEST(Origin, ANormalisersRecordsShareTheirStreamsOrigin) {
  const normalise::Normaliser normaliser(normalise::NormaliseContext{
      .layout = "trust_ssd",
      .connector = "trust_ssd_connector",
      .source_system = "trust_cms",
      .today = Date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}},
      .default_collection_year = 2024});
  normalise::NormaliseOutput out;
  for (const char* id : {"C1", "C2"}) {
    const std::vector<FieldView> fields = {{"miss_person_id", id},
                                           {"miss_missing_episode_type", "Missing"},
                                           {"miss_missing_episode_start_date", "2024-05-01"}};
    normaliser.normalise(RawRecordView{.stream = "ssd_missing",
                                       .source_key = id,
                                       .location = "ssd_missing:1",
                                       .fields = fields},
                         out);
  }
  ASSERT_EQ(out.records.size(), 2u);
  const Provenance& first = provenanceOf(out.records[0]);
  const Provenance& second = provenanceOf(out.records[1]);
  EXPECT_EQ(first.stream(), "ssd_missing");
  EXPECT_EQ(first.connector(), "trust_ssd_connector");
  EXPECT_EQ(first.source_system(), "trust_cms");
  EXPECT_TRUE(first.origin.shares(second.origin));
  EXPECT_EQ(first.source_key, "C1");
  EXPECT_EQ(second.source_key, "C2");
  EXPECT_EQ(first.collection_year, 2024);
}

// Every record's kind is held in a variant the size of its largest kind: a council holds
// millions. Provenance is 32 bytes, and the variant fits the allocator's 256-byte size class.
TEST(Origin, ProvenanceAndRecordsStayCompact) {
  EXPECT_EQ(sizeof(Origin), sizeof(void*));
  EXPECT_LE(sizeof(Provenance), 32u);
  EXPECT_LE(sizeof(Record), 256u);
}

}  // namespace
}  // namespace hearth::pipelines::canonical
