#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

namespace hearth::daemon::kafka {

/// The Kafka protocol binding of CloudEvents, structured mode: a message whose `content-type`
/// header says so holds the whole event as JSON, and SDKs read it as such (without the header
/// they take it for a binary-mode event whose attributes are `ce_` headers).
inline constexpr std::string_view kContentTypeHeader = "content-type";
inline constexpr std::string_view kStructuredContentType =
    "application/cloudevents+json; charset=UTF-8";

/// Produces one event with its binding headers, copying payload and key. Every Hearth event is a
/// structured CloudEvent, so the header follows from the payload alone and events in the spool
/// need not store it: whenever and however often an event is sent, it carries the header. An
/// empty payload is a tombstone (a null value, which compaction deletes): not an event, so it
/// carries no content type. Returns librdkafka's error (NO_ERROR when queued).
rd_kafka_resp_err_t produceEvent(rd_kafka_t* producer, rd_kafka_topic_t* topic,
                                 std::string_view payload, std::string_view key, void* opaque);

}  // namespace hearth::daemon::kafka
