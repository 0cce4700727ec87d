#include "daemon/kafka/publisher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/kafka/embedded_cluster.hpp"
#include "daemon/kafka/tests/test_consumer.hpp"

namespace hearth::daemon::kafka {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kTopic = "hearth.records";

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class RecordingObserver : public PublisherObserver {
 public:
  void delivered(std::string_view, std::span<const double> latencies_seconds) override {
    delivered_ += latencies_seconds.size();
    for (const double latency : latencies_seconds) EXPECT_GE(latency, 0.0);
  }
  void failed(std::string_view topic, std::string_view reason) override {
    ++failed_;
    std::lock_guard lock(mutex_);
    failure_reasons_.insert(std::string(topic) + ":" + std::string(reason));
  }
  void spoolBytes(uint64_t bytes) override { spool_bytes_ = bytes; }
  void kafkaAvailable(bool available) override {
    std::lock_guard lock(mutex_);
    availability_.push_back(available);
  }
  void spoolCorruptEntries(uint64_t total) override { corrupt_ = total; }

  uint64_t deliveredCount() const { return delivered_; }
  uint64_t failedCount() const { return failed_; }
  uint64_t corrupt() const { return corrupt_; }
  std::vector<bool> availability() const {
    std::lock_guard lock(mutex_);
    return availability_;
  }
  std::set<std::string> failureReasons() const {
    std::lock_guard lock(mutex_);
    return failure_reasons_;
  }

 private:
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> spool_bytes_{0};
  std::atomic<uint64_t> corrupt_{0};
  mutable std::mutex mutex_;
  std::vector<bool> availability_;
  std::set<std::string> failure_reasons_;
};

// Which events were reported durable, and how often.
class DurableLog {
 public:
  void record(uint32_t source, uint64_t seq) {
    std::lock_guard lock(mutex_);
    if (++counts_[{source, seq}] > 1) ++duplicates_;
    ++total_;
  }
  uint64_t total() const {
    std::lock_guard lock(mutex_);
    return total_;
  }
  uint64_t duplicates() const {
    std::lock_guard lock(mutex_);
    return duplicates_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<uint32_t, uint64_t>, int> counts_;
  uint64_t total_ = 0;
  uint64_t duplicates_ = 0;
};

OutboundEvent makeEvent(uint64_t i, size_t keys = 50, size_t payload_bytes = 200) {
  std::string payload = "{\"n\":" + std::to_string(i) + ",\"pad\":\"";
  payload.append(payload_bytes, 'x');
  payload += "\"}";
  return OutboundEvent{.topic = kTopic,
                       .key = "person-" + std::to_string(i % keys),
                       .payload = std::move(payload),
                       .source = static_cast<uint32_t>(i % 3),
                       .seq = i};
}

uint64_t eventNumber(const std::string& payload) {
  return std::stoull(payload.substr(5, payload.find(',') - 5));
}

// Every event in [0, count) arrived, and for each key the first arrivals are in publish order
// (a resend after a failure may repeat an event, which at-least-once allows).
void expectAllDeliveredInKeyOrder(const std::vector<testing::ConsumedMessage>& messages,
                                  uint64_t count) {
  std::set<uint64_t> seen;
  std::map<std::string, uint64_t> last_first_arrival;
  uint64_t repeats = 0;
  for (const auto& message : messages) {
    const uint64_t n = eventNumber(message.payload);
    ASSERT_EQ(message.key, "person-" + std::to_string(n % 50));
    if (!seen.insert(n).second) {
      ++repeats;
      continue;
    }
    auto [it, inserted] = last_first_arrival.try_emplace(message.key, n);
    if (!inserted) {
      EXPECT_LT(it->second, n) << "key " << message.key << " out of order";
      it->second = n;
    }
  }
  EXPECT_EQ(seen.size(), count);
  if (!seen.empty()) {
    EXPECT_EQ(*seen.rbegin(), count - 1);
  }
  ::testing::Test::RecordProperty("repeats", static_cast<int>(repeats));
}

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hearth_publisher_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto cluster = EmbeddedCluster::start();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    cluster_ = std::move(cluster).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  PublisherConfig config() {
    return PublisherConfig{
        .bootstrap_servers = cluster_->bootstrapServers(),
        .kafka_properties = {},
        .spool_dir = dir_ / "spool",
        .spool_max_bytes = uint64_t{1} << 30,
        .spool_min_free_bytes = 0,
        .message_timeout = 2s,
        .spool_sync_interval = 20ms,
        .probe_interval = 200ms,
        .probe_timeout = 500ms,
        .on_durable =
            [this](uint32_t source, std::span<const uint64_t> seqs) {
              for (const uint64_t seq : seqs) durable_.record(source, seq);
            },
        .on_events_lost = {},
        .on_refused = nullptr,
        .observer = &observer_,
    };
  }

  std::unique_ptr<Publisher> create(PublisherConfig config) {
    auto publisher = Publisher::create(std::move(config));
    EXPECT_TRUE(publisher.ok()) << (publisher.ok() ? "" : publisher.error().message);
    return publisher.ok() ? std::move(publisher).value() : nullptr;
  }

  // Kafka is down and the spool holds 64 KiB: a few hundred events fill it.
  std::unique_ptr<Publisher> createWithKafkaDownAndASmallSpool() {
    cluster_->setBrokersDown(true);
    auto cfg = config();
    cfg.spool_max_bytes = 64 << 10;
    return create(std::move(cfg));
  }

  std::vector<testing::ConsumedMessage> consume() {
    return testing::consumeAll(cluster_->bootstrapServers(), kTopic);
  }

  fs::path dir_;
  std::unique_ptr<EmbeddedCluster> cluster_;
  RecordingObserver observer_;
  DurableLog durable_;
};

// The CloudEvents Kafka binding: each message says it holds a whole event as JSON (structured
// mode), whether it went straight to Kafka or through the spool and a restart.
void expectStructuredCloudEvents(const std::vector<testing::ConsumedMessage>& messages) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"content-type", "application/cloudevents+json; charset=UTF-8"}};
  size_t wrong = 0;
  for (const auto& message : messages) {
    if (message.headers != expected && wrong++ < 3) {
      ADD_FAILURE() << "offset " << message.offset << " has " << message.headers.size()
                    << " headers, not exactly the structured-mode content-type";
    }
  }
  EXPECT_EQ(wrong, 0u);
}

TEST_F(PublisherTest, DeliversEveryEventOnceWithItsKeyAndReportsItDurableOnce) {
  auto publisher = create(config());
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(publisher->kafkaAvailable());
  constexpr uint64_t kEvents = 20'000;
  for (uint64_t i = 0; i < kEvents; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
  ASSERT_TRUE(publisher->flush(10s).ok());
  EXPECT_EQ(durable_.total(), kEvents);
  EXPECT_EQ(durable_.duplicates(), 0u);
  EXPECT_EQ(publisher->inFlight(), 0u);
  EXPECT_EQ(observer_.deliveredCount(), kEvents);
  EXPECT_EQ(observer_.failedCount(), 0u);
  EXPECT_FALSE(publisher->spooling());
  EXPECT_EQ(publisher->spoolBytes(), 0u);

  const auto messages = consume();
  EXPECT_EQ(messages.size(), kEvents);
  expectAllDeliveredInKeyOrder(messages, kEvents);
  expectStructuredCloudEvents(messages);
  // Partitioned by key: a key never appears in two partitions.
  std::map<std::string, int32_t> partition_of;
  for (const auto& message : messages) {
    auto [it, inserted] = partition_of.try_emplace(message.key, message.partition);
    EXPECT_EQ(it->second, message.partition) << message.key;
  }
}

// The confirmations one poll serves are handed on together, by source (the tracker then takes its
// lock once for them), and each event's once; flush() returns only once all are handed on.
TEST_F(PublisherTest, HandsOnAPollsConfirmationsInRunsEachOnce) {
  std::mutex mutex;
  std::map<uint32_t, std::vector<uint64_t>> confirmed;
  size_t runs = 0;
  auto cfg = config();
  cfg.on_durable = [&](uint32_t source, std::span<const uint64_t> seqs) {
    std::lock_guard lock(mutex);
    ++runs;
    confirmed[source].insert(confirmed[source].end(), seqs.begin(), seqs.end());
  };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  constexpr uint64_t kEvents = 20'000;
  for (uint64_t i = 0; i < kEvents; ++i) {
    OutboundEvent event = makeEvent(i);
    event.source = static_cast<uint32_t>(i % 3);
    event.seq = i / 3;
    ASSERT_TRUE(publisher->publish(std::move(event)));
  }
  ASSERT_TRUE(publisher->flush(10s).ok());
  std::lock_guard lock(mutex);
  size_t total = 0;
  for (auto& [source, seqs] : confirmed) {
    std::sort(seqs.begin(), seqs.end());
    EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end()) << "source " << source;
    EXPECT_EQ(seqs.back(), (kEvents - 1 - source) / 3) << "source " << source;
    total += seqs.size();
  }
  EXPECT_EQ(total, kEvents);
  EXPECT_EQ(confirmed.size(), 3u);
  EXPECT_LT(runs, kEvents / 10) << "confirmations were handed on one by one";
  EXPECT_EQ(observer_.deliveredCount(), kEvents);
}

// A publisher serves the delivery reports waiting as it goes, so that librdkafka's messages are
// mostly freed on the thread that allocated them; the poller thread serves the rest.
TEST_F(PublisherTest, APublishingThreadServesDeliveryReportsAsItGoes) {
  std::mutex mutex;
  std::map<std::thread::id, uint64_t> confirmed_on;
  auto cfg = config();
  cfg.on_durable = [&](uint32_t source, std::span<const uint64_t> seqs) {
    std::lock_guard lock(mutex);
    confirmed_on[std::this_thread::get_id()] += seqs.size();
    for (const uint64_t seq : seqs) durable_.record(source, seq);
  };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  auto servedHere = [&] {
    std::lock_guard lock(mutex);
    return confirmed_on[std::this_thread::get_id()];
  };
  // Far fewer than the producer's queue holds: it never fills, so only serving as it goes hands
  // confirmations on here. Events go on until some are, or there have been many.
  uint64_t published = 0;
  while (published < 20'000 || (servedHere() == 0 && published < 150'000)) {
    ASSERT_TRUE(publisher->publish(makeEvent(published++)));
  }
  const uint64_t served_here = servedHere();
  ASSERT_TRUE(publisher->flush(10s).ok());
  EXPECT_GT(served_here, 0u);
  EXPECT_EQ(durable_.total(), published);
  EXPECT_EQ(durable_.duplicates(), 0u);
}

TEST_F(PublisherTest, ConcurrentPublishersAreAllDelivered) {
  auto publisher = create(config());
  ASSERT_NE(publisher, nullptr);
  constexpr uint64_t kThreads = 4;
  constexpr uint64_t kPerThread = 5'000;
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        OutboundEvent event = makeEvent(t * kPerThread + i);
        event.source = static_cast<uint32_t>(t);
        event.seq = i;
        EXPECT_TRUE(publisher->publish(std::move(event)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(publisher->flush(10s).ok());
  EXPECT_EQ(durable_.total(), kThreads * kPerThread);
  EXPECT_EQ(durable_.duplicates(), 0u);
  EXPECT_EQ(consume().size(), kThreads * kPerThread);
}

TEST_F(PublisherTest, AFullProducerQueueSlowsPublishingWithoutLosingEvents) {
  auto cfg = config();
  cfg.kafka_properties["queue.buffering.max.messages"] = "200";
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  constexpr uint64_t kEvents = 5'000;
  for (uint64_t i = 0; i < kEvents; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
  ASSERT_TRUE(publisher->flush(10s).ok());
  EXPECT_EQ(durable_.total(), kEvents);
  EXPECT_EQ(durable_.duplicates(), 0u);
  EXPECT_FALSE(publisher->spooling());
  const auto messages = consume();
  EXPECT_EQ(messages.size(), kEvents);
  expectAllDeliveredInKeyOrder(messages, kEvents);
  expectStructuredCloudEvents(messages);
}

TEST_F(PublisherTest, StopWakesAPublishBlockedOnAFullProducerQueue) {
  auto cfg = config();
  cfg.message_timeout = 10s;
  cfg.kafka_properties["queue.buffering.max.messages"] = "10";
  cfg.kafka_properties["linger.ms"] = "5000";  // keeps the queue full
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (uint64_t i = 0;; ++i) {
      if (!publisher->publish(makeEvent(i))) break;
    }
    refused = true;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(refused);
  EXPECT_FALSE(publisher->spooling()) << "Kafka is reachable: a full queue is backpressure";
  publisher->stop();
  EXPECT_TRUE(waitFor([&] { return refused.load(); }, 1s));
  producer.join();
}

TEST_F(PublisherTest, CarriesSourceIdsThatDoNotFitThePackedForm) {
  std::vector<std::pair<uint32_t, uint64_t>> ids = {
      {0, 0}, {65535, (uint64_t{1} << 46) - 1}, {65536, 1}, {7, uint64_t{1} << 46}, {~0u, ~0ull}};
  std::mutex mutex;
  std::set<std::pair<uint32_t, uint64_t>> reported;
  auto cfg = config();
  cfg.on_durable = [&](uint32_t source, std::span<const uint64_t> seqs) {
    std::lock_guard lock(mutex);
    for (const uint64_t seq : seqs) reported.emplace(source, seq);
  };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  for (const auto& [source, seq] : ids) {
    OutboundEvent event = makeEvent(1);
    event.source = source;
    event.seq = seq;
    ASSERT_TRUE(publisher->publish(std::move(event)));
  }
  ASSERT_TRUE(publisher->flush(10s).ok());
  std::lock_guard lock(mutex);
  EXPECT_EQ(reported, (std::set<std::pair<uint32_t, uint64_t>>(ids.begin(), ids.end())));
}

TEST_F(PublisherTest, SpoolsThroughAnOutageThenDeliversEverythingInKeyOrder) {
  auto publisher = create(config());
  ASSERT_NE(publisher, nullptr);
  std::atomic<bool> keep_publishing{true};
  std::atomic<uint64_t> published{0};
  std::thread producer([&] {
    for (uint64_t i = 0; keep_publishing; ++i) {
      ASSERT_TRUE(publisher->publish(makeEvent(i)));
      published = i + 1;
      if (i % 100 == 99) std::this_thread::sleep_for(5ms);  // about 20,000 events a second
    }
  });

  std::this_thread::sleep_for(500ms);
  cluster_->setBrokersDown(true);
  EXPECT_TRUE(waitFor([&] { return !publisher->kafkaAvailable(); }, 5s))
      << "availability must follow an outage within seconds";
  EXPECT_TRUE(waitFor([&] { return publisher->spooling() && publisher->spoolBytes() > 0; }, 5s));
  // Events taken during the outage are only in the spool: not durable until Kafka has them, so
  // no checkpoint covers them. Events in flight when it began (if any: that depends on timing)
  // fail after the message timeout and are spooled in the retry lane, ahead of the newer ones;
  // the key-order check below holds either way.
  std::this_thread::sleep_for(500ms);
  const uint64_t durable_during_outage = durable_.total();
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(durable_.total(), durable_during_outage);
  EXPECT_LT(durable_.total(), published.load());

  cluster_->setBrokersDown(false);
  EXPECT_TRUE(waitFor([&] { return publisher->kafkaAvailable(); }, 5s))
      << "availability must follow recovery within seconds";
  std::this_thread::sleep_for(300ms);
  keep_publishing = false;
  producer.join();

  const uint64_t count = published;
  ASSERT_TRUE(waitFor([&] { return durable_.total() == count; }, 20s))
      << durable_.total() << " of " << count << " durable";
  ASSERT_TRUE(waitFor([&] { return !publisher->spooling(); }, 30s)) << "spool never drained";
  EXPECT_EQ(publisher->spoolBytes(), 0u);
  EXPECT_EQ(durable_.duplicates(), 0u);
  ASSERT_TRUE(publisher->flush(5s).ok());

  const auto availability = observer_.availability();
  ASSERT_GE(availability.size(), 3u);
  EXPECT_EQ(availability.front(), true);
  EXPECT_EQ(availability.back(), true);
  EXPECT_NE(std::find(availability.begin(), availability.end(), false), availability.end());

  const auto messages = consume();
  EXPECT_GE(messages.size(), count);
  expectAllDeliveredInKeyOrder(messages, count);
}

TEST_F(PublisherTest, BlocksWhileTheSpoolIsFullAndResumesWhenKafkaReturns) {
  auto publisher = createWithKafkaDownAndASmallSpool();
  ASSERT_NE(publisher, nullptr);
  EXPECT_FALSE(publisher->kafkaAvailable());

  constexpr uint64_t kEvents = 1000;
  std::atomic<uint64_t> returned{0};
  std::thread producer([&] {
    for (uint64_t i = 0; i < kEvents; ++i) {
      ASSERT_TRUE(publisher->publish(makeEvent(i, 50, 600)));
      returned = i + 1;
    }
  });
  std::this_thread::sleep_for(1s);
  const uint64_t stalled_at = returned;
  EXPECT_LT(stalled_at, kEvents);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(returned.load(), stalled_at) << "publish must block while the spool is full";
  EXPECT_LE(publisher->spoolBytes(), uint64_t{64 << 10});

  cluster_->setBrokersDown(false);
  ASSERT_TRUE(waitFor([&] { return returned == kEvents; }, 20s)) << "publish never resumed";
  producer.join();
  ASSERT_TRUE(waitFor([&] { return durable_.total() == kEvents; }, 20s));
  ASSERT_TRUE(waitFor([&] { return !publisher->spooling(); }, 20s));
  ASSERT_TRUE(publisher->flush(5s).ok());
  expectAllDeliveredInKeyOrder(consume(), kEvents);
}

TEST_F(PublisherTest, StopWakesAPublishBlockedOnAFullSpool) {
  auto publisher = createWithKafkaDownAndASmallSpool();
  ASSERT_NE(publisher, nullptr);
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (uint64_t i = 0;; ++i) {
      if (!publisher->publish(makeEvent(i, 50, 600))) break;
    }
    refused = true;
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(refused);
  publisher->stop();
  EXPECT_TRUE(waitFor([&] { return refused.load(); }, 2s));
  producer.join();
  EXPECT_FALSE(publisher->publish(makeEvent(0)));
}

TEST_F(PublisherTest, AStopRequestWakesAPublishBlockedOnAFullSpoolAndItSaysWhy) {
  auto publisher = createWithKafkaDownAndASmallSpool();
  ASSERT_NE(publisher, nullptr);
  std::stop_source stop;
  std::atomic<SpoolWait> waiting{SpoolWait::kNone};
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (uint64_t i = 0;; ++i) {
      if (!publisher->publish(makeEvent(i, 50, 600), AppendControl{stop.get_token(), &waiting})) {
        break;
      }
    }
    refused = true;
  });
  EXPECT_TRUE(waitFor([&] { return waiting.load() == SpoolWait::kSpoolFull; }, 5s));
  EXPECT_FALSE(refused);
  stop.request_stop();
  EXPECT_TRUE(waitFor([&] { return refused.load(); }, 2s));
  producer.join();
  EXPECT_EQ(waiting.load(), SpoolWait::kNone);
  // Only that connector gave up: the publisher still takes other events.
  EXPECT_TRUE(publisher->publish(makeEvent(0, 50, 10), AppendControl{}) ||
              publisher->spoolBytes() > 0);
}

TEST_F(PublisherTest, FailedDeliveriesBeyondTheSpoolLimitAreGivenUpAndReportedLost) {
  constexpr uint64_t kLimit = 1 << 20;
  constexpr uint64_t kEvents = 4000;  // about 2.5 MB in flight when Kafka goes away
  auto cfg = config();
  cfg.spool_max_bytes = kLimit;
  cfg.kafka_properties["linger.ms"] = "1500";  // keeps every event in librdkafka's queue
  std::atomic<uint64_t> losses{0};
  cfg.on_events_lost = [&](std::string_view) { ++losses; };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  for (uint64_t i = 0; i < kEvents; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i, 50, 600)));
  cluster_->setBrokersDown(true);
  ASSERT_TRUE(waitFor([&] { return publisher->spoolLostEvents() > 0; }, 10s));
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(publisher->spoolBytes(), kLimit);
  EXPECT_GT(losses.load(), 0u);
  EXPECT_EQ(durable_.total(), 0u);
  EXPECT_EQ(publisher->spoolLostEvents() + publisher->inFlight(), kEvents);
}

TEST_F(PublisherTest, SpooledEventsSurviveARestartAndAreDeliveredByTheNextRun) {
  cluster_->setBrokersDown(true);
  constexpr uint64_t kEvents = 500;
  {
    auto publisher = create(config());
    ASSERT_NE(publisher, nullptr);
    for (uint64_t i = 0; i < kEvents; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
    ASSERT_TRUE(publisher->flush(5s).ok());
    EXPECT_EQ(durable_.total(), 0u) << "spooled events are not delivered yet";
    EXPECT_GT(publisher->spoolBytes(), kEvents * 200);
  }
  cluster_->setBrokersDown(false);

  DurableLog second_run;
  auto cfg = config();
  cfg.on_durable = [&](uint32_t source, std::span<const uint64_t> seqs) {
    for (const uint64_t seq : seqs) second_run.record(source, seq);
  };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(publisher->spooling());
  ASSERT_TRUE(waitFor([&] { return !publisher->spooling(); }, 20s)) << "spool never drained";
  EXPECT_EQ(publisher->spoolBytes(), 0u);
  EXPECT_EQ(second_run.total(), 0u) << "the previous run's events were reported durable then";
  const auto messages = consume();
  expectAllDeliveredInKeyOrder(messages, kEvents);
  expectStructuredCloudEvents(messages);
}

TEST_F(PublisherTest, SkipsDamagedSpoolEntriesWithACount) {
  cluster_->setBrokersDown(true);
  constexpr uint64_t kEvents = 100;
  {
    auto publisher = create(config());
    ASSERT_NE(publisher, nullptr);
    for (uint64_t i = 0; i < kEvents; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
    ASSERT_TRUE(publisher->flush(5s).ok());
  }
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(dir_ / "spool")) files.push_back(item.path());
  ASSERT_EQ(files.size(), 1u);
  std::string bytes;
  {
    std::ifstream in(files[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t damaged = bytes.find("{\"n\":50,");
  ASSERT_NE(damaged, std::string::npos);
  bytes[damaged + 10] ^= 0x01;
  bytes.resize(bytes.size() - 10);  // and a torn tail: event 99
  std::ofstream(files[0], std::ios::binary | std::ios::trunc) << bytes;

  cluster_->setBrokersDown(false);
  auto publisher = create(config());
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(waitFor([&] { return !publisher->spooling(); }, 20s)) << "spool never drained";
  EXPECT_EQ(publisher->spoolCorruptEntries(), 2u);
  EXPECT_TRUE(waitFor([&] { return observer_.corrupt() == 2; }, 2s));

  std::set<uint64_t> numbers;
  for (const auto& message : consume()) numbers.insert(eventNumber(message.payload));
  EXPECT_EQ(numbers.size(), kEvents - 2);
  EXPECT_EQ(numbers.count(50), 0u);
  EXPECT_EQ(numbers.count(99), 0u);
}

TEST_F(PublisherTest, FlushMovesEventsKafkaHasNotConfirmedIntoTheSpool) {
  auto cfg = config();
  cfg.kafka_properties["linger.ms"] = "1500";  // nothing leaves librdkafka before the flush
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
  EXPECT_EQ(publisher->inFlight(), 10u);
  // A flush sends at once what librdkafka holds: with the brokers gone, nothing is confirmed.
  cluster_->setBrokersDown(true);
  ASSERT_TRUE(publisher->flush(300ms).ok());
  EXPECT_EQ(durable_.total(), 0u);
  EXPECT_EQ(publisher->inFlight(), 10u) << "spooled, still waiting for Kafka";
  EXPECT_TRUE(publisher->spooling());
  cluster_->setBrokersDown(false);
  ASSERT_TRUE(waitFor([&] { return !publisher->spooling(); }, 15s)) << "spool never drained";
  EXPECT_EQ(durable_.total(), 10u);
  EXPECT_EQ(durable_.duplicates(), 0u);
  EXPECT_EQ(publisher->inFlight(), 0u);
  expectAllDeliveredInKeyOrder(consume(), 10);
}

// The last events of a run do not wait out linger.ms: a flush sends them at once. Were they held
// for linger.ms (longer than the flush's deadline), the flush would end by moving them into the
// spool, unconfirmed.
TEST_F(PublisherTest, FlushSendsAtOnceWhatLingerWouldHold) {
  auto cfg = config();
  cfg.message_timeout = 120s;
  cfg.kafka_properties["linger.ms"] = "60000";
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(publisher->publish(makeEvent(i)));
  ASSERT_TRUE(publisher->flush(10s).ok());
  EXPECT_EQ(durable_.total(), 10u) << "confirmed by Kafka within the flush";
  EXPECT_EQ(publisher->inFlight(), 0u);
  EXPECT_FALSE(publisher->spooling());
  expectAllDeliveredInKeyOrder(consume(), 10);
}

TEST_F(PublisherTest, AvailabilityFollowsTheBrokersWhileIdle) {
  auto publisher = create(config());
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(publisher->kafkaAvailable());
  cluster_->setBrokersDown(true);
  EXPECT_TRUE(waitFor([&] { return !publisher->kafkaAvailable(); }, 5s));
  cluster_->setBrokersDown(false);
  EXPECT_TRUE(waitFor([&] { return publisher->kafkaAvailable(); }, 5s));
  EXPECT_EQ(observer_.availability(), (std::vector<bool>{true, false, true}));
}

TEST_F(PublisherTest, AnEventKafkaRefusesForGoodGoesToTheDeadLetterPathOnceAndNotDurable) {
  auto cfg = config();
  cfg.kafka_properties["message.max.bytes"] = "10000";
  std::mutex mutex;
  std::vector<RefusedEvent> refused;
  cfg.on_refused = [&](RefusedEvent event) {
    std::lock_guard lock(mutex);
    refused.push_back(std::move(event));
  };
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->publish(makeEvent(0, 50, 20'000)));
  ASSERT_TRUE(publisher->publish(makeEvent(1)));
  ASSERT_TRUE(publisher->flush(5s).ok());
  EXPECT_EQ(durable_.total(), 1u);
  EXPECT_EQ(observer_.failedCount(), 1u);
  EXPECT_EQ(observer_.failureReasons().count(std::string(kTopic) + ":MSG_SIZE_TOO_LARGE"), 1u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason, "MSG_SIZE_TOO_LARGE");
  EXPECT_EQ(refused[0].event.seq, 0u);
  EXPECT_EQ(refused[0].event.key, "person-0");
  EXPECT_EQ(refused[0].event.payload.size(), makeEvent(0, 50, 20'000).payload.size());
  EXPECT_FALSE(refused[0].already_durable);
}

TEST_F(PublisherTest, WithoutADeadLetterPathARefusedEventIsDroppedSoItsCheckpointMovesOn) {
  auto cfg = config();
  cfg.kafka_properties["message.max.bytes"] = "10000";
  auto publisher = create(std::move(cfg));
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->publish(makeEvent(0, 50, 20'000)));
  ASSERT_TRUE(publisher->publish(makeEvent(1)));
  ASSERT_TRUE(publisher->flush(5s).ok());
  EXPECT_EQ(durable_.total(), 2u);
  EXPECT_EQ(durable_.duplicates(), 0u);
}

TEST_F(PublisherTest, RefusesAnUnknownKafkaProperty) {
  auto cfg = config();
  cfg.kafka_properties["no.such.property"] = "1";
  auto publisher = Publisher::create(std::move(cfg));
  ASSERT_FALSE(publisher.ok());
  EXPECT_EQ(publisher.error().code, "kafka.config");
  EXPECT_NE(publisher.error().message.find("no.such.property"), std::string::npos);
}

}  // namespace
}  // namespace hearth::daemon::kafka
