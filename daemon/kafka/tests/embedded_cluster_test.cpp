#include "daemon/kafka/embedded_cluster.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <string>

#include "daemon/kafka/tests/test_consumer.hpp"

namespace hearth::daemon::kafka {
namespace {

// A bare librdkafka producer that counts delivery reports by outcome.
class CountingProducer {
 public:
  CountingProducer(const std::string& bootstrap, int message_timeout_ms) {
    KafkaConf conf(rd_kafka_conf_new());
    EXPECT_TRUE(setProperty(conf.get(), "bootstrap.servers", bootstrap).ok());
    EXPECT_TRUE(
        setProperty(conf.get(), "message.timeout.ms", std::to_string(message_timeout_ms)).ok());
    EXPECT_TRUE(setProperty(conf.get(), "reconnect.backoff.max.ms", "200").ok());
    EXPECT_TRUE(setProperty(conf.get(), "log_level", "0").ok());
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(
        conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
          auto* self = static_cast<CountingProducer*>(opaque);
          (message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? self->delivered_ : self->failed_)++;
        });
    std::array<char, 512> reason{};
    handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
    EXPECT_TRUE(handle_) << reason.data();
    conf.release();
  }

  void produce(const std::string& topic, const std::string& key, const std::string& value) {
    ASSERT_EQ(rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                RD_KAFKA_V_KEY(key.data(), key.size()),
                                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  void flush(int timeout_ms) { rd_kafka_flush(handle_.get(), timeout_ms); }

  /// Serves delivery reports until `reports` have arrived in all (the message timeout bounds the
  /// wait for each), or a minute has passed; returns whether they arrived.
  bool awaitReports(int reports) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (delivered_ + failed_ < reports) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      rd_kafka_poll(handle_.get(), 100);
    }
    return true;
  }
  rd_kafka_t* handle() { return handle_.get(); }
  int delivered() const { return delivered_; }
  int failed() const { return failed_; }

 private:
  KafkaHandle handle_;
  std::atomic<int> delivered_{0};
  std::atomic<int> failed_{0};
};

TEST(EmbeddedCluster, NamesTheWellKnownTopicsAfterThePrefix) {
  const auto topics = wellKnownTopics();
  ASSERT_EQ(topics.size(), 6u);
  EXPECT_EQ(topics[0], "hearth.indicator.values");
  EXPECT_EQ(topics[2], "hearth.person.view");
  EXPECT_EQ(wellKnownTopics("council-a.")[3], "council-a.records");
}

TEST(EmbeddedCluster, CreatesTheWellKnownTopicsWithTheirPartitions) {
  auto cluster = EmbeddedCluster::start(EmbeddedClusterOptions{.brokers = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_EQ((*cluster)->brokerCount(), 3);
  EXPECT_NE((*cluster)->bootstrapServers().find("127.0.0.1:"), std::string::npos);

  CountingProducer producer((*cluster)->bootstrapServers(), 5000);
  const rd_kafka_metadata_t* metadata = nullptr;
  ASSERT_EQ(rd_kafka_metadata(producer.handle(), 1, nullptr, &metadata, 5000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(metadata->broker_cnt, 3);
  int found = 0;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    for (const auto& topic : wellKnownTopics()) {
      if (topic == metadata->topics[i].topic) {
        ++found;
        EXPECT_EQ(metadata->topics[i].partition_cnt, 128) << topic;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  EXPECT_EQ(found, 6);
}

TEST(EmbeddedCluster, MessagesProducedOverTcpCanBeConsumedBack) {
  auto cluster = EmbeddedCluster::start(
      EmbeddedClusterOptions{.partitions_per_topic = 8, .topics = {"t.roundtrip"}});
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  CountingProducer producer((*cluster)->bootstrapServers(), 5000);
  for (int i = 0; i < 100; ++i) producer.produce("t.roundtrip", "k" + std::to_string(i), "v");
  producer.flush(10000);
  EXPECT_EQ(producer.delivered(), 100);
  const auto messages = testing::consumeAll((*cluster)->bootstrapServers(), "t.roundtrip");
  EXPECT_EQ(messages.size(), 100u);
}

// Each step waits for the delivery report itself, not for a fixed time: on a loaded machine a
// report can take longer than any guess. Only the message sent during the outage has a short
// timeout (it is meant to fail); the others have time enough to survive a slow reconnection.
TEST(EmbeddedCluster, BrokersDownFailDeliveriesUntilTheyAreUpAgain) {
  auto cluster = EmbeddedCluster::start(EmbeddedClusterOptions{.topics = {"t.outage"}});
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  CountingProducer producer((*cluster)->bootstrapServers(), 30000);
  producer.produce("t.outage", "k", "before");
  ASSERT_TRUE(producer.awaitReports(1));
  ASSERT_EQ(producer.delivered(), 1);

  (*cluster)->setBrokersDown(true);
  CountingProducer during_outage((*cluster)->bootstrapServers(), 1000);
  during_outage.produce("t.outage", "k", "during");
  ASSERT_TRUE(during_outage.awaitReports(1));
  EXPECT_EQ(during_outage.failed(), 1);
  EXPECT_EQ(during_outage.delivered(), 0);

  (*cluster)->setBrokersDown(false);
  producer.produce("t.outage", "k", "after");
  ASSERT_TRUE(producer.awaitReports(2));
  EXPECT_EQ(producer.delivered(), 2);
  EXPECT_EQ(producer.failed(), 0);
}

TEST(EmbeddedCluster, RefusesAClusterWithoutBrokers) {
  auto cluster = EmbeddedCluster::start(EmbeddedClusterOptions{.brokers = 0});
  ASSERT_FALSE(cluster.ok());
  EXPECT_EQ(cluster.error().code, "kafka.embedded");
}

}  // namespace
}  // namespace hearth::daemon::kafka
