#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hearth::daemon::kafka::testing {

struct ConsumedMessage {
  std::string key;
  std::string payload;
  int32_t partition = 0;
  int64_t offset = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, as sent
};

/// Every message of `topic` from the start of each partition up to its end at the time of the
/// call, partition by partition in offset order. Reads over TCP with a plain librdkafka consumer
/// (no group). Fails the calling test on timeout.
std::vector<ConsumedMessage> consumeAll(
    const std::string& bootstrap, const std::string& topic,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace hearth::daemon::kafka::testing
