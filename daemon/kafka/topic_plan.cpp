#include "daemon/kafka/topic_plan.hpp"

#include <librdkafka/rdkafka.h>

#include <array>
#include <memory>

#include "daemon/kafka/rdkafka_handles.hpp"

namespace hearth::daemon::kafka {
namespace {

constexpr std::string_view kDay = "86400000";

// Each topic's policy. Compacted topics keep the latest event per key for ever (a person's view,
// an indicator cell); the others keep history for consumers that replay: a year for what
// analysts trend, 30 days for raw records (rebuildable from the record store) and for rejects,
// which may hold identifiers and so should not live longer than their fixing takes.
struct Policy {
  std::string_view suffix;
  bool compact;
  int retention_days;  // for the others
};
constexpr std::array<Policy, 6> kPolicies = {{
    {"indicator.values", true, 0},
    {"indicator.facts", false, 365},
    {"person.view", true, 0},
    {"records", false, 30},
    {"identity", false, 365},
    {"rejects", false, 30},
}};

struct NewTopicDestroyer {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
struct AdminOptionsDestroyer {
  void operator()(rd_kafka_AdminOptions_t* options) const {
    rd_kafka_AdminOptions_destroy(options);
  }
};
struct QueueDestroyer {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDestroyer {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

}  // namespace

std::vector<TopicSpec> topicPlan(std::string_view prefix, int partitions, int replication_factor) {
  std::vector<TopicSpec> plan;
  for (const Policy& policy : kPolicies) {
    TopicSpec spec{
        std::string(prefix) + std::string(policy.suffix), partitions, replication_factor, {}};
    if (policy.compact) {
      spec.config["cleanup.policy"] = "compact";
      // Tombstones (erasures) stay a day, so that every consumer sees them before they go.
      spec.config["delete.retention.ms"] = std::string(kDay);
    } else {
      spec.config["cleanup.policy"] = "delete";
      spec.config["retention.ms"] = std::to_string(int64_t{policy.retention_days} * 86'400'000);
    }
    // acks=all from an idempotent producer: a write is safe once two replicas have it.
    if (replication_factor >= 3) spec.config["min.insync.replicas"] = "2";
    plan.push_back(std::move(spec));
  }
  return plan;
}

Result<std::vector<TopicOutcome>> createTopics(const std::string& bootstrap,
                                               const std::map<std::string, std::string>& properties,
                                               const std::vector<TopicSpec>& topics,
                                               std::chrono::milliseconds timeout) {
  KafkaConf conf(rd_kafka_conf_new());
  if (auto set = setProperty(conf.get(), "bootstrap.servers", bootstrap); !set) return set.error();
  for (const auto& [name, value] : properties) {
    if (auto set = setProperty(conf.get(), name, value); !set) return set.error();
  }
  std::array<char, 512> reason{};
  KafkaHandle admin(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (!admin)
    return makeError("kafka.config", std::string("cannot start a Kafka client: ") + reason.data());
  conf.release();

  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDestroyer>> owned;
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec& spec : topics) {
    owned.emplace_back(rd_kafka_NewTopic_new(
        spec.name.c_str(), spec.partitions, spec.replication_factor, reason.data(), reason.size()));
    if (!owned.back()) return makeError("kafka.topics", spec.name + ": " + reason.data());
    for (const auto& [key, value] : spec.config) {
      if (rd_kafka_NewTopic_set_config(owned.back().get(), key.c_str(), value.c_str()) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        return makeError("kafka.topics", spec.name + ": cannot set " + key);
      }
    }
    requests.push_back(owned.back().get());
  }

  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDestroyer> options(
      rd_kafka_AdminOptions_new(admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()),
                                            reason.data(), reason.size());
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()),
                                              reason.data(), reason.size());
  std::unique_ptr<rd_kafka_queue_t, QueueDestroyer> queue(rd_kafka_queue_new(admin.get()));
  rd_kafka_CreateTopics(admin.get(), requests.data(), requests.size(), options.get(), queue.get());
  // The request's own timeouts bound the wait; a little longer here so that their error arrives.
  std::unique_ptr<rd_kafka_event_t, EventDestroyer> event(
      rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000));
  const std::string no_answer =
      "the Kafka cluster did not answer within " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s";
  if (!event) return makeError(std::string(kTopicsTimeout), no_answer);
  if (rd_kafka_event_error(event.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    // No controller answered in time: nothing was refused, and nothing created.
    return makeError(std::string(kTopicsTimeout),
                     no_answer + ": " + rd_kafka_event_error_string(event.get()));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return makeError("kafka.topics", std::string("the Kafka cluster refused the request: ") +
                                         rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  if (result == nullptr) return makeError("kafka.topics", "an unexpected answer from Kafka");
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  std::vector<TopicOutcome> outcomes;
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    const char* message = rd_kafka_topic_result_error_string(results[i]);
    outcomes.push_back({rd_kafka_topic_result_name(results[i]),
                        err == RD_KAFKA_RESP_ERR_NO_ERROR ? "" : rd_kafka_err2name(err),
                        message != nullptr ? message : ""});
  }
  return outcomes;
}

}  // namespace hearth::daemon::kafka
