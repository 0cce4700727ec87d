#pragma once

#include <librdkafka/rdkafka.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/result.hpp"
#include "daemon/kafka/outbound_event.hpp"
#include "daemon/kafka/rdkafka_handles.hpp"
#include "daemon/kafka/spool.hpp"
#include "daemon/log/logger.hpp"

namespace hearth::daemon::kafka {

/// What the publisher measures, for the metrics component to expose. Called from the publisher's
/// threads and from publish() calls waiting for queue space, so implementations must be
/// thread-safe and quick.
struct PublisherObserver {
  virtual ~PublisherObserver() = default;
  /// Kafka confirmed events of `topic`, one latency each (from produce to the delivery report):
  /// the confirmations one poll of librdkafka served, handed on together.
  virtual void delivered(std::string_view topic, std::span<const double> latencies_seconds) = 0;
  /// Kafka reported an event as failed, with librdkafka's error name as the reason. Transient
  /// failures are spooled and retried; permanent ones (see Publisher) are not.
  virtual void failed(std::string_view topic, std::string_view reason) = 0;
  /// The disk spool's files now hold this many bytes.
  virtual void spoolBytes(uint64_t bytes) = 0;
  /// Kafka became reachable (true) or unreachable (false).
  virtual void kafkaAvailable(bool available) = 0;
  /// Damaged spool entries skipped since start-up (a running total).
  virtual void spoolCorruptEntries(uint64_t /*total*/) {}
  /// librdkafka's statistics JSON, every statistics.interval.ms (when that is set).
  virtual void statistics(std::string_view /*json*/) {}
};

struct PublisherConfig {
  std::string bootstrap_servers;
  /// librdkafka properties applied after Hearth's defaults, so they can override them (security,
  /// SASL, tuning).
  std::map<std::string, std::string> kafka_properties;
  /// Usually `<state_dir>/spool`.
  std::filesystem::path spool_dir;
  uint64_t spool_max_bytes = uint64_t{1} << 30;
  /// Spooling pauses while the spool's file system has less free space than this (0: off).
  uint64_t spool_min_free_bytes = 0;
  /// How long librdkafka retries an event before it goes to the spool instead.
  std::chrono::milliseconds message_timeout{10'000};
  /// How often spooled events are fsynced (and so reported durable).
  std::chrono::milliseconds spool_sync_interval{20};
  /// How often the broker is probed for /readyz, and how long a probe may take.
  std::chrono::milliseconds probe_interval{1'000};
  std::chrono::milliseconds probe_timeout{1'500};
  /// Called at most once per accepted event when Kafka has confirmed it, directly or from the
  /// spool, with the sequence numbers of a run of confirmed events of one source (the
  /// confirmations of one poll go together). Runs on the publisher's threads, or inside a
  /// publish() call that is waiting for queue space; must be thread-safe, must not block and must
  /// not call publish().
  std::function<void(uint32_t source, std::span<const uint64_t> seqs)> on_durable;
  /// Called when accepted events that were never confirmed were lost from the spool (see
  /// Spool::on_loss): their sources must read them again from their last saved checkpoint. Same
  /// constraints as on_durable.
  std::function<void(std::string_view what)> on_events_lost;
  /// Called exactly once per event Kafka refuses for good, instead of on_durable (see
  /// RefusedEvent::already_durable): the receiver keeps it elsewhere (a reject, a dead-letter
  /// file) and then acknowledges its source and seq itself. Same threading rules as on_durable.
  /// When unset, a refused event is logged and reported durable: nothing could deliver it, and
  /// holding its checkpoint back would only republish everything read after it at every restart.
  std::function<void(RefusedEvent refused)> on_refused;
  /// Optional; must outlive the publisher.
  PublisherObserver* observer = nullptr;
};

/// Publishes events to Kafka with at-least-once delivery, falling back to a disk spool.
///
/// Events go straight to an idempotent librdkafka producer (acks=all, lz4), partitioned by key so
/// that each key keeps its order. When Kafka is unreachable or deliveries time out, events go to
/// the spool instead (events already in flight that fail go to its retry lane, ahead of newer
/// ones); once Kafka is back the spool is drained in order, and then events go direct again. When
/// the spool is full, publish() blocks, which pauses the connectors. Spooled events count as
/// durable only once Kafka confirms them, so a checkpoint never depends on the spool's files:
/// whatever the spool loses is read again from the source.
///
/// An event Kafka refuses permanently (larger than message.max.bytes, not authorised, invalid) is
/// reported as failed and handed to on_refused, which turns it into a dead letter, so that it
/// neither blocks the events behind it nor holds its source's checkpoint back for ever.
class Publisher {
 public:
  /// Creates the producer, opens the spool and probes the brokers once (up to probe_timeout).
  static Result<std::unique_ptr<Publisher>> create(PublisherConfig config);

  /// Stops, moves anything still undelivered into the spool, and reports it durable.
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// Takes an event, blocking while librdkafka's queue and the spool are both full. Returns false
  /// if the publisher is stopping or control.stop was requested, in which case the event was not
  /// taken. While blocked on the spool, *control.waiting says why.
  bool publish(const OutboundEvent& event, const AppendControl& control = {});

  /// Makes every event taken so far durable: waits for Kafka's confirmations, and when the deadline
  /// nears moves the rest into the spool. Call after the connectors stopped.
  Result<void> flush(std::chrono::milliseconds deadline);

  /// Makes blocked and future publish() calls return false; deliveries and draining continue.
  void stop();

  /// False while the brokers are unreachable (for /readyz); follows an outage within seconds.
  bool kafkaAvailable() const { return available_.load(std::memory_order_relaxed); }
  /// True while events go to the spool rather than straight to Kafka.
  bool spooling() const { return spool_->active(); }
  /// Bytes in the spool's files.
  uint64_t spoolBytes() const { return spool_->diskBytes(); }
  uint64_t spoolCorruptEntries() const { return spool_->corruptEntries(); }
  /// Events lost from the spool, to be read again from their sources.
  uint64_t spoolLostEvents() const { return spool_->eventsLost(); }
  /// True while spooling waits for free disk space.
  bool diskLow() const { return spool_->diskLow(); }
  /// Events taken and not yet reported durable.
  size_t inFlight() const;

 private:
  enum class DirectOutcome { kProduced, kDivert, kRejected, kStopping };

  explicit Publisher(PublisherConfig config);

  Result<void> start();
  DirectOutcome produceDirect(const OutboundEvent& event, const std::stop_token& stop);
  void serveReportsHere(std::chrono::milliseconds timeout);
  void waitForQueueSpace();
  void serveNowAndThen();
  rd_kafka_topic_t* topicHandle(std::string_view name);
  void onDelivery(const rd_kafka_message_t& message);
  /// Polls librdkafka for delivery reports, then hands on the confirmations it served.
  void poll(std::chrono::milliseconds timeout);
  /// Hands on the confirmations this thread's last poll served: to the observer by topic, to
  /// on_durable by source, then counts them resolved.
  void handOnConfirmed();
  void onError(int code, const char* reason);
  void setAvailable(bool available, std::string_view reason);
  void refuse(OutboundEvent event, std::string_view reason, bool already_durable);
  uint64_t directInFlight() const;
  void wakeWorkers();
  void syncSpool();
  bool drainSpool();
  void runPoller();
  void runSpoolWorker();
  void runProbe();

  static void deliveryReport(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);
  static void errorCallback(rd_kafka_t* handle, int code, const char* reason, void* opaque);
  static void logCallback(const rd_kafka_t* handle, int level, const char* facility,
                          const char* message);
  static int statsCallback(rd_kafka_t* handle, char* json, size_t json_len, void* opaque);

  PublisherConfig config_;
  hearth::log::Logger log_{"kafka"};
  PublisherObserver* observer_;

  std::unique_ptr<Spool> spool_;
  KafkaHandle producer_;

  // Topic handles, looked up without a lock: slots [0, topic_count_) are immutable once published.
  static constexpr size_t kMaxCachedTopics = 64;
  struct TopicSlot {
    std::string name;
    KafkaTopic handle;
  };
  std::array<TopicSlot, kMaxCachedTopics> topics_;
  std::atomic<size_t> topic_count_{0};
  std::mutex topics_mutex_;
  std::unordered_map<std::string, KafkaTopic> extra_topics_;  // beyond the cache; under the mutex

  std::atomic<bool> stopping_{false};
  std::atomic<bool> available_{false};
  std::atomic<bool> fatal_{false};
  std::atomic<bool> rewind_pending_{false};
  std::atomic<uint64_t> drain_in_flight_{0};
  // Direct events handed to librdkafka, and those whose delivery report has been handled. Apart,
  // so that publishing threads and the delivery thread do not write the same cache line.
  alignas(64) std::atomic<uint64_t> produced_{0};
  alignas(64) std::atomic<uint64_t> resolved_{0};

  std::atomic<std::chrono::steady_clock::rep> publisher_polled_at_{0};

  std::mutex worker_mutex_;
  std::condition_variable worker_cv_;
  bool wake_ = false;  // under worker_mutex_
  std::atomic<bool> workers_stop_{false};
  std::atomic<bool> poller_stop_{false};
  std::thread poller_;
  std::thread spool_worker_;
  std::thread prober_;
};

}  // namespace hearth::daemon::kafka
