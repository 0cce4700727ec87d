#include "daemon/state/record_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>

namespace hearth::daemon::state {
namespace {

namespace fs = std::filesystem;

class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hearth-records-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<RecordStore> open() {
    auto store = RecordStore::open(dir_, [this](uint32_t, uint64_t seq) {
      acked_.fetch_add(1);
      last_seq_ = seq;
    });
    EXPECT_TRUE(store) << store.error().message;
    return std::move(store).value();
  }

  fs::path dir_;
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> last_seq_{0};
};

TEST(RecordFields, RoundTripKeepsNullsEmptyValuesAndBinaryBytes) {
  const std::string binary("a\0b\x80\xff", 5);
  const std::vector<pipelines::FieldView> fields = {
      {"CHILD", "123", false}, {"DEC", "", true}, {"empty", "", false}, {"raw", binary, false}};
  std::string bytes;
  encodeFields(fields, bytes);
  std::vector<pipelines::FieldView> back;
  ASSERT_TRUE(decodeFields(bytes, back));
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0].name, "CHILD");
  EXPECT_EQ(back[0].value, "123");
  EXPECT_TRUE(back[1].is_null);
  EXPECT_FALSE(back[2].is_null);
  EXPECT_EQ(back[2].value, "");
  EXPECT_EQ(back[3].value, binary);
  // A truncated encoding is refused rather than read past its end.
  EXPECT_FALSE(decodeFields(std::string_view(bytes).substr(0, bytes.size() - 2), back));
}

TEST_F(RecordStoreTest, RecordsAreReplacedBySourceKeyAndEveryPutIsAcknowledgedOnceDurable) {
  {
    auto store = open();
    std::vector<pipelines::FieldView> fields = {{"CHILD", "1", false}, {"LS", "C2", false}};
    for (uint64_t i = 0; i < 20000; ++i) {
      const std::string key = std::to_string(i % 15000);  // the last 5,000 replace earlier rows
      const std::string location = "episodes.csv:" + key;
      const pipelines::RawRecordView raw{"episodes", key, location, 0, fields};
      store->put(raw, "trust_903", 0, i);
    }
    store->flush();
    EXPECT_EQ(acked_.load(), 20000u);
    EXPECT_EQ(last_seq_.load(), 19999u);
    EXPECT_EQ(store->count().value(), 15000u);
  }
  auto reopened = open();
  std::map<std::string, std::string> seen;
  ASSERT_TRUE(reopened->forEach([&](const StoredRecord& r) {
    seen[r.source_key] = r.fields;
    EXPECT_EQ(r.connector, "trust_903");
    EXPECT_EQ(r.stream, "episodes");
  }));
  EXPECT_EQ(seen.size(), 15000u);
  std::vector<pipelines::FieldView> back;
  ASSERT_TRUE(decodeFields(seen.at("42"), back));
  EXPECT_EQ(back.at(1).value, "C2");
}

TEST_F(RecordStoreTest, DecisionLogIsHashChainedAndDetectsAnAlteredEntry) {
  auto store = open();
  IdentityDecision merge{0, 0, "alice", "merge", "trust/1", "school/9", "same child, new UPN", ""};
  IdentityDecision unmerge{0, 0, "bob", "unmerge", "trust/1", "school/9", "twins", ""};
  ASSERT_TRUE(store->appendDecision(merge));
  auto second = store->appendDecision(unmerge);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(store->decisions().value().size(), 2u);
  EXPECT_TRUE(store->verifyDecisions().value());

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE identity_decisions SET actor = 'mallory' WHERE seq = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(store->verifyDecisions().value());
}

}  // namespace
}  // namespace hearth::daemon::state
