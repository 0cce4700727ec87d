#include "daemon/kafka/spool.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hearth::daemon::kafka {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Stored {
  std::string topic;
  std::string key;
  std::string payload;
  uint32_t source = 0;
  uint64_t seq = 0;

  bool operator==(const Stored&) const = default;
  SpoolEntry view() const {
    return SpoolEntry{.topic = topic, .key = key, .payload = payload, .source = source, .seq = seq};
  }
};

Stored makeEvent(uint64_t i, size_t payload_bytes = 100) {
  std::string payload = "{\"id\":\"" + std::to_string(i) + "\",\"pad\":\"";
  payload.resize(std::max(payload.size(), payload_bytes), static_cast<char>('a' + i % 26));
  payload += "\"}";
  return Stored{"hearth.records", "person-" + std::to_string(i % 7), payload,
                static_cast<uint32_t>(i % 3), i};
}

Stored copyOf(const SpoolEntry& entry) {
  return Stored{std::string(entry.topic), std::string(entry.key), std::string(entry.payload),
                entry.source, entry.seq};
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hearth_spool_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Spool> open(uint64_t max_bytes = uint64_t{1} << 30, uint64_t segment_bytes = 0,
                              uint64_t min_free_bytes = 0) {
    auto spool = Spool::open(
        SpoolOptions{.dir = dir_,
                     .max_bytes = max_bytes,
                     .segment_bytes = segment_bytes,
                     .min_free_bytes = min_free_bytes,
                     .on_delivered = [this](uint32_t source,
                                            uint64_t seq) { delivered_.emplace_back(source, seq); },
                     .on_loss = [this](std::string_view what) { losses_.emplace_back(what); }});
    EXPECT_TRUE(spool.ok()) << (spool.ok() ? "" : spool.error().message);
    return spool.ok() ? std::move(spool).value() : nullptr;
  }

  // An active spool whose retry lane is closed, ready to append and drain.
  std::unique_ptr<Spool> openActive(uint64_t max_bytes = uint64_t{1} << 30,
                                    uint64_t segment_bytes = 0) {
    auto spool = open(max_bytes, segment_bytes);
    spool->activate();
    spool->sealRetryLane();
    return spool;
  }

  static void sync(Spool& spool) {
    auto synced = spool.sync();
    ASSERT_TRUE(synced.ok()) << synced.error().message;
  }

  static std::vector<Stored> drain(Spool& spool, bool acknowledge = true) {
    std::vector<Stored> out;
    while (const Spool::Drained* item = spool.peek()) {
      out.push_back(copyOf(item->entry));
      if (acknowledge) Spool::acknowledge(item->segment);
      spool.advance();
    }
    return out;
  }

  // Writes `count` events into a fresh spool and closes it, as a previous run would leave them.
  std::vector<Stored> writePreviousRun(size_t count, uint64_t segment_bytes = 0) {
    std::vector<Stored> events;
    auto spool = openActive(uint64_t{1} << 30, segment_bytes);
    for (size_t i = 0; i < count; ++i) {
      events.push_back(makeEvent(i));
      EXPECT_EQ(spool->append(events.back().view()), Spool::AppendStatus::kAppended);
    }
    sync(*spool);
    return events;
  }

  std::vector<fs::path> segmentFiles() const {
    std::vector<fs::path> files;
    for (const auto& item : fs::directory_iterator(dir_)) {
      if (item.path().extension() == ".spool") files.push_back(item.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  static std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static void writeAll(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  fs::path dir_;
  std::vector<std::pair<uint32_t, uint64_t>> delivered_;
  std::vector<std::string> losses_;
};

TEST_F(SpoolTest, StartsInactiveAndEmpty) {
  auto spool = open();
  EXPECT_FALSE(spool->active());
  EXPECT_EQ(spool->bytes(), 0u);
  EXPECT_EQ(spool->peek(), nullptr);
  EXPECT_EQ(spool->append(makeEvent(1).view()), Spool::AppendStatus::kInactive);
}

TEST_F(SpoolTest, ReadsBackAppendedEventsInOrderOnceSynced) {
  auto spool = openActive();
  std::vector<Stored> events;
  for (uint64_t i = 0; i < 100; ++i) {
    events.push_back(makeEvent(i));
    ASSERT_EQ(spool->append(events.back().view()), Spool::AppendStatus::kAppended);
  }
  EXPECT_EQ(spool->peek(), nullptr) << "nothing is readable before it is durable";
  sync(*spool);
  EXPECT_EQ(drain(*spool), events);
  EXPECT_GT(spool->bytes(), 100u * 100u);
}

TEST_F(SpoolTest, ReportsEventsDeliveredOnlyOnceKafkaHasTheirWholeSegment) {
  auto spool = openActive();
  ASSERT_EQ(spool->append(makeEvent(5).view()), Spool::AppendStatus::kAppended);
  ASSERT_EQ(spool->append(makeEvent(6).view()), Spool::AppendStatus::kAppended);
  EXPECT_EQ(spool->eventsHeld(), 2u);
  sync(*spool);
  EXPECT_TRUE(delivered_.empty()) << "an fsync is not a delivery: the checkpoint must wait";
  std::vector<Spool::Segment*> sent;
  while (const Spool::Drained* item = spool->peek()) {
    sent.push_back(item->segment);
    spool->advance();
  }
  ASSERT_EQ(sent.size(), 2u);
  Spool::acknowledge(sent[0]);
  EXPECT_FALSE(spool->deactivateIfDrained());
  EXPECT_TRUE(delivered_.empty());
  Spool::acknowledge(sent[1]);
  EXPECT_TRUE(spool->deactivateIfDrained());
  EXPECT_EQ(delivered_, (std::vector<std::pair<uint32_t, uint64_t>>{{2, 5}, {0, 6}}));
  EXPECT_EQ(spool->eventsHeld(), 0u);
  EXPECT_TRUE(losses_.empty());
}

TEST_F(SpoolTest, EventsOfADamagedSegmentAreReportedLostNotDelivered) {
  auto spool = openActive();
  std::vector<Stored> events;
  for (uint64_t i = 0; i < 10; ++i) {
    events.push_back(makeEvent(i));
    ASSERT_EQ(spool->append(events.back().view()), Spool::AppendStatus::kAppended);
  }
  sync(*spool);
  const auto file = segmentFiles().at(0);
  std::string bytes = readAll(file);
  bytes[bytes.find(events[4].payload) + 3] ^= 0x20;
  writeAll(file, bytes);

  const auto read = drain(*spool);
  EXPECT_EQ(read.size(), 9u);
  EXPECT_EQ(spool->corruptEntries(), 1u);
  EXPECT_TRUE(spool->deactivateIfDrained());
  EXPECT_TRUE(delivered_.empty()) << "the checkpoint must stay before the damaged entry";
  EXPECT_EQ(spool->eventsLost(), 10u);
  ASSERT_EQ(losses_.size(), 1u);
  EXPECT_NE(losses_[0].find("damaged"), std::string::npos) << losses_[0];
}

TEST_F(SpoolTest, ADeletedSegmentIsNoticedAndItsEventsReportedLost) {
  auto spool = openActive();
  for (uint64_t i = 0; i < 10; ++i) {
    ASSERT_EQ(spool->append(makeEvent(i).view()), Spool::AppendStatus::kAppended);
  }
  sync(*spool);
  EXPECT_EQ(spool->verify(), std::nullopt);
  const auto file = segmentFiles().at(0);
  fs::remove(file);
  const auto lost = spool->verify();
  ASSERT_TRUE(lost.has_value());
  EXPECT_NE(lost->find(file.filename().string()), std::string::npos) << *lost;
  EXPECT_NE(lost->find("deleted"), std::string::npos) << *lost;
  EXPECT_EQ(losses_, std::vector<std::string>{*lost});
  EXPECT_EQ(spool->eventsLost(), 10u);
  EXPECT_EQ(spool->eventsHeld(), 0u);
  EXPECT_EQ(spool->diskBytes(), 0u);

  // Spooling goes on in new files, and only what they hold is delivered.
  ASSERT_EQ(spool->append(makeEvent(20).view()), Spool::AppendStatus::kAppended);
  sync(*spool);
  EXPECT_EQ(drain(*spool), std::vector<Stored>{makeEvent(20)});
  EXPECT_TRUE(spool->deactivateIfDrained());
  EXPECT_EQ(delivered_, (std::vector<std::pair<uint32_t, uint64_t>>{{2, 20}}));
}

TEST_F(SpoolTest, AReplacedDirectoryIsNoticedAndSpoolingStartsAfresh) {
  auto spool = openActive();
  ASSERT_EQ(spool->append(makeEvent(1).view()), Spool::AppendStatus::kAppended);
  sync(*spool);
  fs::rename(dir_, dir_.string() + ".old");
  fs::create_directories(dir_);
  const auto lost = spool->verify();
  fs::remove_all(dir_.string() + ".old");
  ASSERT_TRUE(lost.has_value());
  EXPECT_NE(lost->find("replaced"), std::string::npos) << *lost;
  EXPECT_EQ(spool->eventsLost(), 1u);
  ASSERT_EQ(spool->append(makeEvent(2).view()), Spool::AppendStatus::kAppended);
  sync(*spool);
  EXPECT_EQ(segmentFiles().size(), 1u);
  EXPECT_EQ(spool->verify(), std::nullopt);
}

TEST_F(SpoolTest, AFailedDeliveryThatDoesNotFitIsGivenUpNotSpooledPastTheLimit) {
  constexpr uint64_t kMax = 16 << 10;
  auto spool = open(kMax, 4 << 10);
  uint64_t i = 0;
  Spool::AppendStatus status = Spool::AppendStatus::kAppended;
  while (status == Spool::AppendStatus::kAppended && i < 1000) {
    status = spool->appendRetry(makeEvent(i++, 1000).view());
  }
  EXPECT_EQ(status, Spool::AppendStatus::kFull);
  EXPECT_LE(spool->bytes(), kMax);
  EXPECT_EQ(spool->eventsLost(), 1u);
  EXPECT_FALSE(losses_.empty());
  sync(*spool);
  EXPECT_LE(spool->diskBytes(), kMax);
}

TEST_F(SpoolTest, AppendsWaitWhileTheDiskIsBelowTheFreeSpaceFloorAndSayWhy) {
  auto spool = open(uint64_t{1} << 30, 0, uint64_t{1} << 62);
  EXPECT_TRUE(spool->diskLow());
  spool->activate();
  spool->sealRetryLane();
  std::atomic<SpoolWait> waiting{SpoolWait::kNone};
  std::stop_source stop;
  auto blocked = std::async(std::launch::async, [&] {
    return spool->append(makeEvent(1).view(), AppendControl{stop.get_token(), &waiting});
  });
  EXPECT_EQ(blocked.wait_for(300ms), std::future_status::timeout);
  EXPECT_EQ(waiting.load(), SpoolWait::kDiskLow);
  stop.request_stop();
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), Spool::AppendStatus::kStopped);
  EXPECT_EQ(waiting.load(), SpoolWait::kNone);
}

TEST_F(SpoolTest, KeepsEmptyKeysAndBinaryPayloads) {
  auto spool = openActive();
  const Stored event{"t", "", std::string("\0\xff\x9c\x53\x48\xf1", 6), 70000, uint64_t{1} << 60};
  const Stored empty{"t", "k", "", 0, 0};
  ASSERT_EQ(spool->append(event.view()), Spool::AppendStatus::kAppended);
  ASSERT_EQ(spool->append(empty.view()), Spool::AppendStatus::kAppended);
  sync(*spool);
  EXPECT_EQ(drain(*spool), (std::vector<Stored>{event, empty}));
}

TEST_F(SpoolTest, DrainsTheRetryLaneBeforeNewEvents) {
  auto spool = open();
  ASSERT_TRUE(spool->activate());
  EXPECT_FALSE(spool->activate());
  const Stored new1 = makeEvent(10);
  const Stored new2 = makeEvent(11);
  const Stored failed1 = makeEvent(1);
  const Stored failed2 = makeEvent(2);
  ASSERT_EQ(spool->append(new1.view()), Spool::AppendStatus::kAppended);
  ASSERT_EQ(Spool::AppendStatus::kAppended, spool->appendRetry(failed1.view()));
  ASSERT_EQ(spool->append(new2.view()), Spool::AppendStatus::kAppended);
  ASSERT_EQ(Spool::AppendStatus::kAppended, spool->appendRetry(failed2.view()));
  sync(*spool);
  EXPECT_TRUE(spool->retryLaneOpen());
  EXPECT_EQ(spool->peek(), nullptr) << "nothing drains while failures may still arrive";
  spool->sealRetryLane();
  EXPECT_EQ(drain(*spool), (std::vector<Stored>{failed1, failed2, new1, new2}));
}

TEST_F(SpoolTest, AFailureWhileInactiveActivatesTheSpool) {
  auto spool = open();
  ASSERT_EQ(Spool::AppendStatus::kAppended, spool->appendRetry(makeEvent(1).view()));
  EXPECT_TRUE(spool->active());
  EXPECT_TRUE(spool->retryLaneOpen());
}

TEST_F(SpoolTest, DeliversSegmentsLeftByAPreviousRunFirstAndInOrder) {
  const auto events = writePreviousRun(300, 4096);
  ASSERT_GT(segmentFiles().size(), 3u);
  auto spool = open();
  EXPECT_TRUE(spool->active());
  EXPECT_FALSE(spool->retryLaneOpen());
  EXPECT_GT(spool->bytes(), 0u);
  // A new event goes behind the old ones.
  const Stored latest = makeEvent(1000);
  ASSERT_EQ(spool->append(latest.view()), Spool::AppendStatus::kAppended);
  sync(*spool);
  auto expected = events;
  expected.push_back(latest);
  EXPECT_EQ(drain(*spool), expected);
  EXPECT_GT(spool->removeDelivered(), 0u);
  EXPECT_TRUE(spool->deactivateIfDrained());
  EXPECT_EQ(spool->bytes(), 0u);
  EXPECT_TRUE(segmentFiles().empty());
  EXPECT_EQ(spool->corruptEntries(), 0u);
}

TEST_F(SpoolTest, SkipsAnEntryWithABadChecksumAndCountsIt) {
  auto events = writePreviousRun(10);
  const auto file = segmentFiles().at(0);
  std::string bytes = readAll(file);
  const size_t at = bytes.find(events[4].payload);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] ^= 0x20;
  writeAll(file, bytes);

  auto spool = open();
  events.erase(events.begin() + 4);
  EXPECT_EQ(drain(*spool), events);
  EXPECT_EQ(spool->corruptEntries(), 1u);
}

TEST_F(SpoolTest, SkipsATornTailAndCountsIt) {
  auto events = writePreviousRun(10);
  const auto file = segmentFiles().at(0);
  fs::resize_file(file, fs::file_size(file) - 20);
  auto spool = open();
  events.pop_back();
  EXPECT_EQ(drain(*spool), events);
  EXPECT_EQ(spool->corruptEntries(), 1u);
}

TEST_F(SpoolTest, ADamagedLengthDoesNotLoseTheEntriesAfterIt) {
  auto events = writePreviousRun(10);
  const auto file = segmentFiles().at(0);
  std::string bytes = readAll(file);
  const size_t payload_at = bytes.find(events[3].payload);
  // The entry starts before its body; its length field follows the 4-byte marker.
  const size_t entry_at = bytes.rfind(std::string("\xf1\x48\x53\x9c", 4), payload_at);
  ASSERT_NE(entry_at, std::string::npos);
  bytes.replace(entry_at + 4, 4, std::string("\xff\xff\xff\x0f", 4));
  writeAll(file, bytes);

  auto spool = open();
  events.erase(events.begin() + 3);
  EXPECT_EQ(drain(*spool), events);
  EXPECT_EQ(spool->corruptEntries(), 1u);
}

TEST_F(SpoolTest, AnUnknownFileHeaderIsCountedAndItsEntriesStillRead) {
  const auto events = writePreviousRun(10);
  const auto file = segmentFiles().at(0);
  std::string bytes = readAll(file);
  bytes.replace(0, 8, "GARBAGE!");
  writeAll(file, bytes);
  auto spool = open();
  EXPECT_EQ(drain(*spool), events);
  EXPECT_EQ(spool->corruptEntries(), 1u);
}

TEST_F(SpoolTest, IgnoresUnrelatedAndEmptyFiles) {
  fs::create_directories(dir_);
  writeAll(dir_ / "notes.txt", "operator's notes");
  writeAll(dir_ / "segment-00000000000000000007.spool", "");
  auto spool = open();
  EXPECT_FALSE(spool->active());
  EXPECT_TRUE(fs::exists(dir_ / "notes.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "segment-00000000000000000007.spool"));
}

// Random damage of every kind: the reader never crashes, and what it returns is a subsequence of
// what was written, each entry intact.
TEST_F(SpoolTest, RandomDamageNeverYieldsAnAlteredOrReorderedEvent) {
  const auto events = writePreviousRun(60);
  const auto file = segmentFiles().at(0);
  const std::string original = readAll(file);
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    std::mt19937 rng(seed);
    std::string bytes = original;
    const int damages = std::uniform_int_distribution<int>(1, 6)(rng);
    for (int d = 0; d < damages; ++d) {
      const size_t at = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng);
      switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.resize(at);
          break;
        case 2:
          bytes.insert(at, std::string(std::uniform_int_distribution<size_t>(1, 64)(rng), '\x9c'));
          break;
        default:
          bytes.erase(at, std::uniform_int_distribution<size_t>(1, 300)(rng));
          break;
      }
      if (bytes.empty()) bytes = "x";
    }
    writeAll(file, bytes);
    auto spool = open();
    const auto read = drain(*spool);
    size_t next = 0;
    for (const auto& event : read) {
      while (next < events.size() && !(events[next] == event)) ++next;
      ASSERT_LT(next, events.size())
          << "seed " << seed << ": an event not written, or out of order";
      ++next;
    }
  }
}

// Appends equal-sized events until the next one would not fit; returns how many.
uint64_t fillUpTo(Spool& spool, uint64_t max_bytes) {
  uint64_t count = 0;
  uint64_t entry_bytes = 0;
  while (entry_bytes == 0 || spool.bytes() + entry_bytes <= max_bytes) {
    const uint64_t before = spool.bytes();
    EXPECT_EQ(spool.append(makeEvent(count++, 1000).view()), Spool::AppendStatus::kAppended);
    if (count == 2) entry_bytes = spool.bytes() - before;
  }
  return count;
}

TEST_F(SpoolTest, BlocksAppendsWhileFullUntilDeliveredSegmentsAreRemoved) {
  constexpr uint64_t kMax = 64 << 10;
  auto spool = openActive(kMax, 8 << 10);
  const uint64_t i = fillUpTo(*spool, kMax);
  sync(*spool);
  auto blocked =
      std::async(std::launch::async, [&] { return spool->append(makeEvent(i, 1000).view()); });
  EXPECT_EQ(blocked.wait_for(300ms), std::future_status::timeout);
  EXPECT_LE(spool->bytes(), kMax);

  drain(*spool);
  EXPECT_GT(spool->removeDelivered(), 0u);
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), Spool::AppendStatus::kAppended);
}

TEST_F(SpoolTest, StopWakesABlockedAppend) {
  auto spool = openActive(64 << 10, 8 << 10);
  fillUpTo(*spool, 64 << 10);
  auto blocked =
      std::async(std::launch::async, [&] { return spool->append(makeEvent(0, 1000).view()); });
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);
  spool->stopAppends();
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), Spool::AppendStatus::kStopped);
}

TEST_F(SpoolTest, AStopRequestWakesABlockedAppendWhichSaysTheSpoolIsFull) {
  auto spool = openActive(64 << 10, 8 << 10);
  fillUpTo(*spool, 64 << 10);
  std::atomic<SpoolWait> waiting{SpoolWait::kNone};
  std::stop_source stop;
  auto blocked = std::async(std::launch::async, [&] {
    return spool->append(makeEvent(0, 1000).view(), AppendControl{stop.get_token(), &waiting});
  });
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);
  EXPECT_EQ(waiting.load(), SpoolWait::kSpoolFull);
  stop.request_stop();
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), Spool::AppendStatus::kStopped);
}

TEST_F(SpoolTest, AnEmptySpoolTakesAnEntryLargerThanItsLimit) {
  auto spool = openActive(1024, 512);
  EXPECT_EQ(spool->append(makeEvent(1, 4000).view()), Spool::AppendStatus::kAppended);
}

TEST_F(SpoolTest, KeepsASegmentUntilEveryEntryIsAcknowledged) {
  writePreviousRun(20);
  auto spool = open();
  std::vector<Spool::Segment*> segments;
  while (const Spool::Drained* item = spool->peek()) {
    segments.push_back(item->segment);
    spool->advance();
  }
  ASSERT_EQ(segments.size(), 20u);
  EXPECT_EQ(spool->removeDelivered(), 0u);
  for (size_t i = 0; i + 1 < segments.size(); ++i) Spool::acknowledge(segments[i]);
  EXPECT_EQ(spool->removeDelivered(), 0u);
  Spool::acknowledge(segments.back());
  EXPECT_GT(spool->removeDelivered(), 0u);
  EXPECT_TRUE(segmentFiles().empty());
}

TEST_F(SpoolTest, RewindReadsUnacknowledgedEntriesAgain) {
  const auto events = writePreviousRun(10);
  auto spool = open();
  EXPECT_EQ(drain(*spool, /*acknowledge=*/false), events);
  EXPECT_EQ(spool->peek(), nullptr);
  spool->rewind();
  EXPECT_EQ(drain(*spool), events);
  EXPECT_GT(spool->removeDelivered(), 0u);
}

TEST_F(SpoolTest, DeactivatesOnlyOnceEverythingIsDelivered) {
  auto spool = openActive();
  ASSERT_EQ(spool->append(makeEvent(1).view()), Spool::AppendStatus::kAppended);
  EXPECT_FALSE(spool->deactivateIfDrained()) << "not yet synced";
  sync(*spool);
  EXPECT_FALSE(spool->deactivateIfDrained()) << "not yet sent";
  const Spool::Drained* item = spool->peek();
  ASSERT_NE(item, nullptr);
  Spool::Segment* segment = item->segment;
  spool->advance();
  EXPECT_FALSE(spool->deactivateIfDrained()) << "not yet acknowledged";
  Spool::acknowledge(segment);
  EXPECT_TRUE(spool->deactivateIfDrained());
  EXPECT_FALSE(spool->active());
  EXPECT_EQ(spool->bytes(), 0u);
  EXPECT_TRUE(segmentFiles().empty());
  EXPECT_EQ(spool->append(makeEvent(2).view()), Spool::AppendStatus::kInactive);

  // A second outage starts a fresh lane and tail.
  ASSERT_TRUE(spool->activate());
  ASSERT_EQ(spool->append(makeEvent(3).view()), Spool::AppendStatus::kAppended);
  ASSERT_EQ(Spool::AppendStatus::kAppended, spool->appendRetry(makeEvent(2).view()));
  spool->sealRetryLane();
  sync(*spool);
  EXPECT_EQ(drain(*spool), (std::vector<Stored>{makeEvent(2), makeEvent(3)}));
}

TEST_F(SpoolTest, ReadsTheTailWhileItIsStillBeingAppended) {
  auto spool = openActive();
  std::vector<Stored> events;
  std::vector<Stored> read;
  for (uint64_t round = 0; round < 5; ++round) {
    for (uint64_t i = 0; i < 10; ++i) {
      events.push_back(makeEvent(round * 10 + i));
      ASSERT_EQ(spool->append(events.back().view()), Spool::AppendStatus::kAppended);
    }
    sync(*spool);
    const auto more = drain(*spool);
    read.insert(read.end(), more.begin(), more.end());
  }
  EXPECT_EQ(read, events);
  EXPECT_TRUE(spool->deactivateIfDrained());
}

}  // namespace
}  // namespace hearth::daemon::kafka
