#include "daemon/app/application.hpp"

#include <systemd/sd-daemon.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "daemon/admin/admin_server.hpp"
#include "daemon/admin/status_page.hpp"
#include "daemon/app/connector_factory.hpp"
#include "daemon/app/derive_settings.hpp"
#include "daemon/app/disk_reserve.hpp"
#include "daemon/app/normalise_contexts.hpp"
#include "daemon/app/state_dir_lock.hpp"
#include "daemon/config/event_schemas.hpp"
#include "daemon/delivery/checkpoint_tracker.hpp"
#include "daemon/delivery/dead_letters.hpp"
#include "daemon/derive/derive_stage.hpp"
#include "daemon/kafka/embedded_cluster.hpp"
#include "daemon/kafka/publisher.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/runtime/connector_runner.hpp"
#include "daemon/state/checkpoint_offsets.hpp"
#include "daemon/state/offset_reset.hpp"
#include "daemon/state/record_store.hpp"
#include "daemon/state/state_store.hpp"
#include "daemon/version.hpp"
#include "pipelines/common/json_writer.hpp"
#include "plugins/host/plugin_catalog.hpp"

namespace hearth::daemon::app {
namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

// Committable checkpoints are saved this often: a crash re-reads what was read since the last
// save, so a short interval means few duplicates. A save is one small WAL write, without fsync.
constexpr auto kCheckpointInterval = std::chrono::milliseconds(25);
// The state database's health (for /readyz) is probed every this many checkpoint rounds.
constexpr int kRoundsPerHealthProbe = 8;
constexpr auto kGaugeInterval = std::chrono::seconds(1);
// `run --once` gave up waiting for Kafka (kafka.once_give_up_ms).
constexpr int kExitKafkaUnreachable = 3;
// `run --once`: how often a connector in a child process that failed is started again (from its
// last checkpoint, with backoff) before the run counts it as failed.
constexpr int kOnceRestarts = 3;

// The derive stage holds the whole council's canonical records, identities and indicator inputs
// in millions of small blocks; freeing them one by one took seconds between the last derived
// event and the exit. drain() ends the process, so the stopped stage is left to the operating
// system instead. It stays reachable from here, so leak checkers do not report it.
void keepUntilExit(std::unique_ptr<derive::DeriveStage> stage) {
  static auto* const kept = new std::vector<std::unique_ptr<derive::DeriveStage>>();
  kept->push_back(std::move(stage));
}

/// Feeds what the publisher measures into Prometheus. Label lookups in prometheus-cpp take a
/// lock and a map search, so the per-topic children are cached: there are only a few topics.
class MetricsObserver final : public kafka::PublisherObserver {
 public:
  explicit MetricsObserver(metrics::Metrics& metrics) : metrics_(metrics) {}

  void delivered(std::string_view topic, std::span<const double> latencies_seconds) override {
    TopicMetrics& t = forTopic(topic);
    t.published->Increment(static_cast<double>(latencies_seconds.size()));
    for (const double latency : latencies_seconds) t.latency->Observe(latency);
  }
  void failed(std::string_view topic, std::string_view /*reason*/) override {
    forTopic(topic).failed->Increment();
  }
  void spoolBytes(uint64_t bytes) override {
    metrics_.spoolBytes().Set(static_cast<double>(bytes));
  }
  void spoolCorruptEntries(uint64_t total) override {
    std::lock_guard lock(mutex_);
    if (total > corrupt_reported_) {
      metrics_.spoolDamagedEntries().Increment(static_cast<double>(total - corrupt_reported_));
      corrupt_reported_ = total;
    }
  }
  void kafkaAvailable(bool available) override { metrics_.kafkaAvailable().Set(available ? 1 : 0); }
  // The figures of librdkafka's statistics that say whether Kafka keeps up: the producer's
  // queue, and each broker's connection state and request round trip (microseconds there).
  void statistics(std::string_view text) override {
    const auto stats = nlohmann::json::parse(text, nullptr, false);
    if (!stats.is_object()) return;
    metrics_.kafkaQueueMessages().Set(stats.value("msg_cnt", 0.0));
    const auto brokers = stats.find("brokers");
    if (brokers == stats.end() || !brokers->is_object()) return;
    for (const auto& [name, broker] : brokers->items()) {
      if (!broker.is_object() || broker.value("nodeid", -1) < 0) continue;  // internal handles
      metrics_.kafkaBrokerUp(name).Set(broker.value("state", "") == "UP" ? 1 : 0);
      const auto rtt = broker.find("rtt");
      if (rtt != broker.end() && rtt->is_object()) {
        metrics_.kafkaBrokerRtt(name).Set(rtt->value("avg", 0.0) / 1e6);
      }
    }
  }

 private:
  struct TopicMetrics {
    std::string topic;
    prometheus::Counter* published;
    prometheus::Counter* failed;
    prometheus::Histogram* latency;
  };

  TopicMetrics& forTopic(std::string_view topic) {
    std::lock_guard lock(mutex_);
    for (auto& t : topics_) {
      if (t.topic == topic) return t;
    }
    topics_.push_back({std::string(topic), &metrics_.eventsPublished(topic),
                       &metrics_.eventsFailed(topic), &metrics_.publishLatency(topic)});
    return topics_.back();
  }

  metrics::Metrics& metrics_;
  std::mutex mutex_;
  std::deque<TopicMetrics> topics_;  // deque: references stay valid as it grows
  uint64_t corrupt_reported_ = 0;
};

host::HostServices hostServicesFor(const std::string& connector) {
  host::HostServices services;
  services.log = [component = "connector." + connector](hearth_log_level level,
                                                        std::string_view message) {
    const log::Logger logger(component);
    switch (level) {
      case HEARTH_LOG_DEBUG:
        logger.debug(message);
        break;
      case HEARTH_LOG_INFO:
        logger.info(message);
        break;
      case HEARTH_LOG_WARN:
        logger.warn(message);
        break;
      case HEARTH_LOG_ERROR:
        logger.error(message);
        break;
    }
  };
  services.secret = [](std::string_view ref) -> std::optional<std::string> {
    // Secrets are references to environment variables or files, as in the daemon's config.
    if (ref.starts_with("env:")) {
      if (const char* value = std::getenv(std::string(ref.substr(4)).c_str())) return value;
      return std::nullopt;
    }
    if (ref.starts_with("file:")) {
      std::ifstream in{std::string(ref.substr(5))};
      std::string value;
      if (in && std::getline(in, value)) return value;
    }
    return std::nullopt;
  };
  return services;
}

constexpr std::string_view kConnectorsPrefix = "/api/v1/connectors/";

// The value of `name` in a query string ("stream=referrals&x=1"), percent-decoded; empty if
// absent or malformed.
std::string queryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (!pair.starts_with(name) || pair.size() <= name.size() || pair[name.size()] != '=') {
      continue;
    }
    std::string value;
    const std::string_view raw = pair.substr(name.size() + 1);
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value.push_back(' ');
      } else if (raw[i] == '%' && i + 2 < raw.size() &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        value.push_back(
            static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else if (raw[i] == '%') {
        return {};
      } else {
        value.push_back(raw[i]);
      }
    }
    return value;
  }
  return {};
}

}  // namespace

class Application::Impl {
 public:
  Impl(config::Config config, RunOptions options)
      : config_(std::move(config)), options_(options), metrics_(kVersion) {}

  // Normally drain() has stopped everything; this covers a start-up that threw (e.g. the admin
  // port is taken) so that the io thread is joined rather than left to terminate the process.
  ~Impl() {
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    committer_stop_ = true;
    if (committer_.joinable()) committer_.join();
  }

  int run();

 private:
  /// An operator's request to forget where a connector (or one of its streams) has read to.
  struct OffsetReset {
    uint64_t id = 0;
    std::string connector;
    std::string stream;  // empty: every stream
    std::string status;  // "pending", "done" or "failed"
    std::string error;
    uint64_t records_forgotten = 0;
  };

  struct Slot {
    std::string connector;
    std::unique_ptr<runtime::ConnectorRunner> runner;  // null once retired
    std::optional<Clock::time_point> oldest_unsaved;   // for hearth_checkpoint_age_seconds
  };

  pipelines::EventOrigin eventOrigin() const {
    std::string schemas = config_.events.schema_base_url;
    if (schemas.empty()) {
      // The admin server's own address, as bound (the configured port may be 0).
      const std::string& bind = config_.admin.bind;
      const bool ipv6 = bind.find(':') != std::string::npos;
      schemas = "http://" + (ipv6 ? "[" + bind + "]" : bind) + ":" +
                std::to_string(admin_ ? admin_->port() : config_.admin.port) + "/schemas/";
    }
    return {config_.indicators.area_code, std::move(schemas)};
  }
  Result<void> startInfrastructure();
  Result<void> startDerive();
  void deriveAfterFirstCycle();
  void addDeriveRoutes();
  void addEventSchemaRoutes();
  void addStatusPageRoute();
  void startAdmin();
  Result<void> startConnector(const config::ConnectorConfig& connector);
  void stopConnector(const std::string& name, Clock::time_point deadline,
                     bool abandon_unsaved = false);
  void onEventsLost(std::string_view what);
  void rereadLostEvents();
  void checkStateDir();
  runtime::ConnectorRunner* findRunner(std::string_view name);
  void restartConnector(const std::string& name);
  void addOffsetRoutes();
  admin::Response requestOffsetReset(std::string_view name, std::string_view stream);
  admin::Response offsetsJson(std::string_view name);
  admin::Response connectorJson(std::string_view name);
  void addCheckpointStatus(nlohmann::json& status);
  void resetOffsets(OffsetReset reset);
  Result<uint64_t> forgetPositions(const std::string& connector, const std::string& stream);
  void reload();
  int drain();
  void commitCheckpoints();
  void saveDerivedDigests();
  void runCommitter();
  void scheduleGauges();
  void scheduleWatchdog(std::chrono::microseconds interval);
  admin::Readiness readiness();
  std::string connectorsJson();
  Result<void> control(std::string_view name, std::string_view action);
  bool allRunnersFinished();
  void notifyMain(bool shutdown, bool reload);
  void notifyStatus();

  config::Config config_;
  RunOptions options_;
  log::Logger log_{"daemon"};
  metrics::Metrics metrics_;
  std::unique_ptr<MetricsObserver> observer_;

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  std::unique_ptr<admin::AdminServer> admin_;
  asio::steady_timer gauge_timer_{io_};
  asio::steady_timer watchdog_timer_{io_};

  std::unique_ptr<StateDirLock> state_lock_;
  DiskReserve reserve_{config_.state_dir};
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<kafka::EmbeddedCluster> embedded_;
  delivery::CheckpointTracker tracker_;
  std::unique_ptr<kafka::Publisher> publisher_;
  std::unique_ptr<delivery::DeadLetters> dead_letters_;  // before publisher_ in destruction
  runtime::UnmappedFields unmapped_fields_{metrics_};
  std::unique_ptr<runtime::RunnerServices> runner_services_;
  std::unique_ptr<state::RecordStore> records_;
  std::unique_ptr<derive::DeriveStage> derive_;
  bool first_cycle_derived_ = false;
  std::optional<pipelines::Pseudonymiser> pseudonymiser_;
  host::PluginCatalog catalog_;

  std::mutex slots_mutex_;  // guards slots_; runners are started and stopped on the main thread
  std::map<uint32_t, Slot> slots_;
  std::map<std::string, uint64_t, std::less<>> starts_;  // per connector, since start-up
  uint32_t next_slot_ = 0;

  std::atomic<bool> starting_{true};
  std::atomic<bool> draining_{false};
  std::atomic<bool> state_healthy_{true};
  // Why readiness fails besides the usual reasons: spooled events lost (until they are re-read
  // and delivered), or the state directory gone. Guarded by problems_mutex_.
  std::mutex problems_mutex_;
  std::string spool_loss_;
  bool spool_loss_recovered_ = false;
  std::string state_dir_problem_;
  uint64_t lost_events_reported_ = 0;
  std::string status_;  // the last STATUS= sent to systemd

  std::mutex main_mutex_;
  std::condition_variable main_wake_;
  bool shutdown_requested_ = false;
  bool reload_requested_ = false;
  bool reread_requested_ = false;
  std::vector<std::string> restart_requests_;
  std::vector<OffsetReset> reset_requests_;
  // The latest offset reset of each connector, for GET .../offsets; under reset_mutex_.
  std::mutex reset_mutex_;
  std::map<std::string, OffsetReset, std::less<>> last_resets_;
  uint64_t next_reset_id_ = 1;

  std::atomic<bool> committer_stop_{false};
  std::thread committer_;
};

Application::Application(config::Config config, RunOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), options)) {}
Application::~Application() = default;
int Application::run() { return impl_->run(); }

int Application::Impl::run() {
  const auto started = Clock::now();
  log::setLevel(log::parseLevel(config_.log_level).value_or(log::Level::kInfo));
  log_.info("hearthd starting", {{"version", kVersion}, {"config", config_.source.string()}});
  for (const std::string& warning : config::warnings(config_)) log_.warn(warning);

  // Before anything listens or writes: a second daemon on the same state directory would share
  // its spool and checkpoints.
  auto lock = StateDirLock::acquire(config_.state_dir);
  if (!lock) {
    log_.error("start-up refused", {{"code", lock.error().code}, {"error", lock.error().message}});
    return 1;
  }
  state_lock_ = std::move(lock).value();
  // Private files of connector children that a killed daemon could not remove: they may hold
  // credentials.
  std::error_code removed;
  std::filesystem::remove_all(config_.state_dir / "run", removed);
  // What the last run set aside: room for the databases to open even if the disk filled up.
  if (reserve_.release()) log_.debug("disk reserve released for start-up");

  work_.emplace(io_.get_executor());
  io_thread_ = std::thread([this] { io_.run(); });
  startAdmin();

  asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::
                                                                                 error_code& ec,
                                                                             int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      notifyMain(false, true);
    } else {
      log_.info("signal received, draining", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
      notifyMain(true, false);
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  if (auto started_ok = startInfrastructure(); !started_ok) {
    log_.error("start-up failed",
               {{"code", started_ok.error().code}, {"error", started_ok.error().message}});
    drain();
    return 1;
  }

  bool any_connector_failed = false;
  for (const auto& connector : config_.connectors) {
    if (!connector.enabled) continue;
    if (auto ok = startConnector(connector); !ok) {
      log_.error("connector not started", {{"connector", connector.name},
                                           {"code", ok.error().code},
                                           {"error", ok.error().message}});
      any_connector_failed = true;
    }
  }
  committer_ = std::thread([this] { runCommitter(); });
  scheduleGauges();
  uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
    scheduleWatchdog(std::chrono::microseconds(watchdog_usec / 2));
  }
  starting_ = false;
  sd_notify(0, "READY=1\nSTATUS=running");
  log_.info(
      "hearthd ready",
      {{"connectors", static_cast<int64_t>(slots_.size())},
       {"startup_ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}});

  bool gave_up = false;
  auto kafka_seen_at = Clock::now();
  while (true) {
    std::unique_lock lock(main_mutex_);
    main_wake_.wait_for(lock, std::chrono::milliseconds(50), [this] {
      return shutdown_requested_ || reload_requested_ || reread_requested_ ||
             !restart_requests_.empty() || !reset_requests_.empty();
    });
    if (shutdown_requested_) break;
    if (reread_requested_) {
      reread_requested_ = false;
      lock.unlock();
      rereadLostEvents();
      continue;
    }
    if (!restart_requests_.empty()) {
      std::vector<std::string> names;
      names.swap(restart_requests_);
      lock.unlock();
      for (const auto& name : names) restartConnector(name);
      continue;
    }
    if (!reset_requests_.empty()) {
      std::vector<OffsetReset> resets;
      resets.swap(reset_requests_);
      lock.unlock();
      for (auto& reset : resets) resetOffsets(std::move(reset));
      continue;
    }
    if (reload_requested_) {
      reload_requested_ = false;
      lock.unlock();
      reload();
      continue;
    }
    lock.unlock();
    deriveAfterFirstCycle();
    if (options_.once) {
      // A connector blocked on a full spool would wait for Kafka for ever: give up after a while.
      if (publisher_->kafkaAvailable()) {
        kafka_seen_at = Clock::now();
      } else if (Clock::now() - kafka_seen_at >
                 std::chrono::milliseconds(config_.kafka.once_give_up_ms)) {
        log_.error(
            "Kafka stayed unreachable; giving up the run (exit code 3). Undelivered events stay "
            "in the spool and their checkpoints were not saved, so the next run reads them again",
            {{"once_give_up_ms", config_.kafka.once_give_up_ms}});
        gave_up = true;
        break;
      }
    }
    if (options_.once && allRunnersFinished()) {
      log_.info("every connector completed one read; deriving, then draining");
      if (derive_) {
        records_->flush();
        // Every connector is done: nothing is stored again before the exit.
        records_->releaseKeyIndex();
        const auto summary = derive_->evaluate(derive::DeriveStage::Then::kExit);
        if (!summary) log_.error("derive failed", {{"error", summary.error().message}});
        // The table, when there was anything to derive it from (a normalised connector).
        if (options_.print_indicators && summary && (summary->records > 0 || summary->up_to_date)) {
          std::fputs(derive_->indicatorsTable().c_str(), stdout);
        }
      }
      break;
    }
  }
  signals.cancel();
  {
    std::lock_guard lock(slots_mutex_);
    for (auto& [slot, s] : slots_) {
      if (s.runner && s.runner->failed()) any_connector_failed = true;
    }
  }
  const int drained = drain();
  if (drained != 0) return drained;
  if (gave_up) return kExitKafkaUnreachable;
  return options_.once && any_connector_failed ? 1 : 0;
}

void Application::Impl::notifyMain(bool shutdown, bool reload) {
  std::lock_guard lock(main_mutex_);
  shutdown_requested_ = shutdown_requested_ || shutdown;
  reload_requested_ = reload_requested_ || reload;
  main_wake_.notify_all();
}

void Application::Impl::startAdmin() {
  admin::AdminOptions options;
  options.bind = config_.admin.bind;
  options.port = config_.admin.port;
  options.token = config_.admin.token.reveal();
  options.require_token = config_.admin.require_token;
  admin::AdminCallbacks callbacks;
  callbacks.readiness = [this] { return readiness(); };
  callbacks.metrics = [this] { return metrics_.serialize(); };
  callbacks.connectors = [this] { return connectorsJson(); };
  callbacks.control = [this](std::string_view name, std::string_view action) {
    return control(name, action);
  };
  admin_ = std::make_unique<admin::AdminServer>(io_, std::move(options), std::move(callbacks));
  addDeriveRoutes();
  addEventSchemaRoutes();
  addOffsetRoutes();
  addStatusPageRoute();
  if (auto ok = admin_->start(); !ok) {
    // Without its admin endpoint the daemon cannot be watched; that is fatal at start-up.
    throw std::runtime_error(ok.error().message);
  }
  log_.info("admin listening",
            {{"address", config_.admin.bind}, {"port", static_cast<int64_t>(admin_->port())}});
}

Result<void> Application::Impl::startInfrastructure() {
  auto state = state::StateStore::open(config_.state_dir);
  if (!state) return state.error();
  state_ = std::move(state).value();

  pseudonymiser_.emplace(config_.privacy.pseudonym_key.reveal(), config_.privacy.key_version);

  std::string bootstrap = config_.kafka.brokers;
  if (bootstrap == "embedded") {
    kafka::EmbeddedClusterOptions options;
    options.partitions_per_topic = config_.kafka.embedded_partitions;
    options.topics = kafka::wellKnownTopics(config_.kafka.topic_prefix);
    auto cluster = kafka::EmbeddedCluster::start(options);
    if (!cluster) return cluster.error();
    embedded_ = std::move(cluster).value();
    bootstrap = embedded_->bootstrapServers();
    // Scripts and a kcat in another shell find the broker here as well as in the log.
    std::ofstream(config_.state_dir / "kafka.bootstrap") << bootstrap << '\n';
    log_.info("embedded kafka started",
              {{"bootstrap", bootstrap},
               {"partitions", static_cast<int64_t>(options.partitions_per_topic)}});
  }

  observer_ = std::make_unique<MetricsObserver>(metrics_);
  kafka::PublisherConfig publisher_config;
  publisher_config.bootstrap_servers = bootstrap;
  publisher_config.kafka_properties = config_.kafka.properties;
  // queue_capacity bounds the events between the connectors and Kafka: librdkafka's queue is
  // that buffer, and a full one blocks the connectors.
  publisher_config.kafka_properties.try_emplace("queue.buffering.max.messages",
                                                std::to_string(config_.queue_capacity));
  publisher_config.kafka_properties.try_emplace("statistics.interval.ms", "5000");
  metrics_.spoolLimitBytes().Set(static_cast<double>(config_.kafka.spool_max_bytes));
  publisher_config.spool_dir = config_.state_dir / "spool";
  publisher_config.spool_max_bytes = config_.kafka.spool_max_bytes;
  publisher_config.spool_min_free_bytes = config_.kafka.spool_min_free_bytes;
  publisher_config.on_events_lost = [this](std::string_view what) { onEventsLost(what); };
  publisher_config.message_timeout = std::chrono::milliseconds(config_.kafka.message_timeout_ms);
  publisher_config.on_durable = [this](uint32_t source, std::span<const uint64_t> seqs) {
    tracker_.onAcked(source, seqs);
  };
  publisher_config.on_refused = [this](kafka::RefusedEvent refused) {
    dead_letters_->refused(std::move(refused));
  };
  publisher_config.observer = observer_.get();
  uint32_t dead_letter_slot = 0;
  {
    std::lock_guard lock(slots_mutex_);
    dead_letter_slot = next_slot_++;  // rejects of refused spooled events: no checkpoint
  }
  // Created first: the publisher may refuse an event as soon as it exists.
  dead_letters_ = std::make_unique<delivery::DeadLetters>(
      delivery::DeadLetterOptions{
          .rejects_topic = config_.kafka.topic_prefix + "rejects",
          .file = config_.state_dir / "dead-letters.jsonl",
          .publish =
              [this](const kafka::OutboundEvent& event) { return publisher_->publish(event); },
          .count =
              [this](std::string_view reason, std::string_view destination) {
                metrics_.deadLetters(reason, destination).Increment();
              },
          .own_source = dead_letter_slot,
          .origin = eventOrigin()},
      tracker_, *pseudonymiser_);
  auto publisher = kafka::Publisher::create(std::move(publisher_config));
  if (!publisher) return publisher.error();
  publisher_ = std::move(publisher).value();

  if (auto ok = startDerive(); !ok) return ok;
  // A new hearth.db beside records that earlier runs stored means the checkpoints were lost
  // (the file deleted, emptied or replaced): starting afresh would re-read every source as if
  // new, so an operator decides.
  if (state_->created()) {
    auto has_records = records_->hasRecords();
    if (!has_records) return has_records.error();
    if (*has_records) {
      return makeError("state.checkpoints_lost",
                       state_->path().string() + " is new or empty but " +
                           (config_.state_dir / "records.db").string() +
                           " holds records of earlier runs: the connectors' checkpoints are "
                           "lost. Restore the state directory from a backup, or remove "
                           "records.db too to start afresh and read every source again");
    }
  }
  runner_services_ = std::make_unique<runtime::RunnerServices>(runtime::RunnerServices{
      *publisher_, tracker_, metrics_, config_.kafka.topic_prefix + "records",
      config_.kafka.topic_prefix + "rejects", records_.get(), derive_.get(),
      config_.kafka.max_events_ahead, &unmapped_fields_, eventOrigin()});

  catalog_ = host::PluginCatalog::scan(config_.plugin_dirs);
  for (const auto& problem : catalog_.problems()) {
    log_.warn("plugin refused",
              {{"path", problem.path.string()}, {"error", problem.error.message}});
  }
  return {};
}

Result<void> Application::Impl::startConnector(const config::ConnectorConfig& connector) {
  // Children keep their private files (configuration, catalogue, state) in the state directory,
  // which only the daemon's account can enter.
  auto recipe = prepareConnector(config_, connector, catalog_, config_.state_dir / "run");
  if (!recipe) return recipe.error();
  runtime::RunnerSpec spec;
  spec.name = connector.name;
  spec.plugin_name = recipe->plugin_name;
  spec.plugin_version = recipe->plugin_version;
  spec.create = recipe->create;
  // A crashed child is restarted from its last checkpoint also under --once.
  spec.once_retries = recipe->child_process ? kOnceRestarts : 0;
  spec.poll_interval = connector.poll_interval;
  spec.base_services = hostServicesFor(connector.name);
  spec.normalise = normaliseContext(connector);
  if (!connector.normalise.kind.empty() && !spec.normalise) {
    return makeError("config.invalid", connector.key + ".normalise.kind: unknown source layout " +
                                           connector.normalise.kind);
  }

  auto committed = state_->loadCheckpoint(connector.name);
  if (!committed) return committed.error();

  std::lock_guard lock(slots_mutex_);
  const uint32_t slot = next_slot_++;
  spec.slot = slot;
  auto runner = std::make_unique<runtime::ConnectorRunner>(std::move(spec), *runner_services_,
                                                           *pseudonymiser_, committed.value());
  dead_letters_->addSource(
      slot, {connector.name, recipe->plugin_name, recipe->plugin_version, eventOrigin()});
  if (auto ok = runner->start(options_.once); !ok) return ok.error();
  log_.info("connector started", {{"connector", connector.name},
                                  {"plugin", recipe->plugin_name},
                                  {"plugin_version", recipe->plugin_version},
                                  {"isolation", recipe->child_process ? "process" : "in_process"},
                                  {"resuming", committed.value().has_value()}});
  slots_[slot] = Slot{connector.name, std::move(runner), std::nullopt};
  if (starts_[connector.name]++ > 0) metrics_.connectorRestarts(connector.name).Increment();
  return {};
}

runtime::ConnectorRunner* Application::Impl::findRunner(std::string_view name) {
  for (auto& [slot, s] : slots_) {
    if (s.runner && s.connector == name) return s.runner.get();
  }
  return nullptr;
}

void Application::Impl::stopConnector(const std::string& name, Clock::time_point deadline,
                                      bool abandon_unsaved) {
  runtime::ConnectorRunner* runner = nullptr;
  {
    std::lock_guard lock(slots_mutex_);
    runner = findRunner(name);
  }
  if (!runner) return;
  runner->requestStop();
  if (!runner->waitStopped(deadline)) {
    log_.error("connector did not stop by its deadline", {{"connector", name}});
    return;
  }
  // Save its final checkpoint before a successor loads it, so a restart re-reads nothing. If
  // Kafka is down that cannot happen by the deadline; the successor then starts from the last
  // saved checkpoint (duplicates, never loss) and the retired slot is saved when it drains.
  const uint32_t slot_id = runner->slot();
  if (abandon_unsaved) {
    // Some of its events are lost: save what is safe, then forget the slot, so that nothing it
    // still holds can later save a checkpoint past them.
    commitCheckpoints();
    std::lock_guard lock(slots_mutex_);
    slots_.erase(slot_id);
    log_.info("connector stopped", {{"connector", name}});
    return;
  }
  // Spooled events wait for Kafka, which may take long: then the successor re-reads them instead.
  while (tracker_.outstanding(slot_id) > 0 && !publisher_->spooling() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard lock(slots_mutex_);
    slots_.at(slot_id).runner.reset();
  }
  commitCheckpoints();
  log_.info("connector stopped", {{"connector", name}});
}

// Called on a publisher thread: only note it; the main thread does the work.
void Application::Impl::onEventsLost(std::string_view what) {
  {
    std::lock_guard lock(problems_mutex_);
    spool_loss_.assign(what);
    spool_loss_recovered_ = false;
  }
  std::lock_guard lock(main_mutex_);
  reread_requested_ = true;
  main_wake_.notify_all();
}

// The spool lost events that were never delivered. Their checkpoints were held, so restarting
// each connector with events outstanding from its last saved checkpoint reads them again.
void Application::Impl::rereadLostEvents() {
  std::vector<const config::ConnectorConfig*> connectors;
  {
    std::lock_guard lock(slots_mutex_);
    for (const auto& connector : config_.connectors) {
      for (auto& [slot, s] : slots_) {
        if (s.runner && s.connector == connector.name && tracker_.outstanding(slot) > 0) {
          connectors.push_back(&connector);
        }
      }
    }
  }
  std::string reason;
  {
    std::lock_guard lock(problems_mutex_);
    reason = spool_loss_;
  }
  log_.error("spooled events were lost; re-reading them from the last saved checkpoints",
             {{"what", reason}, {"connectors", static_cast<int64_t>(connectors.size())}});
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.drain_timeout_ms);
  for (const auto* connector : connectors) {
    stopConnector(connector->name, deadline, /*abandon_unsaved=*/true);
    if (auto ok = startConnector(*connector); !ok) {
      log_.error("connector restart failed",
                 {{"connector", connector->name}, {"error", ok.error().message}});
    }
  }
  std::lock_guard lock(problems_mutex_);
  spool_loss_recovered_ = true;
}

void Application::Impl::checkStateDir() {
  auto problem = state_lock_ ? state_lock_->problem() : std::nullopt;
  std::lock_guard lock(problems_mutex_);
  if (problem && state_dir_problem_.empty()) {
    log_.error(
        "the state directory changed under the daemon; restart it once the directory is "
        "back (checkpoints and spool may be lost)",
        {{"what", *problem}});
  }
  state_dir_problem_ = problem.value_or("");
}

void Application::Impl::restartConnector(const std::string& name) {
  for (const auto& connector : config_.connectors) {
    if (connector.name != name) continue;
    stopConnector(name, Clock::now() + std::chrono::milliseconds(config_.drain_timeout_ms));
    if (auto ok = startConnector(connector); !ok) {
      log_.error("connector restart failed", {{"connector", name}, {"error", ok.error().message}});
    }
  }
}

void Application::Impl::reload() {
  sd_notify(0, "RELOADING=1");
  auto loaded = config::loadConfig(config_.source);
  if (!loaded) {
    log_.error("reload refused: configuration invalid; keeping the running one",
               {{"error", loaded.error().message}});
    sd_notify(0, "READY=1");
    return;
  }
  config::Config next = std::move(loaded).value();
  if (const auto fixed = config::restartOnlyChanges(config_, next); !fixed.empty()) {
    std::string names;
    for (const std::string& name : fixed) names += (names.empty() ? "" : ", ") + name;
    log_.warn("reload: these settings take effect only on restart and keep their running values",
              {{"settings", names}});
  }
  log::setLevel(log::parseLevel(next.log_level).value_or(log::Level::kInfo));

  auto find = [](const config::Config& cfg,
                 const std::string& name) -> const config::ConnectorConfig* {
    for (const auto& c : cfg.connectors) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  const auto deadline = Clock::now() + std::chrono::milliseconds(next.drain_timeout_ms);
  int restarted = 0;
  int unchanged = 0;
  for (const auto& old_connector : config_.connectors) {
    const auto* now = find(next, old_connector.name);
    if (now && now->sameAs(old_connector)) {
      ++unchanged;
      continue;
    }
    stopConnector(old_connector.name, deadline);
  }
  for (const auto& connector : next.connectors) {
    const auto* before = find(config_, connector.name);
    if (before && before->sameAs(connector)) continue;
    if (!connector.enabled) continue;
    ++restarted;
    if (auto ok = startConnector(connector); !ok) {
      log_.error("connector not started",
                 {{"connector", connector.name}, {"error", ok.error().message}});
    }
  }
  const auto before = config::describe(config_);
  const auto admin = config_.admin;
  const auto kafka_config = config_.kafka;
  const auto state_dir = config_.state_dir;
  const auto queue_capacity = config_.queue_capacity;
  const auto pseudonym_key = config_.privacy.pseudonym_key;
  const auto key_version = config_.privacy.key_version;
  config_ = std::move(next);
  // What needs a restart keeps its running value.
  config_.admin = admin;
  config_.kafka = kafka_config;
  config_.state_dir = state_dir;
  config_.queue_capacity = queue_capacity;
  config_.privacy.pseudonym_key = pseudonym_key;
  config_.privacy.key_version = key_version;
  const auto after = config::describe(config_);
  const bool derive_changed =
      before["identity"] != after["identity"] || before["indicators"] != after["indicators"] ||
      before["derive"] != after["derive"] ||
      before["privacy"]["suppression_threshold"] != after["privacy"]["suppression_threshold"];
  if (derive_ && derive_changed) {
    derive_->reconfigure(
        derive::DeriveOptions{.identity = config_.identity,
                              .indicators = config_.indicators,
                              .suppression_threshold = config_.privacy.suppression_threshold,
                              .interval = config_.derive.interval});
    log_.info("reload: identity, indicator and derive settings applied; re-deriving");
  }
  log_.info("configuration reloaded",
            {{"connectors_started", restarted}, {"connectors_unchanged", unchanged}});
  sd_notify(0, "READY=1");
}

int Application::Impl::drain() {
  draining_ = true;
  sd_notify(0, "STOPPING=1");
  const auto deadline = Clock::now() + std::chrono::milliseconds(config_.drain_timeout_ms);
  int exit_code = 0;
  {
    std::vector<runtime::ConnectorRunner*> runners;
    {
      std::lock_guard lock(slots_mutex_);
      for (auto& [slot, s] : slots_) {
        if (s.runner) runners.push_back(s.runner.get());
      }
    }
    for (auto* runner : runners) runner->requestStop();
    for (auto* runner : runners) {
      if (!runner->waitStopped(deadline)) {
        log_.error("connector did not stop by the drain deadline", {{"connector", runner->name()}});
        exit_code = 1;
      }
    }
  }
  if (derive_) derive_->stop();
  if (records_) records_->flush();
  if (publisher_) {
    // Refusals found while flushing become rejects, which the second flush delivers.
    dead_letters_->flush();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (auto flushed = publisher_->flush(std::max(left, std::chrono::milliseconds(1000)));
        !flushed) {
      log_.error("kafka flush incomplete", {{"error", flushed.error().message}});
    }
    dead_letters_->flush();
  }
  if (publisher_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (auto flushed = publisher_->flush(std::max(left, std::chrono::milliseconds(1000)));
        !flushed) {
      log_.error("kafka flush incomplete", {{"error", flushed.error().message}});
    }
  }
  committer_stop_ = true;
  if (committer_.joinable()) committer_.join();
  if (state_) commitCheckpoints();
  saveDerivedDigests();
  const uint64_t spooled = publisher_ ? publisher_->spoolBytes() : 0;

  admin_->stop();
  gauge_timer_.cancel();
  watchdog_timer_.cancel();
  work_.reset();
  io_.stop();  // after the graceful steps above: only idle timers and sockets remain
  if (io_thread_.joinable()) io_thread_.join();

  if (exit_code != 0) {
    // A connector is stuck inside its plugin; destroying it could crash. Everything that could
    // be made durable has been, so leave without running destructors.
    log_.error("exiting with connectors still running");
    std::fflush(nullptr);
    std::_Exit(exit_code);
  }
  {
    std::lock_guard lock(slots_mutex_);
    slots_.clear();
  }
  if (derive_) keepUntilExit(std::move(derive_));
  records_.reset();
  dead_letters_.reset();
  publisher_.reset();
  embedded_.reset();
  log_.info("hearthd stopped", {{"spool_bytes", spooled}});
  return exit_code;
}

void Application::Impl::commitCheckpoints() {
  std::lock_guard lock(slots_mutex_);
  for (auto it = slots_.begin(); it != slots_.end();) {
    Slot& s = it->second;
    if (auto token = tracker_.takeCommittable(it->first)) {
      if (auto saved = state_->saveCheckpoint(s.connector, *token); !saved) {
        log_.error("checkpoint not saved",
                   {{"connector", s.connector}, {"error", saved.error().message}});
      }
      tracker_.onSaved(it->first);
    }
    const bool caught_up =
        tracker_.outstanding(it->first) == 0 && tracker_.pendingCheckpoints(it->first) == 0;
    s.oldest_unsaved =
        caught_up ? std::nullopt : std::optional(s.oldest_unsaved.value_or(Clock::now()));
    if (!s.runner && caught_up) {
      it = slots_.erase(it);  // a stopped connector whose events are all durable and saved
    } else {
      ++it;
    }
  }
}

void Application::Impl::saveDerivedDigests() {
  if (!derive_) return;
  if (auto saved = derive_->saveDurableDigests(); !saved) {
    log_.error("published digests not saved", {{"error", saved.error().message}});
  }
}

void Application::Impl::runCommitter() {
  for (int round = 0; !committer_stop_; ++round) {
    commitCheckpoints();
    saveDerivedDigests();
    if (round % kRoundsPerHealthProbe == 0) state_healthy_ = state_->healthy();
    std::this_thread::sleep_for(kCheckpointInterval);
  }
}

void Application::Impl::scheduleGauges() {
  gauge_timer_.expires_after(kGaugeInterval);
  gauge_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    metrics_.queueDepth("kafka").Set(static_cast<double>(publisher_->inFlight()));
    metrics_.spoolBytes().Set(static_cast<double>(publisher_->spoolBytes()));
    metrics_.kafkaAvailable().Set(publisher_->kafkaAvailable() ? 1 : 0);
    if (const uint64_t lost = publisher_->spoolLostEvents(); lost > lost_events_reported_) {
      metrics_.spoolLostEvents().Increment(static_cast<double>(lost - lost_events_reported_));
      lost_events_reported_ = lost;
    }
    checkStateDir();
    reserve_.replenish(config_.kafka.spool_min_free_bytes);
    {
      // Readiness stays failed after a loss until what was re-read has reached Kafka.
      std::lock_guard lock(problems_mutex_);
      if (spool_loss_recovered_ && !publisher_->spooling() && publisher_->kafkaAvailable()) {
        spool_loss_.clear();
        spool_loss_recovered_ = false;
      }
    }
    {
      std::lock_guard lock(slots_mutex_);
      for (auto& [slot, s] : slots_) {
        if (!s.runner) continue;
        for (const std::string_view reason : {"spool_full", "disk_low", "operator"}) {
          metrics_.connectorPaused(s.connector, reason)
              .Set(s.runner->pauseReason() == reason ? 1 : 0);
        }
        const double age =
            s.oldest_unsaved
                ? std::chrono::duration<double>(Clock::now() - *s.oldest_unsaved).count()
                : 0.0;
        metrics_.checkpointAge(s.connector).Set(age);
      }
    }
    notifyStatus();
    scheduleGauges();
  });
}

// What `systemctl status` shows under the unit: what the daemon is doing now.
void Application::Impl::notifyStatus() {
  size_t reading = 0;
  size_t running = 0;
  {
    std::lock_guard lock(slots_mutex_);
    for (auto& [slot, s] : slots_) {
      if (!s.runner) continue;
      ++running;
      if (s.runner->state() == runtime::ConnectorRunner::State::kReading) ++reading;
    }
  }
  std::string status = reading > 0 ? "reading " + std::to_string(reading) + " of " +
                                         std::to_string(running) + " connectors"
                                   : "idle, " + std::to_string(running) + " connectors";
  if (derive_ && derive_->evaluating()) status += "; deriving identities and indicators";
  if (publisher_->spooling()) {
    status += "; spooling to disk, Kafka unreachable (" +
              std::to_string(publisher_->spoolBytes() >> 20) + " MiB spooled)";
  }
  if (status == status_) return;
  status_ = status;
  sd_notify(0, ("STATUS=" + status).c_str());
}

void Application::Impl::scheduleWatchdog(std::chrono::microseconds interval) {
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) return;
    sd_notify(0, "WATCHDOG=1");
    scheduleWatchdog(interval);
  });
}

admin::Readiness Application::Impl::readiness() {
  if (starting_) return {false, "starting"};
  if (draining_) return {false, "draining"};
  {
    std::lock_guard lock(problems_mutex_);
    if (!state_dir_problem_.empty()) return {false, state_dir_problem_};
    if (!spool_loss_.empty()) {
      return {false, "spooled events lost (" + spool_loss_ +
                         "); re-reading them from the last saved checkpoints"};
    }
  }
  if (!publisher_ || !publisher_->kafkaAvailable()) return {false, "kafka unavailable"};
  if (!state_healthy_) return {false, "state store unavailable"};
  return {true, "ready"};
}

std::string Application::Impl::connectorsJson() {
  std::vector<nlohmann::json> statuses;
  {
    std::lock_guard lock(slots_mutex_);
    for (auto& [slot, s] : slots_) {
      if (s.runner) statuses.push_back(nlohmann::json::parse(s.runner->statusJson()));
    }
  }
  nlohmann::json connectors = nlohmann::json::array();
  for (auto& status : statuses) {
    addCheckpointStatus(status);
    connectors.push_back(std::move(status));
  }
  return nlohmann::json{{"connectors", std::move(connectors)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> Application::Impl::control(std::string_view name, std::string_view action) {
  if (action == "restart") {
    const config::ConnectorConfig* connector = nullptr;
    for (const auto& c : config_.connectors) {
      if (c.name == name) connector = &c;
    }
    if (!connector) {
      return makeError(std::string(admin::kUnknownConnector),
                       "no connector named " + std::string(name));
    }
    // Restarting blocks until the connector stops: the main thread does it, not the io thread.
    std::lock_guard lock(main_mutex_);
    restart_requests_.emplace_back(name);
    main_wake_.notify_all();
    return {};
  }
  std::lock_guard lock(slots_mutex_);
  runtime::ConnectorRunner* runner = findRunner(name);
  if (!runner) {
    return makeError(std::string(admin::kUnknownConnector),
                     "no running connector named " + std::string(name));
  }
  if (action == "pause") {
    runner->pause();
  } else if (action == "resume") {
    runner->resume();
  } else {
    return makeError("admin.bad_action", "unknown action " + std::string(action));
  }
  log_.info("connector control", {{"connector", name}, {"action", action}});
  return {};
}

bool Application::Impl::allRunnersFinished() {
  std::lock_guard lock(slots_mutex_);
  for (auto& [slot, s] : slots_) {
    if (s.runner && !s.runner->finished()) return false;
  }
  return true;
}

Result<void> Application::Impl::startDerive() {
  auto store = state::RecordStore::open(
      config_.state_dir, [this](uint32_t source, uint64_t seq) { tracker_.onAcked(source, seq); },
      config_.queue_capacity);
  if (!store) return store.error();
  records_ = std::move(store).value();

  derive::DeriveOptions options;
  options.identity = config_.identity;
  options.indicators = config_.indicators;
  options.suppression_threshold = config_.privacy.suppression_threshold;
  options.topic_prefix = config_.kafka.topic_prefix;
  options.interval = config_.derive.interval;
  options.metrics = &metrics_;
  options.origin = eventOrigin();
  options.digests = state_.get();
  const auto contexts = normaliseContexts(config_);
  options.settings_digest = deriveSettingsDigest(config_, contexts);
  {
    std::lock_guard lock(slots_mutex_);
    // Derived events: their checkpoint is the evaluation whose digests they allow to store.
    options.slot = next_slot_++;
  }
  derive_ = std::make_unique<derive::DeriveStage>(options, *pseudonymiser_, publisher_.get(),
                                                  &tracker_, *records_);
  const auto started = Clock::now();
  // A run that ends after one read needs the derived state only if something changed since the
  // last one; a daemon that stays up serves it from the start.
  std::optional<uint64_t> loaded;
  if (options_.once) {
    auto current = derive_->loadStoredUnlessCurrent(contexts);
    if (!current) return current.error();
    loaded = *current;
  } else {
    auto all = derive_->loadStored(contexts);
    if (!all) return all.error();
    loaded = *all;
  }
  if (loaded && *loaded > 0) {
    log_.info(
        "canonical records rebuilt from the record store",
        {{"records", *loaded},
         {"ms",
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}});
  }
  return {};
}

// Once every connector has completed its first read, identities and indicators are brought up
// to date at once, so the first figures appear promptly.
void Application::Impl::deriveAfterFirstCycle() {
  if (first_cycle_derived_ || !derive_ || options_.once) return;
  {
    std::lock_guard lock(slots_mutex_);
    for (auto& [slot, s] : slots_) {
      if (s.runner && s.runner->cycles() == 0 && !s.runner->failed()) return;
    }
  }
  first_cycle_derived_ = true;
  records_->flush();
  if (auto summary = derive_->evaluate(); !summary) {
    log_.error("derive failed", {{"error", summary.error().message}});
  }
  // From now on, new records are derived every interval. Not before: during a first backfill
  // every interval would redo the whole picture for figures that are about to change anyway.
  derive_->start();
}

// The page at / for staff without Grafana: what the status API and metrics say, as HTML.
void Application::Impl::addStatusPageRoute() {
  admin_->addRoute("GET", "/", [this](const admin::Request& request) {
    if (request.path != "/") return admin::Response::text(404, "not found\n");
    const admin::Readiness ready = readiness();
    auto timestamp = [](double seconds) -> nlohmann::json {
      if (seconds <= 0) return nullptr;
      std::string text;
      pipelines::appendJsonTimestampMs(text, static_cast<int64_t>(seconds * 1000));
      return nlohmann::json::parse(text);
    };
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    nlohmann::json status = {
        {"version", kVersion},
        {"generated_at", timestamp(now)},
        {"ready", ready.ready},
        {"readiness", ready.reason},
        {"connectors", nlohmann::json::parse(connectorsJson()).at("connectors")},
        {"derive",
         {{"last_success", timestamp(metrics_.deriveLastSuccess().Value())},
          {"duration_seconds", metrics_.deriveSeconds().Value()},
          {"canonical_records", static_cast<int64_t>(metrics_.canonicalRecords().Value())},
          {"persons", static_cast<int64_t>(metrics_.persons().Value())},
          {"review_pairs", static_cast<int64_t>(metrics_.identityReviewPairs().Value())}}},
        {"spool",
         {{"bytes", publisher_ ? publisher_->spoolBytes() : 0},
          {"limit_bytes", config_.kafka.spool_max_bytes},
          {"spooling", publisher_ && publisher_->spooling()},
          {"kafka_available", publisher_ && publisher_->kafkaAvailable()}}},
        {"indicators_table", derive_ ? derive_->indicatorsTable() : ""}};
    admin::Response response{200, "text/html; charset=utf-8", admin::renderStatusPage(status), {}};
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });
}

// Each event's dataschema names one of these; consumers fetch them to validate what they read.
void Application::Impl::addEventSchemaRoutes() {
  constexpr std::string_view kSchemasPath = "/schemas/";
  admin_->addRoute("GET", std::string(kSchemasPath), [kSchemasPath](const admin::Request& request) {
    const std::string_view name = std::string_view(request.path).substr(kSchemasPath.size());
    if (name.empty()) {
      nlohmann::json names = nlohmann::json::array();
      for (const config::EventSchema& schema : config::eventSchemas()) {
        names.push_back(std::string(schema.name));
      }
      return admin::Response::json(200, nlohmann::json{{"schemas", names}}.dump());
    }
    const auto text = config::eventSchemaText(name);
    if (!text) return admin::Response::text(404, "no such schema\n");
    admin::Response response = admin::Response::json(200, std::string(*text));
    response.content_type = "application/schema+json";
    return response;
  });
}

void Application::Impl::addDeriveRoutes() {
  admin_->addRoute("GET", "/api/v1/indicators", [this](const admin::Request&) {
    return admin::Response::json(
        200, derive_ ? derive_->indicatorsJson() : R"({"cycle":0,"digest":null,"values":[]})");
  });
  admin_->addRoute("GET", "/api/v1/indicators/table", [this](const admin::Request&) {
    return admin::Response::text(200, derive_ ? derive_->indicatorsTable() : "");
  });
  // Review pairs name records by their local ids: for the council's reviewers only.
  admin_->addRoute(
      "GET", "/api/v1/identity/reviews",
      [this](const admin::Request&) {
        return admin::Response::json(200, derive_ ? derive_->reviewsJson() : "[]");
      },
      admin::Access::kToken);
  admin_->addRoute(
      "POST", "/api/v1/identity/decisions",
      [this](const admin::Request& request) {
        if (!derive_) return admin::Response::json(503, R"({"error":"not started"})");
        const auto body = nlohmann::json::parse(request.body, nullptr, false);
        if (!body.is_object()) {
          return admin::Response::json(400, R"({"error":"the body must be a JSON object"})");
        }
        auto text = [&body](const char* name) { return body.value(name, std::string()); };
        auto decided = derive_->decide(text("action"), text("record_a"), text("record_b"),
                                       text("actor"), text("reason"));
        if (!decided) {
          return admin::Response::json(400,
                                       nlohmann::json{{"error", decided.error().message}}.dump());
        }
        log_.info("identity decision recorded",
                  {{"seq", decided->seq}, {"action", decided->action}, {"actor", decided->actor}});
        return admin::Response::json(
            201, nlohmann::json{{"seq", decided->seq}, {"hash", decided->hash}}.dump());
      },
      admin::Access::kToken);
}

// Kafka Connect's offsets API (KIP-875), for a source connector's checkpoint: GET shows it,
// DELETE forgets it (of every stream, or of ?stream=S) so that the source is read again from the
// beginning. The connector is stopped first and started again after, on the main thread; DELETE
// answers 202 at once and GET shows the reset's progress.
void Application::Impl::addOffsetRoutes() {
  auto split = [](const admin::Request& request) {
    const std::string_view rest = std::string_view(request.path).substr(kConnectorsPrefix.size());
    const size_t slash = rest.find('/');
    return std::pair(rest.substr(0, slash),
                     slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1));
  };
  admin_->addRoute("GET", std::string(kConnectorsPrefix), [this, split](const admin::Request& r) {
    const auto [name, what] = split(r);
    if (what == "offsets") return offsetsJson(name);
    if (what.empty()) return connectorJson(name);
    return admin::Response::json(404, R"({"error":"admin.not_found"})");
  });
  admin_->addRoute(
      "DELETE", std::string(kConnectorsPrefix),
      [this, split](const admin::Request& r) {
        const auto [name, what] = split(r);
        if (what != "offsets") {
          return admin::Response::json(
              404,
              R"({"error":"admin.not_found","message":"expected /api/v1/connectors/{name}/offsets"})");
        }
        return requestOffsetReset(name, queryParameter(r.query, "stream"));
      },
      admin::Access::kToken);
}

admin::Response Application::Impl::requestOffsetReset(std::string_view name,
                                                      std::string_view stream) {
  bool known = false;
  for (const auto& c : config_.connectors) known = known || c.name == name;
  if (!known) {
    return admin::Response::json(
        404, nlohmann::json{{"error", admin::kUnknownConnector},
                            {"message", "no connector named " + std::string(name)}}
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  OffsetReset reset;
  reset.connector = std::string(name);
  reset.stream = std::string(stream);
  reset.status = "pending";
  {
    std::lock_guard lock(reset_mutex_);
    reset.id = next_reset_id_++;
    last_resets_[reset.connector] = reset;
  }
  log_.info("offset reset requested", {{"connector", reset.connector},
                                       {"stream", reset.stream},
                                       {"reset", static_cast<int64_t>(reset.id)}});
  const nlohmann::json body = {
      {"connector", reset.connector},
      {"stream", stream.empty() ? nlohmann::json() : nlohmann::json(stream)},
      {"reset", reset.id},
      {"status", "pending"}};
  {
    std::lock_guard lock(main_mutex_);
    reset_requests_.push_back(std::move(reset));
    main_wake_.notify_all();
  }
  return admin::Response::json(202, body.dump());
}

admin::Response Application::Impl::offsetsJson(std::string_view name) {
  bool known = false;
  for (const auto& c : config_.connectors) known = known || c.name == name;
  if (!known) return admin::Response::json(404, R"({"error":"connector.unknown"})");
  // One small indexed read of the state database.
  auto token = state_ ? state_->loadCheckpoint(name)
                      : Result<std::optional<std::string>>(std::optional<std::string>());
  if (!token) {
    const nlohmann::json error = {{"error", token.error().code},
                                  {"message", token.error().message}};
    return admin::Response::json(500, error.dump());
  }
  nlohmann::json body = state::offsetsJson(token->value_or(""));
  body["connector"] = std::string(name);
  std::lock_guard lock(reset_mutex_);
  if (const auto it = last_resets_.find(name); it != last_resets_.end()) {
    const OffsetReset& r = it->second;
    body["reset"] = {{"id", r.id},
                     {"stream", r.stream.empty() ? nlohmann::json() : nlohmann::json(r.stream)},
                     {"status", r.status},
                     {"records_forgotten", r.records_forgotten},
                     {"error", r.error.empty() ? nlohmann::json() : nlohmann::json(r.error)}};
  }
  return admin::Response::json(200,
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// When the connector's checkpoint was last saved and how long ago, and how often it was
// restarted (by an operator, a reload, an offset reset or a spool loss) since the daemon started.
void Application::Impl::addCheckpointStatus(nlohmann::json& status) {
  const std::string name = status.value("name", "");
  nlohmann::json saved_at;
  nlohmann::json age;
  if (auto saved = state_ ? state_->checkpointTime(name)
                          : Result<std::optional<int64_t>>(std::optional<int64_t>());
      saved && saved->has_value()) {
    std::string text;
    pipelines::appendJsonTimestampMs(text, **saved);
    saved_at = nlohmann::json::parse(text);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    age = static_cast<double>(std::max<int64_t>(0, now - **saved)) / 1000.0;
  }
  status["last_checkpoint"] = saved_at;
  status["checkpoint_age_seconds"] = age;
  std::lock_guard lock(slots_mutex_);
  const auto starts = starts_.find(name);
  const uint64_t started_again =
      starts == starts_.end() || starts->second == 0 ? 0 : starts->second - 1;
  // And the reads its runner started again after a failure (a crashed child, ...).
  const runtime::ConnectorRunner* runner = findRunner(name);
  status["restarts"] = started_again + (runner != nullptr ? runner->restarts() : 0);
}

// One connector's status: the runner's view, with its checkpoint's age from the state store.
admin::Response Application::Impl::connectorJson(std::string_view name) {
  nlohmann::json status;
  {
    std::lock_guard lock(slots_mutex_);
    if (runtime::ConnectorRunner* runner = findRunner(name)) {
      status = nlohmann::json::parse(runner->statusJson(), nullptr, false);
    }
  }
  if (!status.is_object()) {
    const config::ConnectorConfig* connector = nullptr;
    for (const auto& c : config_.connectors) {
      if (c.name == name) connector = &c;
    }
    if (connector == nullptr) return admin::Response::json(404, R"({"error":"connector.unknown"})");
    status = {{"name", connector->name},
              {"plugin", connector->plugin},
              {"state", connector->enabled ? "not running" : "disabled"}};
  }
  addCheckpointStatus(status);
  return admin::Response::json(
      200, status.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Application::Impl::resetOffsets(OffsetReset reset) {
  const config::ConnectorConfig* connector = nullptr;
  for (const auto& c : config_.connectors) {
    if (c.name == reset.connector) connector = &c;
  }
  if (connector != nullptr) {
    // Abandoning its unsaved progress: nothing the old run still has in flight may save a
    // checkpoint over the reset one. What it had read since its last save is read again.
    stopConnector(reset.connector,
                  Clock::now() + std::chrono::milliseconds(config_.drain_timeout_ms),
                  /*abandon_unsaved=*/true);
    auto forgotten = forgetPositions(reset.connector, reset.stream);
    if (forgotten) {
      reset.status = "done";
      reset.records_forgotten = *forgotten;
    } else {
      reset.status = "failed";
      reset.error = forgotten.error().message;
    }
    if (connector->enabled) {
      if (auto ok = startConnector(*connector); !ok) {
        log_.error("connector not started after its offset reset",
                   {{"connector", reset.connector}, {"error", ok.error().message}});
      }
    }
  } else {
    reset.status = "failed";
    reset.error = "the connector is no longer configured";
  }
  log_.info("offset reset", {{"connector", reset.connector},
                             {"stream", reset.stream},
                             {"status", reset.status},
                             {"error", reset.error},
                             {"records_forgotten", reset.records_forgotten}});
  std::lock_guard lock(reset_mutex_);
  auto& latest = last_resets_[reset.connector];
  if (latest.id == reset.id) latest = std::move(reset);
}

// The stored checkpoint without the stream's position (every position when `stream` is empty),
// and the stored records of what is forgotten, so that rows gone from the source go too.
Result<uint64_t> Application::Impl::forgetPositions(const std::string& connector,
                                                    const std::string& stream) {
  if (records_) records_->flush();
  return state::resetStoredOffsets(*state_, records_.get(), connector, stream);
}

}  // namespace hearth::daemon::app
