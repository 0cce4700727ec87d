#include "daemon/kafka/tests/test_consumer.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <array>
#include <map>

#include "daemon/kafka/rdkafka_handles.hpp"

namespace hearth::daemon::kafka::testing {
namespace {

struct PartitionListDestroyer {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};

std::vector<std::pair<std::string, std::string>> headersOf(rd_kafka_message_t* message) {
  std::vector<std::pair<std::string, std::string>> out;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.emplace_back(name, value == nullptr ? std::string()
                                            : std::string(static_cast<const char*>(value), size));
  }
  return out;
}

}  // namespace

std::vector<ConsumedMessage> consumeAll(const std::string& bootstrap, const std::string& topic,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now())
               .count()));
  };
  std::vector<ConsumedMessage> messages;

  KafkaConf conf(rd_kafka_conf_new());
  EXPECT_TRUE(setProperty(conf.get(), "bootstrap.servers", bootstrap).ok());
  EXPECT_TRUE(setProperty(conf.get(), "group.id", "hearth-test-reader").ok());
  EXPECT_TRUE(setProperty(conf.get(), "enable.auto.commit", "false").ok());
  EXPECT_TRUE(setProperty(conf.get(), "log_level", "3").ok());
  std::array<char, 512> reason{};
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), reason.data(), reason.size()));
  if (!consumer) {
    ADD_FAILURE() << "cannot create a consumer: " << reason.data();
    return messages;
  }
  conf.release();

  KafkaTopic topic_handle(rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr));
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(consumer.get(), 0, topic_handle.get(), &metadata, left_ms()) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topic_cnt != 1) {
    ADD_FAILURE() << "no metadata for " << topic;
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    return messages;
  }
  const int partitions = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);

  // Where each partition ends now: reading stops there.
  std::map<int32_t, int64_t> end_offsets;
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDestroyer> assignment(
      rd_kafka_topic_partition_list_new(partitions));
  for (int32_t partition = 0; partition < partitions; ++partition) {
    int64_t low = 0;
    int64_t high = 0;
    const auto err = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition,
                                                      &low, &high, left_ms());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ADD_FAILURE() << "no offsets for " << topic << "/" << partition << ": "
                    << rd_kafka_err2str(err);
      return messages;
    }
    if (high > low) {
      end_offsets[partition] = high;
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = low;
    }
  }
  if (end_offsets.empty()) return messages;
  if (rd_kafka_assign(consumer.get(), assignment.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ADD_FAILURE() << "cannot assign partitions of " << topic;
    return messages;
  }

  std::map<int32_t, std::vector<ConsumedMessage>> by_partition;
  size_t unfinished = end_offsets.size();
  while (unfinished > 0) {
    if (left_ms() == 0) {
      ADD_FAILURE() << "timed out reading " << topic << "; " << unfinished
                    << " partitions unfinished";
      break;
    }
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const int32_t partition = message->partition;
      const auto end = end_offsets.find(partition);
      if (end != end_offsets.end() && message->offset < end->second) {
        by_partition[partition].push_back(ConsumedMessage{
            message->key == nullptr
                ? std::string()
                : std::string(static_cast<const char*>(message->key), message->key_len),
            message->payload == nullptr
                ? std::string()
                : std::string(static_cast<const char*>(message->payload), message->len),
            partition, message->offset, headersOf(message)});
        if (message->offset + 1 == end->second) --unfinished;
      }
    } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ADD_FAILURE() << "consumer error: " << rd_kafka_message_errstr(message);
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer.get());
  for (auto& [partition, list] : by_partition) {
    messages.insert(messages.end(), std::make_move_iterator(list.begin()),
                    std::make_move_iterator(list.end()));
  }
  return messages;
}

}  // namespace hearth::daemon::kafka::testing
