// hearth-bench-kafka-peer BOOTSTRAP FILE: the ceiling the daemon is compared with. A bare
// librdkafka producer sends every line of FILE as one message to topic "peer" with the same
// producer settings hearthd uses (idempotent, acks=all, lz4) and waits for every delivery report.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

void set(rd_kafka_conf_t* conf, const char* key, const char* value) {
  char err[256];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "%s: %s\n", key, err);
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hearth-bench-kafka-peer BOOTSTRAP FILE\n");
    return 2;
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  set(conf, "enable.idempotence", "true");
  set(conf, "acks", "all");
  set(conf, "compression.type", "lz4");
  set(conf, "linger.ms", "5");
  set(conf, "sticky.partitioning.linger.ms", "0");
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  std::ifstream in(argv[2]);
  std::string line;
  uint64_t sent = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("peer"),
                             RD_KAFKA_V_VALUE(line.data(), line.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);
    }
    ++sent;
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("bare librdkafka producer: %llu messages in %.2f s = %.0f msg/s\n",
              static_cast<unsigned long long>(sent), seconds, sent / seconds);
  rd_kafka_destroy(rk);
  return 0;
}
