#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "daemon/delivery/checkpoint_tracker.hpp"
#include "daemon/kafka/publisher.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/runtime/canonical_sink.hpp"
#include "daemon/runtime/unmapped_fields.hpp"
#include "daemon/state/record_store.hpp"
#include "pipelines/events/canonical_event.hpp"
#include "pipelines/events/record_event.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "plugins/host/connector.hpp"

namespace hearth::daemon::runtime {

/// Where a runner sends what it reads, shared by all runners.
struct RunnerServices {
  kafka::Publisher& publisher;
  delivery::CheckpointTracker& tracker;
  metrics::Metrics& metrics;
  std::string records_topic;
  std::string rejects_topic;
  /// For normalised connectors: their source records are kept here (a checkpoint waits for the
  /// store as it waits for Kafka) and their canonical records go to the sink.
  state::RecordStore* record_store = nullptr;
  CanonicalSink* canonical_sink = nullptr;
  /// A connector waits before reading on while it has emitted this many events since its newest
  /// committable checkpoint (0: no limit). What a crash makes it read again is about this much
  /// plus what one checkpoint-saving interval adds, so this bounds duplicates; it must cover
  /// Kafka's latency at full speed, or throughput drops.
  uint64_t max_events_ahead = 0;
  /// Counts and names the fields normalisation leaves unmapped.
  UnmappedFields* unmapped_fields = nullptr;
  /// The `source` and `dataschema` of the events.
  pipelines::EventOrigin origin = {};
};

/// How one connector is run: the resolved parts of its configuration.
struct RunnerSpec {
  uint32_t slot = 0;  // the connector's source id in the checkpoint tracker
  std::string name;
  std::string plugin_name;  // as the events name the connector's software
  std::string plugin_version;
  /// Creates the connector, in this process or in a child process, with the runner's services.
  std::function<Result<std::unique_ptr<host::Connector>>(host::HostServices)> create;
  /// Failed reads started again under `once` before the run counts as failed: a child that
  /// crashed is restarted from the last checkpoint; in-process connectors fail at once.
  int once_retries = 0;
  std::chrono::milliseconds poll_interval{5000};
  pipelines::FieldPolicy field_policy;
  host::HostServices base_services;  // logging, secrets; cancellation is the runner's own
  /// Set for connectors whose records are validated and normalised into canonical records.
  std::optional<pipelines::normalise::NormaliseContext> normalise;
};

/// Runs one connector on its own thread: read() from the last checkpoint, publish every record
/// and reject, then wait for the next poll. Records reach Kafka through blocking publish calls,
/// so a slow broker or a full spool pauses the connector rather than buffering without limit; a
/// stop request still reaches a connector blocked there.
class ConnectorRunner final : private host::RecordSink {
 public:
  enum class State { kCreated, kReading, kIdle, kPaused, kBackoff, kStopped, kFailed };

  ConnectorRunner(RunnerSpec spec, const RunnerServices& services,
                  pipelines::Pseudonymiser pseudonymiser,
                  std::optional<std::string> committed_checkpoint);
  ~ConnectorRunner() override;
  ConnectorRunner(const ConnectorRunner&) = delete;
  ConnectorRunner& operator=(const ConnectorRunner&) = delete;

  /// Creates the connector instance and starts the thread. With `once`, the thread ends after
  /// one complete read (or the first failure).
  Result<void> start(bool once);
  /// Asks the connector to stop; returns at once.
  void requestStop();
  /// Waits for the thread to end; false if it did not by the deadline.
  bool waitStopped(std::chrono::steady_clock::time_point deadline);

  void pause();
  void resume();

  const std::string& name() const { return spec_.name; }
  uint32_t slot() const { return spec_.slot; }
  State state() const { return state_.load(); }
  bool finished() const { return finished_.load(); }
  bool failed() const { return state_.load() == State::kFailed; }
  uint64_t cycles() const { return cycles_.load(); }
  /// Reads started again after a failure.
  uint64_t restarts() const { return restarts_.load(); }
  /// Why the connector waits, for hearth_connector_paused: "spool_full", "disk_low", "operator",
  /// or empty while it does not.
  std::string_view pauseReason() const;
  /// The state as /api/v1/connectors shows it: a reading connector blocked on backpressure is
  /// "paused (spool full)" or "paused (disk space low)".
  std::string_view stateText() const;
  /// The runner's status as a JSON object, for /api/v1/connectors.
  std::string statusJson() const;

  static std::string_view stateName(State state);

 private:
  void run(bool once);
  bool sleepFor(std::chrono::milliseconds duration);  // false if stopped meanwhile
  void waitWhilePaused();
  bool tooFarAhead() const;
  void waitWhileTooFarAhead();
  void flushStoreBatch();
  bool publish(const std::string& topic, pipelines::EncodedEvent& event);
  hearth_status publishRaw(const pipelines::RawRecordView& raw);
  hearth_status publishWithdrawal(const pipelines::RawRecordView& raw);
  hearth_status publishCanonical(const pipelines::RawRecordView& raw);
  bool publishFinding(const pipelines::RawRecordView& raw,
                      const pipelines::validation::Finding& finding);
  void countRecord(std::string_view stream);
  /// The counts of a stream, for the status API; looked up only when the stream changes.
  struct StreamCounts {
    std::atomic<uint64_t> records{0};
    std::atomic<uint64_t> rejects{0};
  };
  StreamCounts& streamCounts(std::string_view stream);
  void countUnmapped(std::string_view stream);

  hearth_status onRecord(const hearth_record& record) override;
  hearth_status onReject(const hearth_reject& reject) override;
  hearth_status onCheckpoint(std::string_view token) override;
  void onProgress(uint64_t done, uint64_t total, std::string_view unit) override;

  RunnerSpec spec_;
  const RunnerServices& services_;
  pipelines::RecordEventEncoder encoder_;
  std::optional<pipelines::normalise::Normaliser> normaliser_;
  std::optional<pipelines::CanonicalEventEncoder> canonical_encoder_;
  pipelines::normalise::NormaliseOutput normalised_;
  std::string raw_json_;  // a rejected record's fields, for the restricted rejects topic
  std::unique_ptr<host::Connector> instance_;
  std::stop_source stop_source_;
  std::thread thread_;

  std::string checkpoint_;  // the newest emitted checkpoint: where the next read() starts
  std::vector<pipelines::FieldView> fields_;  // reused for every record
  state::RecordStore::Batch store_batch_;     // source records not yet handed to the store
  pipelines::EncodedEvent encoded_;
  kafka::OutboundEvent outbound_;
  prometheus::Counter* records_counter_ = nullptr;
  std::string records_counter_stream_;
  std::map<std::string, prometheus::Counter*, std::less<>> unmapped_counters_;  // by field

  mutable std::mutex mutex_;  // guards paused_, last_error_ and the wake-ups
  std::condition_variable wake_;
  std::atomic<bool> paused_{false};
  std::atomic<kafka::SpoolWait> spool_wait_{kafka::SpoolWait::kNone};
  std::string last_error_;
  std::map<std::string, StreamCounts, std::less<>> stream_counts_;  // under mutex_; nodes stable
  StreamCounts* counted_stream_ = nullptr;  // the reading thread's last lookup
  std::string counted_stream_name_;
  std::atomic<int64_t> last_success_ms_{0};  // when a read last completed (ms since the epoch)
  std::atomic<int64_t> last_error_ms_{0};

  std::atomic<State> state_{State::kCreated};
  std::atomic<bool> finished_{false};
  std::atomic<uint64_t> records_{0};
  std::atomic<uint64_t> rejects_{0};
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> cycles_{0};
  std::atomic<uint64_t> restarts_{0};
  uint64_t rejects_logged_this_cycle_ = 0;
  /// At least the tracker's count of this connector's events since its last committable
  /// checkpoint: what it last said, plus the events emitted since. Events only add to the count
  /// (checkpoints committed take from it), so while this is under the limit the tracker is not
  /// asked: a lock per record saved.
  uint64_t ahead_at_most_ = 0;

  std::chrono::steady_clock::time_point progress_started_;
  std::chrono::steady_clock::time_point progress_last_log_;
  uint64_t progress_records_at_start_ = 0;
  uint64_t rejects_at_start_ = 0;
  uint64_t queries_at_start_ = 0;
};

}  // namespace hearth::daemon::runtime
