#include "daemon/metrics/metrics.hpp"

#include <prometheus/text_serializer.h>

#include "daemon/metrics/process_metrics.hpp"

namespace hearth::metrics {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using prometheus::Registry;

Family<Counter>& counter(Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

Family<Gauge>& gauge(Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

std::string str(std::string_view s) { return std::string(s); }

}  // namespace

const Histogram::BucketBoundaries& Metrics::latencyBuckets() {
  static const Histogram::BucketBoundaries kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25,  0.5,    1,     2.5,  5,     10,   30};
  return kBuckets;
}

Metrics::Metrics(std::string_view version)
    : registry_(std::make_shared<Registry>()),
      records_read_(counter(*registry_, "hearth_records_read_total",
                            "Records read by a connector from a source stream.")),
      records_withdrawn_(counter(*registry_, "hearth_records_withdrawn_total",
                                 "Records their source withdrew (FHIR deletions), removed from the "
                                 "record store and the derived views.")),
      rejects_(counter(*registry_, "hearth_rejects_total",
                       "Findings on the rejects topic, by reason code and severity (reject: the "
                       "record was refused; query: it was published and queried).")),
      dead_letters_(counter(*registry_, "hearth_dead_letters_total",
                            "Events Kafka refused for good, by reason and where they went.")),
      events_published_(counter(*registry_, "hearth_events_published_total",
                                "Events whose delivery Kafka confirmed.")),
      events_failed_(counter(*registry_, "hearth_events_failed_total",
                             "Events whose delivery Kafka reported as failed.")),
      publish_latency_(prometheus::BuildHistogram()
                           .Name("hearth_publish_latency_seconds")
                           .Help("Time from handing an event to Kafka until its delivery report.")
                           .Register(*registry_)),
      queue_depth_(gauge(*registry_, "hearth_queue_depth", "Items waiting in a stage queue.")),
      checkpoint_age_(gauge(*registry_, "hearth_checkpoint_age_seconds",
                            "Seconds since a connector's checkpoint last advanced.")),
      connector_up_(gauge(*registry_, "hearth_connector_up",
                          "1 while a connector is running, 0 when paused, failed or stopped.")),
      connector_paused_(gauge(*registry_, "hearth_connector_paused",
                              "1 while a connector waits: the spool is full, the disk is below "
                              "its free-space floor, or an operator paused it.")),
      connector_events_(counter(*registry_, "hearth_connector_events_total",
                                "Counters defined by connector plugins.")),
      fields_unmapped_(counter(*registry_, "hearth_fields_unmapped_total",
                               "Values of fields that normalisation neither maps nor deliberately "
                               "ignores, by source layout and field name.")),
      spool_bytes_(gauge(*registry_, "hearth_spool_bytes",
                         "Bytes in the disk spool's files, which hold events while Kafka is "
                         "unreachable.")
                       .Add({})),
      spool_damaged_(counter(*registry_, "hearth_spool_damaged_entries_total",
                             "Damaged disk spool entries skipped; their events are read again "
                             "from the source.")
                         .Add({})),
      spool_lost_(counter(*registry_, "hearth_spool_lost_events_total",
                          "Events the disk spool lost or had no room for; read again from their "
                          "sources' last saved checkpoints.")
                      .Add({})),
      kafka_available_(gauge(*registry_, "hearth_kafka_available",
                             "1 while the Kafka producer reaches the brokers, else 0.")
                           .Add({})),
      derive_seconds_(gauge(*registry_, "hearth_derive_duration_seconds",
                            "How long the last derive (identity, person views, indicators) took.")
                          .Add({})),
      derive_last_success_(gauge(*registry_, "hearth_derive_last_success_timestamp_seconds",
                                 "When the last derive finished, in seconds since the epoch.")
                               .Add({})),
      canonical_records_(gauge(*registry_, "hearth_canonical_records",
                               "Canonical records held for identity and indicators.")
                             .Add({})),
      persons_(
          gauge(*registry_, "hearth_persons", "Persons resolved by identity resolution.").Add({})),
      review_pairs_(gauge(*registry_, "hearth_identity_review_pairs",
                          "Record pairs held for a reviewer's decision.")
                        .Add({})),
      connector_restarts_(counter(*registry_, "hearth_connector_restarts_total",
                                  "Connector restarts: started again by an operator, a reload, "
                                  "an offset reset or a spool loss, or a failed read retried.")),
      connector_last_success_(gauge(*registry_, "hearth_connector_last_success_timestamp_seconds",
                                    "When a connector last completed a read, in seconds since "
                                    "the epoch.")),
      spool_limit_(gauge(*registry_, "hearth_spool_limit_bytes",
                         "The disk spool's limit (kafka.spool_max_bytes): connectors pause when "
                         "hearth_spool_bytes reaches it.")
                       .Add({})),
      kafka_queue_messages_(gauge(*registry_, "hearth_kafka_producer_queue_messages",
                                  "Messages in the Kafka producer's queue, waiting to be sent or "
                                  "confirmed (librdkafka statistics).")
                                .Add({})),
      kafka_broker_up_(gauge(*registry_, "hearth_kafka_broker_up",
                             "1 while the producer's connection to a broker is UP, else 0 "
                             "(librdkafka statistics).")),
      kafka_broker_rtt_(gauge(*registry_, "hearth_kafka_broker_rtt_seconds",
                              "Average request round trip to a broker over the last statistics "
                              "interval (librdkafka statistics).")) {
  gauge(*registry_, "hearth_build_info", "The running hearthd build; always 1.")
      .Add({{"version", str(version)}})
      .Set(1);
}

Counter& Metrics::recordsRead(std::string_view connector, std::string_view stream) {
  return records_read_.Add({{"connector", str(connector)}, {"stream", str(stream)}});
}

Counter& Metrics::recordsWithdrawn(std::string_view connector, std::string_view stream) {
  return records_withdrawn_.Add({{"connector", str(connector)}, {"stream", str(stream)}});
}

Counter& Metrics::rejects(std::string_view connector, std::string_view reason,
                          std::string_view severity) {
  return rejects_.Add(
      {{"connector", str(connector)}, {"reason", str(reason)}, {"severity", str(severity)}});
}

Counter& Metrics::deadLetters(std::string_view reason, std::string_view destination) {
  return dead_letters_.Add({{"reason", str(reason)}, {"destination", str(destination)}});
}

Counter& Metrics::eventsPublished(std::string_view topic) {
  return events_published_.Add({{"topic", str(topic)}});
}

Counter& Metrics::eventsFailed(std::string_view topic) {
  return events_failed_.Add({{"topic", str(topic)}});
}

Histogram& Metrics::publishLatency(std::string_view topic) {
  return publish_latency_.Add({{"topic", str(topic)}}, latencyBuckets());
}

Gauge& Metrics::queueDepth(std::string_view queue) {
  return queue_depth_.Add({{"queue", str(queue)}});
}

Gauge& Metrics::checkpointAge(std::string_view connector) {
  return checkpoint_age_.Add({{"connector", str(connector)}});
}

Gauge& Metrics::connectorUp(std::string_view connector) {
  return connector_up_.Add({{"connector", str(connector)}});
}

Counter& Metrics::connectorRestarts(std::string_view connector) {
  return connector_restarts_.Add({{"connector", str(connector)}});
}

Gauge& Metrics::connectorLastSuccess(std::string_view connector) {
  return connector_last_success_.Add({{"connector", str(connector)}});
}

Gauge& Metrics::kafkaBrokerUp(std::string_view broker) {
  return kafka_broker_up_.Add({{"broker", str(broker)}});
}

Gauge& Metrics::kafkaBrokerRtt(std::string_view broker) {
  return kafka_broker_rtt_.Add({{"broker", str(broker)}});
}

Gauge& Metrics::connectorPaused(std::string_view connector, std::string_view reason) {
  return connector_paused_.Add({{"connector", str(connector)}, {"reason", str(reason)}});
}

Counter& Metrics::connectorEvents(std::string_view connector, std::string_view name) {
  return connector_events_.Add({{"connector", str(connector)}, {"name", str(name)}});
}

Counter& Metrics::fieldsUnmapped(std::string_view layout, std::string_view field) {
  return fields_unmapped_.Add({{"layout", str(layout)}, {"field", str(field)}});
}

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect()) + processMetricsText();
}

}  // namespace hearth::metrics
