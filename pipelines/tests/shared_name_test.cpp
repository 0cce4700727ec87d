#include "pipelines/canonical/shared_name.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::canonical {
namespace {

TEST(SharedName, CopiesShareOneTextAndAssigningMakesItAnew) {
  const SharedName stream = "termly_session_details_on_roll";
  const SharedName copy = stream;
  EXPECT_TRUE(copy.shares(stream));
  EXPECT_EQ(copy, "termly_session_details_on_roll");
  EXPECT_EQ(copy.str(), std::string("termly_session_details_on_roll"));

  SharedName other = "termly_session_details_on_roll";
  EXPECT_FALSE(other.shares(stream));
  EXPECT_EQ(other, stream);  // equal texts, made apart
  other = "pupil_on_roll";
  EXPECT_NE(other, stream);
  EXPECT_EQ(stream.view(), "termly_session_details_on_roll");  // the others kept theirs
  EXPECT_LT(other, stream);
}

TEST(SharedName, EmptyTextHoldsNothing) {
  const SharedName none;
  const SharedName blank = std::string();
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(blank.empty());
  EXPECT_EQ(none, blank);
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none, "");
  EXPECT_STREQ(none.c_str(), "");
}

TEST(SharedName, ReadsAsAStringWhereOneIsWanted) {
  const SharedName system = "school_census";
  const std::string copied = system;
  const std::string_view viewed = system;
  std::string assigned;
  assigned = system;
  EXPECT_EQ(copied, "school_census");
  EXPECT_EQ(viewed, "school_census");
  EXPECT_EQ(assigned, "school_census");
  EXPECT_EQ(system, copied);
  EXPECT_EQ(system, viewed);
  const Identifier id{"upn", "A123", system};
  EXPECT_EQ(id.source, "school_census");
}

TEST(SharedName, SelfAssignmentAndMovesKeepTheText) {
  SharedName a = "trust_cms";
  const SharedName& alias = a;
  a = alias;
  EXPECT_EQ(a, "trust_cms");
  SharedName b = std::move(a);
  EXPECT_EQ(b, "trust_cms");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from name is empty
  a = std::move(b);
  EXPECT_EQ(a, "trust_cms");
}

// Records are made on a connector's thread and read and dropped on the derive's: the count that
// keeps the text is shared across threads.
TEST(SharedName, CopiesMadeAndDroppedOnManyThreadsLeaveTheTextWhole) {
  const SharedName stream = "hospital_admissions";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&stream] {
      std::vector<SharedName> held;
      for (int i = 0; i < 100000; ++i) {
        held.push_back(stream);
        if (held.size() > 64) held.clear();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stream, "hospital_admissions");
  const SharedName copy = stream;
  EXPECT_TRUE(copy.shares(stream));
}

// A stream's records name their source system, connector and stream through one shared text
// each, made when the normaliser first meets the stream.
TEST(SharedName, ANormalisersRecordsShareTheirStreamsNames) {
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
  EXPECT_EQ(first.stream, "ssd_missing");
  EXPECT_EQ(first.connector, "trust_ssd_connector");
  EXPECT_EQ(first.source_system, "trust_cms");
  EXPECT_TRUE(first.stream.shares(second.stream));
  EXPECT_TRUE(first.connector.shares(second.connector));
  EXPECT_TRUE(first.source_system.shares(second.source_system));
  EXPECT_EQ(first.source_key, "C1");
  EXPECT_EQ(second.source_key, "C2");
}

}  // namespace
}  // namespace hearth::pipelines::canonical
