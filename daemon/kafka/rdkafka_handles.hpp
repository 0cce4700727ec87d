#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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

/// Sets one librdkafka property. A refusal names the property and librdkafka's reason, never
/// the value: values may be credentials, and a misspelt key ("sasl.pasword") cannot tell which.
Result<void> setProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

/// Tries `properties` on a scratch producer configuration, as the producer will apply them, and
/// returns the key and error of each one librdkafka refuses (unknown, or a value it rejects), in
/// key order; no error shows a value.
std::vector<std::pair<std::string, Error>> refusedProperties(
    const std::map<std::string, std::string>& properties);

}  // namespace hearth::daemon::kafka
