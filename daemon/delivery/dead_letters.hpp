#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/delivery/checkpoint_tracker.hpp"
#include "daemon/kafka/outbound_event.hpp"
#include "pipelines/events/record_event.hpp"

namespace hearth::daemon::delivery {

struct DeadLetterOptions {
  /// Where a refused event's reject goes (`hearth.rejects`).
  std::string rejects_topic;
  /// Events of the rejects topic itself are appended here, one JSON line each (mode 0600).
  std::filesystem::path file;
  /// Hands an event to Kafka; false if the publisher is stopping.
  std::function<bool(const kafka::OutboundEvent&)> publish;
  /// Counts a refused event by reason and where it went ("rejects" or "file").
  std::function<void(std::string_view reason, std::string_view destination)> count;
  /// The source id for rejects of events that were already acknowledged (from the spool).
  uint32_t own_source = 0;
  /// The `source` and `dataschema` of rejects whose connector is not known.
  pipelines::EventOrigin origin = {};
};

/// Where events go that Kafka refuses for good (larger than message.max.bytes, a topic the
/// producer may not write to, ...). Each becomes a reason-coded reject on the rejects topic with
/// the location of its source record, or, when the refused event was itself a reject, a line in
/// a local dead-letter file; either way it is counted, logged once (location and reason, never
/// contents), and then acknowledged to the checkpoint tracker, so the source's checkpoint moves
/// on and a restart does not publish everything after it again.
///
/// refused() may be called from any thread, including the publisher's delivery thread: it only
/// queues. A worker thread does the publishing and the file writes.
class DeadLetters {
 public:
  DeadLetters(DeadLetterOptions options, CheckpointTracker& tracker,
              pipelines::Pseudonymiser pseudonymiser);
  ~DeadLetters();
  DeadLetters(const DeadLetters&) = delete;
  DeadLetters& operator=(const DeadLetters&) = delete;

  /// Names a source (a connector slot) for the provenance of its rejects.
  void addSource(uint32_t source, pipelines::SourceInfo info);

  void refused(kafka::RefusedEvent refused);

  /// Waits until every event refused so far has been handled.
  void flush();

  /// Events handled so far.
  uint64_t handled() const;

 private:
  void run();
  void handle(kafka::RefusedEvent& refused);
  bool appendToFile(const kafka::RefusedEvent& refused, std::string_view location);
  pipelines::RecordEventEncoder& encoderFor(uint32_t source);

  DeadLetterOptions options_;
  CheckpointTracker& tracker_;
  pipelines::Pseudonymiser pseudonymiser_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<kafka::RefusedEvent> queue_;
  std::map<uint32_t, pipelines::SourceInfo> sources_;
  uint64_t queued_ = 0;
  uint64_t handled_ = 0;
  bool stopping_ = false;

  // The worker's own: encoders are not thread-safe.
  std::map<uint32_t, pipelines::RecordEventEncoder> encoders_;
  pipelines::EncodedEvent encoded_;
  std::thread worker_;
};

/// The value of a top-level string attribute of an event's JSON payload (the first occurrence of
/// `"name":"`), unescaped; empty if absent. Enough for Hearth's own events, whose `subject` and
/// `location` come before any nested record fields.
std::string eventAttribute(std::string_view payload, std::string_view name);

}  // namespace hearth::daemon::delivery
