#include "daemon/state/state_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipelines/events/event_id.hpp"

namespace hearth::daemon::state {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hearth_state_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<StateStore> openStore() {
    auto store = StateStore::open(dir_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Runs one statement on a separate connection, as an operator's sqlite3 shell would.
  std::string queryText(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "hearth.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      const auto* value = sqlite3_column_text(statement, 0);
      if (value != nullptr) text = reinterpret_cast<const char*>(value);
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return text;
  }

  void execOutside(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "hearth.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  fs::path dir_;
};

TEST_F(StateStoreTest, CreatesDatabaseInWalModeAtCurrentSchemaVersion) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::exists(dir_ / "hearth.db"));
  EXPECT_EQ(store->path(), dir_ / "hearth.db");
  EXPECT_EQ(store->schemaVersion(), StateStore::kSchemaVersion);
  EXPECT_EQ(queryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(queryText("PRAGMA user_version"), std::to_string(StateStore::kSchemaVersion));
}

TEST_F(StateStoreTest, UnknownConnectorHasNoCheckpoint) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  auto token = store->loadCheckpoint("never_ran");
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(token->has_value());
  auto time = store->checkpointTime("never_ran");
  ASSERT_TRUE(time.ok());
  EXPECT_FALSE(time->has_value());
}

TEST_F(StateStoreTest, CheckpointTokenIsStoredAsOpaqueBytes) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  const std::string token("offset\0=\xff\x01 42", 14);
  ASSERT_TRUE(store->saveCheckpoint("csv_children", token).ok());
  auto loaded = store->loadCheckpoint("csv_children");
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, token);
}

TEST_F(StateStoreTest, EmptyTokenIsAValidCheckpoint) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->saveCheckpoint("fhir", "").ok());
  auto loaded = store->loadCheckpoint("fhir");
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, "");
}

TEST_F(StateStoreTest, SavingAgainReplacesTokenAndAdvancesTime) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->saveCheckpoint("odbc", "a").ok());
  auto first = store->checkpointTime("odbc");
  ASSERT_TRUE(first.ok() && first->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store->saveCheckpoint("odbc", "b").ok());
  auto loaded = store->loadCheckpoint("odbc");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(**loaded, "b");
  auto second = store->checkpointTime("odbc");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_GT(**second, **first);
  EXPECT_EQ(queryText("SELECT count(*) FROM checkpoints"), "1");
}

TEST_F(StateStoreTest, CheckpointTimeIsWallClockMilliseconds) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  auto ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before = ms();
  ASSERT_TRUE(store->saveCheckpoint("csv", "t").ok());
  const int64_t after = ms();
  auto time = store->checkpointTime("csv");
  ASSERT_TRUE(time.ok() && time->has_value());
  EXPECT_GE(**time, before);
  EXPECT_LE(**time, after);
}

TEST_F(StateStoreTest, CheckpointsSurviveReopening) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->saveCheckpoint("a", "1").ok());
    ASSERT_TRUE(store->saveCheckpoint("b", "2").ok());
  }
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  auto a = store->loadCheckpoint("a");
  auto b = store->loadCheckpoint("b");
  ASSERT_TRUE(a.ok() && a->has_value() && b.ok() && b->has_value());
  EXPECT_EQ(**a, "1");
  EXPECT_EQ(**b, "2");
}

TEST_F(StateStoreTest, MetaValuesRoundTrip) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  auto missing = store->loadMeta("installation_id");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store->saveMeta("installation_id", "x1").ok());
  ASSERT_TRUE(store->saveMeta("installation_id", "x2").ok());
  auto value = store->loadMeta("installation_id");
  ASSERT_TRUE(value.ok() && value->has_value());
  EXPECT_EQ(**value, "x2");
}

TEST_F(StateStoreTest, MigratesADatabaseCreatedBeforeAnySchema) {
  fs::create_directories(dir_);
  execOutside("CREATE TABLE unrelated (x INTEGER)");
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schemaVersion(), StateStore::kSchemaVersion);
  EXPECT_TRUE(store->saveCheckpoint("c", "t").ok());
}

// One changed digit in a stored token once made a connector skip thousands of rows in silence.
TEST_F(StateStoreTest, RefusesACheckpointTokenAlteredOnDiskNamingTheConnector) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->saveCheckpoint("bulk", R"({"referrals":{"a.csv":{"offset":104857}}})").ok());
    ASSERT_TRUE(store->saveCheckpoint("other", "t").ok());
  }
  execOutside(
      "UPDATE checkpoints SET token = CAST(replace(CAST(token AS TEXT), '104857', '164857') AS "
      "BLOB) WHERE connector = 'bulk'");
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  auto loaded = store->loadCheckpoint("bulk");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, "state.checkpoint_damaged");
  EXPECT_NE(loaded.error().message.find("connector \"bulk\""), std::string::npos)
      << loaded.error().message;
  auto untouched = store->loadCheckpoint("other");
  ASSERT_TRUE(untouched.ok() && untouched->has_value());
  EXPECT_EQ(**untouched, "t");
}

TEST_F(StateStoreTest, RefusesOneConnectorsCheckpointCopiedOverAnothers) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->saveCheckpoint("a", "token-a").ok());
    ASSERT_TRUE(store->saveCheckpoint("b", "token-b").ok());
  }
  execOutside(
      "UPDATE checkpoints SET (token, checksum) = (SELECT token, checksum FROM checkpoints WHERE "
      "connector = 'a') WHERE connector = 'b'");
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->loadCheckpoint("b").ok());
}

TEST_F(StateStoreTest, AcceptsACheckpointSavedBeforeChecksumsAndAddsOneAtTheNextSave) {
  fs::create_directories(dir_);
  execOutside(
      "CREATE TABLE checkpoints (connector TEXT PRIMARY KEY, token BLOB NOT NULL, "
      "updated_at_ms INTEGER NOT NULL); CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT "
      "NULL); INSERT INTO checkpoints VALUES ('old', CAST('t1' AS BLOB), 1); "
      "PRAGMA user_version = 1");
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->created());
  auto loaded = store->loadCheckpoint("old");
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ(**loaded, "t1");
  ASSERT_TRUE(store->saveCheckpoint("old", "t2").ok());
  EXPECT_EQ(queryText("SELECT length(checksum) FROM checkpoints WHERE connector = 'old'"), "64");
}

TEST_F(StateStoreTest, KnowsWhetherThisOpenCreatedTheDatabase) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->created());
    EXPECT_EQ(store->checkpointCount().value(), 0u);
    ASSERT_TRUE(store->saveCheckpoint("c", "t").ok());
  }
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->created());
  EXPECT_EQ(store->checkpointCount().value(), 1u);
}

TEST_F(StateStoreTest, RefusesADatabaseFromANewerBuild) {
  fs::create_directories(dir_);
  execOutside("PRAGMA user_version = 99");
  auto store = StateStore::open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "state.schema_newer");
  EXPECT_NE(store.error().message.find("99"), std::string::npos);
}

TEST_F(StateStoreTest, ReportsAnUnusableDirectoryAsAnError) {
  fs::create_directories(dir_.parent_path());
  { std::ofstream(dir_) << "not a directory"; }
  auto store = StateStore::open(dir_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "state.open");
  fs::remove(dir_);
}

TEST_F(StateStoreTest, IsHealthyWhileOpen) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->healthy());
  EXPECT_TRUE(store->healthy());
}

TEST_F(StateStoreTest, ConcurrentSavesFromManyThreadsAreAllStored) {
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 4;
  constexpr int kSavesPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kSavesPerThread; ++i) {
        const std::string connector = "c" + std::to_string(t);
        ASSERT_TRUE(store->saveCheckpoint(connector, std::to_string(i)).ok());
        auto loaded = store->loadCheckpoint(connector);
        ASSERT_TRUE(loaded.ok() && loaded->has_value());
        EXPECT_EQ(**loaded, std::to_string(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    auto loaded = store->loadCheckpoint("c" + std::to_string(t));
    ASSERT_TRUE(loaded.ok() && loaded->has_value());
    EXPECT_EQ(**loaded, std::to_string(kSavesPerThread - 1));
  }
}

// Every digest the store holds, by key: a key loaded twice fails the test.
std::map<std::string, uint64_t> allPublished(StateStore& store) {
  std::map<std::string, uint64_t> loaded;
  const auto read = store.loadPublished([&](std::string_view key, uint64_t digest) {
    EXPECT_TRUE(loaded.emplace(std::string(key), digest).second) << key;
  });
  EXPECT_TRUE(read.ok());
  return loaded;
}

TEST_F(StateStoreTest, PublishedDigestsSurviveReopeningAndRetiredKeysAreForgotten) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    const StateStore::PublishedDigest first[] = {{"person.view\x1f"
                                                  "p1",
                                                  11},
                                                 {"person.view\x1f"
                                                  "p2",
                                                  22},
                                                 {"identity\x1flink:a:b", 33}};
    ASSERT_TRUE(store->savePublished(first).ok());
    // A changed digest replaces the old one; a key without one is retired.
    const StateStore::PublishedDigest second[] = {{"person.view\x1f"
                                                   "p1",
                                                   0xFFFFFFFFFFFFFFFFull},
                                                  {"person.view\x1f"
                                                   "p2",
                                                   std::nullopt}};
    ASSERT_TRUE(store->savePublished(second).ok());
  }
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  const std::map<std::string, uint64_t> loaded = allPublished(*store);
  const std::map<std::string, uint64_t> expected = {{"person.view\x1f"
                                                     "p1",
                                                     0xFFFFFFFFFFFFFFFFull},
                                                    {"identity\x1flink:a:b", 33}};
  EXPECT_EQ(loaded, expected);
}

// One batch is saved in key order, not as given: a key given more than once must still end as
// its last change says, keys alike in their first 32 bytes must still be told apart, and bytes
// above 0x7f must sort as the table sorts them.
TEST_F(StateStoreTest, ABatchEndsAsItsLastChangeToEachKeySays) {
  const std::string shared(40, 'k');  // longer than the part compared first
  std::vector<StateStore::PublishedDigest> batch;
  std::map<std::string, uint64_t> expected;
  for (uint64_t round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) {
      const std::string key = (i % 2 == 0 ? shared : std::string("\xe9t\xe9")) + std::to_string(i);
      // The last round retires every fifth key; the others carry their last digest.
      if (round == 2 && i % 5 == 0) {
        batch.push_back({key, std::nullopt});
        expected.erase(key);
      } else {
        batch.push_back({key, round * 100 + static_cast<uint64_t>(i)});
        expected[key] = round * 100 + static_cast<uint64_t>(i);
      }
    }
  }
  batch.push_back({shared + "0", 7});  // retired above, given again last
  expected[shared + "0"] = 7;
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->savePublished(batch).ok());
  const std::map<std::string, uint64_t> loaded = allPublished(*store);
  EXPECT_EQ(loaded, expected);
}

// "<family>\x1f#" and the 32 hex digits of a key's hash, as the derive keeps identity pairs.
std::string hashedKey(std::string_view family, std::string_view longer_key) {
  std::string key(family);
  key.append("\x1f#");
  pipelines::appendHex(key, pipelines::keyHash(longer_key));
  return key;
}

// Keys that stand for longer ones by their hash are kept 256 blobs to a family, not a row each,
// and are loaded back as they were given, with each one's last change.
TEST_F(StateStoreTest, HashedKeysAreKeptInBlobsAndLoadedAsGiven) {
  std::map<std::string, uint64_t> expected;
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    std::vector<StateStore::PublishedDigest> first;
    for (uint64_t i = 0; i < 3000; ++i) {
      const std::string key = hashedKey(i % 3 == 0 ? "other" : "identity", std::to_string(i));
      first.push_back({key, i});
      expected[key] = i;
    }
    // Not hashed keys: upper-case digits, too few, another mark.
    const std::string upper = "identity\x1f#" + std::string(32, 'A');
    const std::string short_key = "identity\x1f#" + std::string(31, 'a');
    const std::string no_mark = "identity\x1f" + std::string(32, 'a');
    for (const std::string& key : {upper, short_key, no_mark}) {
      first.push_back({key, 1});
      expected[key] = 1;
    }
    ASSERT_TRUE(store->savePublished(first).ok());
    // A second batch changes every seventh key, retires every eleventh, and gives one key twice.
    std::vector<StateStore::PublishedDigest> second;
    for (uint64_t i = 0; i < 3000; i += 7) {
      const std::string key = hashedKey(i % 3 == 0 ? "other" : "identity", std::to_string(i));
      second.push_back({key, i + 1'000'000});
      expected[key] = i + 1'000'000;
    }
    for (uint64_t i = 0; i < 3000; i += 11) {
      const std::string key = hashedKey(i % 3 == 0 ? "other" : "identity", std::to_string(i));
      second.push_back({key, std::nullopt});
      expected.erase(key);
    }
    const std::string twice = hashedKey("identity", "1");
    second.push_back({twice, 0xFFFFFFFFFFFFFFFFull});
    expected[twice] = 0xFFFFFFFFFFFFFFFFull;
    ASSERT_TRUE(store->savePublished(second).ok());
  }
  EXPECT_EQ(queryText("SELECT count(*) FROM published"), "3");
  const int blobs = std::stoi(queryText("SELECT count(*) FROM published_hashed"));
  EXPECT_GT(blobs, 256);
  EXPECT_LE(blobs, 512);

  auto store = openStore();
  ASSERT_NE(store, nullptr);
  const std::map<std::string, uint64_t> loaded = allPublished(*store);
  EXPECT_EQ(loaded, expected);
  // One key at a time, too.
  auto kept = store->loadPublished(hashedKey("identity", "7"));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, std::optional<uint64_t>(1'000'007));
  auto retired = store->loadPublished(hashedKey("identity", "11"));
  ASSERT_TRUE(retired.ok());
  EXPECT_EQ(*retired, std::nullopt);
}

// Digests given by their family and hash, without the key's text, are kept as those given as
// text: loaded back as "<family>\x1f#<hex>", the later of two changes to one key standing, and
// after the changes given as text.
TEST_F(StateStoreTest, DigestsGivenByHashAreKeptAsTheirKeys) {
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    const StateStore::PublishedDigest as_text[] = {{hashedKey("identity", "1"), 1},
                                                   {hashedKey("indicator.facts", "2"), 2},
                                                   {"person.view\x1fp1", 3}};
    const StateStore::HashedDigest by_hash[] = {
        {"identity", pipelines::keyHash("1"), 10},
        {"indicator.facts", pipelines::keyHash("3"), 30},
        {"indicator.facts", pipelines::keyHash("3"), 31},
        {"identity", pipelines::keyHash("4"), 40},
        {"identity", pipelines::keyHash("4"), std::nullopt}};
    ASSERT_TRUE(store->savePublished(as_text, by_hash).ok());
    const StateStore::HashedDigest alone[] = {{"indicator.values", pipelines::keyHash("5"), 50}};
    ASSERT_TRUE(store->savePublished({}, alone).ok());
  }
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  const std::map<std::string, uint64_t> loaded = allPublished(*store);
  const std::map<std::string, uint64_t> expected = {{hashedKey("identity", "1"), 10},
                                                    {hashedKey("indicator.facts", "2"), 2},
                                                    {hashedKey("indicator.facts", "3"), 31},
                                                    {hashedKey("indicator.values", "5"), 50},
                                                    {"person.view\x1fp1", 3}};
  EXPECT_EQ(loaded, expected);
  EXPECT_EQ(queryText("SELECT count(*) FROM published"), "1");
}

// Many digests saved a save group at a time, as the derive saves a council's, end as they would
// saved in one call: every group is used, and a key's changes (and the later one) stay in one.
TEST_F(StateStoreTest, DigestsSavedGroupByGroupEndAsOneSaveLeavesThem) {
  std::vector<StateStore::HashedDigest> changes;
  std::set<int> groups;
  for (int i = 0; i < 2'000; ++i) {
    const pipelines::KeyHash hash = pipelines::keyHash(std::to_string(i % 1'500));
    const int group = StateStore::saveGroupOf(hash);
    ASSERT_GE(group, 0);
    ASSERT_LT(group, StateStore::kSaveGroups);
    groups.insert(group);
    changes.push_back({i % 3 == 0 ? "identity" : "indicator.facts", hash,
                       i % 7 == 0 ? std::nullopt : std::optional<uint64_t>(i)});
  }
  EXPECT_EQ(groups.size(), static_cast<size_t>(StateStore::kSaveGroups));
  std::map<std::string, uint64_t> at_once;
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->savePublished({}, changes).ok());
    at_once = allPublished(*store);
  }
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  for (int group = 0; group < StateStore::kSaveGroups; ++group) {
    std::vector<StateStore::HashedDigest> part;
    for (const auto& change : changes) {
      if (StateStore::saveGroupOf(change.hash) == group) part.push_back(change);
    }
    ASSERT_TRUE(store->savePublished({}, part).ok());
  }
  EXPECT_EQ(allPublished(*store), at_once);
  EXPECT_GT(at_once.size(), 1'000u);
}

// A database written by a version that kept a row per hashed key: the rows move to the blobs when
// first loaded, and a blob's later digest for the same key stands.
TEST_F(StateStoreTest, HashedKeysKeptAsRowsMoveToBlobs) {
  const std::string only_row = hashedKey("identity", "a");
  const std::string both = hashedKey("identity", "b");
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    const StateStore::PublishedDigest newer[] = {{both, 20}};
    ASSERT_TRUE(store->savePublished(newer).ok());
  }
  execOutside("INSERT INTO published (key, digest) VALUES ('" + only_row + "', 1), ('" + both +
              "', 2), ('person.view' || char(31) || 'p1', 3)");
  std::map<std::string, uint64_t> loaded;
  {
    auto store = openStore();
    ASSERT_NE(store, nullptr);
    loaded = allPublished(*store);
  }
  const std::map<std::string, uint64_t> expected = {
      {only_row, 1}, {both, 20}, {"person.view\x1fp1", 3}};
  EXPECT_EQ(loaded, expected);
  EXPECT_EQ(queryText("SELECT count(*) FROM published"), "1");
  // And they stay moved.
  auto store = openStore();
  ASSERT_NE(store, nullptr);
  loaded = allPublished(*store);
  EXPECT_EQ(loaded, expected);
}

}  // namespace
}  // namespace hearth::daemon::state
