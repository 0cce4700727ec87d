#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "pipelines/events/event_id.hpp"

namespace hearth::daemon::state {

/// The daemon's embedded state database: one SQLite file (WAL) under the state directory.
///
/// Thread-safe: one connection behind a mutex, with the statements of the hot calls prepared once.
/// Calls block on disk I/O, so they belong on worker threads, never on io threads.
class StateStore {
 public:
  /// The schema version this build writes; older databases are migrated on open.
  static constexpr int kSchemaVersion = 4;

  /// Opens (creating if needed) `<dir>/hearth.db` and brings its schema up to date.
  static Result<std::unique_ptr<StateStore>> open(const std::filesystem::path& dir);

  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  /// The token a connector last stored, or nullopt if it never stored one. An error
  /// (state.checkpoint_damaged) if the token does not match the checksum stored with it.
  Result<std::optional<std::string>> loadCheckpoint(std::string_view connector);
  /// Stores a connector's checkpoint token (opaque bytes) with its checksum, replacing the
  /// previous one.
  Result<void> saveCheckpoint(std::string_view connector, std::string_view token);
  /// Forgets a connector's checkpoint, so that it reads its source from the beginning; false if
  /// it had none.
  Result<bool> deleteCheckpoint(std::string_view connector);
  /// When the connector's checkpoint was last stored, in ms since the Unix epoch.
  Result<std::optional<int64_t>> checkpointTime(std::string_view connector);

  /// How many connectors have a stored checkpoint.
  Result<uint64_t> checkpointCount();
  /// True if this open created the database (or found it empty): nothing was ever stored in it.
  bool created() const { return created_; }

  /// A value of the `meta` key/value table, or nullopt if the key is absent.
  Result<std::optional<std::string>> loadMeta(std::string_view key);
  Result<void> saveMeta(std::string_view key, std::string_view value);

  /// What was last published under one key (a topic and a message key), as a digest of its
  /// content; no digest: the key was retired. A key that stands for a longer one by its 128-bit
  /// hash, "<topic>\x1f" then appendHashedKey's text, is kept compactly, in a blob with others of
  /// its topic; it is loaded back as it was given.
  struct PublishedDigest {
    std::string key;
    std::optional<uint64_t> digest;
  };
  /// Appends the message-key part of a key kept by its hash: "#" and the hash's 32 lower-case
  /// hex digits (pipelines::appendHex).
  static void appendHashedKey(std::string& out, const pipelines::KeyHash& hash);
  /// The hash that the message-key part of a key stands for, when appendHashedKey wrote it.
  static std::optional<pipelines::KeyHash> hashOfHashedKey(std::string_view message_key);
  /// Every stored digest of published content.
  Result<void> loadPublished(
      const std::function<void(std::string_view key, uint64_t digest)>& visit);
  /// The stored digest of one key, or nullopt when it has none.
  Result<std::optional<uint64_t>> loadPublished(std::string_view key);
  /// A change to a digest kept by its hash, given as its parts rather than as the key text
  /// ("<family>\x1f" then appendHashedKey's): a council's first evaluation gives millions.
  struct HashedDigest {
    std::string_view family;
    pipelines::KeyHash hash;
    std::optional<uint64_t> digest;
  };
  /// Stores digests (and forgets retired keys) in one transaction; of two changes to one key, the
  /// later stands, and those in `hashed` come after those in `changes`.
  Result<void> savePublished(std::span<const PublishedDigest> changes,
                             std::span<const HashedDigest> hashed = {});
  /// Changes to hashed keys of different save groups touch different parts of the store: a
  /// caller with millions may save them a group at a time, each in a call of its own, so that
  /// only one group's are copied at once. A key's changes all fall in one group.
  static constexpr int kSaveGroups = 8;
  static int saveGroupOf(const pipelines::KeyHash& hash);

  /// True while a cheap query against the database file succeeds (for /readyz).
  bool healthy();

  /// The database's schema version (`PRAGMA user_version`).
  int schemaVersion();

  const std::filesystem::path& path() const { return path_; }

 private:
  struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;
  using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

  StateStore(std::filesystem::path path, Connection db);

  Result<void> prepareStatements();
  Result<std::optional<std::string>> loadText(sqlite3_stmt* statement, std::string_view key,
                                              std::string_view what);
  Result<void> runUpdate(sqlite3_stmt* statement, std::string_view what);
  Error sqliteError(std::string_view what) const;
  struct HashedChange;
  /// Applies changes to hashed keys to their buckets, within the caller's transaction; with
  /// `keep_stored`, a key its bucket has already keeps its stored digest.
  Result<void> saveHashed(std::vector<HashedChange>& changes, bool keep_stored);
  /// Moves rows of hashed keys, as earlier versions kept them, to their buckets.
  Result<void> moveToBuckets(const std::vector<PublishedDigest>& whole_rows);

  std::filesystem::path path_;
  std::mutex mutex_;
  Connection db_;
  bool created_ = false;
  Statement load_checkpoint_;
  Statement count_checkpoints_;
  Statement save_checkpoint_;
  Statement checkpoint_time_;
  Statement load_meta_;
  Statement save_meta_;
  Statement health_probe_;
  Statement save_published_;
  Statement forget_published_;
  Statement load_bucket_;
  Statement save_bucket_;
  Statement forget_bucket_;
};

}  // namespace hearth::daemon::state
