#include <array>
#include <cctype>
#include <string_view>

#include "daemon/kafka/rdkafka_handles.hpp"

namespace hearth::daemon::kafka {
namespace {

// Characters that can stand either side of a value librdkafka quotes in a message.
bool isBoundary(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == ',' ||
         c == ':' || c == '(' || c == ')' || c == '=';
}

// librdkafka's explanation with every standalone occurrence of the value replaced. If the value
// still shows (inside a longer word) and is long enough to be a secret, the explanation is left
// out altogether rather than risk it.
std::string withoutValue(std::string reason, std::string_view value) {
  if (value.empty()) return reason;
  constexpr std::string_view kPlaceholder = "<value>";
  for (size_t at = reason.find(value); at != std::string::npos;) {
    const size_t end = at + value.size();
    const bool starts = at == 0 || isBoundary(reason[at - 1]);
    const bool ends = end == reason.size() || isBoundary(reason[end]);
    if (starts && ends) {
      reason.replace(at, value.size(), kPlaceholder);
      at = reason.find(value, at + kPlaceholder.size());
    } else {
      at = reason.find(value, at + 1);
    }
  }
  constexpr size_t kShortestSecret = 4;
  if (value.size() >= kShortestSecret && reason.find(value) != std::string::npos) {
    return "librdkafka refuses its value";
  }
  return reason;
}

}  // namespace

Result<void> setProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  std::array<char, 512> reason{};
  const rd_kafka_conf_res_t result =
      rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason.data(), reason.size());
  if (result == RD_KAFKA_CONF_OK) return {};
  if (result == RD_KAFKA_CONF_UNKNOWN) {
    return makeError("kafka.config",
                     "Kafka property " + name + " refused: librdkafka has no such property");
  }
  return makeError("kafka.config",
                   "Kafka property " + name + " refused: " + withoutValue(reason.data(), value));
}

std::vector<std::pair<std::string, Error>> refusedProperties(
    const std::map<std::string, std::string>& properties) {
  std::vector<std::pair<std::string, Error>> refused;
  const KafkaConf scratch(rd_kafka_conf_new());
  for (const auto& [name, value] : properties) {
    if (auto set = setProperty(scratch.get(), name, value); !set) {
      refused.emplace_back(name, set.error());
    }
  }
  return refused;
}

}  // namespace hearth::daemon::kafka
