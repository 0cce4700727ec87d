#pragma once

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "daemon/kafka/rdkafka_handles.hpp"

namespace hearth::daemon::kafka {

/// The topics Hearth publishes to (DESIGN.md, "Events on Kafka"), each name after `prefix`.
std::vector<std::string> wellKnownTopics(std::string_view prefix = "hearth.");

struct EmbeddedClusterOptions {
  int brokers = 1;
  /// Each mock partition keeps only about 5 MiB, so full-count checks need many partitions.
  int partitions_per_topic = 128;
  /// Created up front; other topics are auto-created with librdkafka's mock default partitions.
  std::vector<std::string> topics = wellKnownTopics();
};

/// librdkafka's mock Kafka cluster, in-process, speaking the Kafka protocol on loopback TCP
/// (`kafka.brokers: embedded`, and the broker of tests). Thread-safe.
class EmbeddedCluster {
 public:
  static Result<std::unique_ptr<EmbeddedCluster>> start(const EmbeddedClusterOptions& options = {});

  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  /// "127.0.0.1:port,..." for bootstrap.servers.
  const std::string& bootstrapServers() const { return bootstrap_servers_; }
  int brokerCount() const { return brokers_; }

  Result<void> createTopic(const std::string& name, int partitions);

  /// Takes every broker down (connections closed, new ones refused) or brings them back,
  /// simulating an outage.
  void setBrokersDown(bool down);

 private:
  struct MockClusterDestroyer {
    void operator()(rd_kafka_mock_cluster_t* cluster) const {
      rd_kafka_mock_cluster_destroy(cluster);
    }
  };

  EmbeddedCluster(KafkaHandle handle, rd_kafka_mock_cluster_t* cluster, int brokers);

  // The mock cluster runs on this handle's threads, so it is destroyed first (declared last).
  KafkaHandle handle_;
  std::unique_ptr<rd_kafka_mock_cluster_t, MockClusterDestroyer> cluster_;
  int brokers_;
  std::string bootstrap_servers_;
};

}  // namespace hearth::daemon::kafka
