#pragma once

#include <librdkafka/rdkafka.h>

#include <array>
#include <memory>
#include <string>

#include "common/result.hpp"

namespace hearth::daemon::kafka {

struct KafkaHandleDestroyer {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct KafkaConfDestroyer {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct KafkaTopicDestroyer {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};

/// Owning librdkafka handles.
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDestroyer>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDestroyer>;
using KafkaTopic = std::unique_ptr<rd_kafka_topic_t, KafkaTopicDestroyer>;

/// Sets one librdkafka property, returning librdkafka's explanation if it refuses.
inline Result<void> setProperty(rd_kafka_conf_t* conf, const std::string& name,
                                const std::string& value) {
  std::array<char, 512> reason{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason.data(), reason.size()) !=
      RD_KAFKA_CONF_OK) {
    return makeError("kafka.config",
                     "Kafka property " + name + "=" + value + " refused: " + reason.data());
  }
  return {};
}

}  // namespace hearth::daemon::kafka
