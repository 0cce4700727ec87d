#include "tests/common/kafka_reader.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace hearth::testing {
namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
};

void set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[256];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    throw std::runtime_error(err);
  }
}

}  // namespace

size_t consumeAll(const std::string& bootstrap, const std::string& topic,
                  const std::function<void(std::string_view, std::string_view)>& visit,
                  std::chrono::milliseconds timeout) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "hearth-test-reader");
  set(conf, "enable.partition.eof", "true");
  set(conf, "enable.auto.commit", "false");
  set(conf, "auto.offset.reset", "earliest");
  set(conf, "fetch.max.bytes", "52428800");
  char err[512];
  std::unique_ptr<rd_kafka_t, KafkaDeleter> rk(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err));
  if (!rk) throw std::runtime_error(err);

  const rd_kafka_metadata_t* raw_md = nullptr;
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> handle(
      rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  if (rd_kafka_metadata(rk.get(), 0, handle.get(), &raw_md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("metadata request failed for " + topic);
  }
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw_md);
  if (md->topic_cnt != 1 || md->topics[0].err) {
    throw std::runtime_error("topic not found: " + topic);
  }
  const int partitions = md->topics[0].partition_cnt;
  std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter> assignment(
      rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_assign(rk.get(), assignment.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("assign failed");
  }

  std::vector<bool> at_end(static_cast<size_t>(partitions), false);
  int ended = 0;
  size_t count = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ended < partitions) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("timed out reading " + topic);
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 500);
    if (!msg) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(
        msg, &rd_kafka_message_destroy);
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (!at_end[static_cast<size_t>(msg->partition)]) {
        at_end[static_cast<size_t>(msg->partition)] = true;
        ++ended;
      }
      continue;
    }
    if (msg->err) {
      throw std::runtime_error(std::string("consume error: ") + rd_kafka_message_errstr(msg));
    }
    ++count;
    visit(std::string_view(static_cast<const char*>(msg->key), msg->key_len),
          std::string_view(static_cast<const char*>(msg->payload), msg->len));
  }
  return count;
}

std::string_view jsonStringField(std::string_view json, std::string_view field) {
  std::string pattern = "\"" + std::string(field) + "\":\"";
  const auto start = json.find(pattern);
  if (start == std::string_view::npos) return {};
  const auto value_start = start + pattern.size();
  const auto value_end = json.find('"', value_start);
  if (value_end == std::string_view::npos) return {};
  return json.substr(value_start, value_end - value_start);
}

}  // namespace hearth::testing
