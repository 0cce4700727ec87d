#include "daemon/runtime/connector_runner.hpp"

#include <time.h>

#include <algorithm>

#include "daemon/log/logger.hpp"
#include "pipelines/common/json_writer.hpp"

namespace hearth::daemon::runtime {
namespace {

constexpr auto kProgressLogInterval = std::chrono::seconds(5);
constexpr auto kFirstBackoff = std::chrono::seconds(1);
constexpr auto kMaxBackoff = std::chrono::seconds(60);
// Each reject is logged with its location up to this many per read; the rest are summarised
// (they are all on hearth.rejects and counted in hearth_rejects_total{severity="reject"}).
constexpr uint64_t kRejectsLoggedPerRead = 20;
// How often a connector that is too far ahead of its deliveries looks again.
constexpr auto kAheadPoll = std::chrono::milliseconds(1);
// Source records handed to the record store at once. Their checkpoints wait for the store, so
// the batch is also handed over at every checkpoint and before the connector waits.
constexpr size_t kStoreBatch = 256;

std::string_view view(hearth_str s) { return {s.data, s.len}; }

// Extraction time for every record: the coarse clock (a few milliseconds' resolution) costs a
// fraction of a precise reading, which showed up at hundreds of thousands of records a second.
int64_t nowMs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

}  // namespace

std::string_view ConnectorRunner::stateName(State state) {
  switch (state) {
    case State::kCreated:
      return "created";
    case State::kReading:
      return "reading";
    case State::kIdle:
      return "idle";
    case State::kPaused:
      return "paused";
    case State::kBackoff:
      return "backoff";
    case State::kStopped:
      return "stopped";
    case State::kFailed:
      return "failed";
  }
  return "unknown";
}

ConnectorRunner::ConnectorRunner(RunnerSpec spec, const RunnerServices& services,
                                 pipelines::Pseudonymiser pseudonymiser,
                                 std::optional<std::string> committed_checkpoint)
    : spec_(std::move(spec)),
      services_(services),
      encoder_({spec_.name, spec_.plugin_name, spec_.plugin_version, services.origin},
               pseudonymiser, spec_.field_policy, "1"),
      checkpoint_(committed_checkpoint.value_or("")) {
  if (spec_.normalise) {
    normaliser_.emplace(*spec_.normalise);
    canonical_encoder_.emplace(
        pipelines::SourceInfo{spec_.name, spec_.plugin_name, spec_.plugin_version, services.origin},
        std::move(pseudonymiser), "1");
  }
}

ConnectorRunner::~ConnectorRunner() {
  requestStop();
  if (thread_.joinable()) thread_.join();
}

Result<void> ConnectorRunner::start(bool once) {
  host::HostServices services = spec_.base_services;
  services.cancellation = stop_source_.get_token();
  auto instance = spec_.create(services);
  if (!instance) {
    state_ = State::kFailed;
    finished_ = true;
    return instance.error();
  }
  instance_ = std::move(instance).value();
  services_.metrics.connectorUp(spec_.name).Set(1);
  thread_ = std::thread([this, once] { run(once); });
  return {};
}

void ConnectorRunner::requestStop() {
  stop_source_.request_stop();
  if (instance_) instance_->stop();
  std::lock_guard lock(mutex_);
  wake_.notify_all();
}

bool ConnectorRunner::waitStopped(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!wake_.wait_until(lock, deadline, [this] { return finished_.load(); })) return false;
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return true;
}

void ConnectorRunner::pause() {
  std::lock_guard lock(mutex_);
  paused_ = true;
  state_ = State::kPaused;
}

void ConnectorRunner::resume() {
  std::lock_guard lock(mutex_);
  paused_ = false;
  if (state_ == State::kPaused) state_ = State::kReading;
  wake_.notify_all();
}

void ConnectorRunner::flushStoreBatch() {
  if (services_.record_store != nullptr) services_.record_store->put(store_batch_);
}

void ConnectorRunner::waitWhilePaused() {
  flushStoreBatch();
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !paused_ || stop_source_.stop_requested(); });
}

bool ConnectorRunner::sleepFor(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, duration, [this] { return stop_source_.stop_requested(); });
}

void ConnectorRunner::run(bool once) {
  const log::Logger logger("connector");
  auto backoff = std::chrono::milliseconds(kFirstBackoff);
  int retries_left = spec_.once_retries;
  while (!stop_source_.stop_requested()) {
    waitWhilePaused();
    if (stop_source_.stop_requested()) break;
    state_ = State::kReading;
    rejects_logged_this_cycle_ = 0;
    progress_started_ = progress_last_log_ = std::chrono::steady_clock::now();
    progress_records_at_start_ = records_.load();
    rejects_at_start_ = rejects_.load();
    queries_at_start_ = queries_.load();
    const auto result = instance_->read(checkpoint_, *this);
    flushStoreBatch();
    if (!result) {
      {
        std::lock_guard lock(mutex_);
        last_error_ = result.error().message;
        last_error_ms_ = nowMs();
      }
      services_.metrics.connectorUp(spec_.name).Set(0);
      logger.error("connector read failed", {{"connector", spec_.name},
                                             {"code", result.error().code},
                                             {"error", result.error().message},
                                             {"retry_in_ms", backoff.count()}});
      if (once && retries_left-- <= 0) {
        state_ = State::kFailed;
        break;
      }
      state_ = State::kBackoff;
      if (!sleepFor(backoff)) break;
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      services_.metrics.connectorRestarts(spec_.name).Increment();
      restarts_.fetch_add(1);
      continue;
    }
    backoff = kFirstBackoff;
    services_.metrics.connectorUp(spec_.name).Set(1);
    if (result->cancelled) break;
    cycles_.fetch_add(1);
    last_success_ms_ = nowMs();
    services_.metrics.connectorLastSuccess(spec_.name)
        .Set(static_cast<double>(last_success_ms_.load()) / 1000.0);
    // Findings of this read, as hearth_rejects_total counts them: rejects (the connector's own
    // and the records validation refused) and queries (records published with a finding).
    const uint64_t rejects = rejects_.load() - rejects_at_start_;
    const uint64_t queries = queries_.load() - queries_at_start_;
    if (rejects > kRejectsLoggedPerRead) {
      logger.warn("rejects not logged individually",
                  {{"connector", spec_.name}, {"count", rejects - kRejectsLoggedPerRead}});
    }
    if (result->records > 0 || rejects > 0 || queries > 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - progress_started_)
              .count();
      logger.info("read complete",
                  {{"connector", spec_.name},
                   {"records", result->records},
                   {"rejects", rejects},
                   {"queries", queries},
                   {"seconds", seconds},
                   {"records_per_second",
                    seconds > 0 ? static_cast<double>(result->records) / seconds : 0.0}});
    }
    if (once) break;
    state_ = State::kIdle;
    if (!sleepFor(spec_.poll_interval)) break;
  }
  if (state_ != State::kFailed) state_ = State::kStopped;
  services_.metrics.connectorUp(spec_.name).Set(0);
  std::lock_guard lock(mutex_);
  finished_ = true;
  wake_.notify_all();
}

bool ConnectorRunner::publish(const std::string& topic, pipelines::EncodedEvent& event) {
  // The publisher copies what it keeps, so the same buffers serve every event: swapping them in
  // and out costs no allocation.
  outbound_.topic.assign(topic);
  outbound_.key.swap(event.key);
  outbound_.payload.swap(event.payload);
  outbound_.source = spec_.slot;
  outbound_.seq = services_.tracker.onEmitted(spec_.slot);
  ++ahead_at_most_;
  const bool taken = services_.publisher.publish(
      outbound_, kafka::AppendControl{stop_source_.get_token(), &spool_wait_});
  outbound_.key.swap(event.key);
  outbound_.payload.swap(event.payload);
  return taken;
}

bool ConnectorRunner::tooFarAhead() const {
  const uint64_t limit = services_.max_events_ahead;
  const delivery::CheckpointTracker& tracker = services_.tracker;
  if (tracker.sinceCommittable(spec_.slot) < limit) return false;
  // Waiting helps only while it can make a checkpoint committable, or bring down what is in
  // flight. A source that gives no checkpoint for longer than the limit (a CIN census file gives
  // one at its end) would otherwise wait for ever once its events were all confirmed.
  return tracker.pendingCheckpoints(spec_.slot) > 0 || tracker.outstanding(spec_.slot) >= limit;
}

void ConnectorRunner::waitWhileTooFarAhead() {
  if (ahead_at_most_ < services_.max_events_ahead) return;
  ahead_at_most_ = services_.tracker.sinceCommittable(spec_.slot);
  if (ahead_at_most_ < services_.max_events_ahead || !tooFarAhead()) return;
  // What the store holds back counts against the limit: it must be on its way first.
  flushStoreBatch();
  // Deliveries are acknowledged by the thousand every few milliseconds: polling costs nothing
  // next to a wake-up per acknowledgement on the delivery thread.
  while (tooFarAhead() && !stop_source_.stop_requested()) {
    std::this_thread::sleep_for(kAheadPoll);
  }
}

hearth_status ConnectorRunner::onRecord(const hearth_record& record) {
  if (paused_) waitWhilePaused();
  if (services_.max_events_ahead != 0) waitWhileTooFarAhead();
  if (stop_source_.stop_requested()) return HEARTH_CANCELLED;
  fields_.clear();
  for (size_t i = 0; i < record.field_count; ++i) {
    const hearth_field& field = record.fields[i];
    fields_.push_back({view(field.name), view(field.value), field.type == HEARTH_FIELD_NULL});
  }
  const pipelines::RawRecordView raw{view(record.stream), view(record.source_key),
                                     view(record.location), record.source_time_ms, fields_};
  const hearth_status status = normaliser_ ? publishCanonical(raw) : publishRaw(raw);
  if (status != HEARTH_OK) return status;
  countRecord(raw.stream);
  return HEARTH_OK;
}

void ConnectorRunner::countRecord(std::string_view stream) {
  // Records of a stream arrive in runs, so the labelled counter is looked up once per run.
  if (records_counter_ == nullptr || records_counter_stream_ != stream) {
    records_counter_stream_.assign(stream);
    records_counter_ = &services_.metrics.recordsRead(spec_.name, stream);
  }
  records_counter_->Increment();
  records_.fetch_add(1, std::memory_order_relaxed);
  streamCounts(stream).records.fetch_add(1, std::memory_order_relaxed);
}

ConnectorRunner::StreamCounts& ConnectorRunner::streamCounts(std::string_view stream) {
  if (counted_stream_ == nullptr || counted_stream_name_ != stream) {
    std::lock_guard lock(mutex_);
    counted_stream_name_.assign(stream);
    counted_stream_ = &stream_counts_[counted_stream_name_];
  }
  return *counted_stream_;
}

hearth_status ConnectorRunner::publishRaw(const pipelines::RawRecordView& raw) {
  encoder_.encode(raw, nowMs(), encoded_);
  return publish(services_.records_topic, encoded_) ? HEARTH_OK : HEARTH_CANCELLED;
}

// Validates and normalises one source record: its canonical records go to hearth.records and the
// derive stage, its findings to hearth.rejects, and the source record to the record store so
// that everything downstream can be rebuilt. A stream the canonical model does not cover (903
// reviews, ...) is published field by field, as for any connector.
hearth_status ConnectorRunner::publishCanonical(const pipelines::RawRecordView& raw) {
  normalised_.clear();
  normaliser_->normalise(raw, normalised_);
  if (normalised_.withdrawn) return publishWithdrawal(raw);
  if (normalised_.records.empty() && normalised_.findings.empty()) return publishRaw(raw);
  if (!normalised_.unmapped.empty()) countUnmapped(raw.stream);

  const int64_t now = nowMs();
  for (size_t i = 0; i < normalised_.records.size(); ++i) {
    canonical_encoder_->encode(normalised_.records[i], raw.location, i, now, encoded_);
    if (!publish(services_.records_topic, encoded_)) return HEARTH_CANCELLED;
  }
  for (const auto& finding : normalised_.findings) {
    if (!publishFinding(raw, finding)) return HEARTH_CANCELLED;
  }
  // The derive stage has the records before the store does: a derive notes the store's
  // generation as what it derived from, which must never count a record it has not seen.
  if (services_.canonical_sink != nullptr) {
    services_.canonical_sink->accept(spec_.name, raw.stream, raw.source_key, normalised_.records);
  }
  if (services_.record_store != nullptr) {
    store_batch_.add(raw, spec_.name, spec_.slot, services_.tracker.onEmitted(spec_.slot));
    if (store_batch_.size() >= kStoreBatch) flushStoreBatch();
  }
  return HEARTH_OK;
}

// A record its source withdrew: it leaves the record store, and the derive stage drops what it
// gave (the person view and indicators follow). The withdrawal itself is published as the raw
// record event, keyed like the record's own raw events and like the references to it in
// canonical records; its payload (the resource) is dropped by the field policy.
hearth_status ConnectorRunner::publishWithdrawal(const pipelines::RawRecordView& raw) {
  // The derive stage first, as in publishCanonical.
  if (services_.canonical_sink != nullptr) {
    normalised_.records.clear();
    services_.canonical_sink->accept(spec_.name, raw.stream, raw.source_key, normalised_.records);
  }
  if (services_.record_store != nullptr) {
    services_.record_store->erase(spec_.name, raw.stream, raw.source_key, spec_.slot,
                                  services_.tracker.onEmitted(spec_.slot));
  }
  services_.metrics.recordsWithdrawn(spec_.name, raw.stream).Increment();
  return publishRaw(raw);
}

// A source record's fields that normalisation left unmapped: their values reach no canonical
// record, so each is counted, and named once in the log.
void ConnectorRunner::countUnmapped(std::string_view stream) {
  if (services_.unmapped_fields == nullptr) return;
  for (const std::string_view field : normalised_.unmapped) {
    auto it = unmapped_counters_.find(field);
    if (it == unmapped_counters_.end()) {
      prometheus::Counter& counter =
          services_.unmapped_fields->counter(spec_.normalise->layout, field, spec_.name, stream);
      it = unmapped_counters_.emplace(std::string(field), &counter).first;
    }
    it->second->Increment();
  }
}

bool ConnectorRunner::publishFinding(const pipelines::RawRecordView& raw,
                                     const pipelines::validation::Finding& finding) {
  using pipelines::validation::Severity;
  const bool rejected = finding.severity == Severity::kReject;
  const std::string_view severity = rejected ? "reject" : "query";
  services_.metrics.rejects(spec_.name, finding.code, severity).Increment();
  if (!rejected) queries_.fetch_add(1, std::memory_order_relaxed);
  if (rejected) {
    rejects_.fetch_add(1, std::memory_order_relaxed);
    streamCounts(raw.stream).rejects.fetch_add(1, std::memory_order_relaxed);
    if (rejects_logged_this_cycle_++ < kRejectsLoggedPerRead) {
      // The rule and location only: the values may be personal data.
      log::Logger("connector")
          .warn("record rejected", {{"connector", spec_.name},
                                    {"stream", raw.stream},
                                    {"location", raw.location},
                                    {"reason", finding.code},
                                    {"field", finding.field},
                                    {"detail", finding.message}});
    }
  }
  raw_json_.clear();
  raw_json_.push_back('{');
  for (size_t i = 0; i < raw.fields.size(); ++i) {
    if (i != 0) raw_json_.push_back(',');
    pipelines::appendJsonStringLossy(raw_json_, raw.fields[i].name);
    raw_json_.push_back(':');
    if (raw.fields[i].is_null) {
      raw_json_.append("null");
    } else {
      pipelines::appendJsonStringLossy(raw_json_, raw.fields[i].value);
    }
  }
  raw_json_.push_back('}');
  const pipelines::RejectView reject{raw.stream,
                                     raw.source_key,
                                     finding.code,
                                     finding.message,
                                     finding.location.empty() ? raw.location : finding.location,
                                     raw_json_,
                                     severity,
                                     finding.field,
                                     std::max(finding.year_applied, 0)};
  encoder_.encodeReject(reject, nowMs(), encoded_);
  return publish(services_.rejects_topic, encoded_);
}

hearth_status ConnectorRunner::onReject(const hearth_reject& reject) {
  if (stop_source_.stop_requested()) return HEARTH_CANCELLED;
  const pipelines::RejectView raw{view(reject.stream),
                                  view(reject.source_key),
                                  view(reject.reason_code),
                                  view(reject.message),
                                  view(reject.location),
                                  view(reject.raw),
                                  "reject",
                                  {},
                                  {}};
  services_.metrics.rejects(spec_.name, raw.reason_code, raw.severity).Increment();
  rejects_.fetch_add(1, std::memory_order_relaxed);
  streamCounts(raw.stream).rejects.fetch_add(1, std::memory_order_relaxed);
  if (rejects_logged_this_cycle_++ < kRejectsLoggedPerRead) {
    // The location and reason only: the raw input may hold personal data.
    log::Logger("connector")
        .warn("record rejected", {{"connector", spec_.name},
                                  {"stream", raw.stream},
                                  {"location", raw.location},
                                  {"reason", raw.reason_code},
                                  {"detail", raw.message}});
  }
  encoder_.encodeReject(raw, nowMs(), encoded_);
  return publish(services_.rejects_topic, encoded_) ? HEARTH_OK : HEARTH_CANCELLED;
}

hearth_status ConnectorRunner::onCheckpoint(std::string_view token) {
  flushStoreBatch();
  checkpoint_.assign(token);
  services_.tracker.onCheckpoint(spec_.slot, checkpoint_);
  return stop_source_.stop_requested() ? HEARTH_CANCELLED : HEARTH_OK;
}

void ConnectorRunner::onProgress(uint64_t done, uint64_t total, std::string_view unit) {
  const auto now = std::chrono::steady_clock::now();
  if (now - progress_last_log_ < kProgressLogInterval) return;
  progress_last_log_ = now;
  const double seconds = std::chrono::duration<double>(now - progress_started_).count();
  const uint64_t records = records_.load() - progress_records_at_start_;
  log::Logger("connector")
      .info("progress",
            {{"connector", spec_.name},
             {"records", records},
             {"records_per_second", seconds > 0 ? records / seconds : 0.0},
             {"done", done},
             {"total", total},
             {"unit", unit},
             {"percent",
              total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : -1.0}});
}

namespace {

// How a connector blocked on the publisher is shown: its hearth_connector_paused reason and its
// state in /api/v1/connectors.
struct SpoolWaitView {
  kafka::SpoolWait wait;
  std::string_view reason;
  std::string_view state;
};
constexpr SpoolWaitView kSpoolWaitViews[] = {
    {kafka::SpoolWait::kSpoolFull, "spool_full", "paused (spool full)"},
    {kafka::SpoolWait::kDiskLow, "disk_low", "paused (disk space low)"},
};

const SpoolWaitView* viewOf(kafka::SpoolWait wait) {
  for (const auto& view : kSpoolWaitViews) {
    if (view.wait == wait) return &view;
  }
  return nullptr;
}

}  // namespace

std::string_view ConnectorRunner::pauseReason() const {
  if (const auto* view = viewOf(spool_wait_.load())) return view->reason;
  return state_.load() == State::kPaused ? "operator" : "";
}

std::string_view ConnectorRunner::stateText() const {
  const State state = state_.load();
  const auto* view = viewOf(spool_wait_.load());
  return state == State::kReading && view != nullptr ? view->state : stateName(state);
}

std::string ConnectorRunner::statusJson() const {
  std::string out = "{\"name\":";
  pipelines::appendJsonString(out, spec_.name);
  out.append(",\"plugin\":");
  pipelines::appendJsonString(out, spec_.plugin_name);
  out.append(",\"plugin_version\":");
  pipelines::appendJsonString(out, spec_.plugin_version);
  out.append(",\"state\":");
  pipelines::appendJsonString(out, stateText());
  out.append(",\"records\":");
  pipelines::appendJsonInt(out, static_cast<int64_t>(records_.load()));
  out.append(",\"rejects\":");
  pipelines::appendJsonInt(out, static_cast<int64_t>(rejects_.load()));
  out.append(",\"queries\":");
  pipelines::appendJsonInt(out, static_cast<int64_t>(queries_.load()));
  out.append(",\"cycles\":");
  pipelines::appendJsonInt(out, static_cast<int64_t>(cycles_.load()));
  out.append(",\"outstanding_events\":");
  pipelines::appendJsonInt(out, static_cast<int64_t>(services_.tracker.outstanding(spec_.slot)));
  out.append(",\"checkpoint_pending\":");
  out.append(services_.tracker.checkpointPending(spec_.slot) ? "true" : "false");
  auto appendTime = [&out](int64_t ms) {
    ms == 0 ? out.append("null") : (pipelines::appendJsonTimestampMs(out, ms), out);
  };
  out.append(",\"last_success\":");
  appendTime(last_success_ms_.load());
  out.append(",\"last_error\":");
  std::lock_guard lock(mutex_);
  if (last_error_.empty()) {
    out.append("null");
  } else {
    pipelines::appendJsonString(out, last_error_);
  }
  out.append(",\"last_error_at\":");
  appendTime(last_error_ms_.load());
  out.append(",\"streams\":{");
  bool first = true;
  for (const auto& [stream, counts] : stream_counts_) {
    if (!first) out.push_back(',');
    first = false;
    pipelines::appendJsonString(out, stream);
    out.append(R"(:{"records":)");
    pipelines::appendJsonInt(out, static_cast<int64_t>(counts.records.load()));
    out.append(R"(,"rejects":)");
    pipelines::appendJsonInt(out, static_cast<int64_t>(counts.rejects.load()));
    out.push_back('}');
  }
  out.append("}}");
  return out;
}

}  // namespace hearth::daemon::runtime
