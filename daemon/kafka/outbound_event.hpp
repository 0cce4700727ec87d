#pragma once

#include <cstdint>
#include <string>

namespace hearth::daemon::kafka {

/// One encoded event on its way to Kafka. `source` and `seq` identify it to the caller's delivery
/// bookkeeping (see delivery::CheckpointTracker) and come back in the durability callback.
struct OutboundEvent {
  std::string topic;
  std::string key;
  std::string payload;
  uint32_t source = 0;
  uint64_t seq = 0;
};

/// An event Kafka refuses for good (larger than message.max.bytes, not authorised, an invalid
/// topic), with the reason as librdkafka names it (MSG_SIZE_TOO_LARGE, ...).
struct RefusedEvent {
  OutboundEvent event;
  std::string reason;
  /// Set for an event already reported durable (it had been fsynced into the spool): its
  /// source and seq must not be acknowledged again.
  bool already_durable = false;
};

}  // namespace hearth::daemon::kafka
