// hearth-bench-kafka-peer BOOTSTRAP FILE [--events | --keyed] [-X name=value ...]: the ceiling
// the daemon is compared with. A bare librdkafka producer sends every line of FILE as one message
// and waits for every delivery report, with the settings hearthd needs for its guarantees
// (idempotent, acks=all, lz4).
//   Lines (the default): each line is the value of one unkeyed message to topic "peer".
//   --events: each line is KEY<TAB>VALUE, as `kcat -C -f '%k\t%s\n'` prints hearthd's events; they
//     go to topic "peer_events" keyed, partitioned as hearthd partitions them, with the CloudEvents
//     content-type header hearthd sends: the same bytes hearthd has to send.
//   --keyed: as --events, for a file of KEY<TAB>LINE: the raw lines sent as hearthd sends events
//     (keyed, partitioned by key, with the header), which is what keys alone cost.
//   -X name=value: a librdkafka property applied last (hearthd's tuning, to compare like with
//   like).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

namespace {

void set(rd_kafka_conf_t* conf, const char* key, const char* value) {
  char err[256];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "%s: %s\n", key, err);
    std::exit(2);
  }
}

constexpr std::string_view kContentType = "application/cloudevents+json; charset=UTF-8";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: hearth-bench-kafka-peer BOOTSTRAP FILE [--events | --keyed] "
                 "[-X name=value ...]\n");
    return 2;
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  set(conf, "enable.idempotence", "true");
  set(conf, "acks", "all");
  set(conf, "compression.type", "lz4");
  set(conf, "linger.ms", "5");
  set(conf, "sticky.partitioning.linger.ms", "0");
  bool events = false;
  const char* what = "raw lines";
  for (int i = 3; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--events" || arg == "--keyed") {
      events = true;
      what = arg == "--events" ? "hearthd's events" : "raw lines keyed as hearthd's events";
      set(conf, "partitioner", "murmur2_random");
    } else if (arg == "-X" && i + 1 < argc) {
      std::string property = argv[++i];
      const size_t equals = property.find('=');
      if (equals == std::string::npos) {
        std::fprintf(stderr, "-X %s: expected name=value\n", property.c_str());
        return 2;
      }
      property[equals] = '\0';
      set(conf, property.c_str(), property.c_str() + equals + 1);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  const char* topic = events ? "peer_events" : "peer";
  std::ifstream in(argv[2]);
  std::string line;
  uint64_t sent = 0;
  uint64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::getline(in, line)) {
    std::string_view key;
    std::string_view value = line;
    if (events) {
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      key = value.substr(0, tab);
      value.remove_prefix(tab + 1);
    }
    bytes += value.size();
    while (true) {
      const rd_kafka_resp_err_t result =
          events
              ? rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_KEY(key.data(), key.size()),
                                  RD_KAFKA_V_HEADER("content-type", kContentType.data(),
                                                    static_cast<ssize_t>(kContentType.size())),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)
              : rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (result != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      rd_kafka_poll(rk, 10);
    }
    ++sent;
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "bare librdkafka producer (%s, %llu bytes a message): %llu messages in %.2f s = %.0f "
      "msg/s\n",
      what, static_cast<unsigned long long>(sent == 0 ? 0 : bytes / sent),
      static_cast<unsigned long long>(sent), seconds, sent / seconds);
  rd_kafka_destroy(rk);
  return 0;
}
