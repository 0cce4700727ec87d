#include "daemon/kafka/cloudevents_binding.hpp"

namespace hearth::daemon::kafka {

rd_kafka_resp_err_t produceEvent(rd_kafka_t* producer, rd_kafka_topic_t* topic,
                                 std::string_view payload, std::string_view key, void* opaque) {
  void* value = payload.empty() ? nullptr : const_cast<char*>(payload.data());
  if (payload.empty()) {
    return rd_kafka_producev(
        producer, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value, 0),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  }
  return rd_kafka_producev(
      producer, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value, payload.size()),
      RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_OPAQUE(opaque),
      RD_KAFKA_V_HEADER(kContentTypeHeader.data(), kStructuredContentType.data(),
                        static_cast<ssize_t>(kStructuredContentType.size())),
      RD_KAFKA_V_END);
}

}  // namespace hearth::daemon::kafka
