// Publishing throughput against the embedded cluster: Hearth's Publisher next to a bare
// librdkafka producer loop with the same settings, in the same run, so the ratio is meaningful.
//
//   publisher_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//
// events_per_s is wall-clock throughput; cpu_us_per_event is the CPU the whole process spent per
// event (every thread, the embedded broker's included), which stays comparable when the machine
// is busy with other work.
//
// Each run publishes 1,000,000 events of about 600 bytes to a fresh 128-partition topic and
// stops the clock when the last delivery report has arrived.

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/kafka/embedded_cluster.hpp"
#include "daemon/kafka/publisher.hpp"
#include "daemon/kafka/spool.hpp"

namespace hearth::daemon::kafka {
namespace {

constexpr uint64_t kEvents = 1'000'000;
constexpr int kPartitions = 128;

// Keys shaped like pseudonyms (base64url HMAC-SHA256) and CloudEvents-like JSON payloads of about
// 600 bytes, varied enough that lz4 sees realistic redundancy rather than repeated bytes.
struct Workload {
  std::vector<std::string> keys;
  std::vector<std::string> payloads;

  Workload() {
    std::mt19937_64 rng(2024);
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    auto random_text = [&](size_t length) {
      std::string text(length, ' ');
      for (auto& c : text) c = kAlphabet[rng() % kAlphabet.size()];
      return text;
    };
    for (int i = 0; i < 65536; ++i) keys.push_back(random_text(43));
    constexpr std::array<std::string_view, 4> kIndicators = {"cla_count", "cp_plan_count",
                                                             "re_referral_12m", "neet_16_17"};
    for (int i = 0; i < 4096; ++i) {
      std::string payload =
          R"({"specversion":"1.0","type":"uk.gov.council.hearth.indicator.fact.v1",)";
      payload += R"("source":"hearthd/demo","id":")" + random_text(32) + R"(",)";
      payload += R"("time":"2024-03-31T23:59:59.000Z","datacontenttype":"application/json",)";
      payload += R"("subject":")" + keys[static_cast<size_t>(i)] + R"(","data":{"indicator":")";
      payload += std::string(kIndicators[static_cast<size_t>(i) % kIndicators.size()]);
      payload += R"(","event":"entered_numerator","period":"2023-24","date":"2023-11-0)" +
                 std::to_string(1 + i % 9) + R"(","area":"E0600)" + std::to_string(1000 + i % 97);
      payload += R"(","age_band":"10-15","rule_version":"3","evidence":[")" + random_text(24) +
                 R"(",")" + random_text(24) + R"("],"notes":")";
      payload += random_text(600 > payload.size() + 3 ? 600 - payload.size() - 3 : 0) + R"("}})";
      payloads.push_back(std::move(payload));
    }
  }
};

const Workload& workload() {
  static const Workload instance;
  return instance;
}

EmbeddedCluster& cluster() {
  static const std::unique_ptr<EmbeddedCluster> instance = [] {
    auto started = EmbeddedCluster::start(EmbeddedClusterOptions{.topics = {}});
    if (!started) {
      std::fprintf(stderr, "cannot start the embedded cluster: %s\n",
                   started.error().message.c_str());
      std::abort();
    }
    return std::move(started).value();
  }();
  return *instance;
}

std::string freshTopic(std::string_view name) {
  static int run = 0;
  std::string topic = "bench." + std::string(name) + "." + std::to_string(run++);
  if (auto created = cluster().createTopic(topic, kPartitions); !created) std::abort();
  return topic;
}

// CPU time of the whole process (every thread: the caller's, librdkafka's, the mock broker's), so
// the figures stay comparable on a machine shared with other work.
double processCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void report(benchmark::State& state, uint64_t events, double cpu_seconds) {
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["cpu_us_per_event"] = cpu_seconds * 1e6 / static_cast<double>(events);
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

// The ceiling: librdkafka alone, polled inline as in its own examples, same properties.
void bareLibrdkafka(benchmark::State& state) {
  const Workload& work = workload();
  double cpu_seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string topic_name = freshTopic("bare");
    static std::atomic<uint64_t> delivered;
    delivered = 0;
    KafkaConf conf(rd_kafka_conf_new());
    const std::pair<const char*, const char*> properties[] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"compression.type", "lz4"},
        {"linger.ms", "5"},
        {"batch.num.messages", "10000"},
        {"batch.size", "1000000"},
        {"sticky.partitioning.linger.ms", "0"},
        {"partitioner", "murmur2_random"},
        {"queue.buffering.max.messages", "200000"},
        {"queue.buffering.max.kbytes", "262144"},
    };
    if (!setProperty(conf.get(), "bootstrap.servers", cluster().bootstrapServers())) std::abort();
    for (const auto& [name, value] : properties) {
      if (!setProperty(conf.get(), name, value)) std::abort();
    }
    rd_kafka_conf_set_dr_msg_cb(conf.get(),
                                [](rd_kafka_t*, const rd_kafka_message_t* message, void*) {
                                  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR)
                                    delivered.fetch_add(1);
                                });
    std::array<char, 512> reason{};
    KafkaHandle producer(
        rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), reason.data(), reason.size()));
    KafkaTopic topic(rd_kafka_topic_new(producer.get(), topic_name.c_str(), nullptr));
    const double cpu_before = processCpuSeconds();
    state.ResumeTiming();

    for (uint64_t i = 0; i < kEvents; ++i) {
      const std::string& key = work.keys[i % work.keys.size()];
      const std::string& payload = work.payloads[i % work.payloads.size()];
      while (rd_kafka_produce(topic.get(), RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                              const_cast<char*>(payload.data()), payload.size(), key.data(),
                              key.size(), nullptr) != 0) {
        rd_kafka_poll(producer.get(), 1);
      }
      if (i % 1024 == 0) rd_kafka_poll(producer.get(), 0);
    }
    while (delivered < kEvents) rd_kafka_poll(producer.get(), 10);

    state.PauseTiming();
    cpu_seconds += processCpuSeconds() - cpu_before;
    topic.reset();
    producer.reset();
    state.ResumeTiming();
  }
  report(state, kEvents * state.iterations(), cpu_seconds);
}

// Hearth's path: an OutboundEvent built per event (as the encoder hands it over), published, and
// counted when the durability callback reports it.
void hearthPublisher(benchmark::State& state) {
  const Workload& work = workload();
  double cpu_seconds = 0;
  const auto spool_dir = std::filesystem::temp_directory_path() /
                         ("hearth_publisher_bench_" + std::to_string(::getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    const std::string topic = freshTopic("publisher");
    std::atomic<uint64_t> durable{0};
    PublisherConfig config;
    config.bootstrap_servers = cluster().bootstrapServers();
    config.spool_dir = spool_dir;
    config.on_durable = [&durable](uint32_t, std::span<const uint64_t> seqs) {
      durable.fetch_add(seqs.size(), std::memory_order_relaxed);
    };
    auto created = Publisher::create(std::move(config));
    if (!created) {
      std::fprintf(stderr, "%s\n", created.error().message.c_str());
      std::abort();
    }
    auto publisher = std::move(created).value();
    const double cpu_before = processCpuSeconds();
    state.ResumeTiming();

    for (uint64_t i = 0; i < kEvents; ++i) {
      publisher->publish(OutboundEvent{.topic = topic,
                                       .key = work.keys[i % work.keys.size()],
                                       .payload = work.payloads[i % work.payloads.size()],
                                       .source = 0,
                                       .seq = i});
    }
    while (durable.load(std::memory_order_relaxed) < kEvents) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }

    state.PauseTiming();
    cpu_seconds += processCpuSeconds() - cpu_before;
    if (publisher->spoolBytes() > 0) state.SkipWithError("events went through the spool");
    publisher.reset();
    state.ResumeTiming();
  }
  std::filesystem::remove_all(spool_dir);
  report(state, kEvents * state.iterations(), cpu_seconds);
}

// The degraded path: events appended to the spool (fsynced every 10,000, as the 20 ms sync
// interval would at 500,000 events a second), then read back in order, as while draining.
void spoolAppendAndDrain(benchmark::State& state) {
  constexpr uint64_t kSpoolEvents = 200'000;
  const Workload& work = workload();
  const auto dir =
      std::filesystem::temp_directory_path() / ("hearth_spool_bench_" + std::to_string(::getpid()));
  const std::string topic = "hearth.records";
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    SpoolOptions options;
    options.dir = dir;
    options.max_bytes = uint64_t{4} << 30;
    auto opened = Spool::open(std::move(options));
    if (!opened) std::abort();
    auto spool = std::move(opened).value();
    spool->activate();
    spool->sealRetryLane();
    const double cpu_before = processCpuSeconds();
    state.ResumeTiming();

    for (uint64_t i = 0; i < kSpoolEvents; ++i) {
      const SpoolEntry entry{.topic = topic,
                             .key = work.keys[i % work.keys.size()],
                             .payload = work.payloads[i % work.payloads.size()],
                             .source = 0,
                             .seq = i};
      if (spool->append(entry) != Spool::AppendStatus::kAppended) std::abort();
      if (i % 10'000 == 9'999 && !spool->sync()) std::abort();
    }
    if (!spool->sync()) std::abort();
    uint64_t drained = 0;
    while (const Spool::Drained* item = spool->peek()) {
      benchmark::DoNotOptimize(item->entry.payload.data());
      Spool::acknowledge(item->segment);
      spool->advance();
      ++drained;
    }
    if (drained != kSpoolEvents || !spool->deactivateIfDrained()) std::abort();

    state.PauseTiming();
    state.counters["cpu_us_per_event"] =
        (processCpuSeconds() - cpu_before) * 1e6 / static_cast<double>(kSpoolEvents);
    spool.reset();
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(kSpoolEvents * state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(bareLibrdkafka)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(hearthPublisher)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(spoolAppendAndDrain)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hearth::daemon::kafka

BENCHMARK_MAIN();
