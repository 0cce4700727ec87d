#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/kafka/rdkafka_handles.hpp"

extern char** environ;

namespace hearth::tools {
namespace {

using namespace std::chrono_literals;
using daemon::kafka::KafkaConf;
using daemon::kafka::KafkaHandle;
using daemon::kafka::setProperty;

// hearth-mock-kafka as a child: its stdin and stdout are pipes held by the test, so the test can
// send commands, close its input or signal it.
class MockKafkaProcess {
 public:
  explicit MockKafkaProcess(const std::vector<std::string>& args) {
    int in[2];
    int out[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<char*> argv{const_cast<char*>(HEARTH_MOCK_KAFKA)};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, HEARTH_MOCK_KAFKA, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }

  ~MockKafkaProcess() {
    closeInput();
    if (!status_ && pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait(5s);
    }
    if (stdout_ >= 0) ::close(stdout_);
  }

  MockKafkaProcess(const MockKafkaProcess&) = delete;
  MockKafkaProcess& operator=(const MockKafkaProcess&) = delete;

  // The next stdout line; nullopt on timeout or end of output.
  std::optional<std::string> readLine(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const size_t newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd fd{stdout_, POLLIN, 0};
      if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
      std::array<char, 4096> chunk{};
      const ssize_t n = ::read(stdout_, chunk.data(), chunk.size());
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk.data(), static_cast<size_t>(n));
    }
  }

  void send(const std::string& command) {
    const std::string line = command + "\n";
    ASSERT_EQ(::write(stdin_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }

  void closeInput() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  void signal(int signo) { ::kill(pid_, signo); }

  // The exit status (128 + signal if killed), nullopt if still running at the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
      int raw = 0;
      if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(10ms);
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

std::string bootstrapOf(MockKafkaProcess& process) {
  const auto line = process.readLine(15s);
  EXPECT_TRUE(line.has_value()) << "no BOOTSTRAP line";
  if (!line || line->rfind("BOOTSTRAP ", 0) != 0) {
    ADD_FAILURE() << "unexpected first line: " << line.value_or("");
    return "";
  }
  return line->substr(10);
}

// A plain producer whose every send is confirmed or failed within a second and a half.
class Producer {
 public:
  explicit Producer(const std::string& bootstrap) {
    KafkaConf conf(rd_kafka_conf_new());
    EXPECT_TRUE(setProperty(conf.get(), "bootstrap.servers", bootstrap).ok());
    EXPECT_TRUE(setProperty(conf.get(), "message.timeout.ms", "1500").ok());
    EXPECT_TRUE(setProperty(conf.get(), "reconnect.backoff.max.ms", "200").ok());
    EXPECT_TRUE(setProperty(conf.get(), "log_level", "0").ok());
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(
        conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
          auto* self = static_cast<Producer*>(opaque);
          (message->err == RD_KAFKA_RESP_ERR_NO_ERROR ? self->delivered_ : self->failed_)++;
        });
    std::array<char, 512> reason{};
    handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
    EXPECT_TRUE(handle_) << reason.data();
    conf.release();
  }

  // Sends `count` messages and waits for their reports; true if every one was delivered.
  bool send(const std::string& topic, int count) {
    const int delivered_before = delivered_;
    for (int i = 0; i < count; ++i) {
      const std::string value = "event " + std::to_string(i);
      if (rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return false;
      }
    }
    rd_kafka_flush(handle_.get(), 5000);
    return delivered_ - delivered_before == count;
  }

  int partitionsOf(const std::string& topic) {
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(handle_.get(), 1, nullptr, &metadata, 5000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return -1;
    }
    int partitions = -1;
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      if (topic == metadata->topics[i].topic) partitions = metadata->topics[i].partition_cnt;
    }
    brokers_ = metadata->broker_cnt;
    rd_kafka_metadata_destroy(metadata);
    return partitions;
  }

  int brokers() const { return brokers_; }

 private:
  KafkaHandle handle_;
  std::atomic<int> delivered_{0};
  std::atomic<int> failed_{0};
  int brokers_ = 0;
};

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
  }
  return false;
}

TEST(MockKafka, ServesProducersAndFollowsDownUpAndQuit) {
  MockKafkaProcess process(
      {"--brokers", "2", "--partitions", "4", "--topics", "a.events,b.events"});
  const std::string bootstrap = bootstrapOf(process);
  ASSERT_FALSE(bootstrap.empty());
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 1) << bootstrap;

  Producer producer(bootstrap);
  EXPECT_EQ(producer.partitionsOf("a.events"), 4);
  EXPECT_EQ(producer.partitionsOf("b.events"), 4);
  EXPECT_EQ(producer.brokers(), 2);
  EXPECT_TRUE(producer.send("a.events", 50));

  process.send("down");
  EXPECT_TRUE(eventually([&] { return !producer.send("a.events", 1); }, 20s))
      << "deliveries kept succeeding with the brokers down";
  process.send("up");
  EXPECT_TRUE(eventually([&] { return producer.send("a.events", 10); }, 20s))
      << "deliveries never recovered";

  process.send("quit");
  EXPECT_EQ(process.wait(10s), 0);
  EXPECT_EQ(process.readLine(1s), std::nullopt) << "stdout holds exactly one line";
}

TEST(MockKafka, ExitsCleanlyAtEndOfInput) {
  MockKafkaProcess process({});
  ASSERT_FALSE(bootstrapOf(process).empty());
  process.closeInput();
  EXPECT_EQ(process.wait(10s), 0);
}

TEST(MockKafka, ExitsCleanlyOnSigterm) {
  MockKafkaProcess process({"--topics=x"});
  ASSERT_FALSE(bootstrapOf(process).empty());
  process.signal(SIGTERM);
  EXPECT_EQ(process.wait(10s), 0);
}

TEST(MockKafka, IgnoresUnknownCommands) {
  MockKafkaProcess process({});
  const std::string bootstrap = bootstrapOf(process);
  process.send("restart");
  process.send("");
  Producer producer(bootstrap);
  EXPECT_TRUE(producer.send("auto.created", 5));
  process.send("quit");
  EXPECT_EQ(process.wait(10s), 0);
}

TEST(MockKafka, RefusesABadCommandLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--brokers", "0"}, {"--partitions", "x"}, {"--colour"}, {"--topics"}}) {
    MockKafkaProcess process(args);
    EXPECT_EQ(process.readLine(5s), std::nullopt);
    EXPECT_EQ(process.wait(10s), 2) << args[0];
  }
}

}  // namespace
}  // namespace hearth::tools
