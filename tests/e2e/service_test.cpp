// hearthd as a council's operations staff run it: safe defaults whatever the environment, the
// command-line conventions of a system service, its journal and its reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr int kExitConfig = 78;  // sysexits EX_CONFIG
constexpr int kExitUsage = 64;   // EX_USAGE

// Sets the process umask for the scope of a test (children inherit it), then restores it.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

fs::perms permsOf(const fs::path& path) { return fs::symlink_status(path).permissions(); }

constexpr fs::perms kGroupOrOthers = fs::perms::group_all | fs::perms::others_all;

// A daemon config reading one referrals CSV with the embedded broker.
fs::path referralsConfig(const TempDir& dir) {
  const auto input = dir.path() / "in";
  fs::create_directories(input);
  writeReferralsCsv(input / "referrals_1.csv", 0, 50);
  DaemonOptions options;
  options.embedded_partitions = 4;
  options.connectors_yaml = referralsConnectorYaml("referrals", input);
  return writeDaemonConfig(dir.path(), options);
}

TEST(Service, StateFilesAreOwnerOnlyEvenUnderUmask000) {
  TempDir dir;
  ScopedUmask open_umask(0);
  const auto config = referralsConfig(dir);
  std::string errors;
  ASSERT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), 0) << errors;

  const fs::path state = dir.path() / "state";
  EXPECT_EQ(permsOf(state) & fs::perms::mask, fs::perms::owner_all);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(state)) {
    const fs::perms perms = permsOf(entry.path());
    EXPECT_EQ(perms & kGroupOrOthers, fs::perms::none) << entry.path();
    if (entry.is_regular_file()) ++files;
  }
  // The record store and the state store, at least.
  EXPECT_TRUE(fs::exists(state / "records.db"));
  EXPECT_TRUE(fs::exists(state / "hearth.db"));
  EXPECT_GE(files, 2);
}

TEST(Service, AStateFileOpenToOtherUsersStopsTheStartNamingIt) {
  TempDir dir;
  const auto config = referralsConfig(dir);
  std::string errors;
  ASSERT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), 0) << errors;
  const fs::path records = dir.path() / "state" / "records.db";
  fs::permissions(records, fs::perms::others_read | fs::perms::group_read, fs::perm_options::add);

  EXPECT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), kExitConfig);
  EXPECT_THAT(errors, HasSubstr(records.string() + " is open to other users (mode 0644)"));
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), kExitConfig);
  EXPECT_THAT(errors, HasSubstr("chmod 600 " + records.string()));

  fs::permissions(dir.path() / "state", fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(records, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  EXPECT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), kExitConfig);
  EXPECT_THAT(errors, HasSubstr("chmod 700 " + (dir.path() / "state").string()));
}

TEST(Service, AConfigWithoutBrokersIsRefusedAndEmbeddedWarns) {
  TempDir dir;
  const auto config = dir.path() / "hearthd.yaml";
  std::ofstream(config)
      << "state_dir: state\n"
         "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n";
  std::string errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors), kExitConfig);
  EXPECT_THAT(errors, HasSubstr(config.string() + ": kafka.brokers: is required"));
  EXPECT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), kExitConfig);
  EXPECT_THAT(errors, HasSubstr("kafka.brokers: is required"));
  EXPECT_FALSE(fs::exists(dir.path() / "state"));

  std::ofstream(config, std::ios::app) << "kafka: {brokers: embedded, embedded_partitions: 2}\n";
  std::string out;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &errors, &out), 0) << errors;
  EXPECT_THAT(errors, HasSubstr("warning: kafka.brokers is \"embedded\": events are kept in "
                                "this process's memory and do not outlive it"));
  EXPECT_EQ(runHearthd({"run", "--once", config.string()}, dir.path(), &errors), 0) << errors;
  EXPECT_THAT(errors, HasSubstr(R"("level":"warn")"));
  EXPECT_THAT(errors, HasSubstr("do not outlive it"));
}

TEST(Service, VersionIsAFlagAndAVerb) {
  TempDir dir;
  std::string flag;
  std::string verb;
  EXPECT_EQ(runHearthd({"--version"}, dir.path(), nullptr, &flag), 0);
  EXPECT_EQ(runHearthd({"version"}, dir.path(), nullptr, &verb), 0);
  EXPECT_THAT(flag, ::testing::StartsWith("hearthd 0."));
  EXPECT_THAT(flag, HasSubstr("connector ABI"));
  EXPECT_EQ(flag, verb);
}

TEST(Service, UsageErrorsExit64) {
  TempDir dir;
  std::string errors;
  EXPECT_EQ(runHearthd({}, dir.path(), &errors), kExitUsage);
  EXPECT_EQ(runHearthd({"frobnicate"}, dir.path(), &errors), kExitUsage);
  EXPECT_EQ(runHearthd({"run", "--no-such-option"}, dir.path(), &errors), kExitUsage);
  EXPECT_THAT(errors, HasSubstr("--no-such-option"));
  EXPECT_EQ(runHearthd({"check"}, dir.path(), &errors), kExitUsage);  // connector missing
  EXPECT_THAT(errors, HasSubstr("connector is required"));
}

TEST(Service, EveryVerbsHelpShowsDefaultsEnvironmentExitCodesAndAnExample) {
  TempDir dir;
  const std::vector<std::vector<std::string>> verbs = {
      {"run"},      {"validate"},           {"plugins"},           {"spec"},
      {"check"},    {"discover"},           {"version"},           {"indicators"},
      {"identity"}, {"identity", "review"}, {"identity", "merge"}, {"identity", "unmerge"},
      {"rebuild"},  {"linkage-eval"}};
  for (std::vector<std::string> verb : verbs) {
    const std::string name = verb.back();
    verb.push_back("--help");
    std::string out;
    ASSERT_EQ(runHearthd(verb, dir.path(), nullptr, &out), 0) << name;
    EXPECT_THAT(out, HasSubstr("HEARTH_CONFIG")) << name;
    EXPECT_THAT(out, HasSubstr("Exit codes: 0 done, 1 failed")) << name;
    EXPECT_THAT(out, HasSubstr("78 configuration refused")) << name;
    EXPECT_THAT(out, ::testing::ContainsRegex("Example:\n  [^\n]*hearthd ")) << name;
    if (name != "version" && name != "merge" && name != "unmerge" && name != "review") {
      EXPECT_THAT(out, HasSubstr("/etc/hearth/hearthd.yaml")) << name << out;
    }
  }
  std::string out;
  ASSERT_EQ(runHearthd({"run", "--help"}, dir.path(), nullptr, &out), 0);
  EXPECT_THAT(out, HasSubstr("=/etc/hearth/hearthd.yaml (Env:HEARTH_CONFIG)"));  // the default
  EXPECT_THAT(out, HasSubstr("3 (--once) Kafka unreachable"));
}

TEST(Service, PluginsReportsABrokenConfigurationAsValidateDoes) {
  TempDir dir;
  const auto config = dir.path() / "hearthd.yaml";
  std::ofstream(config)
      << "state_dir: state\nplugin_dirs: [" << pluginDir().string() << "]\n"
      << "kafka: {brokers: embedded, brokerz: x}\n"
         "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n";
  std::string validate_errors;
  EXPECT_EQ(runHearthd({"validate", config.string()}, dir.path(), &validate_errors), kExitConfig);
  const std::string expected = config.string() + ":3: kafka.brokerz: unknown key \"brokerz\"";
  EXPECT_THAT(validate_errors, HasSubstr(expected));
  for (const char* verb : {"plugins", "spec"}) {
    std::vector<std::string> args = {verb, "--config", config.string()};
    if (std::string(verb) == "spec") args.push_back("csv");
    std::string errors;
    std::string out;
    EXPECT_EQ(runHearthd(args, dir.path(), &errors, &out), kExitConfig) << verb;
    EXPECT_THAT(errors, HasSubstr(expected)) << verb;
    EXPECT_EQ(out.find("/usr/lib/hearth/plugins"), std::string::npos) << out;
  }
  // Fixed, the configuration's plugin directory is the one listed.
  std::ofstream(config)
      << "state_dir: state\nplugin_dirs: [" << pluginDir().string() << "]\n"
      << "kafka: {brokers: embedded}\n"
         "privacy: {pseudonym_key: an-end-to-end-test-key-of-at-least-32-chars}\n";
  std::string out;
  std::string errors;
  EXPECT_EQ(runHearthd({"plugins", "--config", config.string()}, dir.path(), &errors, &out), 0)
      << errors;
  EXPECT_THAT(out, HasSubstr(pluginDir().string()));
}

// The unit's ExecReload lines run in order, as systemd runs them, against this build and
// `config`; the first that fails fails the reload. Returns the reload's exit status.
int systemdReload(const fs::path& config, pid_t main_pid, const fs::path& dir,
                  std::string* errors = nullptr) {
  const std::string unit = readFile(fs::path(HEARTH_SOURCE_DIR) / "ops/hearthd.service");
  std::istringstream lines(unit);
  int steps = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("ExecReload=")) continue;
    std::string command = line.substr(std::string("ExecReload=").size());
    command = replaceAll(command, "/usr/sbin/hearthd", hearthdPath().string());
    command = replaceAll(command, "/etc/hearth/hearthd.yaml", config.string());
    command = replaceAll(command, "$MAINPID", std::to_string(main_pid));
    ChildProcess step("/bin/sh", {"-c", command}, dir, "reload" + std::to_string(steps++));
    const auto status = step.wait(60s);
    if (errors != nullptr) *errors += step.stderrText();
    if (status != 0) return status.value_or(-1);
  }
  EXPECT_EQ(steps, 2) << "validate, then signal";
  return 0;
}

TEST(Service, ARefusedReloadFailsAndKeepsTheRunningConfiguration) {
  TempDir dir;
  const auto config = referralsConfig(dir);
  Daemon daemon(config, dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  const std::string good = readFile(config);

  std::ofstream(config, std::ios::app) << "no_such_setting: 1\n";
  EXPECT_EQ(systemdReload(config, daemon.process().pid(), dir.path()), kExitConfig);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(daemon.process().stderrText().find("reload"), std::string::npos)
      << "a refused file never reaches the daemon";

  // A file that validates but changes what only a restart can: reloaded, and named.
  std::ofstream(config) << replaceAll(good, "embedded_partitions: 4", "embedded_partitions: 8");
  EXPECT_EQ(systemdReload(config, daemon.process().pid(), dir.path()), 0);
  const auto warned = daemon.process().waitForStderr("take effect only on restart", 20s);
  ASSERT_TRUE(warned.has_value());
  EXPECT_THAT(*warned, HasSubstr(R"("settings":"kafka.embedded_partitions")"));
  EXPECT_TRUE(daemon.process().waitForStderr("\"configuration reloaded\"", 20s).has_value());
  EXPECT_TRUE(daemon.process().running());
}

TEST(Service, AChangedIndicatorSettingAppliesOnReload) {
  TempDir dir;
  const auto council = dir.path() / "council";
  ChildProcess synth(
      HEARTH_SYNTH_PATH,
      {"--seed", "7", "--scale", "0.02", "--mess-rate", "0", "--out", council.string(), "--quiet"},
      dir.path(), "synth");
  ASSERT_EQ(synth.wait(120s), 0) << synth.stderrText();
  DaemonOptions options;
  options.embedded_partitions = 4;
  options.suppression_threshold = 0;
  options.connectors_yaml = demoConnectors(council, "  - name: trust_cin");
  const std::string indicators =
      "indicators:\n  period_end: \"2025-03-31\"\n  area_code: E06000062\n"
      "  postcode_lookup: " +
      (council / "reference/postcode_lookup.csv").string() +
      "\n  population_estimates: " + (council / "reference/population_estimates.csv").string() +
      "\nderive: {interval_ms: 200}\n";
  options.extra_yaml = indicators;
  const auto config = writeDaemonConfig(dir.path(), options);
  Daemon daemon(config, dir.path(), "daemon");
  const uint16_t port = daemon.adminPort();
  ASSERT_TRUE(daemon.process().waitForStderr("\"msg\":\"derived\"", 120s).has_value())
      << daemon.process().stderrText();
  // Whether the headline count of children looked after is withheld, as the API shows it.
  auto claCountSuppressed = [&]() -> std::optional<bool> {
    const auto shown = nlohmann::json::parse(httpGet(port, "/api/v1/indicators").body);
    EXPECT_GE(shown.at("cycle").get<int>(), 1) << "the values name the cycle they come from";
    for (const auto& value : shown.at("values")) {
      if (value.at("indicator") == "cla_count" && value.at("breakdown").is_null()) {
        return value.at("suppressed").get<bool>();
      }
    }
    return std::nullopt;
  };
  ASSERT_EQ(claCountSuppressed(), false);

  // The largest suppression threshold, above the council's count: withheld after the reload.
  const std::string changed =
      replaceAll(readFile(config), "suppression_threshold: 0", "suppression_threshold: 1000");
  std::ofstream(config) << changed;
  std::string errors;
  ASSERT_EQ(systemdReload(config, daemon.process().pid(), dir.path(), &errors), 0) << errors;
  ASSERT_TRUE(daemon.process().waitForStderr("re-deriving", 20s).has_value());
  std::optional<bool> after;
  for (int i = 0; i < 300 && after != true; ++i) {
    std::this_thread::sleep_for(100ms);
    after = claCountSuppressed();
  }
  EXPECT_EQ(after, true) << daemon.process().stderrText();
}

// journald keeps the priority a line starts with when stderr is the journal's own stream,
// which systemd names in JOURNAL_STREAM as "device:inode".
TEST(Service, AnErrorLineReachesTheJournalWithPriority3) {
  TempDir dir;
  DaemonOptions options;
  options.embedded_partitions = 2;
  options.connectors_yaml = "  - {name: broken, plugin: no_such_plugin}\n";
  const auto config = writeDaemonConfig(dir.path(), options);

  const fs::path journal = dir.path() / "journal.stderr";
  std::ofstream(journal).close();
  struct stat st {};
  ASSERT_EQ(::stat(journal.c_str(), &st), 0);
  const std::string stream = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", stream.c_str(), 1);
  ChildProcess in_journal(hearthdPath(), {"run", "--once", config.string()}, dir.path(), "journal");
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(in_journal.wait(60s), 1);
  ChildProcess on_terminal(hearthdPath(), {"run", "--once", config.string()}, dir.path(),
                           "terminal");
  EXPECT_EQ(on_terminal.wait(60s), 1);

  auto lineWith = [](const std::string& text, const std::string& needle) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    return std::string();
  };
  const std::string error = lineWith(in_journal.stderrText(), "connector not started");
  EXPECT_THAT(error, ::testing::StartsWith("<3>{\"ts\":")) << in_journal.stderrText();
  EXPECT_THAT(lineWith(in_journal.stderrText(), "hearthd starting"), ::testing::StartsWith("<6>{"));
  EXPECT_THAT(lineWith(in_journal.stderrText(), "do not outlive it"),
              ::testing::StartsWith("<4>{"));
  // Anywhere else (a file, a pipe, a terminal): plain JSON lines.
  EXPECT_THAT(lineWith(on_terminal.stderrText(), "connector not started"),
              ::testing::StartsWith("{\"ts\":"));
}

// systemd's side of sd_notify: a datagram socket named by NOTIFY_SOCKET.
TEST(Service, SystemdHearsReadyAndWhatTheDaemonIsDoing) {
  TempDir dir;
  const auto config = referralsConfig(dir);
  const fs::path socket_path = dir.path() / "notify.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);

  ::setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
  Daemon daemon(config, dir.path(), "daemon");
  ::unsetenv("NOTIFY_SOCKET");
  std::vector<std::string> messages;
  bool ready = false;
  bool status = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!(ready && status) && std::chrono::steady_clock::now() < deadline) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, 500) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) continue;
    messages.emplace_back(buffer, static_cast<size_t>(n));
    ready = ready || messages.back().find("READY=1") != std::string::npos;
    // After READY: the gauges' status, e.g. "STATUS=idle, 1 connectors".
    status = ready && messages.back().find(" connectors") != std::string::npos &&
             messages.back().starts_with("STATUS=");
  }
  ::close(fd);
  EXPECT_TRUE(ready);
  EXPECT_TRUE(status) << ::testing::PrintToString(messages);
}

}  // namespace
}  // namespace hearth::testing
