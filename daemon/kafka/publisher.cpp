#include "daemon/kafka/publisher.hpp"

#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "daemon/kafka/cloudevents_binding.hpp"

namespace hearth::daemon::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// Each librdkafka message carries, as its opaque pointer, what its delivery report needs,
// tagged in the two low bits so that the common case allocates nothing:
//   01: a direct event whose source (16 bits) and seq (46 bits) are packed into the value;
//   00: a direct event whose ids do not fit, as a heap EventId (pointers are 8-aligned);
//   10: a spooled event being drained, as a pointer to its spool segment.
constexpr uintptr_t kTagMask = 3;
constexpr uintptr_t kTagHeapEvent = 0;
constexpr uintptr_t kTagPackedEvent = 1;
constexpr uintptr_t kTagDrained = 2;
constexpr unsigned kSourceBits = 16;
constexpr unsigned kSeqBits = 46;
static_assert(sizeof(uintptr_t) == 8, "opaque packing assumes 64-bit pointers");

struct EventId {
  uint32_t source;
  uint64_t seq;
};

void* tagDirect(uint32_t source, uint64_t seq) {
  if (source < (uint32_t{1} << kSourceBits) && seq < (uint64_t{1} << kSeqBits)) {
    return reinterpret_cast<void*>((seq << (kSourceBits + 2)) | (uintptr_t{source} << 2) |
                                   kTagPackedEvent);
  }
  return new EventId{source, seq};
}

// Recovers the ids and releases the heap form; call exactly once per tagged pointer.
EventId untagDirect(void* opaque) {
  const auto value = reinterpret_cast<uintptr_t>(opaque);
  if ((value & kTagMask) == kTagPackedEvent) {
    return EventId{static_cast<uint32_t>((value >> 2) & ((uintptr_t{1} << kSourceBits) - 1)),
                   value >> (kSourceBits + 2)};
  }
  std::unique_ptr<EventId> heap(static_cast<EventId*>(opaque));
  return *heap;
}

void* tagDrained(Spool::Segment* segment) {
  return reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(segment) | kTagDrained);
}

// Failures that retrying cannot fix: spooling such an event would block everything behind it.
bool isPermanent(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
      return true;
    default:
      return false;
  }
}

double latencySeconds(const rd_kafka_message_t& message) {
  const int64_t micros = rd_kafka_message_latency(&message);
  return micros < 0 ? 0.0 : static_cast<double>(micros) / 1e6;
}

std::string_view topicOf(const rd_kafka_message_t& message) {
  return rd_kafka_topic_name(message.rkt);
}

std::string_view bytesOf(const void* data, size_t size) {
  return data == nullptr ? std::string_view()
                         : std::string_view(static_cast<const char*>(data), size);
}

// A copy of a message librdkafka hands back, for the dead-letter path.
OutboundEvent eventOf(const rd_kafka_message_t& message, uint32_t source, uint64_t seq) {
  return OutboundEvent{.topic = std::string(topicOf(message)),
                       .key = std::string(bytesOf(message.key, message.key_len)),
                       .payload = std::string(bytesOf(message.payload, message.len)),
                       .source = source,
                       .seq = seq};
}

struct IgnoringObserver final : PublisherObserver {
  void delivered(std::string_view, std::span<const double>) override {}
  void failed(std::string_view, std::string_view) override {}
  void spoolBytes(uint64_t) override {}
  void kafkaAvailable(bool) override {}
};

PublisherObserver& ignoringObserver() {
  static IgnoringObserver observer;
  return observer;
}

// librdkafka's broker thread allocates and frees buffers of a few hundred KB for every batch it
// compresses. With glibc's default trim threshold (128 KB) each free hands the top of the
// thread's arena back to the kernel and the next batch faults it in again, page by page
// (clear_page, madvise). Freed memory up to this much is kept for reuse instead.
constexpr int kMallocTrimThreshold = 32 * 1024 * 1024;

// Spool draining hands librdkafka this many entries per pass before syncing and checking state.
constexpr int kDrainBatch = 10'000;
// How long a publisher serves delivery reports on a full librdkafka queue before trying again.
constexpr auto kQueueFullPoll = std::chrono::milliseconds(1);
// The poller's longest wait for reports: short, so that it soon notices publishers serving them.
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// A publisher serves the delivery reports waiting after every this many events it produces.
constexpr uint32_t kServeEvery = 64;
// The poller leaves the reports to publishers that served them this recently.
constexpr auto kPollerStepAside = std::chrono::milliseconds(2);
// How often the spool's files and the free disk space are checked.
constexpr auto kVerifyInterval = std::chrono::milliseconds(250);
// The reason given for an event larger than a spool segment can hold.
constexpr std::string_view kSpoolEntryTooLarge = "SPOOL_ENTRY_TOO_LARGE";
// At shutdown, how long to wait for librdkafka to hand back purged events.
constexpr auto kPurgeWait = std::chrono::seconds(5);

}  // namespace

Result<std::unique_ptr<Publisher>> Publisher::create(PublisherConfig config) {
  std::unique_ptr<Publisher> publisher(new Publisher(std::move(config)));
  if (auto started = publisher->start(); !started) return started.error();
  return publisher;
}

Publisher::Publisher(PublisherConfig config) : config_(std::move(config)) {
  observer_ = config_.observer != nullptr ? config_.observer : &ignoringObserver();
  if (!config_.on_durable) config_.on_durable = [](uint32_t, std::span<const uint64_t>) {};
  if (!config_.on_events_lost) config_.on_events_lost = [](std::string_view) {};
}

Result<void> Publisher::start() {
  static const bool trim_set [[maybe_unused]] = mallopt(M_TRIM_THRESHOLD, kMallocTrimThreshold);
  auto spool = Spool::open(SpoolOptions{.dir = config_.spool_dir,
                                        .max_bytes = config_.spool_max_bytes,
                                        .segment_bytes = 0,
                                        .min_free_bytes = config_.spool_min_free_bytes,
                                        .on_delivered =
                                            [this](uint32_t source, uint64_t seq) {
                                              config_.on_durable(source, {&seq, 1});
                                            },
                                        .on_loss = config_.on_events_lost});
  if (!spool) return spool.error();
  spool_ = std::move(spool).value();

  KafkaConf conf(rd_kafka_conf_new());
  const std::pair<const char*, std::string> defaults[] = {
      {"bootstrap.servers", config_.bootstrap_servers},
      {"client.id", "hearthd"},
      // At least once without duplicates from retries, and no reordering within a partition.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      // Batching: with records spread over many partitions by key, each partition's batch fills
      // slowly, and librdkafka sends a request per partition whose batch is due. 200 ms of
      // latency (nothing for this data) makes a quarter as many requests as 50 ms did, for the
      // producer's thread and the brokers alike: on a whole school census read normalised, 2 to
      // 3 seconds less CPU in all and 2 to 6% more records a second.
      {"linger.ms", "200"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"sticky.partitioning.linger.ms", "0"},
      // The same key-to-partition mapping as the Java client, for consumers that co-partition.
      {"partitioner", "murmur2_random"},
      // Bounded local queue: when it is full, publish() waits (or spools while Kafka is down).
      {"queue.buffering.max.messages", "200000"},
      {"queue.buffering.max.kbytes", "262144"},
      {"message.timeout.ms", std::to_string(config_.message_timeout.count())},
      // Reconnect quickly once a broker is back, so the spool drains within seconds.
      {"reconnect.backoff.ms", "100"},
      {"reconnect.backoff.max.ms", "1000"},
      {"socket.nagle.disable", "true"},
      {"log.connection.close", "false"},
  };
  for (const auto& [name, value] : defaults) {
    if (auto set = setProperty(conf.get(), name, value); !set) return set;
  }
  for (const auto& [name, value] : config_.kafka_properties) {
    if (auto set = setProperty(conf.get(), name, value); !set) return set;
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Publisher::deliveryReport);
  rd_kafka_conf_set_error_cb(conf.get(), &Publisher::errorCallback);
  rd_kafka_conf_set_log_cb(conf.get(), &Publisher::logCallback);
  rd_kafka_conf_set_stats_cb(conf.get(), &Publisher::statsCallback);

  std::array<char, 512> reason{};
  producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (!producer_) {
    return makeError("kafka.config",
                     std::string("cannot create the Kafka producer: ") + reason.data());
  }
  conf.release();  // rd_kafka_new took ownership

  // One probe before accepting events, so that a daemon starting during an outage spools at once
  // instead of filling librdkafka's queue first.
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(
      producer_.get(), 0, nullptr, &metadata, static_cast<int>(config_.probe_timeout.count()));
  if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  available_ = err == RD_KAFKA_RESP_ERR_NO_ERROR;
  observer_->kafkaAvailable(available_);
  observer_->spoolBytes(spool_->diskBytes());
  if (!available_) {
    log_.warn("Kafka is unreachable; events will be spooled until it is back",
              {{"bootstrap", config_.bootstrap_servers}, {"reason", rd_kafka_err2name(err)}});
  }

  poller_ = std::thread([this] { runPoller(); });
  spool_worker_ = std::thread([this] { runSpoolWorker(); });
  prober_ = std::thread([this] { runProbe(); });
  return {};
}

Publisher::~Publisher() {
  stop();
  workers_stop_ = true;
  wakeWorkers();
  if (prober_.joinable()) prober_.join();
  if (spool_worker_.joinable()) spool_worker_.join();
  if (producer_) {
    // Whatever librdkafka still holds comes back failed and goes into the spool: it was taken, so
    // it must not be lost, and the broker may be gone for good.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const auto give_up = Clock::now() + kPurgeWait;
    while ((directInFlight() > 0 || drain_in_flight_ > 0) && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  poller_stop_ = true;
  if (poller_.joinable()) poller_.join();
  if (spool_) syncSpool();
}

Result<void> Publisher::flush(std::chrono::milliseconds deadline) {
  const auto start = Clock::now();
  const auto give_up = start + deadline;
  // Confirmations get most of the time; what is still unconfirmed then is handed back by
  // librdkafka (as purged) and goes into the spool, which takes milliseconds.
  const auto purge_at = start + deadline * 3 / 4;
  // Spooled events are safe on disk and would go out at the next start, but a healthy daemon that
  // is stopped should leave Kafka complete: let a drain that is under way finish first.
  const auto drain_until = start + deadline / 2;
  while (spool_->active() && available_.load() && Clock::now() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // librdkafka sends what it holds at once while it flushes (linger.ms is for a stream of
  // events, not the last of them); the confirmations it serves meanwhile are handed on here, as
  // after a poll.
  while (directInFlight() > 0 && Clock::now() < purge_at) {
    rd_kafka_flush(producer_.get(), 1);
    handOnConfirmed();
  }
  if (const uint64_t unconfirmed = directInFlight(); unconfirmed > 0) {
    log_.info("moving events Kafka has not confirmed into the spool", {{"events", unconfirmed}});
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    while (directInFlight() > 0 && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  auto synced = spool_->sync();
  if (const uint64_t left = directInFlight(); left > 0) {
    return makeError("kafka.flush_timeout", std::to_string(left) +
                                                " events still unconfirmed after " +
                                                std::to_string(deadline.count()) + " ms");
  }
  return synced;
}

void Publisher::stop() {
  stopping_ = true;
  if (spool_) spool_->stopAppends();
}

size_t Publisher::inFlight() const {
  return static_cast<size_t>(directInFlight() + spool_->eventsHeld());
}

uint64_t Publisher::directInFlight() const {
  // resolved_ first: it never exceeds produced_, so reading in this order cannot see a resolution
  // without its production and the difference is never negative.
  const uint64_t resolved = resolved_.load();
  const uint64_t produced = produced_.load();
  return produced - resolved;
}

bool Publisher::publish(const OutboundEvent& event, const AppendControl& control) {
  while (!stopping_.load(std::memory_order_relaxed) && !control.stop.stop_requested()) {
    if (spool_->diskLow() && !spool_->waitForDiskSpace(control)) return false;
    if (!spool_->active()) {
      if (available_.load(std::memory_order_relaxed)) {
        switch (produceDirect(event, control.stop)) {
          case DirectOutcome::kProduced:
          case DirectOutcome::kRejected:
            return true;
          case DirectOutcome::kStopping:
            return false;
          case DirectOutcome::kDivert:
            break;
        }
      }
      if (spool_->activate()) {
        log_.warn("Kafka is unreachable; spooling events to disk",
                  {{"spool", spool_->dir().string()}});
      }
    }
    const SpoolEntry entry{.topic = event.topic,
                           .key = event.key,
                           .payload = event.payload,
                           .source = event.source,
                           .seq = event.seq};
    switch (spool_->append(entry, control)) {
      case Spool::AppendStatus::kAppended:
        return true;
      case Spool::AppendStatus::kRejected:
      case Spool::AppendStatus::kFull:
        refuse(event, kSpoolEntryTooLarge, false);
        return true;
      case Spool::AppendStatus::kStopped:
        return false;
      case Spool::AppendStatus::kInactive:
        break;  // the spool drained meanwhile: Kafka again
    }
  }
  return false;
}

Publisher::DirectOutcome Publisher::produceDirect(const OutboundEvent& event,
                                                  const std::stop_token& stop) {
  rd_kafka_topic_t* topic = topicHandle(event.topic);
  if (topic == nullptr) {
    refuse(event, rd_kafka_err2name(RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION), false);
    return DirectOutcome::kRejected;
  }
  // Counted before checking the mode (both sequentially consistent): the spool worker seals the
  // retry lane only when every event counted here has its delivery report handled, so an event
  // that saw the spool inactive can still fail into the lane ahead of newer spooled events.
  produced_.fetch_add(1);
  auto give_back = [this](void* opaque) {
    untagDirect(opaque);
    resolved_.fetch_add(1);
  };
  if (spool_->active()) {
    resolved_.fetch_add(1);
    return DirectOutcome::kDivert;
  }
  void* opaque = tagDirect(event.source, event.seq);
  while (true) {
    // F_COPY: librdkafka copies payload and key into the message it allocates anyway, so there
    // is one allocation per event and the caller's strings are free as soon as this returns.
    // An empty payload is sent as a null value: a tombstone, which compaction deletes.
    const rd_kafka_resp_err_t err =
        produceEvent(producer_.get(), topic, event.payload, event.key, opaque);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      serveNowAndThen();
      return DirectOutcome::kProduced;
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      give_back(opaque);  // the producer is broken, not the event: keep it in the spool
      return DirectOutcome::kDivert;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      give_back(opaque);
      refuse(event, rd_kafka_err2name(err), false);
      return DirectOutcome::kRejected;
    }
    if (stopping_.load(std::memory_order_relaxed) || stop.stop_requested()) {
      give_back(opaque);
      return DirectOutcome::kStopping;
    }
    if (!available_.load(std::memory_order_relaxed)) {
      give_back(opaque);
      return DirectOutcome::kDivert;
    }
    waitForQueueSpace();
  }
}

// A publisher serves delivery reports itself (the poller steps aside while it does): messages are
// then mostly freed on the thread that allocated them, which the allocator handles far more
// cheaply than frees arriving from the poller thread.
void Publisher::serveReportsHere(std::chrono::milliseconds timeout) {
  publisher_polled_at_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  poll(timeout);
}

// Now and then on any queue, not only a full one: a publisher that keeps the queue from filling
// would otherwise leave every report, and every message to free, to the poller. A raw CSV file to
// Kafka took about 9% less CPU for it.
void Publisher::serveNowAndThen() {
  thread_local uint32_t produced_here = 0;
  if (++produced_here % kServeEvery == 0) serveReportsHere(std::chrono::milliseconds(0));
}

// On a full queue, serving reports rather than sleeping: the queue empties as fast as they are
// served.
void Publisher::waitForQueueSpace() { serveReportsHere(kQueueFullPoll); }

// The events Kafka confirmed in one poll of this thread's: librdkafka serves delivery reports
// one by one, and each would otherwise take the metrics' locks and the checkpoint tracker's
// (which the publishing thread takes for every event it emits) on its own.
struct Confirmed {
  std::string_view topic;  // the topic handle's name: it lives as long as the publisher
  double latency_seconds;
  uint32_t source;
  uint64_t seq;
};
thread_local std::vector<Confirmed> t_confirmed;

void Publisher::poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(producer_.get(), static_cast<int>(timeout.count()));
  handOnConfirmed();
}

void Publisher::handOnConfirmed() {
  std::vector<Confirmed>& confirmed = t_confirmed;
  if (confirmed.empty()) return;
  // By topic, then by source: a poll serves the batches of several partitions, each holding the
  // events of whichever sources wrote to it, interleaved. There are a few of each.
  struct Topic {
    std::string_view name;
    std::vector<double> latencies;
  };
  struct Source {
    uint32_t id;
    std::vector<uint64_t> seqs;
  };
  std::vector<Topic> topics;
  std::vector<Source> sources;
  for (const Confirmed& c : confirmed) {
    auto topic = std::find_if(topics.begin(), topics.end(),
                              [&](const Topic& t) { return t.name == c.topic; });
    if (topic == topics.end()) topic = topics.insert(topics.end(), Topic{c.topic, {}});
    topic->latencies.push_back(c.latency_seconds);
    auto source = std::find_if(sources.begin(), sources.end(),
                               [&](const Source& s) { return s.id == c.source; });
    if (source == sources.end()) source = sources.insert(sources.end(), Source{c.source, {}});
    source->seqs.push_back(c.seq);
  }
  for (const Topic& topic : topics) observer_->delivered(topic.name, topic.latencies);
  for (const Source& source : sources) config_.on_durable(source.id, source.seqs);
  // Last: once this count catches up, flush() and the spool worker take every one as handled.
  resolved_.fetch_add(confirmed.size());
  confirmed.clear();
}

rd_kafka_topic_t* Publisher::topicHandle(std::string_view name) {
  const size_t count = topic_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < count; ++i) {
    if (topics_[i].name == name) return topics_[i].handle.get();
  }
  std::lock_guard lock(topics_mutex_);
  const size_t now = topic_count_.load(std::memory_order_relaxed);
  for (size_t i = count; i < now; ++i) {
    if (topics_[i].name == name) return topics_[i].handle.get();
  }
  if (const auto it = extra_topics_.find(std::string(name)); it != extra_topics_.end()) {
    return it->second.get();
  }
  KafkaTopic handle(rd_kafka_topic_new(producer_.get(), std::string(name).c_str(), nullptr));
  if (!handle) return nullptr;
  rd_kafka_topic_t* raw = handle.get();
  if (now < kMaxCachedTopics) {
    topics_[now] = TopicSlot{std::string(name), std::move(handle)};
    topic_count_.store(now + 1, std::memory_order_release);
  } else {
    extra_topics_.emplace(std::string(name), std::move(handle));
  }
  return raw;
}

void Publisher::refuse(OutboundEvent event, std::string_view reason, bool already_durable) {
  observer_->failed(event.topic, reason);
  if (config_.on_refused) {
    config_.on_refused(RefusedEvent{.event = std::move(event),
                                    .reason = std::string(reason),
                                    .already_durable = already_durable});
    return;
  }
  log_.error("Kafka refused an event for good; it is dropped",
             {{"topic", event.topic}, {"reason", reason}, {"bytes", event.payload.size()}});
  if (!already_durable) config_.on_durable(event.source, {&event.seq, 1});
}

void Publisher::deliveryReport(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message,
                               void* opaque) {
  static_cast<Publisher*>(opaque)->onDelivery(*message);
}

void Publisher::onDelivery(const rd_kafka_message_t& message) {
  const auto tag = reinterpret_cast<uintptr_t>(message._private);
  const std::string_view topic = topicOf(message);
  const rd_kafka_resp_err_t err = message.err;

  if ((tag & kTagMask) == kTagDrained) {
    auto* segment = reinterpret_cast<Spool::Segment*>(tag & ~kTagMask);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Spool::acknowledge(segment);
      const double latency = latencySeconds(message);
      observer_->delivered(topic, {&latency, 1});
    } else if (isPermanent(err)) {
      // Resending cannot help; counting it as done keeps the rest of the spool moving.
      Spool::acknowledge(segment);
      refuse(eventOf(message, 0, 0), rd_kafka_err2name(err), true);
    } else {
      observer_->failed(topic, rd_kafka_err2name(err));
      rewind_pending_ = true;
    }
    drain_in_flight_.fetch_sub(1);
    return;
  }

  const EventId id = untagDirect(message._private);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Handed on, and counted resolved, once the poll that serves this report returns.
    t_confirmed.push_back({topic, latencySeconds(message), id.source, id.seq});
    return;
  }
  if (isPermanent(err)) {
    refuse(eventOf(message, id.source, id.seq), rd_kafka_err2name(err), false);
  } else {
    observer_->failed(topic, rd_kafka_err2name(err));
    if (spool_->activate()) {
      log_.warn("Kafka deliveries are failing; spooling events to disk",
                {{"reason", rd_kafka_err2name(err)}, {"spool", spool_->dir().string()}});
    }
    const SpoolEntry entry{.topic = topic,
                           .key = bytesOf(message.key, message.key_len),
                           .payload = bytesOf(message.payload, message.len),
                           .source = id.source,
                           .seq = id.seq};
    // kFull: the spool counted the event as lost and asked for it to be read again.
    if (spool_->appendRetry(entry) == Spool::AppendStatus::kRejected) {
      refuse(eventOf(message, id.source, id.seq), kSpoolEntryTooLarge, false);
    }
  }
  // Last: once this count catches up, the spool worker may seal the retry lane.
  resolved_.fetch_add(1);
}

void Publisher::errorCallback(rd_kafka_t* /*handle*/, int code, const char* reason, void* opaque) {
  static_cast<Publisher*>(opaque)->onError(code, reason);
}

void Publisher::onError(int code, const char* reason) {
  const auto err = static_cast<rd_kafka_resp_err_t>(code);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    setAvailable(false, reason);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // The idempotent producer cannot continue (e.g. its sequence state broke). Events keep going
    // to the spool, /readyz fails, and a restart delivers them with a fresh producer.
    std::array<char, 512> detail{};
    const rd_kafka_resp_err_t fatal =
        rd_kafka_fatal_error(producer_.get(), detail.data(), detail.size());
    fatal_ = true;
    log_.error("the Kafka producer failed fatally; restart hearthd to resume delivery",
               {{"reason", rd_kafka_err2name(fatal)}, {"detail", detail.data()}});
    setAvailable(false, "fatal producer error");
    return;
  }
  // Connection failures are reported through availability; others are worth a line each
  // (librdkafka suppresses repeats itself).
  if (err != RD_KAFKA_RESP_ERR__TRANSPORT) {
    log_.warn("Kafka client error", {{"reason", rd_kafka_err2name(err)}, {"detail", reason}});
  }
}

void Publisher::logCallback(const rd_kafka_t* handle, int level, const char* facility,
                            const char* message) {
  const auto* self = static_cast<const Publisher*>(rd_kafka_opaque(handle));
  if (self == nullptr) return;
  // syslog levels: 0-3 errors, 4 warnings, 5-6 notices and information, 7 debug.
  const auto mapped = level <= 3   ? hearth::log::Level::kError
                      : level == 4 ? hearth::log::Level::kWarn
                      : level <= 6 ? hearth::log::Level::kInfo
                                   : hearth::log::Level::kDebug;
  self->log_.log(mapped, "librdkafka", {{"facility", facility}, {"detail", message}});
}

int Publisher::statsCallback(rd_kafka_t* /*handle*/, char* json, size_t json_len, void* opaque) {
  const auto* self = static_cast<const Publisher*>(opaque);
  if (self != nullptr && self->observer_ != nullptr) {
    self->observer_->statistics(std::string_view(json, json_len));
  }
  return 0;  // librdkafka frees the text
}

void Publisher::setAvailable(bool available, std::string_view reason) {
  if (available && fatal_) return;
  if (available_.exchange(available) == available) return;
  observer_->kafkaAvailable(available);
  if (available) {
    log_.info("Kafka is reachable again", {{"bootstrap", config_.bootstrap_servers}});
    wakeWorkers();
  } else {
    log_.warn("Kafka is unreachable",
              {{"bootstrap", config_.bootstrap_servers}, {"reason", reason}});
  }
}

void Publisher::wakeWorkers() {
  {
    std::lock_guard lock(worker_mutex_);
    wake_ = true;
  }
  worker_cv_.notify_all();
}

void Publisher::syncSpool() {
  // Errors are logged by the spool; the entries stay buffered and the next pass retries.
  [[maybe_unused]] auto synced = spool_->sync();
}

// One pass of moving spooled events back to Kafka; true if more could be sent right away.
bool Publisher::drainSpool() {
  if (spool_->retryLaneOpen()) {
    if (directInFlight() > 0) return false;
    spool_->sealRetryLane();
  }
  if (rewind_pending_) {
    if (drain_in_flight_ > 0) return false;
    // A send failed: resend from the oldest undeleted segment. Some events go twice, which
    // consumers tolerate (deterministic event ids), and none is skipped.
    spool_->rewind();
    rewind_pending_ = false;
  }
  spool_->removeDelivered();
  if (!available_) return false;
  for (int sent = 0;; ++sent) {
    if (rewind_pending_) return false;
    if (sent == kDrainBatch) return true;
    const Spool::Drained* item = spool_->peek();
    if (item == nullptr) break;
    rd_kafka_topic_t* topic = topicHandle(item->entry.topic);
    drain_in_flight_.fetch_add(1);
    const rd_kafka_resp_err_t err = topic == nullptr
                                        ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                        : produceEvent(producer_.get(), topic, item->entry.payload,
                                                       item->entry.key, tagDrained(item->segment));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      drain_in_flight_.fetch_sub(1);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return true;
      refuse(OutboundEvent{.topic = std::string(item->entry.topic),
                           .key = std::string(item->entry.key),
                           .payload = std::string(item->entry.payload),
                           .source = item->entry.source,
                           .seq = item->entry.seq},
             rd_kafka_err2name(err), true);
      Spool::acknowledge(item->segment);
    }
    spool_->advance();
  }
  if (drain_in_flight_ == 0 && spool_->deactivateIfDrained()) {
    log_.info("spool drained; publishing to Kafka directly again");
  }
  return false;
}

void Publisher::runPoller() {
  pthread_setname_np(pthread_self(), "kafka-poll");
  while (!poller_stop_.load()) {
    // While publishers wait on a full queue they serve the reports themselves (see
    // waitForQueueSpace); stepping aside then keeps allocation and release on one thread.
    const Clock::time_point publisher_polled_at(
        Clock::duration(publisher_polled_at_.load(std::memory_order_relaxed)));
    if (Clock::now() - publisher_polled_at < kPollerStepAside) {
      std::this_thread::sleep_for(kPollerStepAside);
      continue;
    }
    poll(kPollInterval);
  }
}

void Publisher::runSpoolWorker() {
  pthread_setname_np(pthread_self(), "kafka-spool");
  auto next_sync = Clock::now();
  auto next_verify = Clock::now();
  uint64_t reported_bytes = spool_->diskBytes();
  uint64_t reported_corrupt = 0;
  while (!workers_stop_.load()) {
    if (Clock::now() >= next_verify) {
      // Notices spool files deleted or replaced behind the daemon's back, and a filling disk.
      spool_->verify();
      next_verify = Clock::now() + kVerifyInterval;
    }
    if (Clock::now() >= next_sync) {
      syncSpool();
      next_sync = Clock::now() + config_.spool_sync_interval;
    }
    const bool more = spool_->active() && drainSpool();
    if (const uint64_t bytes = spool_->diskBytes(); bytes != reported_bytes) {
      observer_->spoolBytes(bytes);
      reported_bytes = bytes;
    }
    if (const uint64_t corrupt = spool_->corruptEntries(); corrupt != reported_corrupt) {
      observer_->spoolCorruptEntries(corrupt);
      reported_corrupt = corrupt;
    }
    // A full librdkafka queue empties within milliseconds; otherwise sleep until the next sync.
    const auto until = more ? Clock::now() + std::chrono::milliseconds(1) : next_sync;
    std::unique_lock lock(worker_mutex_);
    worker_cv_.wait_until(lock, until, [this] { return wake_; });
    wake_ = false;
  }
  syncSpool();
}

void Publisher::runProbe() {
  pthread_setname_np(pthread_self(), "kafka-probe");
  while (!workers_stop_.load()) {
    {
      std::unique_lock lock(worker_mutex_);
      if (worker_cv_.wait_for(lock, config_.probe_interval,
                              [this] { return workers_stop_.load(); })) {
        return;
      }
    }
    // A metadata request for the topics in use: cheap, and it fails while no broker answers.
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(
        producer_.get(), 0, nullptr, &metadata, static_cast<int>(config_.probe_timeout.count()));
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    setAvailable(err == RD_KAFKA_RESP_ERR_NO_ERROR, rd_kafka_err2name(err));
  }
}

}  // namespace hearth::daemon::kafka
