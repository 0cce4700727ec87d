#include "daemon/config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "daemon/config/connection_string.hpp"
#include "daemon/config/file_access.hpp"
#include "daemon/config/json_schema.hpp"

namespace hearth::config {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const fs::path kSourceDir = HEARTH_SOURCE_DIR;
constexpr std::string_view kKey = "test-pseudonym-key-0123456789abcdef";
constexpr std::string_view kToken = "test-admin-token-0123";

EnvLookup envOf(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kNoEnv = envOf({});

// A scratch directory holding the config under test and any secret files it names.
class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest()
      : dir_(fs::temp_directory_path() /
             ("hearth_config_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::create_directories(dir_);
  }
  ~ConfigTest() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    std::ofstream(path) << content;
    return path;
  }

  Result<Config> load(const std::string& yaml, const EnvLookup& env = kNoEnv) {
    return loadConfig(write("hearth.yaml", yaml), env);
  }

  // The error of a config that must fail; one problem per line.
  std::string failure(const std::string& yaml, const EnvLookup& env = kNoEnv) {
    const Result<Config> config = load(yaml, env);
    EXPECT_FALSE(config.ok()) << "config unexpectedly valid:\n" << yaml;
    return config ? "" : config.error().message;
  }

  std::string file() const { return (dir_ / "hearth.yaml").string(); }

  fs::path dir_;
};

// Three lines, like withoutKafka(), so that what a test appends starts at line 4.
std::string minimal() {
  return "state_dir: state\nprivacy: {pseudonym_key: " + std::string(kKey) +
         "}\nkafka: {brokers: kafka-1:9092}\n";
}

// For tests that write their own kafka section.
std::string withoutKafka() {
  return "state_dir: state\nprivacy:\n  pseudonym_key: " + std::string(kKey) + "\n";
}

TEST_F(ConfigTest, MinimalConfigGetsEveryDefault) {
  const Result<Config> config = load(minimal());
  ASSERT_TRUE(config.ok()) << config.error().message;
  const Config defaults;
  EXPECT_EQ(config->source, dir_ / "hearth.yaml");
  EXPECT_EQ(config->state_dir, dir_ / "state");
  EXPECT_TRUE(config->plugin_dirs.empty());
  EXPECT_EQ(config->log_level, "info");
  EXPECT_EQ(config->admin.bind, "127.0.0.1");
  EXPECT_EQ(config->admin.port, 8080);
  EXPECT_TRUE(config->admin.token.empty());
  EXPECT_EQ(config->kafka.brokers, "kafka-1:9092");
  EXPECT_EQ(config->kafka.embedded_partitions, 128);
  EXPECT_EQ(config->kafka.topic_prefix, "hearth.");
  EXPECT_EQ(config->kafka.spool_max_bytes, 1ull << 30);
  EXPECT_EQ(config->kafka.max_events_ahead, 100000u);
  EXPECT_EQ(config->kafka.message_timeout_ms, 10000);
  EXPECT_TRUE(config->kafka.properties.empty());
  EXPECT_EQ(config->privacy.pseudonym_key.reveal(), kKey);
  EXPECT_EQ(config->privacy.key_version, "v1");
  EXPECT_EQ(config->privacy.suppression_threshold, 5);
  EXPECT_TRUE(config->connectors.empty());
  EXPECT_EQ(config->queue_capacity, defaults.queue_capacity);
  EXPECT_EQ(config->drain_timeout_ms, defaults.drain_timeout_ms);
}

TEST_F(ConfigTest, EveryKeyIsRead) {
  const Result<Config> config = load(R"(
state_dir: /var/lib/hearth
plugin_dirs: [plugins, /usr/lib/hearth/plugins]
log_level: debug
queue_capacity: 1024
drain_timeout_ms: 2500
admin: {bind: "::1", port: 0, token: test-admin-token-0123}
kafka:
  brokers: k1:9092,k2:9092
  embedded_partitions: 4
  topic_prefix: council.
  message_timeout_ms: 3000
  spool_max_bytes: 2097152
  max_events_ahead: 50000
  properties: {linger.ms: 5, enable.idempotence: true, compression.type: lz4, ratio: 0.5}
privacy:
  pseudonym_key: test-pseudonym-key-0123456789abcdef
  key_version: "2024"
  suppression_threshold: 10
connectors:
  - name: nhs_fhir
    plugin: fhir
    enabled: false
    poll_interval_ms: 60000
    settings: {base_url: "https://fhir.example/R4"}
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->state_dir, "/var/lib/hearth");
  EXPECT_EQ(config->plugin_dirs,
            (std::vector<fs::path>{dir_ / "plugins", "/usr/lib/hearth/plugins"}));
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->queue_capacity, 1024u);
  EXPECT_EQ(config->drain_timeout_ms, 2500);
  EXPECT_EQ(config->admin.bind, "::1");
  EXPECT_EQ(config->admin.port, 0);
  EXPECT_EQ(config->admin.token.reveal(), kToken);
  EXPECT_EQ(config->kafka.brokers, "k1:9092,k2:9092");
  EXPECT_EQ(config->kafka.embedded_partitions, 4);
  EXPECT_EQ(config->kafka.topic_prefix, "council.");
  EXPECT_EQ(config->kafka.message_timeout_ms, 3000);
  EXPECT_EQ(config->kafka.spool_max_bytes, 2097152u);
  EXPECT_EQ(config->kafka.max_events_ahead, 50000u);
  EXPECT_EQ(config->kafka.properties,
            (std::map<std::string, std::string>{{"linger.ms", "5"},
                                                {"enable.idempotence", "true"},
                                                {"compression.type", "lz4"},
                                                {"ratio", "0.5"}}));
  EXPECT_EQ(config->privacy.key_version, "2024");
  EXPECT_EQ(config->privacy.suppression_threshold, 10);
  ASSERT_EQ(config->connectors.size(), 1u);
  const ConnectorConfig& connector = config->connectors[0];
  EXPECT_EQ(connector.name, "nhs_fhir");
  EXPECT_EQ(connector.plugin, "fhir");
  EXPECT_FALSE(connector.enabled);
  EXPECT_EQ(connector.poll_interval, std::chrono::minutes(1));
  EXPECT_EQ(connector.settings, json({{"base_url", "https://fhir.example/R4"}}));
  EXPECT_EQ(connector.key, "connectors[0]");
  EXPECT_EQ(connector.line, 21);
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  const std::string error = failure(withoutKafka() + "kafka:\n  brokers: embedded\n  brokerz: x\n");
  EXPECT_EQ(error, file() + ":6: kafka.brokerz: unknown key \"brokerz\"");
}

TEST_F(ConfigTest, EveryProblemIsReportedAtOnceInFileOrder) {
  const std::string error = failure(R"(state_dir: s
log_level: verbose
admin:
  port: 70000
queue_capacity: lots
privacy:
  pseudonym_key: short
connectors:
  - name: Bad Name
    plugin: csv
  - plugin: csv
    colour: blue
)");
  const std::vector<std::string> expected = {
      file() + ":2: log_level: must be one of \"debug\", \"info\", \"warn\", \"error\"",
      file() + ":4: admin.port: 70000 is greater than the maximum 65535",
      file() + ":5: queue_capacity: expected integer, got string",
      file() + ":7: privacy.pseudonym_key: is shorter than the minimum length 32",
      file() + ":9: connectors[0].name: does not match the pattern ^[a-z][a-z0-9_]{0,62}$",
      file() + ":11: connectors[1]: missing required key \"name\"",
      file() + ":12: connectors[1].colour: unknown key \"colour\"",
  };
  std::vector<std::string> lines;
  std::istringstream stream(error);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  EXPECT_EQ(lines, expected);
}

TEST_F(ConfigTest, BrokersHaveNoDefault) {
  EXPECT_EQ(failure(withoutKafka()),
            file() +
                ": kafka.brokers: is required: the Kafka bootstrap servers (host:port,host:port), "
                "or \"embedded\" for an in-process broker whose events do not outlive it");
  EXPECT_THAT(failure(withoutKafka() + "kafka:\n  topic_prefix: council.\n"),
              HasSubstr(file() + ":4: kafka.brokers: is required"));
}

TEST_F(ConfigTest, EmbeddedBrokersAreAllowedOnlyWhenWrittenAndWarnAtStart) {
  const Result<Config> config = load(withoutKafka() + "kafka: {brokers: embedded}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->kafka.brokers, "embedded");
  EXPECT_THAT(warnings(config.value()),
              Contains(HasSubstr("events are kept in this process's memory and do not outlive "
                                 "it")));
  const Result<Config> named = load(minimal());
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_TRUE(warnings(named.value()).empty());
}

TEST_F(ConfigTest, MissingTopLevelKeysAreNamed) {
  const std::string error = failure("log_level: info\n");
  EXPECT_THAT(error, HasSubstr(file() + ":1: missing required key \"state_dir\""));
  EXPECT_THAT(error, HasSubstr(file() + ":1: missing required key \"privacy\""));
}

TEST_F(ConfigTest, RangesAreEnforced) {
  EXPECT_THAT(failure(minimal() + "admin: {port: -1}\n"),
              HasSubstr("admin.port: -1 is less than the minimum 0"));
  EXPECT_THAT(failure(withoutKafka() + "kafka: {brokers: embedded, spool_max_bytes: 1000}\n"),
              HasSubstr("kafka.spool_max_bytes: 1000 is less than the minimum 1048576"));
  EXPECT_THAT(failure(minimal() + "connectors: [{name: a, plugin: csv, poll_interval_ms: 1}]\n"),
              HasSubstr("connectors[0].poll_interval_ms: 1 is less than the minimum 100"));
  EXPECT_THAT(failure(withoutKafka() + "kafka: {brokers: 'a:1,,b:2'}\n"),
              HasSubstr("kafka.brokers: does not match the pattern"));
  EXPECT_THAT(
      failure(withoutKafka() + "kafka: {brokers: embedded, properties: {linger.ms: [1]}}\n"),
      HasSubstr("kafka.properties[\"linger.ms\"]: expected string, integer, number or "
                "boolean, got array"));
}

TEST_F(ConfigTest, AdminBindMustBeAnAddress) {
  EXPECT_EQ(failure(minimal() + "admin:\n  bind: localhost\n"),
            file() + ":5: admin.bind: is not an IPv4 or IPv6 address");
}

TEST_F(ConfigTest, DuplicateConnectorNamesAreRefused) {
  EXPECT_EQ(
      failure(minimal() + "connectors:\n  - {name: a, plugin: csv}\n  - {name: a, plugin: x}\n"),
      file() + ":6: connectors[1].name: connector name \"a\" is already used at line 5");
}

TEST_F(ConfigTest, YamlSyntaxErrorsNameTheLine) {
  EXPECT_THAT(failure("state_dir: [unclosed\nprivacy: {}\n"),
              HasSubstr(file() + ":2: YAML syntax error"));
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  const Result<Config> config = loadConfig(dir_ / "absent.yaml", kNoEnv);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.unreadable");
  EXPECT_THAT(config.error().message, HasSubstr("absent.yaml"));
}

TEST_F(ConfigTest, AConfigPathThatIsADirectorySaysSo) {
  const Result<Config> config = loadConfig(dir_, kNoEnv);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.unreadable");
  EXPECT_EQ(config.error().message, "config: " + dir_.string() + " is a directory, not a file");
}

TEST_F(ConfigTest, AnAliasBombInTheConfigIsRefusedNamingFileAndLine) {
  std::string yaml = minimal() + "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i <= 9; ++i) {
    yaml += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) yaml += (j ? ", *x" : "*x") + std::to_string(i - 1);
    yaml += "]\n";
  }
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THAT(failure(yaml), HasSubstr(file() + ":9: the configuration expands to more than"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
}

TEST_F(ConfigTest, SecretFilesMustBeRegularFiles) {
  fs::create_directories(dir_ / "token_dir");
  ASSERT_EQ(::mkfifo((dir_ / "token.fifo").c_str(), 0600), 0);
  // A FIFO with no writer would block a reader for ever; this must return at once.
  EXPECT_THAT(failure(minimal() + "admin:\n  token_file: token.fifo\n"),
              HasSubstr(file() + ":5: admin.token_file: " + (dir_ / "token.fifo").string() +
                        " is not a regular file (a FIFO, socket or device)"));
  EXPECT_THAT(failure(minimal() + "admin:\n  token_file: token_dir\n"),
              HasSubstr(file() + ":5: admin.token_file: " + (dir_ / "token_dir").string() +
                        " is a directory, not a file"));
}

TEST_F(ConfigTest, ANonLoopbackAdminBindNeedsATokenForEveryEndpoint) {
  EXPECT_EQ(failure(minimal() + "admin:\n  bind: 0.0.0.0\n"),
            file() +
                ":5: admin.bind: 0.0.0.0 is not a loopback address, so every admin endpoint needs "
                "a token: set admin.token or admin.token_file (or admin.require_token: false to "
                "serve health, metrics and status to anyone who can connect)");

  const Result<Config> guarded =
      load(minimal() + "admin:\n  bind: \"::\"\n  token: " + std::string(kToken) + "\n");
  ASSERT_TRUE(guarded.ok()) << guarded.error().message;
  EXPECT_TRUE(guarded->admin.require_token);
  EXPECT_THAT(warnings(guarded.value()),
              ::testing::ElementsAre(HasSubstr("every endpoint requires the token")));

  const Result<Config> open = load(minimal() + "admin:\n  bind: 0.0.0.0\n  require_token: false\n");
  ASSERT_TRUE(open.ok()) << open.error().message;
  EXPECT_FALSE(open->admin.require_token);
  EXPECT_THAT(warnings(open.value()),
              ::testing::ElementsAre(HasSubstr("answer anyone who can connect")));

  const Result<Config> loopback = load(minimal() + "admin:\n  bind: 127.0.0.2\n");
  ASSERT_TRUE(loopback.ok()) << loopback.error().message;
  EXPECT_FALSE(loopback->admin.require_token);
  EXPECT_TRUE(warnings(loopback.value()).empty());
}

// checkWritableDirectory's message for `directory`, as seen by an unprivileged user: root may
// write anywhere, so as root the check runs in a child that has given up root first.
std::string writableAsUnprivilegedUser(const fs::path& directory) {
  if (::geteuid() != 0) {
    const Result<void> writable = checkWritableDirectory(directory);
    return writable ? "" : writable.error().message;
  }
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::string message = "could not drop root";
    if (::setresgid(65534, 65534, 65534) == 0 && ::setresuid(65534, 65534, 65534) == 0) {
      const Result<void> writable = checkWritableDirectory(directory);
      message = writable ? "" : writable.error().message;
    }
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, got);
  ::close(fds[0]);
  ::waitpid(child, nullptr, 0);
  return message;
}

TEST_F(ConfigTest, AReadOnlyStateDirectoryIsReportedAsSuch) {
  const fs::path state = dir_ / "state";
  fs::create_directories(state);
  fs::permissions(dir_, fs::perms::all);
  fs::permissions(state, fs::perms::owner_all | fs::perms::group_all | fs::perms::others_read |
                             fs::perms::others_exec);
  const std::string message = writableAsUnprivilegedUser(state);
  EXPECT_THAT(message, HasSubstr(state.string() + " is not writable by uid "));
  EXPECT_THAT(message, HasSubstr("Permission denied"));
  // Not there yet: its nearest existing ancestor decides.
  EXPECT_THAT(writableAsUnprivilegedUser(state / "below" / "deeper"),
              HasSubstr(state.string() + " is not writable"));
  fs::permissions(state, fs::perms::all);
  EXPECT_EQ(writableAsUnprivilegedUser(state), "");
  EXPECT_TRUE(checkWritableDirectory(state / "new").ok());
}

TEST(LoopbackAddress, RecognisesIpv4Ipv6AndMappedLoopback) {
  EXPECT_TRUE(isLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(isLoopbackAddress("127.255.0.9"));
  EXPECT_TRUE(isLoopbackAddress("::1"));
  EXPECT_TRUE(isLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(isLoopbackAddress("::"));
  EXPECT_FALSE(isLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("::ffff:10.0.0.1"));
}

TEST_F(ConfigTest, KafkaPropertiesRememberTheirLines) {
  const Result<Config> config =
      load(withoutKafka() +
           "kafka:\n  properties:\n    linger.ms: 5\n    sasl.pasword: x\n  brokers: embedded\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->kafka.property_lines.at("linger.ms"), 6);
  EXPECT_EQ(config->kafka.property_lines.at("sasl.pasword"), 7);
}

TEST_F(ConfigTest, EnvironmentVariablesAreInterpolatedBeforeValidation) {
  const Result<Config> config = load(R"(state_dir: ${STATE_DIRECTORY}
admin:
  port: ${ADMIN_PORT:-9090}
  token: ${ADMIN_TOKEN}
privacy:
  pseudonym_key: "${PSEUDONYM_KEY}"
kafka: {brokers: embedded}
)",
                                     envOf({{"STATE_DIRECTORY", "/var/lib/hearth"},
                                            {"ADMIN_TOKEN", std::string(kToken)},
                                            {"PSEUDONYM_KEY", std::string(kKey)}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->state_dir, "/var/lib/hearth");
  EXPECT_EQ(config->admin.port, 9090);
  EXPECT_EQ(config->admin.token.reveal(), kToken);
  EXPECT_EQ(config->privacy.pseudonym_key.reveal(), kKey);
}

TEST_F(ConfigTest, UnsetEnvironmentVariableNamesFileLineKeyAndVariable) {
  EXPECT_EQ(failure(minimal() + "admin:\n  port: ${ADMIN_PORT}\n"),
            file() + ":5: admin.port: environment variable ADMIN_PORT is not set");
}

TEST_F(ConfigTest, SecretsCanBeReadFromFilesRelativeToTheConfig) {
  write("admin.token", std::string(kToken) + "\n");
  write("pseudonym.key", std::string(kKey) + "\n");
  const Result<Config> config =
      load("state_dir: s\nadmin:\n  token_file: admin.token\nprivacy:\n  pseudonym_key_file: " +
           (dir_ / "pseudonym.key").string() + "\nkafka: {brokers: embedded}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->admin.token.reveal(), kToken);
  EXPECT_EQ(config->privacy.pseudonym_key.reveal(), kKey);
}

TEST_F(ConfigTest, SecretFileProblemsNameTheFile) {
  write("short.token", "abc\n");
  write("empty.key", "\n");
  const std::string error = failure(
      "state_dir: s\nadmin:\n  token_file: short.token\nprivacy:\n  pseudonym_key_file: "
      "empty.key\nconnectors: []\n");
  EXPECT_THAT(
      error, HasSubstr(file() + ":3: admin.token_file: the value in " +
                       (dir_ / "short.token").string() + " is shorter than the minimum length 16"));
  EXPECT_THAT(error, HasSubstr(file() + ":5: privacy.pseudonym_key_file: " +
                               (dir_ / "empty.key").string() + " is empty"));
  EXPECT_THAT(
      failure("state_dir: s\nprivacy:\n  pseudonym_key_file: nowhere.key\n"),
      HasSubstr(":3: privacy.pseudonym_key_file: cannot read " + (dir_ / "nowhere.key").string()));
}

TEST_F(ConfigTest, SecretAndItsFileAreExclusive) {
  write("admin.token", std::string(kToken));
  EXPECT_EQ(failure(minimal() + "admin:\n  token: " + std::string(kToken) +
                    "\n  token_file: admin.token\n"),
            file() + ":6: admin.token_file: set token or token_file, not both");
}

TEST_F(ConfigTest, PseudonymKeyIsRequired) {
  EXPECT_EQ(failure("state_dir: s\nprivacy:\n  key_version: v2\nkafka: {brokers: embedded}\n"),
            file() +
                ":2: privacy: missing pseudonym_key or pseudonym_key_file: the key that "
                "pseudonymises every published identifier");
}

TEST_F(ConfigTest, SecretsNeverAppearInErrorMessages) {
  const std::string secret = "hunter2-hunter2-hunter2";
  write("secret.token", secret);
  const std::string error = failure(
      R"(state_dir: s
log_level: ${SECRET}
queue_capacity: ${SECRET}
admin:
  bind: ${SECRET}
  token: ${SECRET}
  token_file: secret.token
kafka:
  brokers: "${SECRET},,"
  topic_prefix: "${SECRET}/"
  properties: {sasl.password: ["${SECRET}"]}
privacy:
  pseudonym_key: ${SECRET}
  key_version: ${SECRET}${SECRET}
connectors:
  - name: ${SECRET}
    plugin: ${SECRET}
    enabled: ${SECRET}
    settings: ${SECRET}
)",
      envOf({{"SECRET", secret}}));
  EXPECT_THAT(error, Not(HasSubstr("hunter2"))) << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 9) << error;

  // Checks made after the schema passed: address, exclusive keys, secret read from a file.
  const std::string later = failure(R"(state_dir: s
admin:
  bind: ${SECRET}
  token: ${SECRET}
  token_file: secret.token
privacy:
  pseudonym_key_file: secret.token
kafka: {brokers: embedded}
)",
                                    envOf({{"SECRET", secret}}));
  EXPECT_THAT(later, Not(HasSubstr("hunter2"))) << later;
  EXPECT_EQ(std::count(later.begin(), later.end(), '\n'), 2) << later;
}

TEST_F(ConfigTest, DescribeRedactsSecretsButShowsTheRest) {
  const std::string password = "kafka-password-hunter2";
  const std::string db_password = "db-password-hunter2";
  const Result<Config> config =
      load(R"(state_dir: s
admin: {token: test-admin-token-0123}
kafka:
  properties:
    sasl.password: inline-password-hunter2
    ssl.key.pem: inline-pem-hunter2
    sasl.username: ${KAFKA_USER}
    security.protocol: sasl_ssl
  brokers: embedded
privacy:
  pseudonym_key: test-pseudonym-key-0123456789abcdef
connectors:
  - name: pas
    plugin: odbc
    settings:
      dsn: PAS
      password: ${DB_PASSWORD}
      nested: {list: ["${DB_PASSWORD}"]}
)",
           envOf({{"KAFKA_USER", password}, {"DB_PASSWORD", db_password}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string dump = describe(config.value()).dump();
  for (std::string_view secret :
       {std::string_view(kToken), std::string_view(kKey), std::string_view("hunter2")}) {
    EXPECT_THAT(dump, Not(HasSubstr(std::string(secret)))) << dump;
  }
  const json described = describe(config.value());
  EXPECT_EQ(described["admin"]["token"], "<redacted>");
  EXPECT_EQ(described["privacy"]["pseudonym_key"], "<redacted>");
  EXPECT_EQ(described["kafka"]["properties"]["security.protocol"], "sasl_ssl");
  EXPECT_EQ(described["connectors"][0]["settings"]["dsn"], "PAS");
  EXPECT_EQ(described["connectors"][0]["settings"]["password"], "<redacted>");
  EXPECT_EQ(described["admin"]["port"], 8080);
  EXPECT_EQ(described["state_dir"], (dir_ / "s").string());
}

TEST_F(ConfigTest, SecretsPrintRedacted) {
  std::ostringstream out;
  out << Secret("hunter2") << " " << Secret();
  EXPECT_EQ(out.str(), "<redacted> <unset>");
}

TEST_F(ConfigTest, ConnectorSettingsAreCheckedAgainstThePluginSchema) {
  const Result<Config> config = load(minimal() + R"(connectors:
  - name: demo_csv
    plugin: csv
    settings:
      directory: ../input
      streams:
        - name: people
          pattern: "people*.csv"
        - name: Pupils
          key: id
      delimter: ";"
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string plugin_schema = R"({
    "type": "object", "additionalProperties": false, "required": ["directory", "streams"],
    "properties": {
      "directory": {"type": "string"},
      "delimiter": {"type": "string", "maxLength": 1},
      "streams": {"type": "array", "minItems": 1, "items": {
        "type": "object", "additionalProperties": false, "required": ["name", "pattern"],
        "properties": {"name": {"type": "string", "pattern": "^[a-z_]+$"},
                       "pattern": {"type": "string"},
                       "key": {"type": "array", "items": {"type": "string"}}}}}}})";
  const Result<void> result =
      validateConnectorSettings(config.value(), config->connectors[0], plugin_schema);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "config.invalid");
  EXPECT_EQ(result.error().message,
            file() + ":12: connectors[0].settings.streams[1]: missing required key \"pattern\"\n" +
                file() +
                ":12: connectors[0].settings.streams[1].name: does not match the pattern "
                "^[a-z_]+$\n" +
                file() +
                ":13: connectors[0].settings.streams[1].key: expected array, got string\n" +
                file() + ":14: connectors[0].settings.delimter: unknown key \"delimter\"");

  ConnectorConfig fixed = config->connectors[0];
  fixed.settings = {{"directory", "in"}, {"streams", {{{"name", "people"}, {"pattern", "*.csv"}}}}};
  EXPECT_TRUE(validateConnectorSettings(config.value(), fixed, plugin_schema).ok());
}

TEST_F(ConfigTest, SettingPathsResolveAgainstTheConfigDirectory) {
  const Result<Config> config = load(minimal() + R"(connectors:
  - name: demo_csv
    plugin: csv
    settings:
      directory: ../input
      archive: /srv/archive
      streams: [{name: people, pattern: "people*.csv"}]
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string plugin_schema = R"({"properties": {
      "directory": {"type": "string", "format": "path"},
      "archive": {"type": "string", "format": "path"},
      "streams": {"items": {"properties": {"pattern": {"type": "string"}}}}}})";
  const Result<json> settings =
      resolveSettingPaths(config.value(), config->connectors[0], plugin_schema);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings.value()["directory"], (dir_.parent_path() / "input").string());
  EXPECT_EQ(settings.value()["archive"], "/srv/archive");
  EXPECT_EQ(settings.value()["streams"][0]["pattern"], "people*.csv");
  EXPECT_EQ(config->connectors[0].settings["directory"], "../input");  // the config is untouched
}

TEST_F(ConfigTest, AConnectionStringsSqliteFileResolvesAgainstTheConfigDirectory) {
  const Result<Config> config = load(minimal() + R"(connectors:
  - name: trust_ssd
    plugin: trust_ssd
    settings: {connection_string: "Driver=SQLite3;Database=ssd/ssd.sqlite;"}
)");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const std::string plugin_schema = R"({"properties": {
      "connection_string": {"type": "string", "format": "odbc-connection-string"}}})";
  const Result<json> settings =
      resolveSettingPaths(config.value(), config->connectors[0], plugin_schema);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings.value()["connection_string"],
            "Driver=SQLite3;Database=" + (dir_ / "ssd/ssd.sqlite").string() + ";");
}

TEST_F(ConfigTest, BrokenPluginSchemaIsReportedAgainstThePlugin) {
  const Result<Config> config = load(minimal() + "connectors: [{name: a, plugin: csv}]\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const Result<void> result =
      validateConnectorSettings(config.value(), config->connectors[0], R"({"type": "objekt"})");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "config.plugin_schema");
  EXPECT_THAT(result.error().message, HasSubstr("plugin csv"));
}

TEST_F(ConfigTest, AMappingIsCheckedAgainstTheCanonicalModelNamingEachLine) {
  const Result<Config> config = load(minimal() + R"(connectors:
  - name: early_help
    plugin: csv
    normalise: {kind: mapping, source_system: eh_system}
    mapping:
      streams:
        episodes:
          records:
            - kind: early_help_episodes
              subject: ChildRef
            - kind: cla_episode
              subject: ChildRef
              fields:
                begin: StartDate
                start: {from: StartDate, date_format: "%d/%m/%y"}
                legal_status: {from: Order, codes: {Care order: C9}}
)");
  ASSERT_FALSE(config.ok());
  const std::string at = file() + ":";
  EXPECT_THAT(config.error().message,
              HasSubstr(at + "12: connectors[0].mapping.streams.episodes.records[0]: unknown "
                             "record kind \"early_help_episodes\""));
  EXPECT_THAT(config.error().message,
              HasSubstr(at + "17: connectors[0].mapping.streams.episodes.records[1].fields.begin: "
                             "cla_episode has no field \"begin\""));
  EXPECT_THAT(config.error().message,
              HasSubstr(at + "18: connectors[0].mapping.streams.episodes.records[1].fields.start: "
                             "date format \"%d/%m/%y\" %y is not one of"));
  EXPECT_THAT(config.error().message,
              HasSubstr(at + "19: connectors[0].mapping.streams.episodes.records[1].fields."
                             "legal_status: code map Care order -> \"C9\" is not a LS code"));

  const Result<Config> unused = load(minimal() + R"(connectors:
  - name: early_help
    plugin: csv
    normalise: {kind: nccis}
    mapping: {streams: {episodes: {records: [{kind: person, subject: id}]}}}
)");
  ASSERT_FALSE(unused.ok());
  EXPECT_THAT(unused.error().message, HasSubstr("set normalise.kind to mapping"));

  const Result<Config> fine = load(minimal() + R"(connectors:
  - name: early_help
    plugin: csv
    normalise: {kind: mapping}
    mapping:
      streams:
        episodes:
          ignore: [Worker]
          records:
            - kind: early_help_episode
              subject: ChildRef
              fields: {start: {from: StartDate, date_format: "%d/%m/%Y"}, reason: Reason}
            - kind: person
              subject: ChildRef
              fields: {sex: {from: Gender, codes: {Male: M, Female: F}}}
              identifiers: {nhs: NHSNumber, upn: UPN}
)");
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->connectors[0].normalise.mapping["streams"]["episodes"]["ignore"][0], "Worker");
}

TEST_F(ConfigTest, AnUnknownTimeZoneIsRefusedWhereItIsWritten) {
  const Result<Config> config = load(minimal() + R"(connectors:
  - name: ssd
    plugin: trust_ssd
    normalise:
      kind: trust_ssd
      time_zone: Europe/Londres
)");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            file() +
                ":9: connectors[0].normalise.time_zone: is not a time zone of the tz "
                "database (e.g. Europe/London)");

  const Result<Config> fine = load(minimal() + R"(connectors:
  - name: ssd
    plugin: trust_ssd
    settings:
      time_zone: Mars/Olympus
    normalise: {kind: trust_ssd}
)");
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->connectors[0].normalise.time_zone, "Europe/London");
  const std::string plugin_schema = R"({"properties": {
      "time_zone": {"type": "string", "format": "time-zone"}}})";
  const Result<void> settings =
      validateConnectorSettings(fine.value(), fine->connectors[0], plugin_schema);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.error().message,
            file() +
                ":8: connectors[0].settings.time_zone: is not a time zone of the tz "
                "database (e.g. Europe/London)");
}

TEST_F(ConfigTest, ReloadComparisonIgnoresWhereAConnectorWasWritten) {
  const Result<Config> before = load(minimal() + "connectors:\n  - {name: a, plugin: csv}\n");
  const Result<Config> after = load(minimal() + "\n\nconnectors:\n  - name: a\n    plugin: csv\n");
  const Result<Config> changed =
      load(minimal() + "connectors:\n  - {name: a, plugin: csv, settings: {x: 1}}\n");
  ASSERT_TRUE(before.ok() && after.ok() && changed.ok());
  EXPECT_NE(before->connectors[0].line, after->connectors[0].line);
  EXPECT_TRUE(before->connectors[0].sameAs(after->connectors[0]));
  EXPECT_FALSE(before->connectors[0].sameAs(changed->connectors[0]));
}

TEST(ConnectionStrings, ASqliteDatabaseFileResolvesAgainstTheConfigFile) {
  const fs::path base = "/etc/hearth";
  EXPECT_EQ(resolveConnectionStringPath(base, "Driver=SQLite3;Database=../data/ssd.sqlite;"),
            "Driver=SQLite3;Database=/etc/data/ssd.sqlite;");
  EXPECT_EQ(resolveConnectionStringPath(base, "DRIVER={SQLite3}; database = ssd.db"),
            "DRIVER={SQLite3}; database = /etc/hearth/ssd.db");
  EXPECT_EQ(resolveConnectionStringPath(base, "Driver=SQLite3;Database={a;b.db};Timeout=5;"),
            "Driver=SQLite3;Database={/etc/hearth/a;b.db};Timeout=5;");
  // Absolute files, and databases on a server, are left alone.
  for (const std::string unchanged :
       {"Driver=SQLite3;Database=/var/lib/ssd.sqlite;",
        "Driver={PostgreSQL Unicode};Server=db;Database=ssd;Uid=hearth;", "DSN=ssd;",
        "Driver=SQLite3;Database={unclosed"}) {
    EXPECT_EQ(resolveConnectionStringPath(base, unchanged), unchanged);
  }
}

TEST_F(ConfigTest, AReloadNamesTheSettingsThatOnlyARestartChanges) {
  const Result<Config> running = load(minimal());
  const Result<Config> next = load(
      "state_dir: elsewhere\nprivacy: {pseudonym_key: another-pseudonym-key-0123456789abcdef, "
      "suppression_threshold: 10}\nkafka: {brokers: kafka-2:9092, properties: {linger.ms: 5}}\n"
      "admin: {port: 9090}\nlog_level: debug\nindicators: {period_end: \"2024-03-31\"}\n");
  ASSERT_TRUE(running.ok() && next.ok());
  EXPECT_THAT(restartOnlyChanges(running.value(), next.value()),
              ::testing::ElementsAre("admin.port", "kafka.brokers", "kafka.properties",
                                     "privacy.pseudonym_key", "state_dir"));
  EXPECT_TRUE(restartOnlyChanges(running.value(), running.value()).empty());
}

TEST(ShippedConfig, DemoIsValidAndResolvesPathsAgainstItsFolder) {
  // The demo's connectors change as the demo grows; what it must keep is asserted here.
  const Result<Config> config = loadConfig(kSourceDir / "config" / "demo.yaml", kNoEnv);
  ASSERT_TRUE(config.ok()) << config.error().message;
  const fs::path root = fs::absolute(kSourceDir).lexically_normal();
  EXPECT_EQ(config->state_dir, root / "var" / "demo" / "state");
  ASSERT_FALSE(config->plugin_dirs.empty());
  for (const fs::path& dir : config->plugin_dirs) {
    EXPECT_TRUE(dir.is_absolute()) << dir;
    EXPECT_EQ(dir.lexically_relative(root).begin()->string(), "build") << dir;
  }
  EXPECT_EQ(config->kafka.brokers, "embedded");
  EXPECT_EQ(config->admin.bind, "127.0.0.1");
  EXPECT_EQ(config->admin.port, 8080);
  EXPECT_FALSE(config->admin.token.empty());
  EXPECT_FALSE(config->privacy.pseudonym_key.empty());
  EXPECT_FALSE(config->connectors.empty());
  for (const ConnectorConfig& connector : config->connectors) {
    EXPECT_TRUE(connector.settings.is_object()) << connector.name;
    EXPECT_GT(connector.line, 0) << connector.name;
  }
}

TEST(ShippedConfig, ExampleIsValidOnceItsSecretsAreInTheEnvironment) {
  const Result<Config> config = loadConfig(kSourceDir / "config" / "hearthd.example.yaml",
                                           envOf({{"HEARTH_ADMIN_TOKEN", std::string(kToken)},
                                                  {"HEARTH_PSEUDONYM_KEY", std::string(kKey)},
                                                  {"HEARTH_KAFKA_PASSWORD", "kafka-password"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->kafka.properties.at("sasl.password"), "kafka-password");
  EXPECT_EQ(describe(config.value())["kafka"]["properties"]["sasl.password"], "<redacted>");
}

TEST(ShippedConfig, ExampleNamesEachMissingSecret) {
  const Result<Config> config = loadConfig(kSourceDir / "config" / "hearthd.example.yaml", kNoEnv);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message,
              HasSubstr("environment variable HEARTH_ADMIN_TOKEN is not set"));
  EXPECT_THAT(config.error().message,
              HasSubstr("environment variable HEARTH_PSEUDONYM_KEY is not set"));
  EXPECT_THAT(config.error().message,
              HasSubstr("environment variable HEARTH_KAFKA_PASSWORD is not set"));
}

TEST(ConfigSchema, EmbeddedSchemaIsTheShippedFile) {
  std::ifstream in(kSourceDir / "config" / "schemas" / "hearthd.config.schema.json");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(configSchemaText(), text.str());
  EXPECT_TRUE(JsonSchema::parse(configSchemaText()).ok());
}

TEST(ConfigSchema, SchemaDefaultsMatchTheTypedDefaults) {
  const json schema = json::parse(configSchemaText());
  const json& properties = schema["properties"];
  const json& defs = schema["$defs"];
  const Config config;
  const ConnectorConfig connector;
  EXPECT_EQ(properties["log_level"]["default"], config.log_level);
  EXPECT_EQ(properties["queue_capacity"]["default"], config.queue_capacity);
  EXPECT_EQ(properties["drain_timeout_ms"]["default"], config.drain_timeout_ms);
  EXPECT_EQ(defs["admin"]["properties"]["bind"]["default"], config.admin.bind);
  EXPECT_EQ(defs["admin"]["properties"]["port"]["default"], config.admin.port);
  const json& kafka = defs["kafka"]["properties"];
  EXPECT_FALSE(kafka["brokers"].contains("default"));  // required: nothing durable is implied
  EXPECT_EQ(kafka["embedded_partitions"]["default"], config.kafka.embedded_partitions);
  EXPECT_EQ(kafka["topic_prefix"]["default"], config.kafka.topic_prefix);
  EXPECT_EQ(kafka["message_timeout_ms"]["default"], config.kafka.message_timeout_ms);
  EXPECT_EQ(kafka["spool_max_bytes"]["default"], config.kafka.spool_max_bytes);
  const json& privacy = defs["privacy"]["properties"];
  EXPECT_EQ(privacy["key_version"]["default"], config.privacy.key_version);
  EXPECT_EQ(privacy["suppression_threshold"]["default"], config.privacy.suppression_threshold);
  const json& entry = defs["connector"]["properties"];
  EXPECT_EQ(entry["enabled"]["default"], connector.enabled);
  EXPECT_EQ(entry["poll_interval_ms"]["default"], connector.poll_interval.count());
  EXPECT_EQ(entry["normalise"]["properties"]["time_zone"]["default"],
            connector.normalise.time_zone);
}

}  // namespace
}  // namespace hearth::config

namespace hearth::config {
namespace {

TEST_F(ConfigTest, AConnectorMayBeACommandRunAsAChildProcess) {
  const Result<Config> config = load(minimal() +
                                     "connectors:\n"
                                     "  - name: esh\n"
                                     "    command: [connectors/esh.py, --verbose]\n"
                                     "    settings: {path: x.csv}\n"
                                     "    process:\n"
                                     "      env: {TZ: Europe/London, TOKEN: abc}\n"
                                     "      address_space_mb: 512\n"
                                     "      cpu_seconds: 60\n"
                                     "      open_files: 64\n"
                                     "      silence_timeout_ms: 2000\n"
                                     "      max_line_bytes: 4096\n"
                                     "      max_bad_lines: 3\n"
                                     "      log_lines_per_second: 5\n"
                                     "  - {name: census, plugin: cin_census, isolation: process}\n"
                                     "  - {name: local, plugin: csv}\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const ConnectorConfig& esh = config->connectors[0];
  EXPECT_EQ(esh.command,
            (std::vector<std::string>{(dir_ / "connectors/esh.py").string(), "--verbose"}));
  EXPECT_EQ(esh.plugin, "esh.py");
  EXPECT_TRUE(esh.inChildProcess());
  EXPECT_EQ(esh.process.env.at("TZ"), "Europe/London");
  EXPECT_EQ(esh.process.address_space_mb, 512u);
  EXPECT_EQ(esh.process.cpu_seconds, 60u);
  EXPECT_EQ(esh.process.open_files, 64u);
  EXPECT_EQ(esh.process.silence_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(esh.process.max_line_bytes, 4096u);
  EXPECT_EQ(esh.process.max_bad_lines, 3u);
  EXPECT_EQ(esh.process.log_lines_per_second, 5u);
  EXPECT_EQ(config->connectors[1].isolation, Isolation::kProcess);
  EXPECT_TRUE(config->connectors[1].inChildProcess());
  EXPECT_EQ(config->connectors[1].process, ProcessConfig{});
  EXPECT_FALSE(config->connectors[2].inChildProcess());
  // The child's environment may hold credentials: only its names are shown.
  const json described = describe(config.value());
  EXPECT_EQ(described["connectors"][0]["process"]["env"]["TOKEN"], "<redacted>");
  EXPECT_THAT(described.dump(), Not(HasSubstr("abc")));
  // A changed limit restarts the connector on reload.
  ConnectorConfig changed = esh;
  changed.process.open_files = 65;
  EXPECT_FALSE(esh.sameAs(changed));
}

TEST_F(ConfigTest, AConnectorIsEitherAPluginOrACommand) {
  EXPECT_THAT(failure(minimal() + "connectors: [{name: a, plugin: csv, command: [x]}]\n"),
              HasSubstr("connectors[0]"));
  EXPECT_THAT(failure(minimal() + "connectors: [{name: a}]\n"), HasSubstr("connectors[0]"));
  EXPECT_THAT(failure(minimal() + "connectors: [{name: a, command: [x], isolation: process}]\n"),
              HasSubstr("connectors[0]"));
  EXPECT_THAT(failure(minimal() + "connectors: [{name: a, command: []}]\n"),
              HasSubstr("connectors[0].command"));
  EXPECT_THAT(
      failure(minimal() + "connectors: [{name: a, command: [x], process: {open_files: -1}}]\n"),
      HasSubstr("connectors[0].process.open_files"));
}

}  // namespace
}  // namespace hearth::config
