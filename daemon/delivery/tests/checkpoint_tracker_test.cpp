#include "daemon/delivery/checkpoint_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hearth::daemon::delivery {
namespace {

constexpr uint32_t kSource = 7;

// The rule stated directly: a checkpoint is committable when every event emitted before it is
// acknowledged; takeCommittable returns the newest such checkpoint not returned before.
class ReferenceModel {
 public:
  uint64_t emit() {
    acked_.push_back(false);
    return acked_.size() - 1;
  }
  void checkpoint(std::string token) { checkpoints_.push_back({acked_.size(), std::move(token)}); }
  void ack(uint64_t seq) { acked_.at(seq) = true; }

  std::optional<std::string> take() {
    const auto first_unacked =
        static_cast<size_t>(std::find(acked_.begin(), acked_.end(), false) - acked_.begin());
    std::optional<size_t> newest;
    for (size_t i = 0; i < checkpoints_.size(); ++i) {
      if (checkpoints_[i].events_before <= first_unacked) newest = i;
    }
    if (!newest || (taken_ && *newest <= *taken_)) return std::nullopt;
    taken_ = newest;
    return checkpoints_[*newest].token;
  }

  uint64_t outstanding() const {
    return static_cast<uint64_t>(std::count(acked_.begin(), acked_.end(), false));
  }

 private:
  struct Checkpoint {
    size_t events_before;
    std::string token;
  };
  std::vector<bool> acked_;
  std::vector<Checkpoint> checkpoints_;
  std::optional<size_t> taken_;
};

TEST(CheckpointTracker, NumbersEachSourcesEventsFromZero) {
  CheckpointTracker tracker;
  EXPECT_EQ(tracker.onEmitted(1), 0u);
  EXPECT_EQ(tracker.onEmitted(1), 1u);
  EXPECT_EQ(tracker.onEmitted(2), 0u);
  EXPECT_EQ(tracker.onEmitted(1), 2u);
  EXPECT_EQ(tracker.outstanding(1), 3u);
  EXPECT_EQ(tracker.outstanding(2), 1u);
  EXPECT_EQ(tracker.outstanding(99), 0u);
}

TEST(CheckpointTracker, CheckpointWithNothingBeforeItIsCommittableAtOnce) {
  CheckpointTracker tracker;
  tracker.onCheckpoint(kSource, "start");
  EXPECT_EQ(tracker.takeCommittable(kSource), "start");
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
}

TEST(CheckpointTracker, CheckpointWaitsForEveryEarlierEvent) {
  CheckpointTracker tracker;
  const uint64_t a = tracker.onEmitted(kSource);
  const uint64_t b = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "after-b");
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
  tracker.onAcked(kSource, b);
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
  tracker.onAcked(kSource, a);
  EXPECT_EQ(tracker.takeCommittable(kSource), "after-b");
  EXPECT_EQ(tracker.pendingCheckpoints(kSource), 0u);
}

// A checkpoint is pending from the moment the source emits it until it is saved: waiting for its
// events, committable, and taken but not yet saved.
TEST(CheckpointTracker, ACheckpointIsPendingUntilItIsSaved) {
  CheckpointTracker tracker;
  EXPECT_FALSE(tracker.checkpointPending(kSource)) << "a source that never emitted";
  const uint64_t a = tracker.onEmitted(kSource);
  EXPECT_FALSE(tracker.checkpointPending(kSource)) << "events alone are not a checkpoint";
  tracker.onCheckpoint(kSource, "after-a");
  EXPECT_TRUE(tracker.checkpointPending(kSource)) << "waiting for its event";
  tracker.onAcked(kSource, a);
  EXPECT_TRUE(tracker.checkpointPending(kSource)) << "committable, not taken";
  EXPECT_EQ(tracker.takeCommittable(kSource), "after-a");
  EXPECT_TRUE(tracker.checkpointPending(kSource)) << "taken, not saved";
  tracker.onSaved(kSource);
  EXPECT_FALSE(tracker.checkpointPending(kSource));
}

TEST(CheckpointTracker, EventsAfterACheckpointDoNotHoldItBack) {
  CheckpointTracker tracker;
  const uint64_t a = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "after-a");
  tracker.onEmitted(kSource);
  tracker.onEmitted(kSource);
  tracker.onAcked(kSource, a);
  EXPECT_EQ(tracker.takeCommittable(kSource), "after-a");
  EXPECT_EQ(tracker.outstanding(kSource), 2u);
}

TEST(CheckpointTracker, NewestFullyAcknowledgedCheckpointSupersedesOlderOnes) {
  CheckpointTracker tracker;
  const uint64_t e0 = tracker.onEmitted(kSource);
  const uint64_t e1 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c1");
  const uint64_t e2 = tracker.onEmitted(kSource);
  const uint64_t e3 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c2");
  const uint64_t e4 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c3");
  EXPECT_EQ(tracker.pendingCheckpoints(kSource), 3u);

  tracker.onAcked(kSource, e3);
  tracker.onAcked(kSource, e2);
  tracker.onAcked(kSource, e4);
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
  tracker.onAcked(kSource, e0);
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
  tracker.onAcked(kSource, e1);
  EXPECT_EQ(tracker.takeCommittable(kSource), "c3");
  EXPECT_EQ(tracker.pendingCheckpoints(kSource), 0u);
  EXPECT_EQ(tracker.outstanding(kSource), 0u);
}

TEST(CheckpointTracker, ConsecutiveCheckpointsWaitAsOne) {
  CheckpointTracker tracker;
  const uint64_t e0 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c1");
  tracker.onCheckpoint(kSource, "c2");
  tracker.onCheckpoint(kSource, "c3");
  EXPECT_EQ(tracker.pendingCheckpoints(kSource), 1u);
  tracker.onAcked(kSource, e0);
  EXPECT_EQ(tracker.takeCommittable(kSource), "c3");
}

TEST(CheckpointTracker, EachCommittableCheckpointIsReturnedOnce) {
  CheckpointTracker tracker;
  const uint64_t e0 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c1");
  const uint64_t e1 = tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "c2");
  tracker.onAcked(kSource, e0);
  EXPECT_EQ(tracker.takeCommittable(kSource), "c1");
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
  tracker.onAcked(kSource, e1);
  EXPECT_EQ(tracker.takeCommittable(kSource), "c2");
  EXPECT_EQ(tracker.takeCommittable(kSource), std::nullopt);
}

TEST(CheckpointTracker, SourcesAreIndependent) {
  CheckpointTracker tracker;
  const uint64_t a = tracker.onEmitted(1);
  tracker.onCheckpoint(1, "one");
  tracker.onEmitted(2);
  tracker.onCheckpoint(2, "two");
  tracker.onAcked(1, a);
  EXPECT_EQ(tracker.takeCommittable(1), "one");
  EXPECT_EQ(tracker.takeCommittable(2), std::nullopt);
  EXPECT_EQ(tracker.takeCommittable(3), std::nullopt);
}

// The connectors' slots are found directly, other ids through the map: both alike.
TEST(CheckpointTracker, HighAndLowSourceIdsAreTrackedAlike) {
  CheckpointTracker tracker;
  for (const uint32_t source : {0u, 255u, 256u, 70000u}) {
    EXPECT_EQ(tracker.sinceCommittable(source), 0u) << source;
    const uint64_t first = tracker.onEmitted(source);
    const uint64_t second = tracker.onEmitted(source);
    EXPECT_EQ(first, 0u) << source;
    EXPECT_EQ(second, 1u) << source;
    tracker.onCheckpoint(source, "after two of " + std::to_string(source));
    tracker.onAcked(source, second);
    EXPECT_EQ(tracker.takeCommittable(source), std::nullopt) << source;
    tracker.onAcked(source, first);
    EXPECT_EQ(tracker.takeCommittable(source), "after two of " + std::to_string(source));
    EXPECT_EQ(tracker.outstanding(source), 0u) << source;
  }
}

// Every acknowledgement order of a few small emission patterns, checked after each step.
TEST(CheckpointTracker, AgreesWithTheReferenceModelForEveryAckOrderOfSmallPatterns) {
  const std::vector<std::string> patterns = {"eCe", "eeCeC", "CeeCCeC", "eCeCeCe", "eeeCeeC"};
  for (const auto& pattern : patterns) {
    size_t event_count = static_cast<size_t>(std::count(pattern.begin(), pattern.end(), 'e'));
    std::vector<uint64_t> order(event_count);
    std::iota(order.begin(), order.end(), 0);
    do {
      CheckpointTracker tracker;
      ReferenceModel model;
      int token = 0;
      for (char step : pattern) {
        if (step == 'e') {
          ASSERT_EQ(tracker.onEmitted(kSource), model.emit());
        } else {
          const std::string name = "c" + std::to_string(token++);
          tracker.onCheckpoint(kSource, name);
          model.checkpoint(name);
        }
      }
      for (uint64_t seq : order) {
        tracker.onAcked(kSource, seq);
        model.ack(seq);
        ASSERT_EQ(tracker.takeCommittable(kSource), model.take()) << pattern;
        ASSERT_EQ(tracker.outstanding(kSource), model.outstanding());
      }
    } while (std::next_permutation(order.begin(), order.end()));
  }
}

// Long random interleavings of emitting, checkpointing, acknowledging in random order and taking.
TEST(CheckpointTracker, AgreesWithTheReferenceModelForRandomInterleavings) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    CheckpointTracker tracker;
    ReferenceModel model;
    std::vector<uint64_t> unacked;
    int token = 0;
    for (int step = 0; step < 2000; ++step) {
      const int action = std::uniform_int_distribution<int>(0, 99)(rng);
      if (action < 40) {
        const uint64_t seq = tracker.onEmitted(kSource);
        ASSERT_EQ(seq, model.emit());
        unacked.push_back(seq);
      } else if (action < 50) {
        const std::string name = "c" + std::to_string(token++);
        tracker.onCheckpoint(kSource, name);
        model.checkpoint(name);
      } else if (action < 90 && !unacked.empty()) {
        const size_t pick = std::uniform_int_distribution<size_t>(0, unacked.size() - 1)(rng);
        const uint64_t seq = unacked[pick];
        unacked[pick] = unacked.back();
        unacked.pop_back();
        tracker.onAcked(kSource, seq);
        model.ack(seq);
      } else {
        ASSERT_EQ(tracker.takeCommittable(kSource), model.take()) << "seed " << seed;
      }
      ASSERT_EQ(tracker.outstanding(kSource), model.outstanding());
    }
    for (uint64_t seq : unacked) {
      tracker.onAcked(kSource, seq);
      model.ack(seq);
    }
    ASSERT_EQ(tracker.takeCommittable(kSource), model.take()) << "seed " << seed;
    ASSERT_EQ(tracker.pendingCheckpoints(kSource), 0u);
  }
}

// A connector thread emits while the delivery thread acknowledges in shuffled batches, as Kafka
// partitions complete at different times.
TEST(CheckpointTracker, EmittingAndAcknowledgingOnDifferentThreadsCommitsTheLastCheckpoint) {
  CheckpointTracker tracker;
  constexpr uint64_t kEvents = 200'000;
  constexpr uint64_t kCheckpointEvery = 1'000;
  std::atomic<uint64_t> emitted{0};
  std::vector<std::string> committed;

  std::thread connector([&] {
    for (uint64_t i = 0; i < kEvents; ++i) {
      tracker.onEmitted(kSource);
      emitted.store(i + 1, std::memory_order_release);
      if ((i + 1) % kCheckpointEvery == 0) tracker.onCheckpoint(kSource, std::to_string(i + 1));
    }
  });
  std::thread delivery([&] {
    std::mt19937 rng(42);
    uint64_t acked = 0;
    std::vector<uint64_t> batch;
    while (acked < kEvents) {
      const uint64_t available = emitted.load(std::memory_order_acquire);
      const uint64_t end = std::min(available, acked + 4096);
      batch.clear();
      for (uint64_t seq = acked; seq < end; ++seq) batch.push_back(seq);
      std::shuffle(batch.begin(), batch.end(), rng);
      for (uint64_t seq : batch) tracker.onAcked(kSource, seq);
      acked = end;
      if (auto token = tracker.takeCommittable(kSource)) committed.push_back(*token);
    }
  });
  connector.join();
  delivery.join();
  if (auto token = tracker.takeCommittable(kSource)) committed.push_back(*token);

  ASSERT_FALSE(committed.empty());
  EXPECT_EQ(committed.back(), std::to_string(kEvents));
  for (size_t i = 1; i < committed.size(); ++i) {
    EXPECT_LT(std::stoull(committed[i - 1]), std::stoull(committed[i]));
  }
  EXPECT_EQ(tracker.outstanding(kSource), 0u);
  EXPECT_EQ(tracker.pendingCheckpoints(kSource), 0u);
}

TEST(CheckpointTracker, CountsTheEventsEmittedSinceTheNewestCommittableCheckpoint) {
  CheckpointTracker tracker;
  for (int i = 0; i < 3; ++i) tracker.onEmitted(kSource);
  tracker.onCheckpoint(kSource, "a");
  for (int i = 0; i < 2; ++i) tracker.onEmitted(kSource);
  // Nothing acknowledged: a crash would emit all five again.
  EXPECT_EQ(tracker.sinceCommittable(kSource), 5u);
  // Acknowledged out of order: the last two do not move the committable point.
  tracker.onAcked(kSource, 4);
  tracker.onAcked(kSource, 3);
  EXPECT_EQ(tracker.sinceCommittable(kSource), 5u);
  for (uint64_t seq = 0; seq < 3; ++seq) tracker.onAcked(kSource, seq);
  EXPECT_EQ(tracker.sinceCommittable(kSource), 2u);
}

}  // namespace
}  // namespace hearth::daemon::delivery
