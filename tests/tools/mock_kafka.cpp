// hearth-mock-kafka: librdkafka's mock Kafka cluster in a process of its own, so that tests can
// kill and restart hearthd while the broker lives on.
//
//   hearth-mock-kafka [--brokers N] [--partitions N] [--topics a,b,c]
//
// Prints exactly one line on stdout, "BOOTSTRAP host:port[,host:port...]", then reads commands
// from stdin, one per line:
//   down   take every broker down (connections closed, new ones refused)
//   up     bring every broker back
//   quit   exit
// Exits with status 0 on quit, end of input, SIGTERM or SIGINT. Acknowledgements and errors go to
// stderr, one line each.

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/kafka/embedded_cluster.hpp"

namespace {

using hearth::daemon::kafka::EmbeddedCluster;
using hearth::daemon::kafka::EmbeddedClusterOptions;

constexpr std::string_view kUsage =
    "usage: hearth-mock-kafka [--brokers N] [--partitions N] [--topics a,b,c]\n";

std::optional<int> parsePositive(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

std::vector<std::string> splitTopics(std::string_view list) {
  std::vector<std::string> topics;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view topic = list.substr(0, comma);
    if (!topic.empty()) topics.emplace_back(topic);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return topics;
}

// Accepts "--name value" and "--name=value"; nullopt (after printing why) on a bad command line.
std::optional<EmbeddedClusterOptions> parseArguments(int argc, char** argv) {
  EmbeddedClusterOptions options;
  options.topics.clear();
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    if (const size_t equals = arg.find('='); equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    } else if (arg == "--brokers" || arg == "--partitions" || arg == "--topics") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "hearth-mock-kafka: %.*s needs a value\n%.*s",
                     static_cast<int>(arg.size()), arg.data(), static_cast<int>(kUsage.size()),
                     kUsage.data());
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (arg == "--brokers" || arg == "--partitions") {
      const auto number = parsePositive(value);
      if (!number) {
        std::fprintf(stderr, "hearth-mock-kafka: %.*s must be a positive integer\n",
                     static_cast<int>(arg.size()), arg.data());
        return std::nullopt;
      }
      (arg == "--brokers" ? options.brokers : options.partitions_per_topic) = *number;
    } else if (arg == "--topics") {
      options.topics = splitTopics(value);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      std::exit(0);
    } else {
      std::fprintf(stderr, "hearth-mock-kafka: unknown argument %s\n%.*s", argv[i],
                   static_cast<int>(kUsage.size()), kUsage.data());
      return std::nullopt;
    }
  }
  return options;
}

// Runs one command line; false when it is time to exit.
bool runCommand(EmbeddedCluster& cluster, std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.empty()) return true;
  if (line == "down") {
    cluster.setBrokersDown(true);
    std::fputs("hearth-mock-kafka: brokers down\n", stderr);
  } else if (line == "up") {
    cluster.setBrokersDown(false);
    std::fputs("hearth-mock-kafka: brokers up\n", stderr);
  } else if (line == "quit") {
    return false;
  } else {
    std::fprintf(stderr, "hearth-mock-kafka: unknown command '%.*s' (down, up, quit)\n",
                 static_cast<int>(line.size()), line.data());
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseArguments(argc, argv);
  if (!options) return 2;

  // Blocked before librdkafka starts its threads, so termination signals reach only the signalfd
  // below and the cluster is shut down in an orderly way.
  sigset_t termination;
  sigemptyset(&termination);
  sigaddset(&termination, SIGTERM);
  sigaddset(&termination, SIGINT);
  pthread_sigmask(SIG_BLOCK, &termination, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  const int signal_fd = signalfd(-1, &termination, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::perror("hearth-mock-kafka: signalfd");
    return 1;
  }

  auto cluster = EmbeddedCluster::start(*options);
  if (!cluster) {
    std::fprintf(stderr, "hearth-mock-kafka: %s\n", cluster.error().message.c_str());
    return 1;
  }
  std::printf("BOOTSTRAP %s\n", (*cluster)->bootstrapServers().c_str());
  std::fflush(stdout);

  std::string input;
  bool running = true;
  while (running) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("hearth-mock-kafka: poll");
      break;
    }
    if (fds[1].revents != 0) break;  // SIGTERM or SIGINT
    if (fds[0].revents == 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of input: whoever started us is gone
    input.append(chunk, static_cast<size_t>(n));
    for (size_t newline; running && (newline = input.find('\n')) != std::string::npos;) {
      running = runCommand(**cluster, std::string_view(input).substr(0, newline));
      input.erase(0, newline + 1);
    }
  }
  ::close(signal_fd);
  return 0;
}
