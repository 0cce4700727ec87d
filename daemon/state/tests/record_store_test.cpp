#include "daemon/state/record_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hearth::daemon::state {
namespace {

namespace fs = std::filesystem;

// A record's decoded fields as " name=value" for each, null ones as "name=null".
std::string fieldsText(const std::vector<pipelines::FieldView>& fields) {
  std::string text;
  for (const auto& f : fields) {
    text += " " + std::string(f.name) + "=" + (f.is_null ? "null" : std::string(f.value));
  }
  return text;
}

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

TEST_F(RecordStoreTest, AWithdrawnRecordIsRemovedAndItsRemovalAcknowledged) {
  {
    auto store = open();
    const std::vector<pipelines::FieldView> fields = {{"resource", "{}", false}};
    for (const char* key : {"Patient/1", "Patient/2"}) {
      store->put({"Patient", key, "Patient.ndjson:1", 0, fields}, "trust_fhir", 0, 1);
    }
    store->put({"Encounter", "Patient/1", "Encounter.ndjson:1", 0, fields}, "trust_fhir", 0, 2);
    store->erase("trust_fhir", "Patient", "Patient/1", 0, 3);
    store->erase("trust_fhir", "Patient", "Patient/404", 0, 4);  // never stored: nothing to do
    store->flush();
    EXPECT_EQ(acked_.load(), 5u);
    EXPECT_EQ(last_seq_.load(), 4u);
  }
  auto reopened = open();
  std::vector<std::string> left;
  ASSERT_TRUE(reopened->forEach(
      [&](const StoredRecord& r) { left.push_back(r.stream + " " + r.source_key); }));
  EXPECT_EQ(left, (std::vector<std::string>{"Encounter Patient/1", "Patient Patient/2"}));
}

// What was derived from the stored records stands while their generation does: every change
// moves it on, across a reopen, and reading changes nothing.
TEST_F(RecordStoreTest, TheGenerationMovesOnWithEveryChangeAndOnlyThen) {
  const auto generation = [](RecordStore& store) -> uint64_t {
    auto read = store.generation();
    EXPECT_TRUE(read) << read.error().message;
    return read ? *read : 0;
  };
  uint64_t before = 0;
  {
    auto store = open();
    before = generation(*store);
    const std::vector<pipelines::FieldView> fields = {{"resource", "{}", false}};
    store->put({"Patient", "Patient/1", "Patient.ndjson:1", 0, fields}, "trust_fhir", 0, 1);
    store->flush();
    EXPECT_GT(generation(*store), before);
    before = generation(*store);
    ASSERT_TRUE(store->forEach([](const StoredRecord&) {}));
    EXPECT_EQ(generation(*store), before);
    store->erase("trust_fhir", "Patient", "Patient/1", 0, 2);
    store->flush();
    EXPECT_GT(generation(*store), before);
    before = generation(*store);
  }
  auto reopened = open();
  EXPECT_EQ(generation(*reopened), before);
  ASSERT_TRUE(reopened->forget("trust_fhir", ""));
  EXPECT_GT(generation(*reopened), before);
}

// A commit costs an fsync whatever it holds, so the writer lets records that trickle in gather
// for a moment and commits them together; records nobody flushes are still committed soon after.
TEST_F(RecordStoreTest, RecordsThatTrickleInShareACommitAndAreDurableWithoutAFlush) {
  auto store = open();
  const uint64_t before = store->generation().value();
  const std::vector<pipelines::FieldView> fields = {{"resource", "{}", false}};
  constexpr uint64_t kRecords = 30;
  for (uint64_t i = 0; i < kRecords; ++i) {
    const std::string key = "Patient/" + std::to_string(i);
    store->put({"Patient", key, "Patient.ndjson:1", 0, fields}, "trust_fhir", 0, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (acked_.load() < kRecords && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(acked_.load(), kRecords);
  EXPECT_EQ(store->count().value(), kRecords);
  // Committed one by one, as they came, they would have taken 30 commits.
  EXPECT_LE(store->generation().value() - before, 10u);
}

// A flush does not wait out the writer's gathering (50 ms at most): twenty records flushed one at
// a time would take a second if each flush waited, and take an fsync each when it does not.
TEST_F(RecordStoreTest, AFlushCommitsWhatTheWriterIsGatheringAtOnce) {
  auto store = open();
  const std::vector<pipelines::FieldView> fields = {{"resource", "{}", false}};
  constexpr uint64_t kRecords = 20;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t i = 1; i <= kRecords; ++i) {
    const std::string key = "Patient/" + std::to_string(i);
    store->put({"Patient", key, "Patient.ndjson:1", 0, fields}, "trust_fhir", 0, i);
    store->flush();
    EXPECT_EQ(acked_.load(), i);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(800))
      << "a flush waited for the writer's gathering to time out";
  EXPECT_EQ(store->count().value(), kRecords);
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

// A store written when rows were kept in a table keyed by the record's key: its records are
// moved into the appended table at the first open, and replaced and read as any others.
TEST_F(RecordStoreTest, AStoreKeyedByRecordIsMovedIntoTheAppendedTableAtOpen) {
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  std::string fields;
  const std::vector<pipelines::FieldView> row = {{"UPN", "A123", false}};
  encodeFields(row, fields);
  const std::string insert =
      "CREATE TABLE records (connector TEXT NOT NULL, stream TEXT NOT NULL, source_key TEXT NOT "
      "NULL, location TEXT NOT NULL, source_time_ms INTEGER NOT NULL, fields BLOB NOT NULL, "
      "PRIMARY KEY (connector, stream, source_key)) WITHOUT ROWID;"
      "INSERT INTO records VALUES ('census', 'pupils', 'p2', 'a.csv:3', 7, x'" +
      [&] {
        std::string hex;
        for (const unsigned char c : fields) {
          hex += "0123456789abcdef"[c >> 4];
          hex += "0123456789abcdef"[c & 15];
        }
        return hex;
      }() +
      "'), ('census', 'pupils', 'p1', 'a.csv:2', 5, x'');";
  ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto store = open();
  std::vector<std::string> seen;
  std::vector<pipelines::FieldView> decoded;
  ASSERT_TRUE(store->forEach([&](const StoredRecord& r) {
    ASSERT_TRUE(decodeFields(r.fields, decoded));
    seen.push_back(r.source_key + " " + r.location + " " + std::to_string(r.source_time_ms) + " " +
                   std::to_string(decoded.size()));
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"p1 a.csv:2 5 0", "p2 a.csv:3 7 1"}));

  // The moved record is replaced by key, not stored twice.
  store->put({"pupils", "p2", "b.csv:9", 8, row}, "census", 1, 0);
  store->flush();
  EXPECT_EQ(store->count().value(), 2u);
  store.reset();
  auto reopened = open();  // nothing left to move
  EXPECT_EQ(reopened->count().value(), 2u);
  seen.clear();
  ASSERT_TRUE(reopened->forEach([&](const StoredRecord& r) { seen.push_back(r.location); }));
  EXPECT_EQ(seen, (std::vector<std::string>{"a.csv:2", "b.csv:9"}));
}

int pageSize(const fs::path& file) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &statement, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
  const int size = sqlite3_column_int(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return size;
}

// A new store takes 16 KiB pages; one made with SQLite's 4 KiB pages keeps them and works as
// before, since a database's page size is fixed once it has tables.
TEST_F(RecordStoreTest, ANewStoreHasLargePagesAndAnOlderOneKeepsItsOwn) {
  const std::vector<pipelines::FieldView> row = {{"UPN", "A123", false}};
  {
    auto store = open();
    store->put({"pupils", "p1", "a.csv:2", 5, row}, "census", 1, 0);
    store->flush();
  }
  EXPECT_EQ(pageSize(dir_ / "records.db"), 16384);

  fs::remove_all(dir_);
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size = 4096; CREATE TABLE older (n INTEGER);", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = open();
  store->put({"pupils", "p1", "a.csv:2", 5, row}, "census", 1, 0);
  store->put({"pupils", "p1", "a.csv:7", 6, row}, "census", 1, 1);
  store->flush();
  EXPECT_EQ(store->count().value(), 1u);
  std::vector<std::string> seen;
  ASSERT_TRUE(store->forEach([&](const StoredRecord& r) { seen.push_back(r.location); }));
  EXPECT_EQ(seen, (std::vector<std::string>{"a.csv:7"}));
  store.reset();
  EXPECT_EQ(pageSize(dir_ / "records.db"), 4096);
}

// A store whose records were indexed by their keys: the keys are hashed at open, the old index
// goes (none takes its place: the writer finds keys in memory), and a record read again still
// replaces the stored one.
TEST_F(RecordStoreTest, AStoreIndexedByKeyLosesTheIndexAndGetsKeyHashesAtOpen) {
  fs::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE source_records (id INTEGER PRIMARY KEY, connector TEXT NOT NULL, stream TEXT "
      "NOT NULL, source_key TEXT NOT NULL, location TEXT NOT NULL, source_time_ms INTEGER NOT "
      "NULL, fields BLOB NOT NULL);"
      "CREATE UNIQUE INDEX source_records_by_key ON source_records (connector, stream, "
      "source_key);"
      "INSERT INTO source_records (connector, stream, source_key, location, source_time_ms, "
      "fields) VALUES ('census', 'pupils', 'p2', 'a.csv:3', 7, x''), ('census', 'pupils', 'p1', "
      "'a.csv:2', 5, x'');";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto store = open();
  const std::vector<pipelines::FieldView> row = {{"UPN", "A123", false}};
  store->put({"pupils", "p2", "b.csv:9", 8, row}, "census", 1, 0);
  store->erase("census", "pupils", "p1", 1, 1);
  store->put({"pupils", "p3", "b.csv:10", 9, row}, "census", 1, 2);
  store->flush();
  std::vector<std::string> seen;
  ASSERT_TRUE(store->forEach(
      [&](const StoredRecord& r) { seen.push_back(r.source_key + " " + r.location); }));
  EXPECT_EQ(seen, (std::vector<std::string>{"p2 b.csv:9", "p3 b.csv:10"}));
  store.reset();

  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  std::vector<std::string> indexes;
  ASSERT_EQ(
      sqlite3_exec(
          db,
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'source_records' "
          "ORDER BY name",
          [](void* out, int, char** values, char**) {
            static_cast<std::vector<std::string>*>(out)->push_back(values[0]);
            return 0;
          },
          &indexes, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_TRUE(indexes.empty()) << indexes.front();
}

// Every key hashes alike here: a key's row is then found by the key itself, and a record is
// still replaced, withdrawn and kept exactly, before and after a reopen.
TEST_F(RecordStoreTest, KeysWhoseHashesCollideAreStillReplacedAndWithdrawnExactly) {
  const auto collide = [](std::string_view, std::string_view, std::string_view) -> int64_t {
    return 42;
  };
  const auto put = [](RecordStore& store, const std::string& key, const std::string& value) {
    const std::vector<pipelines::FieldView> row = {{"v", value, false}};
    store.put({"pupils", key, "a.csv:" + key, 0, row}, "census", 1, 0);
  };
  const auto contents = [](RecordStore& store) {
    std::vector<std::string> seen;
    EXPECT_TRUE(store.forEach([&](const StoredRecord& r) {
      std::vector<pipelines::FieldView> fields;
      EXPECT_TRUE(decodeFields(r.fields, fields));
      seen.push_back(r.source_key + "=" + std::string(fields.at(0).value));
    }));
    return seen;
  };
  {
    auto opened = RecordStore::open(
        dir_, [](uint32_t, uint64_t) {}, 16, collide);
    ASSERT_TRUE(opened) << opened.error().message;
    RecordStore& store = **opened;
    for (const char* key : {"a", "b", "c"}) put(store, key, "1");
    put(store, "a", "2");
    put(store, "c", "2");
    store.erase("census", "pupils", "b", 1, 0);
    store.flush();
    EXPECT_EQ(contents(store), (std::vector<std::string>{"a=2", "c=2"}));
  }
  auto opened = RecordStore::open(
      dir_, [](uint32_t, uint64_t) {}, 16, collide);
  ASSERT_TRUE(opened) << opened.error().message;
  RecordStore& store = **opened;
  put(store, "a", "3");
  put(store, "b", "3");
  store.erase("census", "pupils", "c", 1, 0);
  store.erase("census", "pupils", "d", 1, 0);  // never stored
  store.flush();
  EXPECT_EQ(contents(store), (std::vector<std::string>{"a=3", "b=3"}));
  EXPECT_EQ(store.count().value(), 2u);
}

// The writer finds stored keys after a reopen and after an operator forgets a stream: a record
// read again replaces its row, and one forgotten is stored anew, never twice.
TEST_F(RecordStoreTest, KeysAreFoundAgainAfterAReopenAndAfterAStreamIsForgotten) {
  const std::vector<pipelines::FieldView> row = {{"v", "x", false}};
  {
    auto store = open();
    for (int i = 0; i < 1000; ++i) {
      store->put({i % 2 == 0 ? "even" : "odd", std::to_string(i), "f:1", 0, row}, "c", 0, 0);
    }
    store->flush();
  }
  auto store = open();
  for (int i = 0; i < 1000; i += 3) {
    store->put({i % 2 == 0 ? "even" : "odd", std::to_string(i), "f:2", 0, row}, "c", 0, 0);
  }
  store->flush();
  EXPECT_EQ(store->count().value(), 1000u);
  EXPECT_EQ(store->forget("c", "odd").value(), 500u);
  for (int i = 0; i < 1000; ++i) {
    store->put({i % 2 == 0 ? "even" : "odd", std::to_string(i), "f:3", 0, row}, "c", 0, 0);
  }
  store->flush();
  EXPECT_EQ(store->count().value(), 1000u);
  size_t latest = 0;
  ASSERT_TRUE(store->forEach([&](const StoredRecord& r) { latest += r.location == "f:3"; }));
  EXPECT_EQ(latest, 1000u);
}

// Rows with the same header store its names once; each row reads back with its own names,
// values and nulls, across a reopen.
TEST_F(RecordStoreTest, FieldNamesAreStoredOncePerHeaderAndReadBackWithEveryRow) {
  auto store = open();
  const std::vector<pipelines::FieldView> a1 = {{"UPN", "A1", false}, {"dob", "", true}};
  const std::vector<pipelines::FieldView> a2 = {{"UPN", "A2", false}, {"dob", "2010-01-02", false}};
  const std::vector<pipelines::FieldView> b = {{"ULN", "", false}};
  const std::vector<pipelines::FieldView> none;
  store->put({"pupils", "p1", "a.csv:2", 1, a1}, "census", 1, 0);
  store->put({"leavers", "l1", "b.csv:2", 2, b}, "census", 1, 1);
  store->put({"pupils", "p2", "a.csv:3", 3, a2}, "census", 1, 2);
  store->put({"empty", "e1", "c.csv:2", 4, none}, "census", 1, 3);
  store->flush();
  store.reset();
  store = open();
  store->put({"pupils", "p3", "a.csv:4", 5, a1}, "census", 1, 4);
  store->flush();

  std::vector<std::string> seen;
  std::vector<pipelines::FieldView> decoded;
  ASSERT_TRUE(store->forEach([&](const StoredRecord& r) {
    ASSERT_TRUE(decodeFields(r.fields, decoded)) << r.source_key;
    seen.push_back(r.source_key + fieldsText(decoded));
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"e1", "l1 ULN=", "p1 UPN=A1 dob=null",
                                            "p2 UPN=A2 dob=2010-01-02", "p3 UPN=A1 dob=null"}));
  store.reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  int lists = -1;
  ASSERT_EQ(sqlite3_exec(
                db, "SELECT count(*) FROM field_names",
                [](void* out, int, char** values, char**) {
                  *static_cast<int*>(out) = std::stoi(values[0]);
                  return 0;
                },
                &lists, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(lists, 3);  // pupils, leavers and the empty list
}

// Read as stored, the records come in the order they were stored, each once: a replaced one in
// its new version where that was stored, a withdrawn one not at all, each with its own names,
// values and nulls. forEach() gives the same records in key order.
TEST_F(RecordStoreTest, ReadAsStoredEveryRecordComesOnceInTheOrderItWasStored) {
  auto store = open();
  const std::vector<pipelines::FieldView> a = {{"UPN", "A1", false}, {"dob", "", true}};
  const std::vector<pipelines::FieldView> b = {{"ULN", "U7", false}};
  store->put({"pupils", "p9", "a.csv:2", 1, a}, "census", 1, 0);
  store->put({"leavers", "l1", "b.csv:2", 2, b}, "census", 1, 1);
  store->put({"pupils", "p1", "a.csv:3", 3, a}, "census", 1, 2);
  store->put({"pupils", "p5", "a.csv:4", 4, a}, "census", 1, 3);
  store->flush();
  store.reset();
  store = open();
  store->put({"pupils", "p9", "a.csv:9", 5, b}, "census", 1, 4);  // replaces p9, stored first
  store->erase("census", "pupils", "p5", 1, 5);
  store->put({"pupils", "p0", "a.csv:5", 6, a}, "census", 1, 6);
  store->flush();

  auto lines = [](auto walk) {
    std::vector<std::string> seen;
    std::vector<pipelines::FieldView> decoded;
    EXPECT_TRUE(walk([&](const StoredRecord& r) {
      ASSERT_TRUE(decodeFields(r.fields, decoded)) << r.source_key;
      seen.push_back(r.stream + "/" + r.source_key + " " + r.location + fieldsText(decoded));
    }));
    return seen;
  };
  const std::vector<std::string> as_stored =
      lines([&](const auto& visit) { return store->forEachAsStored(visit); });
  // A replaced record's row goes and its new version is appended.
  EXPECT_EQ(as_stored, (std::vector<std::string>{
                           "leavers/l1 b.csv:2 ULN=U7", "pupils/p1 a.csv:3 UPN=A1 dob=null",
                           "pupils/p9 a.csv:9 ULN=U7", "pupils/p0 a.csv:5 UPN=A1 dob=null"}));
  std::vector<std::string> by_key = lines([&](const auto& visit) { return store->forEach(visit); });
  EXPECT_EQ(by_key, (std::vector<std::string>{
                        "leavers/l1 b.csv:2 ULN=U7", "pupils/p0 a.csv:5 UPN=A1 dob=null",
                        "pupils/p1 a.csv:3 UPN=A1 dob=null", "pupils/p9 a.csv:9 ULN=U7"}));
}

// A batch writes the names its records share once per run of them; each record still reads back
// with its own names and values, whichever list the record before it had.
TEST_F(RecordStoreTest, RecordsOfOneBatchReadBackWithTheirOwnNamesWhereverTheirListChanges) {
  auto store = open();
  const std::vector<pipelines::FieldView> a1 = {{"UPN", "A1", false}, {"dob", "", true}};
  const std::vector<pipelines::FieldView> a2 = {{"UPN", "A2", false}, {"dob", "2010-01-02", false}};
  const std::vector<pipelines::FieldView> b = {{"ULN", "B", false}};
  const std::vector<pipelines::FieldView> b_longer = {{"ULN", "B2", false}, {"x", "1", false}};
  const std::vector<pipelines::FieldView> none;
  RecordStore::Batch batch;
  batch.add({"pupils", "p1", "a.csv:2", 1, a1}, "census", 1, 0);
  batch.add({"pupils", "p2", "a.csv:3", 2, a2}, "census", 1, 1);
  batch.add({"leavers", "l1", "b.csv:2", 3, b}, "census", 1, 2);
  batch.add({"leavers", "l2", "b.csv:3", 4, b_longer}, "census", 1, 3);
  batch.add({"pupils", "p3", "a.csv:4", 5, a1}, "census", 1, 4);
  batch.add({"empty", "e1", "c.csv:2", 6, none}, "census", 1, 5);
  batch.add({"pupils", "p4", "a.csv:5", 7, a2}, "census", 1, 6);
  store->put(batch);
  store->flush();
  EXPECT_EQ(acked_.load(), 7u);

  std::vector<std::string> seen;
  std::vector<pipelines::FieldView> decoded;
  ASSERT_TRUE(store->forEach([&](const StoredRecord& r) {
    ASSERT_TRUE(decodeFields(r.fields, decoded)) << r.source_key;
    seen.push_back(r.source_key + " " + r.location + fieldsText(decoded));
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "e1 c.csv:2", "l1 b.csv:2 ULN=B", "l2 b.csv:3 ULN=B2 x=1",
                      "p1 a.csv:2 UPN=A1 dob=null", "p2 a.csv:3 UPN=A2 dob=2010-01-02",
                      "p3 a.csv:4 UPN=A1 dob=null", "p4 a.csv:5 UPN=A2 dob=2010-01-02"}));
}

// A blob that is neither a list of fields nor one that names its list is refused.
TEST(RecordFields, AnUnknownEncodingIsRefused) {
  std::vector<pipelines::FieldView> back;
  EXPECT_FALSE(decodeFields(std::string("\2\1\0\1x", 5), back));
}

// A VFS over the default one that knows, per file, whether anything was written to it since its
// last fsync: what a power cut at that moment would lose.
class UnsyncedWrites {
 public:
  static UnsyncedWrites& instance() {
    static UnsyncedWrites tracker;
    return tracker;
  }
  // Makes the tracking VFS the default for connections opened from now on, until `uninstall`.
  void install() {
    real_ = sqlite3_vfs_find(nullptr);
    vfs_ = *real_;
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.zName = "hearth-unsynced-writes";
    vfs_.pAppData = this;
    vfs_.xOpen = &UnsyncedWrites::open;
    sqlite3_vfs_register(&vfs_, 1);
  }
  void uninstall() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
  }
  bool unsynced(const std::string& path) {
    std::lock_guard lock(mutex_);
    return dirty_[path];
  }

 private:
  struct File {
    sqlite3_file base;
    std::string* path;  // null for SQLite's nameless temporary files
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  static File& self(sqlite3_file* file) { return *reinterpret_cast<File*>(file); }
  void mark(const File& file, bool dirty) {
    if (file.path == nullptr) return;
    std::lock_guard lock(mutex_);
    dirty_[*file.path] = dirty;
  }

  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) {
    auto& tracker = *static_cast<UnsyncedWrites*>(vfs->pAppData);
    File& f = self(file);
    f.path = name != nullptr ? new std::string(name) : nullptr;
    const int rc = tracker.real_->xOpen(tracker.real_, name, f.real(), flags, out_flags);
    f.base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
    if (rc != SQLITE_OK) delete f.path;
    return rc;
  }

  static constexpr sqlite3_io_methods kMethods = {
      .iVersion = 3,
      .xClose =
          [](sqlite3_file* file) {
            const int rc = self(file).real()->pMethods->xClose(self(file).real());
            delete self(file).path;
            return rc;
          },
      .xRead =
          [](sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
            return self(file).real()->pMethods->xRead(self(file).real(), buffer, amount, offset);
          },
      .xWrite =
          [](sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
            instance().mark(self(file), true);
            return self(file).real()->pMethods->xWrite(self(file).real(), buffer, amount, offset);
          },
      .xTruncate =
          [](sqlite3_file* file, sqlite3_int64 size) {
            instance().mark(self(file), true);
            return self(file).real()->pMethods->xTruncate(self(file).real(), size);
          },
      .xSync =
          [](sqlite3_file* file, int flags) {
            const int rc = self(file).real()->pMethods->xSync(self(file).real(), flags);
            if (rc == SQLITE_OK) instance().mark(self(file), false);
            return rc;
          },
      .xFileSize =
          [](sqlite3_file* file, sqlite3_int64* size) {
            return self(file).real()->pMethods->xFileSize(self(file).real(), size);
          },
      .xLock = [](sqlite3_file* file,
                  int lock) { return self(file).real()->pMethods->xLock(self(file).real(), lock); },
      .xUnlock =
          [](sqlite3_file* file, int lock) {
            return self(file).real()->pMethods->xUnlock(self(file).real(), lock);
          },
      .xCheckReservedLock =
          [](sqlite3_file* file, int* out) {
            return self(file).real()->pMethods->xCheckReservedLock(self(file).real(), out);
          },
      .xFileControl =
          [](sqlite3_file* file, int op, void* arg) {
            return self(file).real()->pMethods->xFileControl(self(file).real(), op, arg);
          },
      .xSectorSize =
          [](sqlite3_file* file) {
            return self(file).real()->pMethods->xSectorSize(self(file).real());
          },
      .xDeviceCharacteristics =
          [](sqlite3_file* file) {
            return self(file).real()->pMethods->xDeviceCharacteristics(self(file).real());
          },
      .xShmMap =
          [](sqlite3_file* file, int page, int size, int extend, void volatile** out) {
            return self(file).real()->pMethods->xShmMap(self(file).real(), page, size, extend, out);
          },
      .xShmLock =
          [](sqlite3_file* file, int offset, int n, int flags) {
            return self(file).real()->pMethods->xShmLock(self(file).real(), offset, n, flags);
          },
      .xShmBarrier =
          [](sqlite3_file* file) { self(file).real()->pMethods->xShmBarrier(self(file).real()); },
      .xShmUnmap =
          [](sqlite3_file* file, int remove) {
            return self(file).real()->pMethods->xShmUnmap(self(file).real(), remove);
          },
      .xFetch =
          [](sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
            return self(file).real()->pMethods->xFetch(self(file).real(), offset, amount, out);
          },
      .xUnfetch =
          [](sqlite3_file* file, sqlite3_int64 offset, void* page) {
            return self(file).real()->pMethods->xUnfetch(self(file).real(), offset, page);
          },
  };

  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  std::mutex mutex_;
  std::map<std::string, bool> dirty_;
};

// Power loss: hearth.db (checkpoints) and records.db are separate databases, and a checkpoint is
// stored once its records are reported durable. So a record must be on disk (fsynced) when it is
// reported durable; otherwise a power cut could keep the checkpoint and lose the records it covers.
TEST_F(RecordStoreTest, ARecordIsFsyncedBeforeItIsReportedDurable) {
  UnsyncedWrites& writes = UnsyncedWrites::instance();
  writes.install();
  const std::string wal = (dir_ / "records.db-wal").string();
  std::atomic<uint64_t> reported{0};
  std::atomic<uint64_t> reported_unsynced{0};
  {
    auto store = RecordStore::open(dir_, [&](uint32_t, uint64_t) {
      reported.fetch_add(1);
      if (writes.unsynced(wal)) reported_unsynced.fetch_add(1);
    });
    ASSERT_TRUE(store) << store.error().message;
    const std::vector<pipelines::FieldView> fields = {{"CHILD", "1", false}};
    for (uint64_t i = 0; i < 200; ++i) {
      const std::string key = "k" + std::to_string(i);
      (*store)->put({"episodes", key, "a.csv:" + std::to_string(i + 2), 0, fields}, "c", 1, i);
      if (i % 50 == 0) (*store)->flush();  // several commits, not one
    }
    (*store)->flush();
  }
  writes.uninstall();
  EXPECT_EQ(reported.load(), 200u);
  EXPECT_EQ(reported_unsynced.load(), 0u)
      << "records were reported durable while their commit was only in the page cache";
}

}  // namespace
}  // namespace hearth::daemon::state
