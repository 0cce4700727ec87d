#include "daemon/state/record_store.hpp"

#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/state/key_rows.hpp"
#include "pipelines/privacy/digest.hpp"

namespace hearth::daemon::state {
namespace {

constexpr std::string_view kFileName = "records.db";
constexpr int kBusyTimeoutMs = 5000;
// Records committed at once, at most. Each commit is fsynced: the more records share it, the less
// each costs.
constexpr size_t kMaxBatch = 32768;
// Emptied batches kept for reuse, with their buffers: about what the connectors fill between two
// of the writer's commits, so that the reading threads allocate nothing in steady state.
constexpr size_t kSpareBatches = 32;
// A commit costs about the same whatever it holds: BEGIN and COMMIT, the log frames of the
// table's right edge and of the header page, an fsync. Taking records as they came, a school
// census read normalised made some 4,000 commits of 360 records each, and committing was nearly
// half of the writer's time. So the writer lets records gather, up to this many, for at most
// kGatherWait after the first of them; a flush(), a full queue or a stop ends the wait at once.
constexpr size_t kGatherRecords = 16384;
constexpr auto kGatherWait = std::chrono::milliseconds(50);
// How far ahead of the record it stores the writer asks for the cache line of a key's row: the
// index of a council's keys is tens of megabytes, and each first look at a key missed the cache.
constexpr size_t kPrefetchAhead = 8;
constexpr auto kRetryDelay = std::chrono::milliseconds(500);

constexpr const char* kSchema = R"sql(
  -- 16 KiB pages (a new store's; an existing one keeps its own): a page holds some thirty of
  -- these rows rather than eight, so a commit writes fewer pages, each with its own header in the
  -- log, and the tree splits a quarter as often. A full-scale school census read normalised went
  -- about 3.5% faster.
  PRAGMA page_size = 16384;
  PRAGMA journal_mode = WAL;
  -- FULL: every commit is fsynced before the writer reports its records durable. With NORMAL
  -- a commit could be lost in a power cut while the checkpoint covering it, committed later to
  -- hearth.db, survived: the connector would resume past records that were never stored.
  PRAGMA synchronous = FULL;
  -- 16 MiB: rows are appended by id, and a record given again is found by its id, so the tree's
  -- inner pages (about 3 MiB for a whole council's million rows) are what must stay cached. A
  -- larger cache only kept the pages of rows just written, at the height of the derive's memory.
  PRAGMA cache_size = -16384;
  -- Checkpointing every 64 MiB of log rather than every 4 MiB: a page the writer changes in
  -- several commits (the table's last, a replaced record's) is copied back into the file once.
  PRAGMA wal_autocheckpoint = 16384;
  -- Rows are appended in arrival order, so a commit writes the pages of its own records, not a
  -- page of the whole table for every record: sources give keys in no particular order, and keyed
  -- by them the table's 500-byte rows landed all over the file. key_hash is the KeyHasher's hash
  -- of the record's key (connector, stream, source key): the writer finds a key's row by it in
  -- memory (KeyRows), which it fills from this column at its first commit.
  CREATE TABLE IF NOT EXISTS source_records (
    id             INTEGER PRIMARY KEY,
    connector      TEXT NOT NULL,
    stream         TEXT NOT NULL,
    source_key     TEXT NOT NULL,
    location       TEXT NOT NULL,
    source_time_ms INTEGER NOT NULL,
    fields         BLOB NOT NULL,
    key_hash       INTEGER NOT NULL DEFAULT 0
  );
  -- A record's field names are stored once per list (a file's header gives the same list to all
  -- its rows) and its fields blob names the list: the names were most of every row's bytes.
  CREATE TABLE IF NOT EXISTS field_names (
    id    INTEGER PRIMARY KEY,
    names BLOB NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS identity_decisions (
    seq      INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    record_a TEXT NOT NULL,
    record_b TEXT NOT NULL,
    reason   TEXT NOT NULL,
    hash     TEXT NOT NULL
  );
  -- Goes up with every transaction that changes the records: what was derived from one
  -- generation stands while it is the current one.
  CREATE TABLE IF NOT EXISTS generation (n INTEGER NOT NULL);
  INSERT INTO generation SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM generation);
)sql";

// Stores written before the rows were appended kept them in a table keyed by the record's key.
constexpr const char* kMigrateKeyedTable = R"sql(
  BEGIN IMMEDIATE;
  INSERT INTO source_records (connector, stream, source_key, location, source_time_ms, fields,
                              key_hash)
    SELECT connector, stream, source_key, location, source_time_ms, fields,
           hearth_key_hash(connector, stream, source_key) FROM records
    ORDER BY connector, stream, source_key;
  DROP TABLE records;
  COMMIT;
)sql";

// No index on disk finds a key's row. Keys come in no order, so a commit rewrote most pages of
// any index it looked them up in, and most of a commit's cost was those pages: keyed by
// connector, stream and source key, hundreds of megabytes a commit for a whole council; by a hash
// of the key, still seven times the bytes of the records themselves. The writer keeps the key
// hashes' rows in memory instead. Stores from before lose their indexes at open; stores without
// the hash get it.
constexpr const char* kDropKeyIndexes = R"sql(
  DROP INDEX IF EXISTS source_records_by_hash;
  DROP INDEX IF EXISTS source_records_by_key;
)sql";
constexpr const char* kAddKeyHash = R"sql(
  BEGIN IMMEDIATE;
  ALTER TABLE source_records ADD COLUMN key_hash INTEGER NOT NULL DEFAULT 0;
  UPDATE source_records SET key_hash = hearth_key_hash(connector, stream, source_key);
  COMMIT;
)sql";

constexpr const char* kNextGeneration = "UPDATE generation SET n = n + 1";

void appendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Writes `value` as a varint at `at`, which has room for it; returns where it ends.
char* writeVarint(char* at, uint64_t value) {
  while (value >= 0x80) {
    *at++ = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *at++ = static_cast<char>(value);
  return at;
}

char* writeBytes(char* at, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
  return at + bytes.size();
}

size_t varintSize(uint64_t value) {
  size_t size = 1;
  for (; value >= 0x80; value >>= 7) ++size;
  return size;
}

bool readVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

bool readSlice(std::string_view& in, std::string_view& slice) {
  uint64_t size = 0;
  if (!readVarint(in, size) || size > in.size()) return false;
  slice = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string columnText(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  const int size = sqlite3_column_bytes(statement, column);
  return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(size));
}

void bindText(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text64(statement, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

std::string chainHash(std::string_view previous, const IdentityDecision& d) {
  pipelines::Sha256 sha;
  sha.updateField(previous);
  sha.updateField(std::to_string(d.seq));
  sha.updateField(std::to_string(d.at_ms));
  sha.updateField(d.actor);
  sha.updateField(d.action);
  sha.updateField(d.record_a);
  sha.updateField(d.record_b);
  sha.updateField(d.reason);
  std::string hex;
  pipelines::appendHex(hex, sha.finish(), 32);
  return hex;
}

}  // namespace

// Stable across builds and platforms: it is stored. Each part is length-prefixed, so that no two
// keys give the same bytes.
int64_t RecordStore::keyHash(std::string_view connector, std::string_view stream,
                             std::string_view source_key) {
  thread_local std::string bytes;  // reused: this runs for every record written
  bytes.clear();
  for (const std::string_view part : {connector, stream, source_key}) {
    const uint64_t size = part.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(size >> (8 * i)));
    bytes.append(part);
  }
  return static_cast<int64_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

namespace {

std::string_view valueText(sqlite3_value* value) {
  const auto* data = static_cast<const char*>(sqlite3_value_blob(value));
  return data == nullptr ? std::string_view()
                         : std::string_view(data, static_cast<size_t>(sqlite3_value_bytes(value)));
}

// hearth_key_hash(connector, stream, source_key), for moving older stores; the KeyHasher is the
// function's user data.
void keyHashFunction(sqlite3_context* context, int, sqlite3_value** args) {
  const auto hasher = reinterpret_cast<RecordStore::KeyHasher>(sqlite3_user_data(context));
  sqlite3_result_int64(context, hasher(valueText(args[0]), valueText(args[1]), valueText(args[2])));
}

// Appends encodeFields()'s bytes to `out`.
void appendFields(std::span<const pipelines::FieldView> fields, std::string& out) {
  // Sized once: growing by appends reallocated a record's bytes several times over.
  size_t size = out.size();
  for (const auto& field : fields) {
    size += 1 + varintSize(field.name.size()) + field.name.size() + varintSize(field.value.size()) +
            field.value.size();
  }
  out.reserve(size);
  for (const auto& field : fields) {
    out.push_back(field.is_null ? '\1' : '\0');
    appendVarint(out, field.name.size());
    out.append(field.name);
    appendVarint(out, field.value.size());
    out.append(field.value);
  }
}

// A record's fields as stored: kNamedList, the id of its list of names, then per field a null
// flag and its length-prefixed value. Blobs written before the lists begin with a null flag (0 or
// 1) or are empty, and are kept as they are.
constexpr char kNamedList = '\2';

// The names of a record's fields, each length-prefixed: a list's key in field_names. This and
// appendValues() size what they append first and write it in place, not a byte at a time: they
// run on the connector's thread for every record it reads.
void appendNames(std::span<const pipelines::FieldView> fields, std::string& out) {
  size_t size = 0;
  for (const auto& field : fields) size += varintSize(field.name.size()) + field.name.size();
  const size_t begin = out.size();
  out.resize(begin + size);
  char* at = out.data() + begin;
  for (const auto& field : fields) {
    at = writeVarint(at, field.name.size());
    at = writeBytes(at, field.name);
  }
}

void appendValues(std::span<const pipelines::FieldView> fields, std::string& out) {
  size_t size = 0;
  for (const auto& field : fields) size += 1 + varintSize(field.value.size()) + field.value.size();
  const size_t begin = out.size();
  out.resize(begin + size);
  char* at = out.data() + begin;
  for (const auto& field : fields) {
    *at++ = field.is_null ? '\1' : '\0';
    at = writeVarint(at, field.value.size());
    at = writeBytes(at, field.value);
  }
}

// Whether `names` (as appendNames() writes them) are the names of `fields`, in order.
bool sameNames(std::span<const pipelines::FieldView> fields, std::string_view names) {
  for (const auto& field : fields) {
    std::string_view name;
    if (!readSlice(names, name) || name != field.name) return false;
  }
  return names.empty();
}

// The lists of field names stored records name, by their ids.
using NameLists = std::unordered_map<int64_t, std::vector<std::string>>;

// A stored blob as encodeFields() gives it, with the names of its list put back; false if damaged.
bool expandNamedList(std::string_view stored, const NameLists& lists, std::string& out) {
  out.clear();
  stored.remove_prefix(1);
  uint64_t id = 0;
  if (!readVarint(stored, id)) return false;
  const auto list = lists.find(static_cast<int64_t>(id));
  if (list == lists.end()) return false;
  for (const std::string& name : list->second) {
    std::string_view value;
    if (stored.empty()) return false;
    const char flag = stored.front();
    stored.remove_prefix(1);
    if (!readSlice(stored, value)) return false;
    out.push_back(flag);
    appendVarint(out, name.size());
    out.append(name);
    appendVarint(out, value.size());
    out.append(value);
  }
  return stored.empty();
}

}  // namespace

void encodeFields(std::span<const pipelines::FieldView> fields, std::string& out) {
  out.clear();
  appendFields(fields, out);
}

bool decodeFields(std::string_view bytes, std::vector<pipelines::FieldView>& out) {
  out.clear();
  while (!bytes.empty()) {
    pipelines::FieldView field;
    if (bytes.front() != '\0' && bytes.front() != '\1') return false;
    field.is_null = bytes.front() == '\1';
    bytes.remove_prefix(1);
    if (!readSlice(bytes, field.name) || !readSlice(bytes, field.value)) return false;
    out.push_back(field);
  }
  return true;
}

struct RecordStore::Db {
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::filesystem::path path;
  std::unique_ptr<sqlite3, Closer> handle;
  std::unique_ptr<sqlite3_stmt, Finalizer> insert;
  // A key's stored row goes before the key is stored again, and when its source withdraws it:
  // found by its row id, or by its key (a scan) when its hash is shared.
  std::unique_ptr<sqlite3_stmt, Finalizer> remove_row;
  std::unique_ptr<sqlite3_stmt, Finalizer> remove_key;
  std::unique_ptr<sqlite3_stmt, Finalizer> find_names;
  std::unique_ptr<sqlite3_stmt, Finalizer> add_names;
  std::mutex mutex;  // one connection: the writer thread and the readers take turns
  RecordStore::KeyHasher key_hash = nullptr;
  // The writer's: lists of field names by their stored id, as committed.
  std::unordered_map<std::string, int64_t> name_lists;
  // The writer's: the row of every stored key's hash, as committed, once loaded (loadRows). A
  // hash two stored keys share maps to the row of one of them and is in shared_hashes: the other's
  // row is found by its key. 64-bit hashes of a council's keys collide about once in millions of
  // councils, so that scan is for correctness, not speed.
  KeyRows rows;
  bool rows_loaded = false;
  std::unordered_set<uint64_t> shared_hashes;
  std::vector<int64_t> hashes;  // commit(): the keys' hashes of the batch it stores
  std::string stored_fields;    // the writer's: one record's fields blob

  Error error(std::string_view what) const {
    return makeError("state.records", std::string(what) + " (" + path.string() +
                                          "): " + sqlite3_errmsg(handle.get()));
  }
  Result<void> exec(const char* sql, std::string_view what) {
    char* message = nullptr;
    if (sqlite3_exec(handle.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : "unknown error";
      sqlite3_free(message);
      return makeError("state.records", std::string(what) + " (" + path.string() + "): " + text);
    }
    return {};
  }
  // A walk through the stored records, in one read transaction: a row read on its own was a
  // transaction of its own, which took the log's read lock and looked at the files again (fcntl
  // and stat calls by the million for a whole council). `walk` is given the lists of field
  // names. The caller holds `mutex`.
  Result<void> read(const std::function<Result<void>(const NameLists&)>& walk) {
    if (auto begun = exec("BEGIN", "starting to read records"); !begun) return begun;
    struct EndRead {
      Db& db;
      ~EndRead() { (void)db.exec("COMMIT", "ending a read of records"); }
    } end_read{*this};
    NameLists lists;
    auto names = prepare("SELECT id, names FROM field_names");
    if (!names) return names.error();
    std::unique_ptr<sqlite3_stmt, Finalizer> owned(*names);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(owned.get())) == SQLITE_ROW) {
      const std::string bytes = columnText(owned.get(), 1);
      std::string_view rest = bytes;
      std::vector<std::string>& list = lists[sqlite3_column_int64(owned.get(), 0)];
      std::string_view name;
      while (!rest.empty() && readSlice(rest, name)) list.emplace_back(name);
    }
    if (rc != SQLITE_DONE) return error("reading field names");
    return walk(lists);
  }
  Result<bool> hasColumn(const char* table, const char* column) {
    auto statement = prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
    if (!statement) return statement.error();
    std::unique_ptr<sqlite3_stmt, Finalizer> owned(*statement);
    bindText(owned.get(), 1, table);
    bindText(owned.get(), 2, column);
    const int rc = sqlite3_step(owned.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error("reading the schema");
    return rc == SQLITE_ROW;
  }
  Result<bool> hasTable(const char* name) {
    auto statement = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    if (!statement) return statement.error();
    std::unique_ptr<sqlite3_stmt, Finalizer> owned(*statement);
    bindText(owned.get(), 1, name);
    const int rc = sqlite3_step(owned.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error("reading the schema");
    return rc == SQLITE_ROW;
  }
  // Where each stored key's row is: read from the table once, at the first commit.
  Result<void> loadRows() {
    auto statement = prepare("SELECT key_hash, id FROM source_records");
    if (!statement) return statement.error();
    std::unique_ptr<sqlite3_stmt, Finalizer> owned(*statement);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(owned.get())) == SQLITE_ROW) {
      const auto hash = static_cast<uint64_t>(sqlite3_column_int64(owned.get(), 0));
      if (rows.find(hash) != 0) shared_hashes.insert(hash);
      rows.set(hash, sqlite3_column_int64(owned.get(), 1));
    }
    if (rc != SQLITE_DONE) {
      forgetRows();
      return error("finding the stored keys");
    }
    rows_loaded = true;
    return {};
  }
  void forgetRows() {
    rows.clear();
    shared_hashes.clear();
    rows_loaded = false;
  }
  Result<sqlite3_stmt*> prepare(const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle.get(), sql, -1, &statement, nullptr) != SQLITE_OK) {
      return error("preparing a statement");
    }
    return statement;
  }
};

Result<std::unique_ptr<RecordStore>> RecordStore::open(const std::filesystem::path& dir,
                                                       DurableCallback on_durable,
                                                       size_t queue_capacity, KeyHasher key_hash) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto db = std::make_unique<Db>();
  db->path = dir / kFileName;
  db->key_hash = key_hash != nullptr ? key_hash : &RecordStore::keyHash;
  sqlite3* handle = nullptr;
  const int rc =
      sqlite3_open_v2(db->path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db->handle.reset(handle);
  if (rc != SQLITE_OK) return db->error("opening the record store");
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  if (sqlite3_create_function_v2(handle, "hearth_key_hash", 3,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                 reinterpret_cast<void*>(db->key_hash), keyHashFunction, nullptr,
                                 nullptr, nullptr) != SQLITE_OK) {
    return db->error("registering the key hash");
  }
  if (auto ok = db->exec(kSchema, "creating the record store schema"); !ok) return ok.error();
  auto keyed = db->hasTable("records");
  if (!keyed) return keyed.error();
  if (*keyed) {
    if (auto ok = db->exec(kMigrateKeyedTable, "moving records into the appended table"); !ok) {
      (void)db->exec("ROLLBACK", "rolling back");
      return ok.error();
    }
  }
  auto hashed = db->hasColumn("source_records", "key_hash");
  if (!hashed) return hashed.error();
  if (!*hashed) {
    if (auto ok = db->exec(kAddKeyHash, "hashing the stored records' keys"); !ok) {
      (void)db->exec("ROLLBACK", "rolling back");
      return ok.error();
    }
  }
  if (auto ok = db->exec(kDropKeyIndexes, "dropping the key indexes"); !ok) return ok.error();
  auto insert = db->prepare(
      "INSERT INTO source_records (connector, stream, source_key, location, source_time_ms, "
      "fields, key_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert) return insert.error();
  db->insert.reset(*insert);
  auto remove_row = db->prepare(
      "DELETE FROM source_records WHERE id = ?4 AND connector = ?1 AND stream = ?2 AND "
      "source_key = ?3");
  if (!remove_row) return remove_row.error();
  db->remove_row.reset(*remove_row);
  auto remove_key = db->prepare(
      "DELETE FROM source_records WHERE connector = ?1 AND stream = ?2 AND source_key = ?3");
  if (!remove_key) return remove_key.error();
  db->remove_key.reset(*remove_key);
  auto find_names = db->prepare("SELECT id FROM field_names WHERE names = ?1");
  if (!find_names) return find_names.error();
  db->find_names.reset(*find_names);
  auto add_names = db->prepare("INSERT INTO field_names (names) VALUES (?1)");
  if (!add_names) return add_names.error();
  db->add_names.reset(*add_names);
  return std::unique_ptr<RecordStore>(
      new RecordStore(std::move(db), std::move(on_durable), queue_capacity));
}

RecordStore::RecordStore(std::unique_ptr<Db> db, DurableCallback on_durable, size_t queue_capacity)
    : db_(std::move(db)),
      on_durable_(std::move(on_durable)),
      queue_capacity_(queue_capacity == 0 ? 1 : queue_capacity),
      gather_records_(std::max<size_t>(1, std::min(kGatherRecords, queue_capacity_ / 2))) {
  writer_ = std::thread([this] { writerLoop(); });
}

RecordStore::~RecordStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (writer_.joinable()) writer_.join();
}

RecordStore::Batch::Entry& RecordStore::Batch::append(std::string_view connector,
                                                      std::string_view stream,
                                                      std::string_view source_key,
                                                      std::string_view location) {
  Entry& entry = entries_.emplace_back();
  entry.begin = bytes_.size();
  entry.connector = static_cast<uint32_t>(connector.size());
  entry.stream = static_cast<uint32_t>(stream.size());
  entry.source_key = static_cast<uint32_t>(source_key.size());
  entry.location = static_cast<uint32_t>(location.size());
  bytes_.append(connector).append(stream).append(source_key).append(location);
  return entry;
}

RecordStore::Batch::Parts RecordStore::Batch::parts(const Entry& entry) const {
  std::string_view rest = std::string_view(bytes_).substr(entry.begin);
  auto next = [&rest](size_t size) {
    const std::string_view part = rest.substr(0, size);
    rest.remove_prefix(size);
    return part;
  };
  Parts parts;
  parts.connector = next(entry.connector);
  parts.stream = next(entry.stream);
  parts.source_key = next(entry.source_key);
  parts.location = next(entry.location);
  parts.fields = next(entry.fields);
  parts.names = std::string_view(bytes_).substr(entry.names_at, entry.names);
  return parts;
}

void RecordStore::Batch::add(const pipelines::RawRecordView& record, std::string_view connector,
                             uint32_t source, uint64_t seq) {
  // Rows of one file have the same names: written once, for the first of them in the batch.
  std::optional<size_t> names_at;
  size_t names_size = 0;
  if (!entries_.empty() && !entries_.back().erase) {
    const Entry& last = entries_.back();
    if (sameNames(record.fields, std::string_view(bytes_).substr(last.names_at, last.names))) {
      names_at = last.names_at;
      names_size = last.names;
    }
  }
  Entry& entry = append(connector, record.stream, record.source_key, record.location);
  const size_t fields_begin = bytes_.size();
  appendValues(record.fields, bytes_);
  entry.fields = bytes_.size() - fields_begin;
  if (!names_at) {
    names_at = bytes_.size();
    appendNames(record.fields, bytes_);
    names_size = bytes_.size() - *names_at;
  }
  entry.names = names_size;
  entry.names_at = *names_at;
  entry.source_time_ms = record.source_time_ms;
  entry.source = source;
  entry.seq = seq;
}

void RecordStore::erase(std::string_view connector, std::string_view stream,
                        std::string_view source_key, uint32_t source, uint64_t seq) {
  Batch batch;
  Batch::Entry& entry = batch.append(connector, stream, source_key, {});
  entry.source = source;
  entry.seq = seq;
  entry.erase = true;
  put(batch);
}

void RecordStore::put(const pipelines::RawRecordView& record, std::string_view connector,
                      uint32_t source, uint64_t seq) {
  Batch batch;
  batch.add(record, connector, source, seq);
  put(batch);
}

void RecordStore::put(Batch& batch) {
  if (batch.empty()) return;
  std::unique_lock lock(mutex_);
  // A batch goes in whole once the queue has room: its maker keeps it to a few hundred records.
  changed_.wait(lock, [this] { return queued_records_ < queue_capacity_ || stopping_; });
  queued_records_ += batch.size();
  queued_total_ += batch.size();
  queue_.push_back(std::move(batch));
  Batch reused;
  if (!spare_.empty()) {
    reused = std::move(spare_.back());
    spare_.pop_back();
  }
  // One wake-up for the whole batch (a wake-up per record cost the writer more than its
  // inserts), and none while the writer gathers records until there are enough.
  if (writer_idle_ || (writer_gathering_ && queued_records_ >= gather_records_)) {
    changed_.notify_all();
  }
  lock.unlock();
  batch = std::move(reused);
}

void RecordStore::flush() {
  std::unique_lock lock(mutex_);
  const uint64_t target = queued_total_;
  if (committed_total_ >= target) return;
  ++flushes_waiting_;
  changed_.notify_all();  // a writer gathering records commits what it has
  changed_.wait(lock, [&] { return committed_total_ >= target; });
  --flushes_waiting_;
}

void RecordStore::writerLoop() {
  std::vector<Batch> taken;
  for (;;) {
    size_t records = 0;
    {
      std::unique_lock lock(mutex_);
      writer_idle_ = true;
      changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      writer_idle_ = false;
      if (queue_.empty() && stopping_) return;
      auto enough = [this] {
        return queued_records_ >= gather_records_ || flushes_waiting_ > 0 || stopping_;
      };
      if (!enough()) {
        writer_gathering_ = true;
        changed_.wait_for(lock, kGatherWait, enough);
        writer_gathering_ = false;
      }
      while (!queue_.empty() && records < kMaxBatch) {
        records += queue_.front().size();
        taken.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_records_ -= records;
      changed_.notify_all();  // room in the queue
    }
    // A failed commit (disk full, a lock held too long) is retried: the records' checkpoints
    // wait for it, so nothing is lost, and the connector pauses once the queue is full.
    // On shutdown a failing batch is given up unacknowledged: its checkpoints never commit, so
    // the records are read again on the next start.
    bool stored = static_cast<bool>(commit(taken));
    while (!stored) {
      {
        std::lock_guard lock(mutex_);
        ++failed_;
        if (stopping_) break;
      }
      std::this_thread::sleep_for(kRetryDelay);
      stored = static_cast<bool>(commit(taken));
    }
    if (stored) {
      for (const Batch& batch : taken) {
        for (const Batch::Entry& entry : batch.entries_) on_durable_(entry.source, entry.seq);
      }
    }
    {
      std::lock_guard lock(mutex_);
      committed_total_ += records;
      for (Batch& batch : taken) {
        if (spare_.size() >= kSpareBatches) break;
        batch.clear();
        spare_.push_back(std::move(batch));
      }
    }
    changed_.notify_all();
    taken.clear();
  }
}

Result<void> RecordStore::commit(const std::vector<Batch>& batches) {
  std::lock_guard lock(db_->mutex);
  if (auto ok = db_->exec("BEGIN IMMEDIATE", "starting a write"); !ok) return ok;
  sqlite3_stmt* insert = db_->insert.get();
  sqlite3_stmt* remove_row = db_->remove_row.get();
  sqlite3_stmt* remove_key = db_->remove_key.get();
  auto fail = [this](std::string_view what) {
    Error error = db_->error(what);
    (void)db_->exec("ROLLBACK", "rolling back");
    return error;
  };
  // Lists added and rows moved by a transaction that rolls back are not so: they are looked up
  // again.
  struct ForgetUnlessCommitted {
    Db& db;
    bool committed = false;
    ~ForgetUnlessCommitted() {
      if (committed) return;
      db.name_lists.clear();
      db.forgetRows();
    }
  } lists{*db_};
  if (!db_->rows_loaded) {
    if (auto loaded = db_->loadRows(); !loaded) {
      (void)db_->exec("ROLLBACK", "rolling back");
      return loaded;
    }
  }
  auto bindKey = [](sqlite3_stmt* statement, const Batch::Parts& r) {
    bindText(statement, 1, r.connector);
    bindText(statement, 2, r.stream);
    bindText(statement, 3, r.source_key);
  };
  std::string_view names;
  int64_t names_id = 0;
  bool first = true;
  std::vector<int64_t>& hashes = db_->hashes;
  for (const Batch& batch : batches) {
    hashes.clear();
    for (const Batch::Entry& entry : batch.entries_) {
      const Batch::Parts r = batch.parts(entry);
      hashes.push_back(db_->key_hash(r.connector, r.stream, r.source_key));
    }
    for (size_t i = 0; i < std::min(kPrefetchAhead, hashes.size()); ++i) {
      db_->rows.prefetch(static_cast<uint64_t>(hashes[i]));
    }
    for (size_t i = 0; i < batch.entries_.size(); ++i) {
      if (i + kPrefetchAhead < hashes.size()) {
        db_->rows.prefetch(static_cast<uint64_t>(hashes[i + kPrefetchAhead]));
      }
      const Batch::Entry& entry = batch.entries_[i];
      const Batch::Parts r = batch.parts(entry);
      const int64_t hash = hashes[i];
      const auto hash_bits = static_cast<uint64_t>(hash);
      const char* what = entry.erase ? "removing a withdrawn record" : "storing a record";
      // A record read again replaces the stored one: what was stored under its key goes first.
      bool removed = false;
      if (const int64_t row = db_->rows.find(hash_bits); row != 0) {
        bindKey(remove_row, r);
        sqlite3_bind_int64(remove_row, 4, row);
        const int rc = sqlite3_step(remove_row);
        sqlite3_reset(remove_row);
        if (rc != SQLITE_DONE) return fail(what);
        removed = sqlite3_changes(db_->handle.get()) > 0;
        // The row is another key's: two keys share the hash.
        if (!removed) db_->shared_hashes.insert(hash_bits);
      }
      const bool shared = db_->shared_hashes.contains(hash_bits);
      if (!removed && shared) {
        bindKey(remove_key, r);
        const int rc = sqlite3_step(remove_key);
        sqlite3_reset(remove_key);
        if (rc != SQLITE_DONE) return fail(what);
      }
      if (entry.erase) {
        // A shared hash stays: it may still lead to the other key's row.
        if (removed && !shared) db_->rows.erase(hash_bits);
        continue;
      }
      bindKey(insert, r);
      bindText(insert, 4, r.location);
      sqlite3_bind_int64(insert, 5, entry.source_time_ms);
      // Rows of one file name the same list: it is looked up once per run of them. A batch
      // holds one copy of a run's names, so most need no comparing.
      const bool same_copy = r.names.data() == names.data() && r.names.size() == names.size();
      if (first || (!same_copy && r.names != names)) {
        auto id = namesId(r.names);
        if (!id) {
          (void)db_->exec("ROLLBACK", "rolling back");
          return id.error();
        }
        names = r.names;
        names_id = *id;
        first = false;
      }
      std::string& stored = db_->stored_fields;
      stored.clear();
      stored.push_back(kNamedList);
      appendVarint(stored, static_cast<uint64_t>(names_id));
      stored.append(r.fields);
      sqlite3_bind_blob64(insert, 6, stored.data(), stored.size(), SQLITE_STATIC);
      sqlite3_bind_int64(insert, 7, hash);
      const int rc = sqlite3_step(insert);
      sqlite3_reset(insert);
      if (rc != SQLITE_DONE) return fail(what);
      db_->rows.set(hash_bits, sqlite3_last_insert_rowid(db_->handle.get()));
    }
  }
  if (auto ok = db_->exec(kNextGeneration, "counting the generation"); !ok) {
    (void)db_->exec("ROLLBACK", "rolling back");
    return ok;
  }
  auto committed = db_->exec("COMMIT", "committing records");
  if (!committed) {
    (void)db_->exec("ROLLBACK", "rolling back");
    return committed;
  }
  lists.committed = true;
  return {};
}

Result<int64_t> RecordStore::namesId(std::string_view names) {
  const auto known = db_->name_lists.find(std::string(names));
  if (known != db_->name_lists.end()) return known->second;
  sqlite3_stmt* find = db_->find_names.get();
  sqlite3_bind_blob64(find, 1, names.data(), names.size(), SQLITE_STATIC);
  int rc = sqlite3_step(find);
  int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(find, 0) : 0;
  sqlite3_reset(find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_->error("looking up field names");
  if (rc == SQLITE_DONE) {
    sqlite3_stmt* add = db_->add_names.get();
    sqlite3_bind_blob64(add, 1, names.data(), names.size(), SQLITE_STATIC);
    rc = sqlite3_step(add);
    sqlite3_reset(add);
    if (rc != SQLITE_DONE) return db_->error("storing field names");
    id = sqlite3_last_insert_rowid(db_->handle.get());
  }
  db_->name_lists.emplace(names, id);
  return id;
}

namespace {

constexpr std::string_view kStoredColumns =
    "SELECT connector, stream, source_key, location, source_time_ms, fields FROM source_records";

// The record of the row `rows` is on, its fields with their names put back.
void readRecord(sqlite3_stmt* rows, const NameLists& lists, StoredRecord& record,
                std::string& expanded) {
  record.connector = columnText(rows, 0);
  record.stream = columnText(rows, 1);
  record.source_key = columnText(rows, 2);
  record.location = columnText(rows, 3);
  record.source_time_ms = sqlite3_column_int64(rows, 4);
  record.fields = columnText(rows, 5);
  // A damaged blob is passed on as stored, for decodeFields() to refuse.
  if (!record.fields.empty() && record.fields.front() == kNamedList &&
      expandNamedList(record.fields, lists, expanded)) {
    record.fields.swap(expanded);
  }
}

}  // namespace

Result<void> RecordStore::forEach(const std::function<void(const StoredRecord&)>& visit) {
  std::lock_guard lock(db_->mutex);
  return db_->read([&](const NameLists& lists) -> Result<void> {
    // No index holds the keys in order: the rows' ids are sorted first, by their keys alone, so
    // that the sort does not carry every record's fields.
    auto ordered =
        db_->prepare("SELECT id FROM source_records ORDER BY connector, stream, source_key");
    if (!ordered) return ordered.error();
    std::vector<int64_t> ids;
    {
      std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*ordered);
      int rc = SQLITE_OK;
      while ((rc = sqlite3_step(owned.get())) == SQLITE_ROW) {
        ids.push_back(sqlite3_column_int64(owned.get(), 0));
      }
      if (rc != SQLITE_DONE) return db_->error("ordering records");
    }
    auto by_id = db_->prepare((std::string(kStoredColumns) + " WHERE id = ?1").c_str());
    if (!by_id) return by_id.error();
    std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*by_id);
    StoredRecord record;
    std::string expanded;
    for (const int64_t id : ids) {
      sqlite3_bind_int64(owned.get(), 1, id);
      const int rc = sqlite3_step(owned.get());
      if (rc != SQLITE_ROW) {
        sqlite3_reset(owned.get());
        // The connection is held throughout, so a row found by the first query is still there.
        return db_->error("reading records");
      }
      readRecord(owned.get(), lists, record, expanded);
      sqlite3_reset(owned.get());
      visit(record);
    }
    return {};
  });
}

Result<void> RecordStore::forEachAsStored(const std::function<void(const StoredRecord&)>& visit) {
  std::lock_guard lock(db_->mutex);
  return db_->read([&](const NameLists& lists) -> Result<void> {
    auto in_order = db_->prepare((std::string(kStoredColumns) + " ORDER BY id").c_str());
    if (!in_order) return in_order.error();
    std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*in_order);
    StoredRecord record;
    std::string expanded;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(owned.get())) == SQLITE_ROW) {
      readRecord(owned.get(), lists, record, expanded);
      visit(record);
    }
    if (rc != SQLITE_DONE) return db_->error("reading records");
    return {};
  });
}

Result<uint64_t> RecordStore::count() {
  std::lock_guard lock(db_->mutex);
  auto statement = db_->prepare("SELECT count(*) FROM source_records");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  if (sqlite3_step(owned.get()) != SQLITE_ROW) return db_->error("counting records");
  return static_cast<uint64_t>(sqlite3_column_int64(owned.get(), 0));
}

Result<uint64_t> RecordStore::generation() {
  std::lock_guard lock(db_->mutex);
  auto statement = db_->prepare("SELECT n FROM generation");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  if (sqlite3_step(owned.get()) != SQLITE_ROW) return db_->error("reading the generation");
  return static_cast<uint64_t>(sqlite3_column_int64(owned.get(), 0));
}

Result<bool> RecordStore::hasRecords() {
  std::lock_guard lock(db_->mutex);
  auto statement = db_->prepare("SELECT 1 FROM source_records LIMIT 1");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  const int rc = sqlite3_step(owned.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_->error("looking for records");
  return rc == SQLITE_ROW;
}

void RecordStore::releaseKeyIndex() {
  std::lock_guard lock(db_->mutex);
  db_->forgetRows();
}

Result<uint64_t> RecordStore::forget(std::string_view connector, std::string_view stream) {
  std::lock_guard lock(db_->mutex);
  // Rare (an operator's reset): the next commit finds the remaining rows again.
  db_->forgetRows();
  // Counted first: a crash between the two leaves a generation that changed for nothing, never
  // records gone under an unchanged one.
  if (auto ok = db_->exec(kNextGeneration, "counting the generation"); !ok) return ok.error();
  auto statement =
      db_->prepare("DELETE FROM source_records WHERE connector = ?1 AND (?2 = '' OR stream = ?2)");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  bindText(owned.get(), 1, connector);
  bindText(owned.get(), 2, stream);
  if (sqlite3_step(owned.get()) != SQLITE_DONE) return db_->error("deleting records");
  return static_cast<uint64_t>(sqlite3_changes(db_->handle.get()));
}

Result<IdentityDecision> RecordStore::appendDecision(IdentityDecision decision) {
  auto existing = decisions();
  if (!existing) return existing.error();
  std::lock_guard lock(db_->mutex);
  decision.seq = existing->empty() ? 1 : existing->back().seq + 1;
  if (decision.at_ms == 0) decision.at_ms = nowMs();
  decision.hash = chainHash(existing->empty() ? "" : existing->back().hash, decision);
  auto statement = db_->prepare(
      "INSERT INTO identity_decisions (seq, at_ms, actor, action, record_a, record_b, reason, "
      "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  sqlite3_bind_int64(owned.get(), 1, decision.seq);
  sqlite3_bind_int64(owned.get(), 2, decision.at_ms);
  bindText(owned.get(), 3, decision.actor);
  bindText(owned.get(), 4, decision.action);
  bindText(owned.get(), 5, decision.record_a);
  bindText(owned.get(), 6, decision.record_b);
  bindText(owned.get(), 7, decision.reason);
  bindText(owned.get(), 8, decision.hash);
  if (sqlite3_step(owned.get()) != SQLITE_DONE) return db_->error("recording a decision");
  return decision;
}

Result<std::vector<IdentityDecision>> RecordStore::decisions() {
  std::lock_guard lock(db_->mutex);
  auto statement = db_->prepare(
      "SELECT seq, at_ms, actor, action, record_a, record_b, reason, hash FROM "
      "identity_decisions ORDER BY seq");
  if (!statement) return statement.error();
  std::unique_ptr<sqlite3_stmt, Db::Finalizer> owned(*statement);
  std::vector<IdentityDecision> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(owned.get())) == SQLITE_ROW) {
    IdentityDecision d;
    d.seq = sqlite3_column_int64(owned.get(), 0);
    d.at_ms = sqlite3_column_int64(owned.get(), 1);
    d.actor = columnText(owned.get(), 2);
    d.action = columnText(owned.get(), 3);
    d.record_a = columnText(owned.get(), 4);
    d.record_b = columnText(owned.get(), 5);
    d.reason = columnText(owned.get(), 6);
    d.hash = columnText(owned.get(), 7);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return db_->error("reading decisions");
  return out;
}

Result<bool> RecordStore::verifyDecisions() {
  auto all = decisions();
  if (!all) return all.error();
  std::string previous;
  for (const IdentityDecision& d : *all) {
    if (chainHash(previous, d) != d.hash) return false;
    previous = d.hash;
  }
  return true;
}

uint64_t RecordStore::failedWrites() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

}  // namespace hearth::daemon::state
