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

}  // namespace hearth::daemon::kafka
