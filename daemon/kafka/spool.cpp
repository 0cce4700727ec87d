#include "daemon/kafka/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "daemon/kafka/crc32c.hpp"

namespace hearth::daemon::kafka {
namespace {

static_assert(std::endian::native == std::endian::little, "the spool format is little-endian");

// File: an 8-byte header (magic and format version), then entries. Entry: marker, body length,
// CRC-32C of (length, body); body: source u32, seq u64, topic length u16, key length u32, topic,
// key, payload. The marker lets a reader find the next entry after damage.
constexpr std::array<char, 8> kFileHeader = {'H', 'S', 'P', 'O', 'O', 'L', '\x01', '\n'};
constexpr uint32_t kEntryMarker = 0x9C5348F1;
constexpr size_t kEntryHeaderBytes = 12;
constexpr size_t kBodyFixedBytes = 18;
constexpr size_t kReadChunk = size_t{1} << 20;
// Appends wait when this much is waiting for write(2), which only happens if the disk stalls.
constexpr uint64_t kMaxBufferedBytes = uint64_t{64} << 20;
constexpr uint64_t kMinSegmentBytes = uint64_t{64} << 10;
constexpr uint64_t kMaxSegmentBytes = uint64_t{64} << 20;
constexpr std::string_view kSegmentPrefix = "segment-";
constexpr std::string_view kSegmentSuffix = ".spool";

template <typename T>
void put(char*& out, T value) {
  std::memcpy(out, &value, sizeof value);
  out += sizeof value;
}

template <typename T>
T get(const char* in) {
  T value;
  std::memcpy(&value, in, sizeof value);
  return value;
}

std::string segmentName(uint64_t id) {
  std::array<char, 32> digits{};
  std::snprintf(digits.data(), digits.size(), "%020llu", static_cast<unsigned long long>(id));
  return std::string(kSegmentPrefix) + digits.data() + std::string(kSegmentSuffix);
}

std::optional<uint64_t> parseSegmentName(std::string_view name) {
  if (!name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) return std::nullopt;
  name.remove_prefix(kSegmentPrefix.size());
  name.remove_suffix(kSegmentSuffix.size());
  uint64_t id = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size() || id == 0) return std::nullopt;
  return id;
}

std::string errnoText(int error) { return std::generic_category().message(error); }

bool fits(const SpoolEntry& entry) {
  return entry.topic.size() <= 0xFFFF &&
         entry.topic.size() + entry.key.size() + entry.payload.size() <= Spool::kMaxEntryBytes;
}

}  // namespace

struct Spool::EventRun {
  uint32_t source = 0;
  uint64_t first_seq = 0;
  uint64_t count = 0;
};

// What segments that are done with held: this run's events, sent or lost.
struct Spool::Retired {
  std::vector<EventRun> delivered;
  uint64_t lost = 0;
  std::string loss;
};

struct Spool::Segment {
  Segment(uint64_t segment_id, std::filesystem::path file)
      : id(segment_id), path(std::move(file)) {}
  ~Segment() {
    if (fd >= 0) ::close(fd);
  }
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  const uint64_t id;
  const std::filesystem::path path;

  // Guarded by Spool::mutex_.
  std::string buffer;    // appended, not yet handed to write(2)
  uint64_t size = 0;     // every byte appended, wherever it is now
  uint64_t durable = 0;  // bytes written and fsynced: all a reader may see
  bool sealed = false;   // no more appends
  // This run's events in the segment, as runs of consecutive seqs of one source: reported
  // delivered when the segment is.
  std::vector<EventRun> events;

  // Used under Spool::sync_mutex_ only.
  int fd = -1;
  uint64_t file_bytes = 0;
  bool on_disk = false;  // the file exists, with this identity
  uint64_t device = 0;
  uint64_t inode = 0;

  // Used by the draining thread only, except acked.
  bool damaged = false;  // some of it could not be read: its events were not all sent
  bool read_done = false;
  uint64_t sent = 0;
  std::atomic<uint64_t> acked{0};
};

// The publisher tags segment pointers in their two low bits.
static_assert(alignof(Spool::Segment) >= 4);

struct Spool::Encoded {
  std::array<char, kEntryHeaderBytes + kBodyFixedBytes> head{};
  uint64_t total = 0;

  explicit Encoded(const SpoolEntry& entry) {
    const auto body_length = static_cast<uint32_t>(kBodyFixedBytes + entry.topic.size() +
                                                   entry.key.size() + entry.payload.size());
    char* out = head.data() + kEntryHeaderBytes;
    put<uint32_t>(out, entry.source);
    put<uint64_t>(out, entry.seq);
    put<uint16_t>(out, static_cast<uint16_t>(entry.topic.size()));
    put<uint32_t>(out, static_cast<uint32_t>(entry.key.size()));
    uint32_t crc = crc32cExtend(0, &body_length, sizeof body_length);
    crc = crc32cExtend(crc, head.data() + kEntryHeaderBytes, kBodyFixedBytes);
    crc = crc32cExtend(crc, entry.topic.data(), entry.topic.size());
    crc = crc32cExtend(crc, entry.key.data(), entry.key.size());
    crc = crc32cExtend(crc, entry.payload.data(), entry.payload.size());
    out = head.data();
    put<uint32_t>(out, kEntryMarker);
    put<uint32_t>(out, body_length);
    put<uint32_t>(out, crc);
    total = kEntryHeaderBytes + body_length;
  }
};

// Sequential reading of the segments being drained, through one buffer.
struct Spool::Reader {
  Segment* segment = nullptr;
  uint64_t next_id = 0;  // segments below this id have been read to the end
  int fd = -1;
  std::vector<char> buffer;
  uint64_t buffer_offset = 0;  // file offset of buffer[0]
  size_t pos = 0;              // next unparsed byte in buffer
  uint64_t limit = 0;          // durable bytes of the segment when last looked
  bool complete = false;       // ... and whether that was all it will ever hold
  bool exhausted = false;      // nothing more to read below the limit
  bool header_checked = false;
  bool resyncing = false;  // skipping damaged bytes, already counted
  size_t entry_end = 0;
  std::optional<Drained> current;

  ~Reader() { closeSegment(); }

  void closeSegment() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    segment = nullptr;
    buffer.clear();
    buffer_offset = 0;
    pos = 0;
    limit = 0;
    complete = false;
    exhausted = false;
    header_checked = false;
    resyncing = false;
    current.reset();
  }

  const char* data() const { return buffer.data() + pos; }
  size_t remaining() const { return buffer.size() - pos; }
  uint64_t offset() const { return buffer_offset + pos; }

  // Makes `need` unparsed bytes available, reading no further than file offset `limit`.
  bool fill(size_t need, uint64_t limit) {
    if (remaining() >= need) return true;
    if (pos > 0) {
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(pos));
      buffer_offset += pos;
      pos = 0;
    }
    const uint64_t end = buffer_offset + buffer.size();
    exhausted = end >= limit;
    if (exhausted) return false;
    const size_t want = std::max(need - buffer.size(), kReadChunk);
    const auto to_read = static_cast<size_t>(std::min<uint64_t>(want, limit - end));
    const size_t old_size = buffer.size();
    buffer.resize(old_size + to_read);
    ssize_t n;
    do {
      n = ::pread(fd, buffer.data() + old_size, to_read, static_cast<off_t>(end));
    } while (n < 0 && errno == EINTR);
    buffer.resize(old_size + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    // A short read means the file is shorter than its bookkeeping says (changed behind our back);
    // treat what is there as all there is.
    exhausted =
        n <= 0 || static_cast<size_t>(n) < to_read || end + static_cast<uint64_t>(n) >= limit;
    return remaining() >= need;
  }
};

Result<std::unique_ptr<Spool>> Spool::open(SpoolOptions options) {
  namespace fs = std::filesystem;
  if (options.dir.empty()) return makeError("spool.open", "spool directory is not set");
  if (options.max_bytes == 0) return makeError("spool.open", "spool max bytes must be positive");
  if (options.segment_bytes == 0) {
    options.segment_bytes = std::clamp(options.max_bytes / 8, kMinSegmentBytes, kMaxSegmentBytes);
  }
  std::error_code ec;
  if (fs::create_directories(options.dir, ec)) {
    // Spooled events are pseudonymous but still sensitive: keep them to the daemon's user.
    fs::permissions(options.dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (ec) {
    return makeError("spool.open",
                     "cannot create spool directory " + options.dir.string() + ": " + ec.message());
  }

  std::unique_ptr<Spool> spool(new Spool(std::move(options)));
  for (const auto& item : fs::directory_iterator(spool->options_.dir, ec)) {
    const auto id = parseSegmentName(item.path().filename().string());
    if (!id || !item.is_regular_file()) continue;
    const uint64_t size = item.file_size(ec);
    if (ec) break;
    if (size == 0) {
      // Created but never written before a crash: holds nothing.
      fs::remove(item.path(), ec);
      continue;
    }
    auto segment = std::make_unique<Segment>(*id, item.path());
    segment->size = segment->durable = segment->file_bytes = size;
    segment->sealed = true;
    struct stat file {};
    if (::stat(item.path().c_str(), &file) == 0) {
      segment->on_disk = true;
      segment->device = file.st_dev;
      segment->inode = file.st_ino;
    }
    spool->bytes_ += size;
    spool->disk_bytes_ += size;
    spool->next_id_ = std::max(spool->next_id_, *id + 1);
    spool->segments_.emplace(*id, std::move(segment));
  }
  if (ec) {
    return makeError("spool.open", "cannot read spool directory " + spool->options_.dir.string() +
                                       ": " + ec.message());
  }
  spool->rememberDirectory();
  spool->checkFreeSpace();
  if (!spool->segments_.empty()) {
    spool->active_ = true;
    spool->log_.info("spool holds events from a previous run; delivering them first",
                     {{"segments", spool->segments_.size()}, {"bytes", spool->bytes()}});
  }
  return spool;
}

Spool::Spool(SpoolOptions options)
    : options_(std::move(options)), reader_(std::make_unique<Reader>()) {}

Spool::~Spool() {
  // Best effort: whatever is still buffered is written so a restart can deliver it; its events
  // were never reported durable, so their sources will replay them anyway.
  [[maybe_unused]] auto synced = sync();
}

bool Spool::activate() {
  std::lock_guard lock(mutex_);
  if (active_) return false;
  retry_id_ = next_id_++;
  retry_open_ = true;
  active_ = true;
  return true;
}

bool Spool::retryLaneOpen() const {
  std::lock_guard lock(mutex_);
  return retry_open_;
}

void Spool::sealRetryLane() {
  std::lock_guard lock(mutex_);
  if (!retry_open_) return;
  retry_open_ = false;
  if (const auto it = segments_.find(*retry_id_); it != segments_.end()) it->second->sealed = true;
}

Spool::Segment& Spool::createSegmentLocked(uint64_t id) {
  auto segment = std::make_unique<Segment>(id, options_.dir / segmentName(id));
  segment->buffer.assign(kFileHeader.begin(), kFileHeader.end());
  segment->size = kFileHeader.size();
  buffered_bytes_ += kFileHeader.size();
  bytes_ += kFileHeader.size();
  new_files_ = true;
  return *segments_.emplace(id, std::move(segment)).first->second;
}

Spool::Segment& Spool::tailLocked() {
  if (tail_ != nullptr && tail_->size >= options_.segment_bytes) {
    tail_->sealed = true;
    tail_ = nullptr;
  }
  if (tail_ == nullptr) tail_ = &createSegmentLocked(next_id_++);
  return *tail_;
}

void Spool::appendLocked(Segment& segment, const Encoded& encoded, const SpoolEntry& entry) {
  std::string& out = segment.buffer;
  out.reserve(out.size() + encoded.total);
  out.append(encoded.head.data(), encoded.head.size());
  out.append(entry.topic);
  out.append(entry.key);
  out.append(entry.payload);
  segment.size += encoded.total;
  buffered_bytes_ += encoded.total;
  bytes_ += encoded.total;
  auto& runs = segment.events;
  if (!runs.empty() && runs.back().source == entry.source &&
      runs.back().first_seq + runs.back().count == entry.seq) {
    ++runs.back().count;
  } else {
    runs.push_back(EventRun{entry.source, entry.seq, 1});
  }
  ++events_held_;
}

Spool::AppendStatus Spool::append(const SpoolEntry& entry, const AppendControl& control) {
  if (!fits(entry)) return AppendStatus::kRejected;
  const Encoded encoded(entry);
  std::unique_lock lock(mutex_);
  auto may_append = [&] {
    SpoolWait wait = SpoolWait::kNone;
    if (!stopped_ && active_) {
      const bool room = bytes_ + encoded.total <= options_.max_bytes &&
                        buffered_bytes_ + encoded.total <= kMaxBufferedBytes;
      // An empty spool takes any entry, so one larger than the limit cannot wait forever.
      if (disk_low_) {
        wait = SpoolWait::kDiskLow;
      } else if (!segments_.empty() && !room) {
        wait = SpoolWait::kSpoolFull;
      }
    }
    if (control.waiting != nullptr) control.waiting->store(wait);
    return wait == SpoolWait::kNone;
  };
  const bool may = space_cv_.wait(lock, control.stop, may_append);
  if (control.waiting != nullptr) control.waiting->store(SpoolWait::kNone);
  if (stopped_ || !may) return AppendStatus::kStopped;
  if (!active_) return AppendStatus::kInactive;
  appendLocked(tailLocked(), encoded, entry);
  return AppendStatus::kAppended;
}

bool Spool::waitForDiskSpace(const AppendControl& control) {
  std::unique_lock lock(mutex_);
  const bool ready = space_cv_.wait(lock, control.stop, [&] {
    const bool wait = !stopped_ && disk_low_;
    if (control.waiting != nullptr) {
      control.waiting->store(wait ? SpoolWait::kDiskLow : SpoolWait::kNone);
    }
    return !wait;
  });
  return ready && !stopped_;
}

Spool::AppendStatus Spool::appendRetry(const SpoolEntry& entry) {
  if (!fits(entry)) return AppendStatus::kRejected;
  const Encoded encoded(entry);
  {
    std::lock_guard lock(mutex_);
    // The limit holds here too: an event that does not fit is given up, and since it was never
    // reported delivered its source's checkpoint stays before it, so it is read again.
    if (segments_.empty() || bytes_ + encoded.total <= options_.max_bytes) {
      appendRetryLocked(encoded, entry);
      dropping_retries_ = false;
      return AppendStatus::kAppended;
    }
    ++events_lost_;
    if (!std::exchange(dropping_retries_, true)) {
      log_.error("the spool is full: failed deliveries are given up and will be read again",
                 {{"spool", options_.dir.string()}, {"max_bytes", options_.max_bytes}});
    }
  }
  if (options_.on_loss) options_.on_loss("the spool was full when deliveries failed");
  return AppendStatus::kFull;
}

void Spool::appendRetryLocked(const Encoded& encoded, const SpoolEntry& entry) {
  if (!active_) {
    retry_id_ = next_id_++;
    retry_open_ = true;
    active_ = true;
  }
  Segment* target = nullptr;
  if (retry_open_) {
    const auto it = segments_.find(*retry_id_);
    target = it != segments_.end() ? it->second.get() : &createSegmentLocked(*retry_id_);
  } else {
    // Cannot happen while callers seal the lane only once no direct delivery is outstanding;
    // keeping the event matters more than its place in the order.
    log_.warn("a failed delivery arrived after the retry lane closed; spooling it last");
    target = &tailLocked();
  }
  appendLocked(*target, encoded, entry);
}

void Spool::stopAppends() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  space_cv_.notify_all();
}

Result<void> Spool::sync() {
  std::lock_guard sync_lock(sync_mutex_);
  struct Work {
    Segment* segment;
    std::string data;
    size_t written = 0;
  };
  std::vector<Work> work;
  bool sync_dir = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, segment] : segments_) {
      if (!segment->buffer.empty() || segment->file_bytes > segment->durable) {
        work.push_back(Work{segment.get(), std::move(segment->buffer)});
        segment->buffer.clear();
      }
    }
    if (work.empty()) return {};
    buffered_bytes_ = 0;
    sync_dir = std::exchange(new_files_, false);
  }
  space_cv_.notify_all();

  auto fail = [&](const std::string& what, int error) -> Result<void> {
    std::lock_guard lock(mutex_);
    for (auto& item : work) {
      std::string rest = item.data.substr(item.written);
      buffered_bytes_ += rest.size();
      item.segment->buffer.insert(0, rest);
    }
    new_files_ = new_files_ || sync_dir;
    if (!sync_failing_) {
      log_.error("cannot write the spool; events stay buffered and appends will pause",
                 {{"what", what}, {"error", errnoText(error)}});
    }
    sync_failing_ = true;
    return makeError("spool.write", what + ": " + errnoText(error));
  };

  for (auto& item : work) {
    Segment& segment = *item.segment;
    if (segment.fd < 0) {
      segment.fd = ::open(segment.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                          S_IRUSR | S_IWUSR);
      if (segment.fd < 0) return fail("open " + segment.path.string(), errno);
      struct stat file {};
      if (!segment.on_disk && ::fstat(segment.fd, &file) == 0) {
        segment.on_disk = true;
        segment.device = file.st_dev;
        segment.inode = file.st_ino;
      }
    }
    while (item.written < item.data.size()) {
      const ssize_t n =
          ::write(segment.fd, item.data.data() + item.written, item.data.size() - item.written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail("write " + segment.path.string(), n < 0 ? errno : EIO);
      item.written += static_cast<size_t>(n);
      segment.file_bytes += static_cast<uint64_t>(n);
      disk_bytes_ += static_cast<uint64_t>(n);
    }
    if (::fdatasync(segment.fd) != 0) return fail("fsync " + segment.path.string(), errno);
  }
  if (sync_dir) {
    const int dir_fd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return fail("open " + options_.dir.string(), errno);
    const int rc = ::fsync(dir_fd);
    const int error = errno;
    ::close(dir_fd);
    if (rc != 0) return fail("fsync " + options_.dir.string(), error);
  }
  {
    std::lock_guard lock(mutex_);
    for (auto& item : work) {
      Segment& segment = *item.segment;
      segment.durable = segment.file_bytes;
      if (segment.sealed && segment.buffer.empty() && segment.fd >= 0) {
        ::close(segment.fd);
        segment.fd = -1;
      }
    }
    if (sync_failing_) log_.info("spool writes work again");
    sync_failing_ = false;
  }
  return {};
}

void Spool::rememberDirectory() {
  struct stat dir {};
  if (::stat(options_.dir.c_str(), &dir) != 0) return;
  dir_device_ = dir.st_dev;
  dir_inode_ = dir.st_ino;
}

std::optional<std::string> Spool::checkFilesLocked() const {
  struct stat now {};
  if (::stat(options_.dir.c_str(), &now) != 0) {
    return "the spool directory " + options_.dir.string() +
           " (or a directory above it) was deleted";
  }
  if (now.st_dev != dir_device_ || now.st_ino != dir_inode_) {
    return "the spool directory " + options_.dir.string() + " was replaced";
  }
  for (const auto& [id, segment] : segments_) {
    if (!segment->on_disk) continue;
    const std::string name = segment->path.filename().string();
    if (::stat(segment->path.c_str(), &now) != 0) return "spool segment " + name + " was deleted";
    if (now.st_dev != segment->device || now.st_ino != segment->inode) {
      return "spool segment " + name + " was replaced";
    }
  }
  return std::nullopt;
}

void Spool::checkFreeSpace() {
  if (options_.min_free_bytes == 0) return;
  struct statvfs vfs {};
  if (::statvfs(options_.dir.c_str(), &vfs) != 0) return;
  const uint64_t free_bytes = uint64_t{vfs.f_bavail} * vfs.f_frsize;
  const bool low = free_bytes < options_.min_free_bytes;
  {
    std::lock_guard lock(mutex_);
    if (disk_low_.exchange(low) == low) return;
  }
  if (low) {
    log_.warn("free disk space is below the floor; connectors pause until it is freed",
              {{"spool", options_.dir.string()},
               {"free_bytes", free_bytes},
               {"min_free_bytes", options_.min_free_bytes}});
  } else {
    log_.info("free disk space is above the floor again", {{"free_bytes", free_bytes}});
    space_cv_.notify_all();
  }
}

std::optional<std::string> Spool::verify() {
  checkFreeSpace();
  Retired retired;
  {
    std::lock_guard sync_lock(sync_mutex_);
    std::lock_guard lock(mutex_);
    auto problem = checkFilesLocked();
    if (!problem) return std::nullopt;
    // Whatever the old files held is gone or no longer ours: count this run's events in them as
    // lost (their sources read them again), and spool into a new directory from here on. The
    // segments are kept in memory, as deliveries of their entries may still be reported.
    for (auto& [id, segment] : segments_) {
      retireLocked(*segment, retired, true);
      buffered_bytes_ -= segment->buffer.size();
      bytes_ -= segment->size;
      disk_bytes_ -= segment->file_bytes;
      segment->buffer.clear();
      if (segment->fd >= 0) ::close(segment->fd);
      segment->fd = -1;
      lost_.push_back(std::move(segment));
    }
    segments_.clear();
    tail_ = nullptr;
    reader_->closeSegment();
    reader_->next_id = 0;
    std::error_code ec;
    if (std::filesystem::create_directories(options_.dir, ec)) {
      std::filesystem::permissions(options_.dir, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
    rememberDirectory();
    new_files_ = true;
    retired.loss = *problem;
    log_.error("spooled data was removed while running; its events will be read again",
               {{"what", *problem}, {"events_lost", retired.lost}});
  }
  space_cv_.notify_all();
  report(retired);
  return retired.loss;
}

void Spool::retireLocked(Segment& segment, Retired& retired, bool lost) {
  uint64_t count = 0;
  for (const EventRun& run : segment.events) count += run.count;
  if (count == 0) return;
  events_held_ -= count;
  if (lost || segment.damaged) {
    retired.lost += count;
    if (retired.loss.empty()) {
      retired.loss = "damaged entries in spool segment " + segment.path.filename().string();
    }
  } else {
    retired.delivered.insert(retired.delivered.end(), segment.events.begin(), segment.events.end());
  }
  segment.events.clear();
}

void Spool::report(const Retired& retired) {
  if (options_.on_delivered) {
    for (const EventRun& run : retired.delivered) {
      for (uint64_t i = 0; i < run.count; ++i) options_.on_delivered(run.source, run.first_seq + i);
    }
  }
  if (retired.lost > 0) events_lost_ += retired.lost;
  if (!retired.loss.empty() && options_.on_loss) options_.on_loss(retired.loss);
}

Spool::Segment* Spool::nextSegmentToRead() {
  std::lock_guard lock(mutex_);
  if (retry_open_) return nullptr;
  const auto it = segments_.lower_bound(reader_->next_id);
  return it == segments_.end() ? nullptr : it->second.get();
}

void Spool::finishReadingSegment() {
  Reader& reader = *reader_;
  reader.segment->read_done = true;
  reader.next_id = reader.segment->id + 1;
  reader.closeSegment();
}

void Spool::reportCorrupt(Segment& segment, uint64_t offset, std::string_view reason) {
  corrupt_entries_.fetch_add(1, std::memory_order_relaxed);
  segment.damaged = true;
  log_.warn(
      "skipping damaged spool data",
      {{"segment", segment.path.filename().string()}, {"offset", offset}, {"reason", reason}});
}

const Spool::Drained* Spool::peek() {
  Reader& reader = *reader_;
  if (reader.current) return &*reader.current;
  while (true) {
    if (reader.segment == nullptr) {
      reader.segment = nextSegmentToRead();
      if (reader.segment == nullptr) return nullptr;
    }
    Segment& segment = *reader.segment;
    ReadStep step = ReadStep::kWait;
    if (reader.fd >= 0) step = readEntry(segment);
    if (step == ReadStep::kEntry) return &*reader.current;
    if (step == ReadStep::kEndOfSegment) {
      finishReadingSegment();
      continue;
    }
    // Out of bytes: look whether the segment grew or was sealed since the bounds were taken. Only
    // here, so that draining takes the appenders' lock once per batch rather than per entry.
    const uint64_t previous_limit = reader.limit;
    const bool previously_complete = reader.complete;
    {
      std::lock_guard lock(mutex_);
      reader.limit = segment.durable;
      reader.complete = segment.sealed && segment.durable == segment.size;
    }
    if (reader.fd < 0) {
      if (reader.limit == 0) {
        if (!reader.complete) return nullptr;
        finishReadingSegment();
        continue;
      }
      reader.fd = ::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (reader.fd < 0) {
        if (errno != ENOENT) return nullptr;  // try again on the next pass
        reportCorrupt(segment, 0, "segment file vanished");
        finishReadingSegment();
      }
      continue;
    }
    if (reader.limit == previous_limit && reader.complete == previously_complete) return nullptr;
  }
}

Spool::ReadStep Spool::readEntry(Segment& segment) {
  Reader& reader = *reader_;
  const uint64_t limit = reader.limit;
  // The bytes below the limit are all this segment will ever hold: a short entry is damage, not
  // one still being written.
  auto at_end = [&] { return reader.complete && reader.exhausted; };
  if (!reader.header_checked) {
    if (!reader.fill(kFileHeader.size(), limit)) {
      if (!at_end()) return ReadStep::kWait;
      if (reader.remaining() > 0) reportCorrupt(segment, 0, "truncated file header");
      return ReadStep::kEndOfSegment;
    }
    reader.header_checked = true;
    if (std::memcmp(reader.data(), kFileHeader.data(), kFileHeader.size()) == 0) {
      reader.pos += kFileHeader.size();
    } else {
      reportCorrupt(segment, 0, "unknown file header");
      reader.resyncing = true;
    }
  }
  // Damage is counted once per damaged stretch; the reader then looks for the next marker that
  // starts an entry with a valid checksum.
  auto skip = [&](std::string_view reason) {
    if (!reader.resyncing) reportCorrupt(segment, reader.offset(), reason);
    reader.resyncing = true;
    reader.pos += 1;
  };
  while (true) {
    if (reader.resyncing) {
      const uint32_t marker = kEntryMarker;
      const auto* found = static_cast<const char*>(
          ::memmem(reader.data(), reader.remaining(), &marker, sizeof marker));
      if (found == nullptr) {
        // Keep what could be the start of a marker cut off by the end of the buffer.
        if (reader.remaining() >= sizeof marker) reader.pos += reader.remaining() - 3;
        if (!reader.fill(reader.remaining() + 1, limit)) {
          return at_end() ? ReadStep::kEndOfSegment : ReadStep::kWait;
        }
        continue;
      }
      reader.pos = static_cast<size_t>(found - reader.buffer.data());
    }
    if (!reader.fill(kEntryHeaderBytes, limit)) {
      if (!at_end()) return ReadStep::kWait;
      if (reader.remaining() > 0 && !reader.resyncing) {
        reportCorrupt(segment, reader.offset(), "truncated entry");
      }
      return ReadStep::kEndOfSegment;
    }
    const uint32_t marker = get<uint32_t>(reader.data());
    const uint32_t body_length = get<uint32_t>(reader.data() + 4);
    const uint32_t crc = get<uint32_t>(reader.data() + 8);
    if (marker != kEntryMarker) {
      skip("bad entry marker");
      continue;
    }
    if (body_length < kBodyFixedBytes || body_length > kBodyFixedBytes + kMaxEntryBytes) {
      skip("bad entry length");
      continue;
    }
    if (!reader.fill(kEntryHeaderBytes + body_length, limit)) {
      if (!at_end()) return ReadStep::kWait;
      skip("truncated entry");
      continue;
    }
    const char* head = reader.data();
    const char* body = head + kEntryHeaderBytes;
    if (crc32cExtend(crc32cExtend(0, head + 4, 4), body, body_length) != crc) {
      skip("checksum mismatch");
      continue;
    }
    const auto source = get<uint32_t>(body);
    const auto seq = get<uint64_t>(body + 4);
    const auto topic_length = get<uint16_t>(body + 12);
    const auto key_length = get<uint32_t>(body + 14);
    if (kBodyFixedBytes + topic_length + uint64_t{key_length} > body_length) {
      skip("malformed entry");
      continue;
    }
    const char* topic = body + kBodyFixedBytes;
    const char* key = topic + topic_length;
    const char* payload = key + key_length;
    const size_t payload_length = body_length - kBodyFixedBytes - topic_length - key_length;
    reader.resyncing = false;
    reader.current = Drained{SpoolEntry{.topic = {topic, topic_length},
                                        .key = {key, key_length},
                                        .payload = {payload, payload_length},
                                        .source = source,
                                        .seq = seq},
                             &segment};
    reader.entry_end = reader.pos + kEntryHeaderBytes + body_length;
    return ReadStep::kEntry;
  }
}

void Spool::advance() {
  Reader& reader = *reader_;
  if (!reader.current) return;
  reader.pos = reader.entry_end;
  reader.current.reset();
  ++reader.segment->sent;
}

void Spool::acknowledge(Segment* segment) {
  segment->acked.fetch_add(1, std::memory_order_release);
}

void Spool::rewind() {
  reader_->closeSegment();
  reader_->next_id = 0;
  std::lock_guard lock(mutex_);
  for (auto& [id, segment] : segments_) {
    segment->read_done = false;
    segment->sent = 0;
    segment->acked.store(0, std::memory_order_relaxed);
  }
}

void Spool::deleteSegmentLocked(Segment& segment) {
  if (segment.fd >= 0) {
    ::close(segment.fd);
    segment.fd = -1;
  }
  if (::unlink(segment.path.c_str()) != 0 && errno != ENOENT) {
    log_.warn("cannot delete a delivered spool segment",
              {{"segment", segment.path.filename().string()}, {"error", errnoText(errno)}});
  }
  bytes_ -= segment.size;
  disk_bytes_ -= segment.file_bytes;
  buffered_bytes_ -= segment.buffer.size();
  if (tail_ == &segment) tail_ = nullptr;
}

uint64_t Spool::removeDelivered() {
  uint64_t freed = 0;
  Retired retired;
  {
    std::lock_guard sync_lock(sync_mutex_);
    std::lock_guard lock(mutex_);
    for (auto it = segments_.begin(); it != segments_.end();) {
      Segment& segment = *it->second;
      if (segment.read_done && segment.acked.load(std::memory_order_acquire) == segment.sent) {
        freed += segment.size;
        retireLocked(segment, retired, false);
        deleteSegmentLocked(segment);
        it = segments_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (freed > 0) space_cv_.notify_all();
  report(retired);
  return freed;
}

bool Spool::deactivateIfDrained() {
  Retired retired;
  {
    std::lock_guard sync_lock(sync_mutex_);
    std::lock_guard lock(mutex_);
    if (!active_ || retry_open_ || buffered_bytes_ > 0) return false;
    const Reader& reader = *reader_;
    for (const auto& [id, segment] : segments_) {
      const bool delivered = segment->acked.load(std::memory_order_acquire) == segment->sent;
      const bool read_to_end =
          segment->read_done ||
          (reader.segment == segment.get() && !reader.current && reader.offset() == segment->size &&
           segment->durable == segment->size);
      if (!delivered || !read_to_end) return false;
    }
    for (auto& [id, segment] : segments_) {
      retireLocked(*segment, retired, false);
      deleteSegmentLocked(*segment);
    }
    segments_.clear();
    tail_ = nullptr;
    retry_id_.reset();
    reader_->closeSegment();
    reader_->next_id = next_id_;
    active_ = false;
  }
  space_cv_.notify_all();
  report(retired);
  return true;
}

size_t Spool::segmentCount() const {
  std::lock_guard lock(mutex_);
  return segments_.size();
}

}  // namespace hearth::daemon::kafka
