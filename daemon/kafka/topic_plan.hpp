#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hearth::daemon::kafka {

/// One of Hearth's topics as a production cluster should have it.
struct TopicSpec {
  std::string name;
  int partitions = 12;
  int replication_factor = 3;
  std::map<std::string, std::string> config;  // topic-level configuration
};

/// Every topic Hearth publishes to, after `prefix`: the latest-value topics compacted (the person
/// view, whose erasures are tombstones, and the indicator values), the others kept for a time
/// that suits what they hold (docs/topics.md says why).
std::vector<TopicSpec> topicPlan(std::string_view prefix, int partitions, int replication_factor);

/// What the cluster answered for one topic.
struct TopicOutcome {
  std::string name;
  std::string error;    // librdkafka's error name; empty when created
  std::string message;  // the broker's explanation, if any
  bool existed() const { return error == "TOPIC_ALREADY_EXISTS"; }
};

/// The error code of a CreateTopics request the cluster did not answer within its timeout.
inline constexpr std::string_view kTopicsTimeout = "kafka.topics_timeout";

/// Creates the topics through librdkafka's Admin API (CreateTopics). `properties` are the
/// producer's librdkafka properties (security settings); the request fails as a whole, with the
/// code kTopicsTimeout, when the cluster does not answer within `timeout`.
Result<std::vector<TopicOutcome>> createTopics(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::vector<TopicSpec>& topics,
                                               std::chrono::milliseconds timeout);

}  // namespace hearth::daemon::kafka
