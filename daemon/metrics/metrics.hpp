#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <string_view>

namespace hearth::metrics {

/// The daemon's Prometheus metrics: one registry holding every hearth_* family.
///
/// Accessors return the child for a label set, creating it on first use. Looking a child up takes a
/// lock, so hot paths call an accessor once and keep the reference, which stays valid for the
/// lifetime of this object. All members are thread-safe.
class Metrics {
 public:
  /// Publish latency buckets in seconds: 1 ms to 30 s.
  static const prometheus::Histogram::BucketBoundaries& latencyBuckets();

  explicit Metrics(std::string_view version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// hearth_records_read_total: records a connector read from a stream.
  prometheus::Counter& recordsRead(std::string_view connector, std::string_view stream);
  /// hearth_records_withdrawn_total: records their source withdrew (FHIR deletions), removed
  /// from the store and the derived views.
  prometheus::Counter& recordsWithdrawn(std::string_view connector, std::string_view stream);
  /// hearth_rejects_total: findings published on the rejects topic, by reason code
  /// ("nhs.check_digit") and severity ("reject": the record was refused; "query": it went on).
  prometheus::Counter& rejects(std::string_view connector, std::string_view reason,
                               std::string_view severity);
  /// hearth_dead_letters_total: events Kafka refused for good, by reason (MSG_SIZE_TOO_LARGE, ...)
  /// and where they went instead ("rejects", or "file" for events of the rejects topic).
  prometheus::Counter& deadLetters(std::string_view reason, std::string_view destination);
  /// hearth_events_published_total: events Kafka confirmed.
  prometheus::Counter& eventsPublished(std::string_view topic);
  /// hearth_events_failed_total: events Kafka reported as failed.
  prometheus::Counter& eventsFailed(std::string_view topic);
  /// hearth_publish_latency_seconds: time from produce to delivery report.
  prometheus::Histogram& publishLatency(std::string_view topic);
  /// hearth_queue_depth: items waiting in a stage queue.
  prometheus::Gauge& queueDepth(std::string_view queue);
  /// hearth_spool_bytes: bytes in the disk spool's files.
  prometheus::Gauge& spoolBytes() { return spool_bytes_; }
  /// hearth_spool_damaged_entries_total: damaged spool entries skipped (read again from source).
  prometheus::Counter& spoolDamagedEntries() { return spool_damaged_; }
  /// hearth_spool_lost_events_total: events the spool could not keep or send (a damaged entry, a
  /// file deleted behind the daemon's back, no room for a failed delivery); read again from their
  /// sources' last saved checkpoints.
  prometheus::Counter& spoolLostEvents() { return spool_lost_; }
  /// hearth_connector_paused: 1 while a connector waits, by reason: "spool_full", "disk_low" or
  /// "operator".
  prometheus::Gauge& connectorPaused(std::string_view connector, std::string_view reason);
  /// hearth_checkpoint_age_seconds: time since a connector's checkpoint last advanced.
  prometheus::Gauge& checkpointAge(std::string_view connector);
  /// hearth_connector_up: 1 while a connector runs, 0 when paused, failed or stopped.
  prometheus::Gauge& connectorUp(std::string_view connector);
  /// hearth_connector_restarts_total: a connector started again (by an operator, a reload, an
  /// offset reset or a spool loss) or a failed read retried after its backoff.
  prometheus::Counter& connectorRestarts(std::string_view connector);
  /// hearth_connector_last_success_timestamp_seconds: when a connector last completed a read.
  prometheus::Gauge& connectorLastSuccess(std::string_view connector);
  /// hearth_kafka_available: 1 while the producer reaches the brokers.
  prometheus::Gauge& kafkaAvailable() { return kafka_available_; }
  /// The derive stage: the last evaluation's duration and when it finished, and what it held.
  prometheus::Gauge& deriveSeconds() { return derive_seconds_; }
  prometheus::Gauge& deriveLastSuccess() { return derive_last_success_; }
  prometheus::Gauge& canonicalRecords() { return canonical_records_; }
  prometheus::Gauge& persons() { return persons_; }
  prometheus::Gauge& identityReviewPairs() { return review_pairs_; }
  /// hearth_spool_limit_bytes: kafka.spool_max_bytes, so that alerts compare the spool to it.
  prometheus::Gauge& spoolLimitBytes() { return spool_limit_; }
  /// From librdkafka's statistics: messages in the producer's queue, and per broker its state
  /// (1 while UP) and its average request round trip.
  prometheus::Gauge& kafkaQueueMessages() { return kafka_queue_messages_; }
  prometheus::Gauge& kafkaBrokerUp(std::string_view broker);
  prometheus::Gauge& kafkaBrokerRtt(std::string_view broker);
  /// hearth_connector_events_total: counters a plugin defines through the host API.
  prometheus::Counter& connectorEvents(std::string_view connector, std::string_view name);
  /// hearth_fields_unmapped_total: values of fields that a known source layout neither maps nor
  /// deliberately ignores, by the layout ("ssda903") and the field's name.
  prometheus::Counter& fieldsUnmapped(std::string_view layout, std::string_view field);

  /// The registry, for collectors added outside this class.
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  /// Everything in the registry, in the Prometheus text exposition format 0.0.4.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& records_read_;
  prometheus::Family<prometheus::Counter>& records_withdrawn_;
  prometheus::Family<prometheus::Counter>& rejects_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Family<prometheus::Counter>& events_published_;
  prometheus::Family<prometheus::Counter>& events_failed_;
  prometheus::Family<prometheus::Histogram>& publish_latency_;
  prometheus::Family<prometheus::Gauge>& queue_depth_;
  prometheus::Family<prometheus::Gauge>& checkpoint_age_;
  prometheus::Family<prometheus::Gauge>& connector_up_;
  prometheus::Family<prometheus::Gauge>& connector_paused_;
  prometheus::Family<prometheus::Counter>& connector_events_;
  prometheus::Family<prometheus::Counter>& fields_unmapped_;
  prometheus::Gauge& spool_bytes_;
  prometheus::Counter& spool_damaged_;
  prometheus::Counter& spool_lost_;
  prometheus::Gauge& kafka_available_;
  prometheus::Gauge& derive_seconds_;
  prometheus::Gauge& derive_last_success_;
  prometheus::Gauge& canonical_records_;
  prometheus::Gauge& persons_;
  prometheus::Gauge& review_pairs_;
  prometheus::Family<prometheus::Counter>& connector_restarts_;
  prometheus::Family<prometheus::Gauge>& connector_last_success_;
  prometheus::Gauge& spool_limit_;
  prometheus::Gauge& kafka_queue_messages_;
  prometheus::Family<prometheus::Gauge>& kafka_broker_up_;
  prometheus::Family<prometheus::Gauge>& kafka_broker_rtt_;
};

}  // namespace hearth::metrics
