#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "pipelines/events/raw_record.hpp"

namespace hearth::daemon::state {

/// One source record of a normalised connector, as the store keeps it.
struct StoredRecord {
  std::string connector;
  std::string stream;
  std::string source_key;
  std::string location;
  int64_t source_time_ms = 0;
  std::string fields;  // encodeFields()
};

/// Packs a record's fields into one byte string: per field a null flag, then the name and the
/// value, each length-prefixed (LEB128).
void encodeFields(std::span<const pipelines::FieldView> fields, std::string& out);
/// Unpacks encodeFields(); the views point into `bytes`. False if the bytes are damaged.
bool decodeFields(std::string_view bytes, std::vector<pipelines::FieldView>& out);

/// A reviewer's decision about two records' identities, kept in a hash-chained audit log.
struct IdentityDecision {
  int64_t seq = 0;
  int64_t at_ms = 0;
  std::string actor;
  std::string action;    // "merge" or "unmerge"
  std::string record_a;  // subject keys: "<system>/<local id>"
  std::string record_b;
  std::string reason;
  std::string hash;  // SHA-256 over the previous hash and this entry
};

/// The source records of the normalised connectors, in `<state_dir>/records.db` (SQLite, WAL,
/// synchronous=FULL: a batch is on disk before it is reported durable, so the checkpoint that
/// covers it, stored afterwards in hearth.db, can never survive a power cut that the batch did
/// not), so that canonical records, identities and indicators can be rebuilt deterministically
/// after a rule change, and a restart resumes with the whole picture although connectors read on
/// from their checkpoints. Records are replaced by (connector, stream, source key): the writer
/// finds a key's row through a hash of the key, held in memory (18 to 37 bytes a record) rather
/// than in an index on disk, whose pages every commit would rewrite.
///
/// Writes are asynchronous: put() queues the record and a writer thread commits them in batches,
/// then reports each one durable through the callback given at open (the checkpoint tracker's
/// acknowledgement, so a connector's checkpoint never runs ahead of the store).
class RecordStore {
 public:
  using DurableCallback = std::function<void(uint32_t source, uint64_t seq)>;
  /// A 64-bit hash of a record's key, stored with the record.
  using KeyHasher = int64_t (*)(std::string_view connector, std::string_view stream,
                                std::string_view source_key);

  /// `key_hash` is keyHash() unless given (tests give one whose hashes collide).
  static Result<std::unique_ptr<RecordStore>> open(const std::filesystem::path& dir,
                                                   DurableCallback on_durable,
                                                   size_t queue_capacity = 65536,
                                                   KeyHasher key_hash = nullptr);
  /// XXH3 of the key's parts, each length-prefixed: stable across builds and platforms.
  static int64_t keyHash(std::string_view connector, std::string_view stream,
                         std::string_view source_key);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  /// Records gathered by one thread and queued together, under one lock and one wake-up. Their
  /// bytes are packed into one buffer, which the writer hands back for the next batch to reuse:
  /// a record costs no allocation of its own, on the reading thread or the writer's.
  class Batch {
   public:
    /// Copies the record; `source`/`seq` come back in the durability callback.
    void add(const pipelines::RawRecordView& record, std::string_view connector, uint32_t source,
             uint64_t seq);
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }

   private:
    friend class RecordStore;
    // Where a record's parts are in bytes_: connector, stream, source key, location and fields,
    // one after the other from `begin`; the names of its fields where they were first written,
    // which records of one file share.
    struct Entry {
      size_t begin = 0;
      uint32_t connector = 0;
      uint32_t stream = 0;
      uint32_t source_key = 0;
      uint32_t location = 0;
      size_t names_at = 0;
      size_t names = 0;   // the fields' names: appendNames()
      size_t fields = 0;  // their values: appendValues()
      int64_t source_time_ms = 0;
      uint32_t source = 0;
      uint64_t seq = 0;
      bool erase = false;  // remove the record rather than store it
    };
    struct Parts {
      std::string_view connector, stream, source_key, location, names, fields;
    };
    Entry& append(std::string_view connector, std::string_view stream, std::string_view source_key,
                  std::string_view location);
    Parts parts(const Entry& entry) const;
    void clear() {
      bytes_.clear();
      entries_.clear();
    }

    std::string bytes_;
    std::vector<Entry> entries_;
  };

  /// Queues a record; blocks while the queue is full. `source`/`seq` come back in the callback.
  void put(const pipelines::RawRecordView& record, std::string_view connector, uint32_t source,
           uint64_t seq);
  /// Queues a batch and empties it; blocks while the queue is full.
  void put(Batch& batch);
  /// Queues the removal of a record its source withdrew (a FHIR deletion); reported durable like
  /// put().
  void erase(std::string_view connector, std::string_view stream, std::string_view source_key,
             uint32_t source, uint64_t seq);
  /// Waits until everything queued so far is committed.
  void flush();
  /// Lets go of the writer's index of stored keys (some 64 MB for a council's records) until
  /// the next commit reads it again from the table: for a run whose connectors are all done.
  void releaseKeyIndex();
  /// Every stored record, in (connector, stream, source key) order. Not while writing heavily:
  /// it reads one consistent snapshot.
  Result<void> forEach(const std::function<void(const StoredRecord&)>& visit);
  /// Every stored record, in the order the table holds them (by and large, as they were
  /// stored): one pass through the file. forEach() reads the rows by their keys' order, a
  /// page read for nearly every row; this is for a reader that orders them itself.
  Result<void> forEachAsStored(const std::function<void(const StoredRecord&)>& visit);
  Result<uint64_t> count();
  /// True if any record is stored (cheap, unlike count()).
  Result<bool> hasRecords();
  /// A number that changes whenever the stored records do (each committed batch, each forget()):
  /// equal generations, equal records. Read after flush() to cover what was queued.
  Result<uint64_t> generation();
  /// Deletes a connector's stored records, of one stream or (empty `stream`) all, so that rows
  /// gone from the source are forgotten when it is read again from the beginning; returns how
  /// many. Call flush() first if the connector was writing.
  Result<uint64_t> forget(std::string_view connector, std::string_view stream);

  /// Appends a decision to the audit log, filling its seq, time and hash.
  Result<IdentityDecision> appendDecision(IdentityDecision decision);
  Result<std::vector<IdentityDecision>> decisions();
  /// Recomputes the hash chain; false if any entry was altered.
  Result<bool> verifyDecisions();

  /// Number of put() calls whose commit failed (the writer retries; this counts give-ups).
  uint64_t failedWrites() const;

 private:
  struct Db;

  RecordStore(std::unique_ptr<Db> db, DurableCallback on_durable, size_t queue_capacity);
  void writerLoop();
  Result<void> commit(const std::vector<Batch>& batches);
  /// The id under which a list of field names is stored, adding it if new (writer thread).
  Result<int64_t> namesId(std::string_view names);

  std::unique_ptr<Db> db_;
  DurableCallback on_durable_;
  size_t queue_capacity_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  size_t queued_records_ = 0;  // in queue_
  std::vector<Batch> spare_;   // emptied batches whose buffers put() hands out again
  uint64_t queued_total_ = 0;
  uint64_t committed_total_ = 0;
  uint64_t failed_ = 0;
  bool stopping_ = false;
  size_t gather_records_;          // what the writer lets gather before it commits
  size_t flushes_waiting_ = 0;     // flush() calls waiting for the writer
  bool writer_idle_ = false;       // the writer waits for records
  bool writer_gathering_ = false;  // the writer waits for more records, up to gather_records_
  std::thread writer_;
};

}  // namespace hearth::daemon::state
