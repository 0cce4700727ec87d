#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "daemon/log/logger.hpp"

namespace hearth::daemon::kafka {

/// One event as the spool stores it. The views belong to whoever made the entry.
struct SpoolEntry {
  std::string_view topic;
  std::string_view key;
  std::string_view payload;
  uint32_t source = 0;
  uint64_t seq = 0;
};

/// Why an append is waiting, for status reports.
enum class SpoolWait : uint8_t { kNone, kSpoolFull, kDiskLow };

/// What lets a waiting append give up, and where it says why it waits.
struct AppendControl {
  std::stop_token stop;
  std::atomic<SpoolWait>* waiting = nullptr;
};

struct SpoolOptions {
  std::filesystem::path dir;
  /// append() blocks while the spool holds this much.
  uint64_t max_bytes = uint64_t{1} << 30;
  /// Size at which a new segment file starts; 0 picks max_bytes / 8, kept within 64 KiB-64 MiB,
  /// so that delivered segments free space well before the spool is full.
  uint64_t segment_bytes = 0;
  /// append() also blocks while the spool's file system has less free space than this (0: off),
  /// so that the disk never fills up under the daemon's databases.
  uint64_t min_free_bytes = 0;
  /// Called with this run's events once Kafka has them (their segment was delivered in full).
  /// Events of segments that were damaged, deleted or never written are not reported.
  std::function<void(uint32_t source, uint64_t seq)> on_delivered;
  /// Called, without the spool's locks held, when events of this run that were never delivered
  /// cannot be sent from the spool any more: their sources must read them again.
  std::function<void(std::string_view what)> on_loss;
};

/// A bounded, checksummed, append-only disk spool for events Kafka cannot take.
///
/// Files are segments `segment-<id>.spool` under one directory, drained in id order. Each entry
/// is length-prefixed and carries a CRC-32C over its length, source, seq, topic, key and payload,
/// so a torn tail after a crash or a damaged block is counted, logged (never its contents) and
/// skipped; reading never trusts a length it has not checked.
///
/// Spooled events are reported delivered only once Kafka confirmed their whole segment, so a
/// source's checkpoint never covers an event that is only in the spool. Whatever the spool loses
/// (a damaged entry, a segment or directory deleted or replaced while running, a failed delivery
/// with no room left) is therefore still before the checkpoint, and on_loss asks for it to be
/// read again from the source.
///
/// Modes: the spool is *active* from the first Kafka failure (or from start-up, if a previous run
/// left segments) until everything in it is delivered. While active, new events are appended
/// behind what is already spooled, so each key keeps its order. Events that were already handed to
/// Kafka when the spool became active and then fail go to the *retry lane*: a segment ordered
/// before every segment of new events, drained only once no direct delivery is outstanding.
///
/// Threads: appends come from any thread; sync() (write and fsync) from the publisher's spool
/// thread or a flush; draining (peek/advance/rewind/removeDelivered/deactivateIfDrained) and
/// verify() from the spool thread only; acknowledge() from the delivery-report thread.
class Spool {
 public:
  struct Segment;

  enum class AppendStatus { kAppended, kInactive, kStopped, kRejected, kFull };

  /// An entry being drained, with the segment to acknowledge once Kafka confirms it.
  struct Drained {
    SpoolEntry entry;
    Segment* segment = nullptr;
  };

  /// The most a single entry may hold (topic, key and payload); Kafka refuses far smaller ones.
  static constexpr uint64_t kMaxEntryBytes = uint64_t{256} << 20;

  /// Opens the spool directory, creating it, and picks up segments a previous run left behind.
  static Result<std::unique_ptr<Spool>> open(SpoolOptions options);

  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// True while events belong in the spool rather than in Kafka.
  bool active() const { return active_.load(); }
  /// Starts spooling; returns false if the spool was active already.
  bool activate();
  /// Whether failed direct deliveries may still arrive for the retry lane.
  bool retryLaneOpen() const;
  /// Called once no direct delivery is outstanding: draining may begin.
  void sealRetryLane();

  /// Appends a new event behind everything spooled, waiting while the spool is full or the disk
  /// low. kInactive means the spool drained meanwhile and the event should go to Kafka directly;
  /// kStopped, that stopAppends() was called or control.stop requested; kRejected, that the entry
  /// exceeds the format's limits.
  AppendStatus append(const SpoolEntry& entry, const AppendControl& control = {});
  /// Waits while the disk is below its free-space floor, whether or not the spool is active: the
  /// daemon's databases need the headroom too. False if stopped meanwhile.
  bool waitForDiskSpace(const AppendControl& control);
  /// Appends an event whose delivery failed, activating the spool if needed. Never blocks (it runs
  /// on the delivery-report thread): kFull when the spool has no room for it, in which case the
  /// event is counted as lost (on_loss) and must be read again from its source.
  AppendStatus appendRetry(const SpoolEntry& entry);
  /// Wakes blocked append() calls and makes later ones return kStopped.
  void stopAppends();

  /// Writes buffered entries and fsyncs them. On an I/O error they stay buffered for the next
  /// attempt.
  Result<void> sync();

  /// Checks that the files being spooled to are still the ones on disk, and how much space is
  /// left. A segment or the directory deleted or replaced behind the spool's back loses what it
  /// held: the spool then starts afresh in a new directory and reports the loss. Returns what
  /// was lost, if anything. Call from the draining thread, every second or so.
  std::optional<std::string> verify();

  /// The next entry to send, or nullptr if there is none yet. Stays valid until advance().
  const Drained* peek();
  /// Moves past the entry peek() returned, once it has been handed to Kafka.
  void advance();
  /// Records that Kafka confirmed an entry of `segment`.
  static void acknowledge(Segment* segment);
  /// After a failed send: start again from the oldest segment (duplicates are acceptable).
  /// Only when no drained entry is in flight.
  void rewind();
  /// Deletes segments that were read to the end and fully acknowledged; returns bytes freed.
  uint64_t removeDelivered();
  /// Returns to inactive mode if everything spooled was delivered; true if it did.
  bool deactivateIfDrained();

  /// Bytes appended and not yet deleted, written or still buffered: what the limit applies to.
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  /// Bytes in the spool's files on disk.
  uint64_t diskBytes() const { return disk_bytes_.load(std::memory_order_relaxed); }
  uint64_t corruptEntries() const { return corrupt_entries_.load(std::memory_order_relaxed); }
  /// Events of this run in the spool, not yet reported delivered.
  uint64_t eventsHeld() const { return events_held_.load(std::memory_order_relaxed); }
  /// Events of this run the spool lost (see on_loss).
  uint64_t eventsLost() const { return events_lost_.load(std::memory_order_relaxed); }
  /// True while the file system's free space is below min_free_bytes.
  bool diskLow() const { return disk_low_.load(std::memory_order_relaxed); }
  size_t segmentCount() const;
  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  struct Encoded;
  struct Reader;
  struct EventRun;
  struct Retired;
  enum class ReadStep { kEntry, kWait, kEndOfSegment };

  explicit Spool(SpoolOptions options);

  Segment& tailLocked();
  Segment& createSegmentLocked(uint64_t id);
  void appendLocked(Segment& segment, const Encoded& encoded, const SpoolEntry& entry);
  void appendRetryLocked(const Encoded& encoded, const SpoolEntry& entry);
  void deleteSegmentLocked(Segment& segment);
  Segment* nextSegmentToRead();
  ReadStep readEntry(Segment& segment);
  void finishReadingSegment();
  void reportCorrupt(Segment& segment, uint64_t offset, std::string_view reason);
  void retireLocked(Segment& segment, Retired& retired, bool lost);
  void report(const Retired& retired);
  std::optional<std::string> checkFilesLocked() const;
  void checkFreeSpace();
  void rememberDirectory();

  SpoolOptions options_;
  hearth::log::Logger log_{"kafka.spool"};

  mutable std::mutex mutex_;  // guards segments_, the lanes and the segments' buffers
  std::condition_variable_any space_cv_;
  std::map<uint64_t, std::unique_ptr<Segment>> segments_;
  uint64_t next_id_ = 1;
  Segment* tail_ = nullptr;  // where new events go; created on first append
  std::optional<uint64_t> retry_id_;
  bool retry_open_ = false;
  bool stopped_ = false;
  bool new_files_ = false;  // the directory needs an fsync to make new files durable
  uint64_t buffered_bytes_ = 0;
  std::vector<std::unique_ptr<Segment>> lost_;  // kept: Kafka may still report on their entries
  uint64_t dir_device_ = 0;                     // the directory spooled to, to notice a new one
  uint64_t dir_inode_ = 0;
  bool dropping_retries_ = false;  // logged once per spell of failed deliveries with no room
  std::atomic<bool> active_{false};
  std::atomic<bool> disk_low_{false};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> disk_bytes_{0};
  std::atomic<uint64_t> corrupt_entries_{0};
  std::atomic<uint64_t> events_held_{0};
  std::atomic<uint64_t> events_lost_{0};

  std::mutex sync_mutex_;  // one writer at a time; taken before mutex_
  bool sync_failing_ = false;

  std::unique_ptr<Reader> reader_;
};

}  // namespace hearth::daemon::kafka
