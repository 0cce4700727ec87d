// `hearthd topics create`: Hearth's topics on a production cluster, through the Admin API.
#include <iostream>

#include "daemon/app/commands.hpp"
#include "daemon/kafka/topic_plan.hpp"

namespace hearth::daemon::app {

int topicsCreateCommand(const std::filesystem::path& config_path, bool dry_run, int partitions,
                        int replication_factor, std::chrono::seconds timeout) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  if (config->kafka.brokers == "embedded") {
    std::cerr << "hearthd: " << config_path.string()
              << ": kafka.brokers is embedded, which creates its topics itself; name the "
                 "cluster's brokers to create them there\n";
    return kInvalid;
  }
  if (partitions < 1 || replication_factor < 1) {
    std::cerr << "hearthd: --partitions and --replication-factor must be at least 1\n";
    return kUsage;
  }
  const auto plan = kafka::topicPlan(config->kafka.topic_prefix, partitions, replication_factor);
  for (const kafka::TopicSpec& topic : plan) {
    std::cout << topic.name << ": " << topic.partitions << " partitions, replication factor "
              << topic.replication_factor;
    for (const auto& [key, value] : topic.config) std::cout << ", " << key << "=" << value;
    std::cout << '\n';
  }
  if (dry_run) {
    std::cout << "dry run: nothing was sent to " << config->kafka.brokers << '\n';
    return kOk;
  }
  auto outcomes =
      kafka::createTopics(config->kafka.brokers, config->kafka.properties, plan, timeout);
  if (!outcomes) {
    std::cerr << "hearthd: " << outcomes.error().message
              << (outcomes.error().code == kafka::kTopicsTimeout ? " (--timeout waits longer)" : "")
              << '\n';
    return kFailed;
  }
  int failed = 0;
  for (const kafka::TopicOutcome& outcome : *outcomes) {
    if (outcome.error.empty()) {
      std::cout << outcome.name << ": created\n";
    } else if (outcome.existed()) {
      std::cout << outcome.name << ": exists already (its configuration is left as it is)\n";
    } else {
      ++failed;
      std::cerr << outcome.name << ": " << outcome.error
                << (outcome.message.empty() ? "" : ": " + outcome.message) << '\n';
    }
  }
  return failed == 0 ? kOk : kFailed;
}

}  // namespace hearth::daemon::app
