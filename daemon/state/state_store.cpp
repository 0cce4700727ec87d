#include "daemon/state/state_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <system_error>
#include <utility>
#include <vector>

#include "pipelines/events/event_id.hpp"
#include "pipelines/privacy/digest.hpp"

namespace hearth::daemon::state {
namespace {

constexpr std::string_view kFileName = "hearth.db";
// Long enough to ride out a backup tool or `sqlite3` shell holding the write lock briefly.
constexpr int kBusyTimeoutMs = 5000;

// Migration i takes the schema from version i to version i + 1. Append only: a released
// migration never changes, because databases in the field have already run it.
constexpr std::array<std::string_view, StateStore::kSchemaVersion> kMigrations = {
    R"sql(
      CREATE TABLE checkpoints (
        connector     TEXT PRIMARY KEY,
        token         BLOB NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    )sql",
    // A checksum of each checkpoint, so that a token altered on disk is refused rather than
    // resumed from (one changed digit once skipped thousands of rows without a word).
    R"sql(
      ALTER TABLE checkpoints ADD COLUMN checksum TEXT;
    )sql",
    // A digest of what each key last carried on the derived topics, so that a restart publishes
    // only what changed while the daemon was down.
    R"sql(
      CREATE TABLE published (
        key    TEXT PRIMARY KEY,
        digest INTEGER NOT NULL
      ) WITHOUT ROWID;
    )sql",
    // Digests of keys that stand for longer ones by a 128-bit hash ("identity", "#" and 32 hex
    // digits): a council's first evaluation publishes over a million identity pairs, and a row
    // each cost seconds to write. They are kept in blobs, 256 to a family, by the hash's first
    // byte (see bucketOf below).
    R"sql(
      CREATE TABLE published_hashed (
        family  TEXT NOT NULL,
        bucket  INTEGER NOT NULL,
        entries BLOB NOT NULL,
        PRIMARY KEY (family, bucket)
      ) WITHOUT ROWID;
    )sql",
};

// SHA-256 over the connector and its token, in hex: tied to the connector, so one connector's row
// copied over another's is refused too.
std::string checkpointChecksum(std::string_view connector, std::string_view token) {
  pipelines::Sha256 sha;
  sha.updateField(connector);
  sha.updateField(token);
  std::string hex;
  pipelines::appendHex(hex, sha.finish(), 32);
  return hex;
}

// Resets a cached statement when a call is done with it, so that it never holds a read
// transaction open (which would stop WAL checkpoints) and never leaks bindings into the next call.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* statement) : statement_(statement) {}
  ~StatementUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* statement_;
};

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int bindText(sqlite3_stmt* statement, int index, std::string_view text) {
  return sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC,
                             SQLITE_UTF8);
}

int bindBlob(sqlite3_stmt* statement, int index, std::string_view bytes) {
  // A null pointer would bind SQL NULL, which the NOT NULL column rejects; an empty token is valid.
  if (bytes.empty()) return sqlite3_bind_zeroblob(statement, index, 0);
  return sqlite3_bind_blob64(statement, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

std::string columnBytes(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  const int size = sqlite3_column_bytes(statement, column);
  return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(size));
}

// A key that stands for a longer one by its 128-bit hash: "<family>\x1f" and the text of
// StateStore::appendHashedKey, as the derive keeps identity pairs.
struct HashedKey {
  std::string_view family;
  pipelines::KeyHash hash;
};

std::optional<HashedKey> hashedKeyOf(std::string_view key) {
  const size_t separator = key.find('\x1f');
  if (separator == 0 || separator == std::string_view::npos) return std::nullopt;
  const auto hash = StateStore::hashOfHashedKey(key.substr(separator + 1));
  if (!hash) return std::nullopt;
  return HashedKey{key.substr(0, separator), *hash};
}

// A family's hashed digests are kept in 256 buckets, by the first byte of the hash. A bucket is a
// blob of 24-byte entries in hash order: the hash's high half, its low half and the digest, each
// big-endian.
constexpr size_t kEntryBytes = 24;

int bucketOf(const pipelines::KeyHash& hash) { return static_cast<int>(hash.high >> 56); }

bool hashBefore(const pipelines::KeyHash& a, const pipelines::KeyHash& b) {
  return a.high != b.high ? a.high < b.high : a.low < b.low;
}

void putBigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t getBigEndian(const unsigned char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | in[i];
  return value;
}

struct HashedEntry {
  pipelines::KeyHash hash;
  uint64_t digest = 0;
};

// A bucket's entries; a torn tail shorter than an entry is dropped.
std::vector<HashedEntry> decodeBucket(const void* data, size_t size) {
  std::vector<HashedEntry> entries;
  if (data == nullptr) return entries;
  const auto* bytes = static_cast<const unsigned char*>(data);
  entries.reserve(size / kEntryBytes);
  for (size_t at = 0; at + kEntryBytes <= size; at += kEntryBytes) {
    entries.push_back(
        {{getBigEndian(bytes + at + 8), getBigEndian(bytes + at)}, getBigEndian(bytes + at + 16)});
  }
  return entries;
}

std::string encodeBucket(const std::vector<HashedEntry>& entries) {
  std::string out;
  out.reserve(entries.size() * kEntryBytes);
  for (const HashedEntry& entry : entries) {
    putBigEndian(out, entry.hash.high);
    putBigEndian(out, entry.hash.low);
    putBigEndian(out, entry.digest);
  }
  return out;
}

Error connectionError(sqlite3* db, std::string code, std::string_view what,
                      const std::filesystem::path& path) {
  std::string message = std::string(what) + " (" + path.string() + "): ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return makeError(std::move(code), std::move(message));
}

Result<void> exec(sqlite3* db, const char* sql, std::string_view what,
                  const std::filesystem::path& path) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = std::string(what) + " (" + path.string() +
                       "): " + (message != nullptr ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return makeError("state.open", std::move(text));
  }
  return {};
}

Result<int> readUserVersion(sqlite3* db, const std::filesystem::path& path) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    return connectionError(db, "state.open", "cannot read the schema version", path);
  }
  const int rc = sqlite3_step(raw);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(raw, 0) : -1;
  sqlite3_finalize(raw);
  if (version < 0) return connectionError(db, "state.open", "cannot read the schema version", path);
  return version;
}

Result<void> enableWal(sqlite3* db, const std::filesystem::path& path) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &raw, nullptr) != SQLITE_OK) {
    return connectionError(db, "state.open", "cannot enable write-ahead logging", path);
  }
  std::string mode;
  if (sqlite3_step(raw) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(raw, 0);
    if (text != nullptr) mode = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(raw);
  // SQLite silently keeps the old mode where WAL is impossible (e.g. some network file systems).
  if (mode != "wal") {
    return makeError("state.open", "cannot enable write-ahead logging on " + path.string() +
                                       " (journal mode stays '" + mode + "')");
  }
  return {};
}

// Brings the schema up to date; `found_version` receives the version the file had.
Result<void> migrate(sqlite3* db, const std::filesystem::path& path, int& found_version) {
  // IMMEDIATE takes the write lock before reading the version, so two processes opening the same
  // directory cannot both run a migration.
  if (auto begun = exec(db, "BEGIN IMMEDIATE", "cannot lock the database for migration", path);
      !begun) {
    return begun;
  }
  auto rollback = [&](Error error) -> Result<void> {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  };
  auto version = readUserVersion(db, path);
  if (!version) return rollback(version.error());
  found_version = *version;
  if (*version > StateStore::kSchemaVersion) {
    return rollback(makeError("state.schema_newer",
                              "state database " + path.string() + " has schema version " +
                                  std::to_string(*version) + ", newer than this build's " +
                                  std::to_string(StateStore::kSchemaVersion) +
                                  "; run the newer hearthd or restore a backup"));
  }
  for (int from = *version; from < StateStore::kSchemaVersion; ++from) {
    const std::string sql(kMigrations[static_cast<size_t>(from)]);
    if (auto done =
            exec(db, sql.c_str(),
                 "migration to schema version " + std::to_string(from + 1) + " failed", path);
        !done) {
      return rollback(done.error());
    }
  }
  const std::string set_version =
      "PRAGMA user_version = " + std::to_string(StateStore::kSchemaVersion);
  if (auto done = exec(db, set_version.c_str(), "cannot record the schema version", path); !done) {
    return rollback(done.error());
  }
  return exec(db, "COMMIT", "cannot commit the schema migration", path);
}

}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return makeError("state.open",
                     "cannot create state directory " + dir.string() + ": " + ec.message());
  }
  const auto path = dir / kFileName;
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) {
    return connectionError(db.get(), "state.open", "cannot open the state database", path);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  if (auto wal = enableWal(db.get(), path); !wal) return wal.error();
  // NORMAL in WAL mode syncs at checkpoints only: a power cut may lose the last commits but never
  // corrupts the file, and a lost checkpoint only means re-reading (at-least-once).
  if (auto sync = exec(db.get(), "PRAGMA synchronous=NORMAL", "cannot set synchronous", path);
      !sync) {
    return sync.error();
  }
  // The published digests (a key per person view, link and indicator value, in no order) outgrow
  // SQLite's default 2 MiB cache at a few thousand children: saving an evaluation's digests then
  // spilled and read back pages for every key. 64 MiB holds a whole council's table.
  if (auto cache = exec(db.get(), "PRAGMA cache_size=-65536", "cannot set the cache size", path);
      !cache) {
    return cache.error();
  }
  int found_version = 0;
  if (auto migrated = migrate(db.get(), path, found_version); !migrated) return migrated.error();

  std::unique_ptr<StateStore> store(new StateStore(path, std::move(db)));
  store->created_ = found_version == 0;
  if (auto prepared = store->prepareStatements(); !prepared) return prepared.error();
  return store;
}

StateStore::StateStore(std::filesystem::path path, Connection db)
    : path_(std::move(path)), db_(std::move(db)) {}

StateStore::~StateStore() {
  // Statements must be finalized before the connection closes.
  load_checkpoint_.reset();
  save_checkpoint_.reset();
  count_checkpoints_.reset();
  checkpoint_time_.reset();
  load_meta_.reset();
  save_meta_.reset();
  health_probe_.reset();
  save_published_.reset();
  forget_published_.reset();
  load_bucket_.reset();
  save_bucket_.reset();
  forget_bucket_.reset();
}

Result<void> StateStore::prepareStatements() {
  const std::pair<Statement*, const char*> statements[] = {
      {&load_checkpoint_, "SELECT token, checksum FROM checkpoints WHERE connector = ?1"},
      {&save_checkpoint_,
       "INSERT INTO checkpoints (connector, token, updated_at_ms, checksum) "
       "VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (connector) DO UPDATE SET token = excluded.token, "
       "updated_at_ms = excluded.updated_at_ms, checksum = excluded.checksum"},
      {&count_checkpoints_, "SELECT count(*) FROM checkpoints"},
      {&checkpoint_time_, "SELECT updated_at_ms FROM checkpoints WHERE connector = ?1"},
      {&load_meta_, "SELECT value FROM meta WHERE key = ?1"},
      {&save_meta_,
       "INSERT INTO meta (key, value) VALUES (?1, ?2) "
       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"},
      {&health_probe_, "SELECT 1 FROM meta LIMIT 1"},
      {&save_published_,
       "INSERT INTO published (key, digest) VALUES (?1, ?2) "
       "ON CONFLICT (key) DO UPDATE SET digest = excluded.digest"},
      {&forget_published_, "DELETE FROM published WHERE key = ?1"},
      {&load_bucket_, "SELECT entries FROM published_hashed WHERE family = ?1 AND bucket = ?2"},
      {&save_bucket_,
       "INSERT INTO published_hashed (family, bucket, entries) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (family, bucket) DO UPDATE SET entries = excluded.entries"},
      {&forget_bucket_, "DELETE FROM published_hashed WHERE family = ?1 AND bucket = ?2"},
  };
  for (const auto& [target, sql] : statements) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
        SQLITE_OK) {
      return connectionError(db_.get(), "state.open", "cannot prepare a statement", path_);
    }
    target->reset(raw);
  }
  return {};
}

Error StateStore::sqliteError(std::string_view what) const {
  return connectionError(db_.get(), "state.query", what, path_);
}

Result<std::optional<std::string>> StateStore::loadText(sqlite3_stmt* statement,
                                                        std::string_view key,
                                                        std::string_view what) {
  StatementUse use(statement);
  if (bindText(statement, 1, key) != SQLITE_OK) return sqliteError(what);
  switch (sqlite3_step(statement)) {
    case SQLITE_ROW:
      return std::optional<std::string>(columnBytes(statement, 0));
    case SQLITE_DONE:
      return std::optional<std::string>();
    default:
      return sqliteError(what);
  }
}

Result<void> StateStore::runUpdate(sqlite3_stmt* statement, std::string_view what) {
  if (sqlite3_step(statement) != SQLITE_DONE) return sqliteError(what);
  return {};
}

Result<std::optional<std::string>> StateStore::loadCheckpoint(std::string_view connector) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = load_checkpoint_.get();
  StatementUse use(statement);
  if (bindText(statement, 1, connector) != SQLITE_OK) {
    return sqliteError("cannot load a checkpoint");
  }
  switch (sqlite3_step(statement)) {
    case SQLITE_ROW:
      break;
    case SQLITE_DONE:
      return std::optional<std::string>();
    default:
      return sqliteError("cannot load a checkpoint");
  }
  std::string token = columnBytes(statement, 0);
  // Rows saved before checksums existed have none; the next save adds it.
  if (sqlite3_column_type(statement, 1) != SQLITE_NULL &&
      columnBytes(statement, 1) != checkpointChecksum(connector, token)) {
    return makeError("state.checkpoint_damaged",
                     "the stored checkpoint of connector \"" + std::string(connector) +
                         "\" does not match its checksum (" + path_.string() +
                         " was altered or damaged): the connector is not started, so that it "
                         "skips nothing. Restore the state directory from a backup, or delete "
                         "the connector's row to read its sources again from the start");
  }
  return std::optional<std::string>(std::move(token));
}

Result<uint64_t> StateStore::checkpointCount() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = count_checkpoints_.get();
  StatementUse use(statement);
  if (sqlite3_step(statement) != SQLITE_ROW) return sqliteError("cannot count checkpoints");
  return static_cast<uint64_t>(sqlite3_column_int64(statement, 0));
}

Result<void> StateStore::saveCheckpoint(std::string_view connector, std::string_view token) {
  const std::string checksum = checkpointChecksum(connector, token);
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = save_checkpoint_.get();
  StatementUse use(statement);
  if (bindText(statement, 1, connector) != SQLITE_OK ||
      bindBlob(statement, 2, token) != SQLITE_OK ||
      sqlite3_bind_int64(statement, 3, nowMs()) != SQLITE_OK ||
      bindText(statement, 4, checksum) != SQLITE_OK) {
    return sqliteError("cannot save a checkpoint");
  }
  return runUpdate(statement, "cannot save a checkpoint");
}

Result<bool> StateStore::deleteCheckpoint(std::string_view connector) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), "DELETE FROM checkpoints WHERE connector = ?1", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return sqliteError("cannot delete a checkpoint");
  }
  const Statement statement(raw);
  if (bindText(raw, 1, connector) != SQLITE_OK) return sqliteError("cannot delete a checkpoint");
  if (auto done = runUpdate(raw, "cannot delete a checkpoint"); !done) return done.error();
  return sqlite3_changes(db_.get()) > 0;
}

Result<std::optional<int64_t>> StateStore::checkpointTime(std::string_view connector) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = checkpoint_time_.get();
  StatementUse use(statement);
  if (bindText(statement, 1, connector) != SQLITE_OK) {
    return sqliteError("cannot read a checkpoint time");
  }
  switch (sqlite3_step(statement)) {
    case SQLITE_ROW:
      return std::optional<int64_t>(sqlite3_column_int64(statement, 0));
    case SQLITE_DONE:
      return std::optional<int64_t>();
    default:
      return sqliteError("cannot read a checkpoint time");
  }
}

Result<std::optional<std::string>> StateStore::loadMeta(std::string_view key) {
  std::lock_guard lock(mutex_);
  return loadText(load_meta_.get(), key, "cannot load a meta value");
}

Result<void> StateStore::saveMeta(std::string_view key, std::string_view value) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = save_meta_.get();
  StatementUse use(statement);
  if (bindText(statement, 1, key) != SQLITE_OK || bindText(statement, 2, value) != SQLITE_OK) {
    return sqliteError("cannot save a meta value");
  }
  return runUpdate(statement, "cannot save a meta value");
}

void StateStore::appendHashedKey(std::string& out, const pipelines::KeyHash& hash) {
  out.push_back('#');
  pipelines::appendHex(out, hash);
}

std::optional<pipelines::KeyHash> StateStore::hashOfHashedKey(std::string_view message_key) {
  if (!message_key.starts_with('#')) return std::nullopt;
  return pipelines::parseHex(message_key.substr(1));
}

struct StateStore::HashedChange {
  std::string_view family;
  pipelines::KeyHash hash;
  std::optional<uint64_t> digest;
  size_t order = 0;  // of two changes to one key, the later stands
};

Result<void> StateStore::loadPublished(
    const std::function<void(std::string_view key, uint64_t digest)>& visit) {
  std::lock_guard lock(mutex_);
  // Hashed keys an earlier version kept a row each: moved to their buckets below.
  std::vector<PublishedDigest> whole_rows;
  {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), "SELECT key, digest FROM published", -1, &raw, nullptr) !=
        SQLITE_OK) {
      return sqliteError("cannot read published digests");
    }
    const Statement statement(raw);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(raw, 0));
      const auto size = static_cast<size_t>(sqlite3_column_bytes(raw, 0));
      const std::string_view key =
          data == nullptr ? std::string_view() : std::string_view(data, size);
      const auto digest = static_cast<uint64_t>(sqlite3_column_int64(raw, 1));
      if (hashedKeyOf(key)) {
        whole_rows.push_back({std::string(key), digest});
      } else {
        visit(key, digest);
      }
    }
    if (rc != SQLITE_DONE) return sqliteError("cannot read published digests");
  }
  if (!whole_rows.empty()) {
    if (auto moved = moveToBuckets(whole_rows); !moved) return moved;
  }

  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), "SELECT family, entries FROM published_hashed", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return sqliteError("cannot read published digests");
  }
  const Statement statement(raw);
  std::string key;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* family = static_cast<const char*>(sqlite3_column_blob(raw, 0));
    const auto family_size = static_cast<size_t>(sqlite3_column_bytes(raw, 0));
    key.assign(family == nullptr ? std::string_view() : std::string_view(family, family_size));
    key.push_back('\x1f');
    const size_t prefix = key.size();
    for (const HashedEntry& entry : decodeBucket(
             sqlite3_column_blob(raw, 1), static_cast<size_t>(sqlite3_column_bytes(raw, 1)))) {
      key.resize(prefix);
      appendHashedKey(key, entry.hash);
      visit(key, entry.digest);
    }
  }
  if (rc != SQLITE_DONE) return sqliteError("cannot read published digests");
  return {};
}

Result<void> StateStore::moveToBuckets(const std::vector<PublishedDigest>& whole_rows) {
  if (auto begun = exec(db_.get(), "BEGIN IMMEDIATE", "cannot save published digests", path_);
      !begun) {
    return begun;
  }
  std::vector<HashedChange> changes;
  changes.reserve(whole_rows.size());
  for (const PublishedDigest& row : whole_rows) {
    const auto key = hashedKeyOf(row.key);
    changes.push_back({key->family, key->hash, row.digest, changes.size()});
  }
  // A bucket's entry was saved after the row (a version that keeps buckets writes no such row).
  Result<void> moved = saveHashed(changes, /*keep_stored=*/true);
  for (size_t n = 0; moved && n < whole_rows.size(); ++n) {
    sqlite3_stmt* statement = forget_published_.get();
    StatementUse use(statement);
    if (bindText(statement, 1, whole_rows[n].key) != SQLITE_OK ||
        sqlite3_step(statement) != SQLITE_DONE) {
      moved = sqliteError("cannot save published digests");
    }
  }
  if (!moved) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return moved;
  }
  return exec(db_.get(), "COMMIT", "cannot save published digests", path_);
}

Result<std::optional<uint64_t>> StateStore::loadPublished(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (const auto hashed = hashedKeyOf(key)) {
    sqlite3_stmt* statement = load_bucket_.get();
    StatementUse use(statement);
    if (bindText(statement, 1, hashed->family) != SQLITE_OK ||
        sqlite3_bind_int(statement, 2, bucketOf(hashed->hash)) != SQLITE_OK) {
      return sqliteError("cannot read a published digest");
    }
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
      const std::vector<HashedEntry> entries =
          decodeBucket(sqlite3_column_blob(statement, 0),
                       static_cast<size_t>(sqlite3_column_bytes(statement, 0)));
      const auto at =
          std::lower_bound(entries.begin(), entries.end(), hashed->hash,
                           [](const HashedEntry& entry, const pipelines::KeyHash& hash) {
                             return hashBefore(entry.hash, hash);
                           });
      if (at != entries.end() && at->hash == hashed->hash)
        return std::optional<uint64_t>(at->digest);
    } else if (rc != SQLITE_DONE) {
      return sqliteError("cannot read a published digest");
    }
    // Not in its bucket: an earlier version may have kept it a row of its own.
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), "SELECT digest FROM published WHERE key = ?1", -1, &raw,
                         nullptr) != SQLITE_OK) {
    return sqliteError("cannot read a published digest");
  }
  const Statement statement(raw);
  if (bindText(raw, 1, key) != SQLITE_OK) return sqliteError("cannot read a published digest");
  const int rc = sqlite3_step(raw);
  if (rc == SQLITE_DONE) return std::optional<uint64_t>();
  if (rc != SQLITE_ROW) return sqliteError("cannot read a published digest");
  return std::optional<uint64_t>(static_cast<uint64_t>(sqlite3_column_int64(raw, 0)));
}

Result<void> StateStore::savePublished(std::span<const PublishedDigest> changes,
                                       std::span<const HashedDigest> hashed_changes) {
  if (changes.empty() && hashed_changes.empty()) return {};
  std::lock_guard lock(mutex_);
  if (auto begun = exec(db_.get(), "BEGIN IMMEDIATE", "cannot save published digests", path_);
      !begun) {
    return begun;
  }
  // In key order, each key's changes in the order given: the table's pages are then written one
  // after another, not at random (a whole council's first evaluation gives two million keys,
  // whose random order cost a page cache miss and a WAL frame nearly each).
  // Each is sorted by the first 32 bytes of its key, read once, as big-endian numbers (the keys'
  // own order), and only keys that agree that far are compared whole.
  struct InTurn {
    std::array<uint64_t, 4> head{};
    const PublishedDigest* change;
  };
  std::vector<InTurn> in_order;
  std::vector<HashedChange> hashed;  // to their buckets
  hashed.reserve(hashed_changes.size());
  for (const PublishedDigest& change : changes) {
    if (const auto key = hashedKeyOf(change.key)) {
      hashed.push_back({key->family, key->hash, change.digest, hashed.size()});
      continue;
    }
    InTurn& turn = in_order.emplace_back(InTurn{{}, &change});
    for (size_t i = 0; i < std::min<size_t>(change.key.size(), 32); ++i) {
      turn.head[i / 8] |= uint64_t{static_cast<unsigned char>(change.key[i])} << (56 - 8 * (i % 8));
    }
  }
  for (const HashedDigest& change : hashed_changes) {
    hashed.push_back({change.family, change.hash, change.digest, hashed.size()});
  }
  std::sort(in_order.begin(), in_order.end(), [](const InTurn& a, const InTurn& b) {
    if (a.head != b.head) return a.head < b.head;
    const int compared = a.change->key.compare(b.change->key);
    return compared != 0 ? compared < 0 : a.change < b.change;
  });
  Result<void> saved;
  for (const InTurn& turn : in_order) {
    const PublishedDigest& change = *turn.change;
    sqlite3_stmt* statement = change.digest ? save_published_.get() : forget_published_.get();
    StatementUse use(statement);
    const bool bound =
        bindText(statement, 1, change.key) == SQLITE_OK &&
        (!change.digest ||
         sqlite3_bind_int64(statement, 2, static_cast<int64_t>(*change.digest)) == SQLITE_OK);
    if (!bound || sqlite3_step(statement) != SQLITE_DONE) {
      saved = sqliteError("cannot save published digests");
      break;
    }
  }
  if (saved && !hashed.empty()) saved = saveHashed(hashed, /*keep_stored=*/false);
  if (!saved) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return saved;
  }
  return exec(db_.get(), "COMMIT", "cannot save published digests", path_);
}

Result<void> StateStore::saveHashed(std::vector<HashedChange>& changes, bool keep_stored) {
  std::sort(changes.begin(), changes.end(), [](const HashedChange& a, const HashedChange& b) {
    if (a.family != b.family) return a.family < b.family;
    if (a.hash != b.hash) return hashBefore(a.hash, b.hash);
    return a.order < b.order;
  });
  std::vector<HashedEntry> merged;
  for (size_t from = 0; from < changes.size();) {
    const std::string_view family = changes[from].family;
    const int bucket = bucketOf(changes[from].hash);
    size_t to = from;
    while (to < changes.size() && changes[to].family == family &&
           bucketOf(changes[to].hash) == bucket) {
      ++to;
    }
    std::vector<HashedEntry> stored;
    {
      sqlite3_stmt* statement = load_bucket_.get();
      StatementUse use(statement);
      if (bindText(statement, 1, family) != SQLITE_OK ||
          sqlite3_bind_int(statement, 2, bucket) != SQLITE_OK) {
        return sqliteError("cannot save published digests");
      }
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_ROW) {
        stored = decodeBucket(sqlite3_column_blob(statement, 0),
                              static_cast<size_t>(sqlite3_column_bytes(statement, 0)));
      } else if (rc != SQLITE_DONE) {
        return sqliteError("cannot save published digests");
      }
    }
    // The stored entries and the changes, both in hash order, merged: each key's last change
    // stands, unless `keep_stored` and the bucket has the key already.
    merged.clear();
    merged.reserve(stored.size() + (to - from));
    size_t s = 0;
    for (size_t c = from; c < to;) {
      const pipelines::KeyHash hash = changes[c].hash;
      size_t last = c;
      while (last + 1 < to && changes[last + 1].hash == hash) ++last;
      while (s < stored.size() && hashBefore(stored[s].hash, hash)) merged.push_back(stored[s++]);
      const bool had = s < stored.size() && stored[s].hash == hash;
      if (had && keep_stored) {
        merged.push_back(stored[s]);
      } else if (changes[last].digest) {
        merged.push_back({hash, *changes[last].digest});
      }
      if (had) ++s;
      c = last + 1;
    }
    merged.insert(merged.end(), stored.begin() + static_cast<std::ptrdiff_t>(s), stored.end());

    sqlite3_stmt* statement = merged.empty() ? forget_bucket_.get() : save_bucket_.get();
    StatementUse use(statement);
    const std::string blob = encodeBucket(merged);
    const bool bound = bindText(statement, 1, family) == SQLITE_OK &&
                       sqlite3_bind_int(statement, 2, bucket) == SQLITE_OK &&
                       (merged.empty() || bindBlob(statement, 3, blob) == SQLITE_OK);
    if (!bound || sqlite3_step(statement) != SQLITE_DONE) {
      return sqliteError("cannot save published digests");
    }
    from = to;
  }
  return {};
}

int StateStore::saveGroupOf(const pipelines::KeyHash& hash) {
  // Whole buckets (bucketOf: the top byte) to a group.
  static_assert(256 % kSaveGroups == 0);
  return bucketOf(hash) / (256 / kSaveGroups);
}

bool StateStore::healthy() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = health_probe_.get();
  StatementUse use(statement);
  const int rc = sqlite3_step(statement);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

int StateStore::schemaVersion() {
  std::lock_guard lock(mutex_);
  auto version = readUserVersion(db_.get(), path_);
  return version ? *version : -1;
}

}  // namespace hearth::daemon::state
