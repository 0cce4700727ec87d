#include "daemon/config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "daemon/config/connection_string.hpp"
#include "daemon/config/file_access.hpp"
#include "daemon/config/json_schema.hpp"
#include "daemon/config/mapping_config.hpp"

namespace hearth::config {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The schema asks the same of values written inline; these apply to values read from files.
constexpr size_t kMinTokenLength = 16;
constexpr size_t kMinPseudonymKeyLength = 32;
// A secret file is a few bytes; refuse to slurp a device or a log by mistake.
constexpr size_t kMaxSecretFileBytes = size_t{64} * 1024;
constexpr std::string_view kRedacted = "<redacted>";

const JsonSchema& configSchema() {
  static const JsonSchema schema = [] {
    auto parsed = JsonSchema::parse(configSchemaText());
    // Only a broken build gets here: the schema is compiled in and tested.
    if (!parsed) throw std::logic_error("embedded config schema: " + parsed.error().message);
    return std::move(parsed).value();
  }();
  return schema;
}

// "/connectors/0/settings/streams" -> ".connectors[0].settings.streams"
std::string displayTail(std::string_view pointer) {
  static const std::regex kPlainKey("[A-Za-z0-9_-]+");
  static const std::regex kIndex("[0-9]+");
  std::string result;
  size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    size_t end = pointer.find('/', start);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token(pointer.substr(start, end - start));
    for (size_t at; (at = token.find("~1")) != std::string::npos;) token.replace(at, 2, "/");
    for (size_t at; (at = token.find("~0")) != std::string::npos;) token.replace(at, 2, "~");
    if (std::regex_match(token, kIndex)) {
      result += "[" + token + "]";
    } else if (std::regex_match(token, kPlainKey)) {
      result += "." + token;
    } else {
      result += "[" + json(token).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
    }
    start = end + 1;
  }
  return result;
}

std::string displayKey(std::string_view pointer) {
  std::string key = displayTail(pointer);
  if (!key.empty() && key.front() == '.') key.erase(0, 1);
  return key;
}

// Collects problems, then reports them in file order, one per line.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  void add(int line, const std::string& key, const std::string& reason) {
    std::string text = file_;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += key + ": ";
    problems_.push_back({line, text + reason});
  }

  void add(const YamlDocument& document, const std::string& pointer, const std::string& reason) {
    add(document.locate(pointer).line, displayKey(pointer), reason);
  }

  bool empty() const { return problems_.empty(); }

  Error toError() {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message;
    for (const auto& [line, text] : problems_) message += (message.empty() ? "" : "\n") + text;
    return makeError("config.invalid", message);
  }

 private:
  std::string file_;
  std::vector<std::pair<int, std::string>> problems_;
};

fs::path resolvePath(const fs::path& base, const std::string& text) {
  const fs::path path(text);
  return (path.is_absolute() ? path : base / path).lexically_normal();
}

// The file's content without trailing whitespace; the error names the file, never its content.
std::optional<std::string> readSecretFile(const fs::path& path, std::string& error) {
  Result<std::string> read = readRegularFile(path, kMaxSecretFileBytes);
  if (!read) {
    error = read.error().message;
    return std::nullopt;
  }
  std::string content = std::move(read).value();
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.pop_back();
  }
  if (content.empty()) {
    error = path.string() + " is empty";
    return std::nullopt;
  }
  return content;
}

template <typename T>
T valueOr(const json& object, std::string_view key, T fallback) {
  const auto it = object.find(key);
  return it == object.end() ? fallback : it->get<T>();
}

bool isIpAddress(const std::string& text) {
  std::array<unsigned char, 16> buffer{};
  return ::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

std::string adminWhere(const AdminConfig& admin) {
  return admin.bind + " port " + std::to_string(admin.port);
}

std::string propertyText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// librdkafka properties that carry credentials, redacted in describe() even when written inline.
bool isSensitiveProperty(std::string_view name) {
  for (std::string_view marker :
       {"password", "secret", "jaas", "key.pem", "ssl_key", "oauthbearer.config"}) {
    if (name.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// Turns a document that passed the schema into the typed Config.
class Builder {
 public:
  Builder(const YamlDocument& document, fs::path source, Problems& problems)
      : document_(document),
        root_(document.value),
        source_(std::move(source)),
        base_(source_.parent_path()),
        problems_(problems) {}

  Config build() {
    Config config;
    config.source = source_;
    config.state_dir = resolvePath(base_, root_.at("state_dir").get<std::string>());
    for (const json& dir : root_.value("plugin_dirs", json::array())) {
      config.plugin_dirs.push_back(resolvePath(base_, dir.get<std::string>()));
    }
    config.log_level = valueOr<std::string>(root_, "log_level", config.log_level);
    config.queue_capacity = valueOr(root_, "queue_capacity", config.queue_capacity);
    config.drain_timeout_ms = valueOr(root_, "drain_timeout_ms", config.drain_timeout_ms);
    config.admin = admin(root_.value("admin", json::object()));
    config.kafka = kafka(root_.value("kafka", json::object()));
    config.privacy = privacy(root_.at("privacy"));
    const json connectors = root_.value("connectors", json::array());
    for (size_t i = 0; i < connectors.size(); ++i) {
      config.connectors.push_back(connector(connectors[i], i));
    }
    checkUniqueNames(config.connectors);
    config.identity = identity(root_.value("identity", json::object()));
    config.indicators = indicators(root_.value("indicators", json::object()));
    config.derive.interval = std::chrono::milliseconds(valueOr(
        root_.value("derive", json::object()), "interval_ms", config.derive.interval.count()));
    config.events.schema_base_url =
        valueOr<std::string>(root_.value("events", json::object()), "schema_base_url", "");
    if (!config.events.schema_base_url.empty() && !config.events.schema_base_url.ends_with('/')) {
      config.events.schema_base_url.push_back('/');
    }
    config.interpolated = document_.interpolated;
    return config;
  }

 private:
  AdminConfig admin(const json& section) {
    AdminConfig admin;
    admin.bind = valueOr<std::string>(section, "bind", admin.bind);
    admin.port = valueOr(section, "port", admin.port);
    admin.token = secret(section, "/admin", "token", kMinTokenLength);
    if (!isIpAddress(admin.bind)) {
      problems_.add(document_, "/admin/bind", "is not an IPv4 or IPv6 address");
      return admin;
    }
    const bool loopback = isLoopbackAddress(admin.bind);
    admin.require_token = valueOr(section, "require_token", !loopback);
    const bool token_given = section.contains("token") || section.contains("token_file");
    if (admin.require_token && !token_given) {
      if (!loopback && !section.contains("require_token")) {
        problems_.add(document_, "/admin/bind",
                      admin.bind +
                          " is not a loopback address, so every admin endpoint needs a token: "
                          "set admin.token or admin.token_file (or admin.require_token: false "
                          "to serve health, metrics and status to anyone who can connect)");
      } else {
        problems_.add(document_, "/admin/require_token",
                      "is true but neither admin.token nor admin.token_file is set");
      }
    }
    return admin;
  }

  KafkaConfig kafka(const json& section) {
    KafkaConfig kafka;
    // No default: a production file that forgot its brokers would otherwise publish into a
    // broker that forgets everything on restart while the checkpoints advance.
    if (section.contains("brokers")) {
      kafka.brokers = section.at("brokers").get<std::string>();
    } else {
      problems_.add(root_.contains("kafka") ? document_.locate("/kafka").line : 0, "kafka.brokers",
                    "is required: the Kafka bootstrap servers (host:port,host:port), or "
                    "\"embedded\" for an in-process broker whose events do not outlive it");
    }
    kafka.embedded_partitions = valueOr(section, "embedded_partitions", kafka.embedded_partitions);
    kafka.topic_prefix = valueOr<std::string>(section, "topic_prefix", kafka.topic_prefix);
    kafka.spool_max_bytes = valueOr(section, "spool_max_bytes", kafka.spool_max_bytes);
    kafka.spool_min_free_bytes =
        valueOr(section, "spool_min_free_bytes", kafka.spool_min_free_bytes);
    kafka.once_give_up_ms = valueOr(section, "once_give_up_ms", kafka.once_give_up_ms);
    kafka.max_events_ahead = valueOr(section, "max_events_ahead", kafka.max_events_ahead);
    kafka.message_timeout_ms = valueOr(section, "message_timeout_ms", kafka.message_timeout_ms);
    const json properties = section.value("properties", json::object());
    for (const auto& [name, value] : properties.items()) {
      kafka.properties[name] = propertyText(value);
      kafka.property_lines[name] = document_.locate(childPointer("/kafka/properties", name)).line;
    }
    return kafka;
  }

  PrivacyConfig privacy(const json& section) {
    PrivacyConfig privacy;
    privacy.key_version = valueOr<std::string>(section, "key_version", privacy.key_version);
    privacy.suppression_threshold =
        valueOr(section, "suppression_threshold", privacy.suppression_threshold);
    privacy.pseudonym_key = secret(section, "/privacy", "pseudonym_key", kMinPseudonymKeyLength);
    if (privacy.pseudonym_key.empty() && !section.contains("pseudonym_key_file")) {
      problems_.add(document_, "/privacy",
                    "missing pseudonym_key or pseudonym_key_file: the key that pseudonymises "
                    "every published identifier");
    }
    return privacy;
  }

  IdentityConfig identity(const json& section) {
    IdentityConfig identity;
    identity.enabled = valueOr(section, "enabled", identity.enabled);
    identity.review_threshold = valueOr(section, "review_threshold", identity.review_threshold);
    identity.link_threshold = valueOr(section, "link_threshold", identity.link_threshold);
    if (identity.review_threshold > identity.link_threshold) {
      problems_.add(document_, "/identity/review_threshold",
                    "is above link_threshold: the review band would be empty");
    }
    return identity;
  }

  IndicatorsConfig indicators(const json& section) {
    IndicatorsConfig indicators;
    indicators.enabled = valueOr(section, "enabled", indicators.enabled);
    indicators.period_end = valueOr<std::string>(section, "period_end", "");
    indicators.area_code = valueOr<std::string>(section, "area_code", "");
    if (section.contains("bank_holidays")) {
      indicators.bank_holidays = resolvePath(base_, section.at("bank_holidays").get<std::string>());
    }
    if (section.contains("postcode_lookup")) {
      indicators.postcode_lookup =
          resolvePath(base_, section.at("postcode_lookup").get<std::string>());
    }
    if (section.contains("population_estimates")) {
      indicators.population_estimates =
          resolvePath(base_, section.at("population_estimates").get<std::string>());
    }
    if (section.contains("gias_establishments")) {
      indicators.gias_establishments =
          resolvePath(base_, section.at("gias_establishments").get<std::string>());
    }
    for (const json& file : section.value("ofsted_inspections", json::array())) {
      indicators.ofsted_inspections.push_back(resolvePath(base_, file.get<std::string>()));
    }
    indicators.population_0_17 = valueOr(section, "population_0_17", indicators.population_0_17);
    const json disclosures = section.value("disclosure", json::object());
    for (const auto& [family, rule] : disclosures.items()) {
      DisclosureConfig disclosure;
      disclosure.suppression_threshold =
          valueOr(rule, "suppression_threshold", disclosure.suppression_threshold);
      disclosure.round_to = valueOr(rule, "round_to", disclosure.round_to);
      indicators.disclosure.emplace(family, disclosure);
    }
    return indicators;
  }

  ConnectorConfig connector(const json& entry, size_t index) {
    const std::string pointer = childPointer("/connectors", index);
    ConnectorConfig connector;
    connector.name = entry.at("name").get<std::string>();
    if (entry.contains("command")) {
      for (const json& arg : entry.at("command"))
        connector.command.push_back(arg.get<std::string>());
      connector.command.front() = resolvePath(base_, connector.command.front()).string();
      connector.plugin = fs::path(connector.command.front()).filename().string();
    } else {
      connector.plugin = entry.at("plugin").get<std::string>();
    }
    if (valueOr<std::string>(entry, "isolation", "in_process") == "process") {
      connector.isolation = Isolation::kProcess;
    }
    connector.process = process(entry.value("process", json::object()));
    connector.settings = entry.value("settings", json::object());
    connector.enabled = valueOr(entry, "enabled", connector.enabled);
    connector.poll_interval = std::chrono::milliseconds(
        valueOr(entry, "poll_interval_ms", connector.poll_interval.count()));
    connector.normalise = normaliseFromJson(entry);
    mapping(entry, pointer, connector.normalise);
    connector.key = displayKey(pointer);
    connector.line = document_.locate(pointer).line;
    // The pointers below one connector's settings are neighbours in the sorted map: visiting
    // only those keeps a config of thousands of connectors linear.
    const std::string settings = pointer + "/settings";
    for (auto it = document_.locations.lower_bound(settings);
         it != document_.locations.end() && it->first.starts_with(settings); ++it) {
      const auto& [at, where] = *it;
      if (at == settings || at.starts_with(settings + "/")) {
        connector.setting_lines[at.substr(settings.size())] = where.line;
      }
    }
    return connector;
  }

  ProcessConfig process(const json& section) {
    ProcessConfig process;
    const json env = section.value("env", json::object());
    for (const auto& [name, value] : env.items()) process.env[name] = value.get<std::string>();
    process.address_space_mb = valueOr(section, "address_space_mb", process.address_space_mb);
    process.cpu_seconds = valueOr(section, "cpu_seconds", process.cpu_seconds);
    process.open_files = valueOr(section, "open_files", process.open_files);
    process.silence_timeout = std::chrono::milliseconds(
        valueOr(section, "silence_timeout_ms", process.silence_timeout.count()));
    process.max_line_bytes = valueOr(section, "max_line_bytes", process.max_line_bytes);
    process.max_bad_lines = valueOr(section, "max_bad_lines", process.max_bad_lines);
    process.log_lines_per_second =
        valueOr(section, "log_lines_per_second", process.log_lines_per_second);
    return process;
  }

  // A connector's own layout, written as data: checked against the canonical model here, so that
  // a mistake names its line before anything runs.
  void mapping(const json& entry, const std::string& pointer, NormaliseConfig& normalise) {
    for (const LocatedProblem& problem : checkConnectorMapping(entry, pointer, normalise)) {
      problems_.add(document_, problem.pointer, problem.message);
    }
  }

  // A secret written inline as `key`, or read from the file named by `key_file`.
  Secret secret(const json& section, const std::string& pointer, const std::string& key,
                size_t min_length) {
    const std::string file_key = key + "_file";
    const std::string file_pointer = pointer + "/" + file_key;
    if (section.contains(key) && section.contains(file_key)) {
      problems_.add(document_, file_pointer, "set " + key + " or " + file_key + ", not both");
      return {};
    }
    if (section.contains(key)) return Secret(section.at(key).get<std::string>());
    if (!section.contains(file_key)) return {};

    const fs::path path = resolvePath(base_, section.at(file_key).get<std::string>());
    std::string error;
    std::optional<std::string> value = readSecretFile(path, error);
    if (!value) {
      problems_.add(document_, file_pointer, error);
      return {};
    }
    if (value->size() < min_length) {
      problems_.add(document_, file_pointer,
                    "the value in " + path.string() + " is shorter than the minimum length " +
                        std::to_string(min_length));
      return {};
    }
    return Secret(std::move(*value));
  }

  void checkUniqueNames(const std::vector<ConnectorConfig>& connectors) {
    std::map<std::string, int> first_line;
    for (size_t i = 0; i < connectors.size(); ++i) {
      const auto [it, inserted] = first_line.emplace(connectors[i].name, connectors[i].line);
      if (!inserted) {
        problems_.add(document_, childPointer("/connectors", i) + "/name",
                      "connector name " + json(connectors[i].name).dump() +
                          " is already used at line " + std::to_string(it->second));
      }
    }
  }

  const YamlDocument& document_;
  const json& root_;
  const fs::path source_;
  const fs::path base_;
  Problems& problems_;
};

}  // namespace

Result<Config> parseConfig(const std::string& yaml, const fs::path& source, const EnvLookup& env) {
  const fs::path absolute = fs::absolute(source).lexically_normal();
  Problems problems(absolute.string());

  std::vector<LocatedError> located;
  const std::optional<YamlDocument> document = parseYaml(yaml, located, env);
  std::set<std::string> already_reported;
  for (const LocatedError& error : located) {
    problems.add(error.where.line, displayKey(error.pointer), error.message);
    already_reported.insert(error.pointer);
  }
  if (!document) return problems.toError();

  for (const SchemaError& error : configSchema().validate(document->value)) {
    // A value whose interpolation failed is still the raw text: its type is no news.
    if (!already_reported.contains(error.pointer)) {
      problems.add(*document, error.pointer, error.message);
    }
  }
  if (!problems.empty()) return problems.toError();

  Config config = Builder(*document, absolute, problems).build();
  if (!problems.empty()) return problems.toError();
  return config;
}

Result<Config> loadConfig(const fs::path& file, const EnvLookup& env) {
  Result<std::string> text = readRegularFile(file, YamlLimits{}.max_text_bytes);
  if (!text) return makeError("config.unreadable", "config: " + text.error().message);
  return parseConfig(*text, file, env);
}

Result<void> validateConnectorSettings(const Config& config, const ConnectorConfig& connector,
                                       std::string_view plugin_schema) {
  const Result<JsonSchema> schema = JsonSchema::parse(plugin_schema);
  if (!schema) {
    return makeError("config.plugin_schema",
                     "plugin " + connector.plugin + ": " + schema.error().message);
  }
  return validateConnectorSettings(config, connector, schema.value());
}

Result<void> validateConnectorSettings(const Config& config, const ConnectorConfig& connector,
                                       const JsonSchema& plugin_schema) {
  const std::vector<SchemaError> errors = plugin_schema.validate(connector.settings);
  if (errors.empty()) return {};

  Problems problems(config.source.string());
  for (const SchemaError& error : errors) {
    // The nearest setting written in the file, else the connector entry itself.
    int line = connector.line;
    for (std::string_view at = error.pointer;; at = at.substr(0, at.rfind('/'))) {
      if (const auto it = connector.setting_lines.find(std::string(at));
          it != connector.setting_lines.end()) {
        line = it->second;
        break;
      }
      if (at.empty()) break;
    }
    problems.add(line, connector.key + ".settings" + displayTail(error.pointer), error.message);
  }
  return problems.toError();
}

Result<json> resolveSettingPaths(const Config& config, const ConnectorConfig& connector,
                                 std::string_view plugin_schema) {
  const Result<JsonSchema> schema = JsonSchema::parse(plugin_schema);
  if (!schema) {
    return makeError("config.plugin_schema",
                     "plugin " + connector.plugin + ": " + schema.error().message);
  }
  const fs::path base = config.source.parent_path();
  json settings = connector.settings;
  for (const std::string& pointer : schema->stringsWithFormat(settings, "path")) {
    json& value = settings[json::json_pointer(pointer)];
    value = resolvePath(base, value.get<std::string>()).string();
  }
  for (const std::string& pointer : schema->stringsWithFormat(settings, "odbc-connection-string")) {
    json& value = settings[json::json_pointer(pointer)];
    value = resolveConnectionStringPath(base, value.get<std::string>());
  }
  return settings;
}

bool isLoopbackAddress(const std::string& address) {
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) return bytes[0] == 127;
  if (::inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) return false;
  constexpr std::array<unsigned char, 12> kMappedPrefix = {0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin())) {
    return bytes[12] == 127;
  }
  return std::all_of(bytes.begin(), bytes.begin() + 15, [](unsigned char b) { return b == 0; }) &&
         bytes[15] == 1;
}

std::vector<std::string> warnings(const Config& config) {
  std::vector<std::string> found;
  if (config.kafka.brokers == kEmbeddedBrokers) {
    found.push_back(
        "kafka.brokers is \"embedded\": events are kept in this process's memory and do not "
        "outlive it; name real brokers for anything but a demo or a test");
  }
  const AdminConfig& admin = config.admin;
  if (!isLoopbackAddress(admin.bind)) {
    found.push_back(
        admin.require_token
            ? "admin endpoint on " + adminWhere(admin) +
                  " is reachable from the network; every endpoint requires the token"
            : "admin endpoint on " + adminWhere(admin) +
                  " is reachable from the network and admin.require_token is false: health, "
                  "metrics and the status API answer anyone who can connect");
  }
  return found;
}

std::vector<std::string> restartOnlyChanges(const Config& running, const Config& next) {
  static const std::regex kRestartOnly(
      R"(^/(kafka|admin|state_dir|queue_capacity|privacy/key_version)(/.*)?$)");
  std::set<std::string> changed;
  for (const json& operation : json::diff(describe(running), describe(next))) {
    std::string path = operation.at("path").get<std::string>();
    if (!std::regex_match(path, kRestartOnly)) continue;
    // One name per setting, not per element of a changed list or map of properties.
    if (path.starts_with("/kafka/properties/")) path = "/kafka/properties";
    changed.insert(displayKey(path));
  }
  // describe() shows secrets redacted, so it cannot tell whether they changed.
  if (!(running.privacy.pseudonym_key == next.privacy.pseudonym_key)) {
    changed.insert("privacy.pseudonym_key");
  }
  if (!(running.admin.token == next.admin.token)) changed.insert("admin.token");
  return {changed.begin(), changed.end()};
}

json describe(const Config& config) {
  auto secret = [](const Secret& value) {
    return value.empty() ? json(nullptr) : json(std::string(kRedacted));
  };
  json plugin_dirs = json::array();
  for (const auto& dir : config.plugin_dirs) plugin_dirs.push_back(dir.string());
  json properties = json::object();
  for (const auto& [name, value] : config.kafka.properties) {
    properties[name] = isSensitiveProperty(name) ? std::string(kRedacted) : value;
  }
  json disclosure = json::object();
  for (const auto& [family, rule] : config.indicators.disclosure) {
    disclosure[family] = {{"suppression_threshold", rule.suppression_threshold},
                          {"round_to", rule.round_to}};
  }
  json ofsted = json::array();
  for (const auto& file : config.indicators.ofsted_inspections) ofsted.push_back(file.string());
  json connectors = json::array();
  for (const ConnectorConfig& connector : config.connectors) {
    // The child's environment may carry credentials: its names only.
    json env = json::object();
    for (const auto& [name, value] : connector.process.env) env[name] = std::string(kRedacted);
    const ProcessConfig& process = connector.process;
    connectors.push_back(
        {{"name", connector.name},
         {"plugin", connector.plugin},
         {"command", connector.command},
         {"isolation", connector.isolation == Isolation::kProcess ? "process" : "in_process"},
         {"process",
          {{"env", env},
           {"address_space_mb", process.address_space_mb},
           {"cpu_seconds", process.cpu_seconds},
           {"open_files", process.open_files},
           {"silence_timeout_ms", process.silence_timeout.count()},
           {"max_line_bytes", process.max_line_bytes},
           {"max_bad_lines", process.max_bad_lines},
           {"log_lines_per_second", process.log_lines_per_second}}},
         {"enabled", connector.enabled},
         {"poll_interval_ms", connector.poll_interval.count()},
         {"normalise",
          {{"kind", connector.normalise.kind},
           {"source_system", connector.normalise.source_system},
           {"collection_year", connector.normalise.collection_year},
           {"time_zone", connector.normalise.time_zone}}},
         {"settings", connector.settings}});
  }

  json out = {
      {"source", config.source.string()},
      {"state_dir", config.state_dir.string()},
      {"plugin_dirs", plugin_dirs},
      {"log_level", config.log_level},
      {"queue_capacity", config.queue_capacity},
      {"drain_timeout_ms", config.drain_timeout_ms},
      {"admin",
       {{"bind", config.admin.bind},
        {"port", config.admin.port},
        {"token", secret(config.admin.token)},
        {"require_token", config.admin.require_token}}},
      {"kafka",
       {{"brokers", config.kafka.brokers},
        {"embedded_partitions", config.kafka.embedded_partitions},
        {"topic_prefix", config.kafka.topic_prefix},
        {"message_timeout_ms", config.kafka.message_timeout_ms},
        {"spool_max_bytes", config.kafka.spool_max_bytes},
        {"spool_min_free_bytes", config.kafka.spool_min_free_bytes},
        {"once_give_up_ms", config.kafka.once_give_up_ms},
        {"max_events_ahead", config.kafka.max_events_ahead},
        {"properties", properties}}},
      {"privacy",
       {{"pseudonym_key", secret(config.privacy.pseudonym_key)},
        {"key_version", config.privacy.key_version},
        {"suppression_threshold", config.privacy.suppression_threshold}}},
      {"connectors", connectors},
      {"identity",
       {{"enabled", config.identity.enabled},
        {"review_threshold", config.identity.review_threshold},
        {"link_threshold", config.identity.link_threshold}}},
      {"indicators",
       {{"enabled", config.indicators.enabled},
        {"period_end", config.indicators.period_end},
        {"area_code", config.indicators.area_code},
        {"bank_holidays", config.indicators.bank_holidays.string()},
        {"postcode_lookup", config.indicators.postcode_lookup.string()},
        {"population_estimates", config.indicators.population_estimates.string()},
        {"gias_establishments", config.indicators.gias_establishments.string()},
        {"ofsted_inspections", ofsted},
        {"population_0_17", config.indicators.population_0_17},
        {"disclosure", disclosure}}},
      {"derive", {{"interval_ms", config.derive.interval.count()}}},
      {"events", {{"schema_base_url", config.events.schema_base_url}}},
  };

  // Free-form values taken from the environment may be credentials; the typed ones are not.
  static const std::regex kFreeForm(R"(^/kafka/properties/.+|^/connectors/[0-9]+/settings/.+)");
  for (const std::string& pointer : config.interpolated) {
    if (!std::regex_match(pointer, kFreeForm)) continue;
    const json::json_pointer at(pointer);
    if (out.contains(at)) out[at] = std::string(kRedacted);
  }
  return out;
}

}  // namespace hearth::config
