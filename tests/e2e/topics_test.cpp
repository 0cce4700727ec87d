// `hearthd topics create`: the plan of every topic with its partitions, replication factor and
// configuration, and the Admin API request against a cluster, as far as librdkafka's mock cluster
// (in its own process) goes.
#include <gtest/gtest.h>

#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

TEST(Topics, DryRunPrintsEveryTopicWithItsPartitionsAndConfiguration) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml = "  []\n";
  options.brokers = "kafka-1.council.internal:9093";  // never contacted on a dry run
  options.kafka_yaml = "  topic_prefix: council2.\n";
  const auto config = writeDaemonConfig(dir.path(), options).string();
  std::string out;
  std::string errors;
  ASSERT_EQ(runHearthd({"topics", "create", "--dry-run", "--config", config, "--partitions", "3",
                        "--replication-factor", "1"},
                       dir.path(), &errors, &out),
            0)
      << errors << out;
  for (const char* line :
       {"council2.person.view: 3 partitions, replication factor 1, cleanup.policy=compact, "
        "delete.retention.ms=86400000\n",
        "council2.indicator.values: 3 partitions, replication factor 1, cleanup.policy=compact, "
        "delete.retention.ms=86400000\n",
        "council2.indicator.facts: 3 partitions, replication factor 1, cleanup.policy=delete, "
        "retention.ms=31536000000\n",
        "council2.records: 3 partitions, replication factor 1, cleanup.policy=delete, "
        "retention.ms=2592000000\n",
        "council2.identity: 3 partitions, replication factor 1, cleanup.policy=delete, "
        "retention.ms=31536000000\n",
        "council2.rejects: 3 partitions, replication factor 1, cleanup.policy=delete, "
        "retention.ms=2592000000\n",
        "dry run: nothing was sent to kafka-1.council.internal:9093\n"}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << " not in:\n" << out;
  }
  EXPECT_EQ(runHearthd({"topics", "create", "--dry-run", "--config", config, "--partitions", "0"},
                       dir.path(), &errors, &out),
            64);
}

// librdkafka 2.0.2's mock cluster does not implement CreateTopics: no controller answers. The
// request is made, and the wait for an answer ends at --timeout with a failing exit code, naming
// the wait and the flag that lengthens it: nothing is claimed created that was not.
TEST(Topics, CreateReportsAClusterThatDoesNotAnswerWithinTheTimeout) {
  TempDir dir;
  ExternalKafka kafka(4);
  DaemonOptions options;
  options.connectors_yaml = "  []\n";
  options.brokers = kafka.bootstrap();
  options.kafka_yaml = "  topic_prefix: council2.\n";
  const auto config = writeDaemonConfig(dir.path(), options).string();
  std::string out;
  std::string errors;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(runHearthd({"topics", "create", "--config", config, "--replication-factor", "1",
                        "--timeout", "2"},
                       dir.path(), &errors, &out),
            1)
      << out;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s) << "--timeout 2 was not kept";
  EXPECT_EQ(out.find(": created"), std::string::npos) << out;
  EXPECT_NE(errors.find("the Kafka cluster did not answer within 2 s"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("(--timeout waits longer)"), std::string::npos) << errors;
  EXPECT_EQ(runHearthd({"topics", "create", "--config", config, "--timeout", "0"}, dir.path(),
                       &errors, &out),
            64);
}

TEST(Topics, CreateRefusesTheEmbeddedCluster) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml = "  []\n";
  const auto config = writeDaemonConfig(dir.path(), options).string();
  std::string errors;
  EXPECT_EQ(runHearthd({"topics", "create", "--config", config}, dir.path(), &errors), 78);
  EXPECT_NE(errors.find("kafka.brokers is embedded"), std::string::npos) << errors;
}

}  // namespace
}  // namespace hearth::testing
