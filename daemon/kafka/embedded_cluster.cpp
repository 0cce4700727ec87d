#include "daemon/kafka/embedded_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <stop_token>
#include <thread>
#include <utility>

#include "daemon/kafka/topic_plan.hpp"

namespace hearth::daemon::kafka {
namespace {

/// Knocks on a mock broker's listener until destroyed. librdkafka 2.0.2's mock cluster thread can
/// miss the wake-up for requests sent to a fresh cluster (topic creation) and then sleeps out its
/// one-second poll timeout for each: start-up took anywhere from 10 ms to 3 s. Any activity on its
/// listening socket wakes it, so while topics are created this thread opens and closes a
/// connection every 2 ms.
class ListenerKnocker {
 public:
  explicit ListenerKnocker(const std::string& bootstrap) {
    const auto colon = bootstrap.find(':');
    if (colon == std::string::npos) return;
    const int port = std::atoi(bootstrap.c_str() + colon + 1);
    thread_ = std::jthread([port](std::stop_token stop) {
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(port));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      while (!stop.stop_requested()) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
          ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
          ::close(fd);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }

 private:
  std::jthread thread_;
};

}  // namespace

std::vector<std::string> wellKnownTopics(std::string_view prefix) {
  std::vector<std::string> topics;
  for (TopicSpec& spec : topicPlan(prefix, 1, 1)) topics.push_back(std::move(spec.name));
  return topics;
}

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::start(
    const EmbeddedClusterOptions& options) {
  if (options.brokers < 1 || options.partitions_per_topic < 1) {
    return makeError("kafka.embedded",
                     "the embedded cluster needs at least one broker and one "
                     "partition per topic");
  }
  KafkaConf conf(rd_kafka_conf_new());
  // The handle only hosts the mock cluster and never connects anywhere; without this it would
  // warn that no bootstrap servers are configured.
  if (auto set = setProperty(conf.get(), "log_level", "3"); !set) return set.error();
  std::array<char, 512> reason{};
  KafkaHandle handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (!handle) {
    return makeError("kafka.embedded",
                     std::string("cannot create the embedded cluster's handle: ") + reason.data());
  }
  conf.release();  // rd_kafka_new took ownership

  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle.get(), options.brokers);
  if (cluster == nullptr) {
    return makeError("kafka.embedded", "cannot start the embedded Kafka cluster");
  }
  std::unique_ptr<EmbeddedCluster> embedded(
      new EmbeddedCluster(std::move(handle), cluster, options.brokers));
  const ListenerKnocker knocker(embedded->bootstrapServers());
  for (const auto& topic : options.topics) {
    if (auto created = embedded->createTopic(topic, options.partitions_per_topic); !created) {
      return created.error();
    }
  }
  return embedded;
}

EmbeddedCluster::EmbeddedCluster(KafkaHandle handle, rd_kafka_mock_cluster_t* cluster, int brokers)
    : handle_(std::move(handle)),
      cluster_(cluster),
      brokers_(brokers),
      bootstrap_servers_(rd_kafka_mock_cluster_bootstraps(cluster)) {}

EmbeddedCluster::~EmbeddedCluster() = default;

Result<void> EmbeddedCluster::createTopic(const std::string& name, int partitions) {
  // Replication factor 1: every partition lives on exactly one broker, so taking brokers down
  // has a predictable effect.
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_.get(), name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return makeError("kafka.embedded",
                     "cannot create topic " + name + ": " + rd_kafka_err2str(err));
  }
  return {};
}

void EmbeddedCluster::setBrokersDown(bool down) {
  for (int32_t id = 1; id <= brokers_; ++id) {
    if (down) {
      rd_kafka_mock_broker_set_down(cluster_.get(), id);
    } else {
      rd_kafka_mock_broker_set_up(cluster_.get(), id);
    }
  }
}

}  // namespace hearth::daemon::kafka
