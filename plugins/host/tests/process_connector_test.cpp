// The child-process connector against real children: small shell scripts written per test.
#include "plugins/host/process_connector.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hearth::host {
namespace {

using namespace std::chrono_literals;

std::string text(hearth_str str) { return std::string(str.data, str.len); }

class ScratchDir {
 public:
  ScratchDir() {
    path_ =
        std::filesystem::temp_directory_path() / ("hearth-proc-test-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(std::random_device()()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The part every script shares: a one-stream catalogue keyed by "id".
constexpr std::string_view kPrelude = R"(#!/bin/sh
verb="$1"; shift
config=""; state=""
while [ $# -gt 0 ]; do
  case "$1" in --config) config="$2";; --state) state="$2";; esac; shift 2
done
if [ "$verb" = spec ]; then
  echo '{"type":"SPEC","spec":{"connectionSpecification":{"type":"object"}}}'; exit 0
fi
if [ "$verb" = discover ]; then
  echo '{"type":"CATALOG","catalog":{"streams":[{"name":"items","json_schema":{"properties":{"id":{"type":"string"}}},"supported_sync_modes":["incremental"],"source_defined_primary_key":[["id"]]}]}}'
  exit 0
fi
)";

struct Recorded {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> records;
  std::vector<std::string> rejects;
  std::vector<std::string> checkpoints;
};

class RecordingSink : public RecordSink {
 public:
  Recorded got;
  hearth_status onRecord(const hearth_record& record) override {
    std::vector<std::pair<std::string, std::string>> fields;
    for (size_t i = 0; i < record.field_count; ++i) {
      fields.emplace_back(text(record.fields[i].name), text(record.fields[i].value));
    }
    got.records.emplace_back(text(record.source_key), std::move(fields));
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    got.rejects.push_back(text(reject.reason_code) + " " + text(reject.location) + " [" +
                          text(reject.raw) + "]");
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view token) override {
    got.checkpoints.emplace_back(token);
    return HEARTH_OK;
  }
};

class ProcessConnectorTest : public ::testing::Test {
 protected:
  ProcessOptions script(const std::string& body) {
    const auto path = dir_.path() / ("script" + std::to_string(scripts_++) + ".sh");
    std::ofstream(path) << kPrelude << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    ProcessOptions options;
    options.name = "test";
    options.command = {path.string()};
    options.env = {{"PATH", "/usr/bin:/bin"}, {"CHOSEN", "yes"}};
    options.scratch_dir = dir_.path() / "run";
    options.silence_timeout = 10s;
    return options;
  }

  ScratchDir dir_;
  int scripts_ = 0;
};

TEST_F(ProcessConnectorTest, ReadsRecordsAndTurnsStatesIntoCheckpoints) {
  auto options = script(R"SH(
echo '{"type":"RECORD","record":{"stream":"items","data":{"id":"a","n":1}}}'
echo '{"type":"LOG","log":{"level":"INFO","message":"half way"}}'
echo '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"items"},"stream_state":{"at":1}}}}'
echo '{"type":"RECORD","record":{"stream":"items","data":{"id":"b","n":2}}}'
)SH");
  std::vector<std::string> logged;
  HostServices services;
  services.log = [&](hearth_log_level, std::string_view message) { logged.emplace_back(message); };
  ProcessConnector connector(options, R"({"x":1})", services);
  ASSERT_EQ(connector.discover().value(),
            R"({"streams":[{"fields":[{"name":"id","type":"string"}],"name":"items"}]})");
  RecordingSink sink;
  auto outcome = connector.read("", sink);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->records, 2u);
  ASSERT_EQ(sink.got.records.size(), 2u);
  EXPECT_EQ(sink.got.records[0].first, "a");
  EXPECT_EQ(sink.got.records[1].second[1], std::make_pair(std::string("n"), std::string("2")));
  ASSERT_EQ(sink.got.checkpoints.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(sink.got.checkpoints[0])[0]["stream"]["stream_state"]["at"], 1);
  EXPECT_EQ(logged, std::vector<std::string>{"half way"});
}

TEST_F(ProcessConnectorTest, TheNextReadIsHandedTheStatesAsItsStateFile) {
  auto options = script(R"SH(
echo "{\"type\":\"RECORD\",\"record\":{\"stream\":\"items\",\"data\":{\"id\":\"x\",\"state\":$(cat "$state" 2>/dev/null | sed 's/"/\\"/g' | sed 's/^/"/;s/$/"/' || echo null)}}}"
)SH");
  ProcessConnector connector(options, "{}", {});
  RecordingSink sink;
  const std::string token =
      R"([{"stream":{"stream_descriptor":{"name":"items"},"stream_state":{"at":7}},"type":"STREAM"}])";
  ASSERT_TRUE(connector.read(token, sink));
  ASSERT_EQ(sink.got.records.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(sink.got.records[0].second[1].second),
            nlohmann::json::parse(token));
}

TEST_F(ProcessConnectorTest, TheChildGetsOnlyItsEnvironmentAPrivateConfigAndNoDescriptors) {
  auto options = script(R"SH(
mode=$(stat -c %a "$config")
dirmode=$(stat -c %a "$(dirname "$config")")
fds=$(ls /proc/self/fd | wc -l)
envs=$(env | grep -v '^PWD=\|^SHLVL=\|^_=' | sort | tr '\n' ' ')
echo "{\"type\":\"RECORD\",\"record\":{\"stream\":\"items\",\"data\":{\"id\":\"1\",\"mode\":\"$mode\",\"dir\":\"$dirmode\",\"fds\":\"$fds\",\"env\":\"$envs\",\"files\":\"$(ulimit -n)\",\"config\":\"$config\"}}}"
)SH");
  options.limits.open_files = 77;
  // A descriptor the daemon holds without O_CLOEXEC must not reach the child.
  const int leaked = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  ::setenv("HEARTH_SECRET_IN_DAEMON", "do-not-pass", 1);
  ProcessConnector connector(options, R"({"password":"s3cret"})", {});
  RecordingSink sink;
  auto outcome = connector.read("", sink);
  ::close(leaked);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_EQ(sink.got.records.size(), 1u);
  std::map<std::string, std::string> fields(sink.got.records[0].second.begin(),
                                            sink.got.records[0].second.end());
  EXPECT_EQ(fields["mode"], "600");
  EXPECT_EQ(fields["dir"], "700");
  // stdin, stdout, stderr and the descriptor `ls` opens to list them.
  EXPECT_EQ(fields["fds"], "4");
  EXPECT_EQ(fields["env"], "CHOSEN=yes PATH=/usr/bin:/bin ");
  EXPECT_EQ(fields["files"], "77");
  EXPECT_FALSE(std::filesystem::exists(fields["config"])) << "the private config was left behind";
}

TEST_F(ProcessConnectorTest, ACrashIsAFailureNamingTheSignalAndKillsTheWholeGroup) {
  auto options = script(R"SH(
sleep 300 &
echo "{\"type\":\"RECORD\",\"record\":{\"stream\":\"items\",\"data\":{\"id\":\"$!\"}}}"
kill -SEGV $$
)SH");
  ProcessConnector connector(options, "{}", {});
  RecordingSink sink;
  auto outcome = connector.read("", sink);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("killed by signal 11"), std::string::npos)
      << outcome.error().message;
  ASSERT_EQ(sink.got.records.size(), 1u);
  const pid_t grandchild = std::stoi(sink.got.records[0].first);
  // The background sleep was in the child's process group: it is gone too (reaped by init).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = ::kill(grandchild, 0) != 0 ||
           std::filesystem::exists("/proc/" + std::to_string(grandchild) + "/stat") == false;
    if (!gone) {
      std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
      std::string pid, comm, state;
      stat >> pid >> comm >> state;
      gone = state == "Z" || state == "X";
    }
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "the crashed child's own child survived it";
}

TEST_F(ProcessConnectorTest, ANonZeroExitCarriesTheTraceError) {
  auto options = script(R"SH(
echo '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"source unreachable","failure_type":"transient_error"}}}'
exit 3
)SH");
  ProcessConnector connector(options, "{}", {});
  RecordingSink sink;
  auto outcome = connector.read("", sink);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, kRetryCode);
  EXPECT_NE(outcome.error().message.find("exited with status 3: source unreachable"),
            std::string::npos)
      << outcome.error().message;
}

TEST_F(ProcessConnectorTest, ASilentChildIsKilledAtItsDeadline) {
  auto options = script("sleep 300\n");
  options.silence_timeout = 300ms;
  ProcessConnector connector(options, "{}", {});
  ASSERT_TRUE(connector.discover());
  RecordingSink sink;
  const auto started = std::chrono::steady_clock::now();
  auto outcome = connector.read("", sink);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("no output for 300 ms"), std::string::npos)
      << outcome.error().message;
  EXPECT_LT(took, 5s);
}

TEST_F(ProcessConnectorTest, GarbageLinesAreRejectedThenTheChildIsKilled) {
  auto options = script(R"SH(
echo '{"type":"RECORD","record":{"stream":"items","data":{"id":"1"}}}'
echo 'not json'
echo '{"type":"RECORD","record":{"stream":"items","data":{"id":"2"}}}'
while true; do echo 'more garbage'; done
)SH");
  options.max_bad_lines = 5;
  ProcessConnector connector(options, "{}", {});
  RecordingSink sink;
  auto outcome = connector.read("", sink);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("6 lines that are not protocol messages"),
            std::string::npos)
      << outcome.error().message;
  EXPECT_EQ(sink.got.records.size(), 2u);
  ASSERT_EQ(sink.got.rejects.size(), 6u);
  EXPECT_EQ(sink.got.rejects[0], "protocol.not_json stdout:2 [not json]");
}

TEST_F(ProcessConnectorTest, AnEndlessLineIsCutOffAtItsCap) {
  // A gigabyte without a newline, generated by the child; the host holds at most the cap.
  auto options = script("head -c 1073741824 /dev/zero | tr '\\0' x\n");
  options.max_line_bytes = 1 << 20;
  ProcessConnector connector(options, "{}", {});
  RecordingSink sink;
  const auto started = std::chrono::steady_clock::now();
  auto outcome = connector.read("", sink);
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("longer than 1048576 bytes"), std::string::npos)
      << outcome.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(ProcessConnectorTest, StopEndsABlockedReadAtOnce) {
  auto options = script(R"SH(
echo '{"type":"RECORD","record":{"stream":"items","data":{"id":"1"}}}'
sleep 300
)SH");
  ProcessConnector connector(options, "{}", {});
  ASSERT_TRUE(connector.discover());
  RecordingSink sink;
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    connector.stop();
  });
  const auto started = std::chrono::steady_clock::now();
  auto outcome = connector.read("", sink);
  stopper.join();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  // And every later read returns at once.
  auto again = connector.read("", sink);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->cancelled);
}

TEST_F(ProcessConnectorTest, CheckAndSpecReportWhatTheChildSays) {
  auto failing = script(R"SH(
echo '{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"wrong password"}}'
)SH");
  ProcessConnector connector(failing, "{}", {});
  auto checked = connector.check();
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("wrong password"), std::string::npos);
  EXPECT_EQ(connector.spec().value(), R"({"type":"object"})");

  auto missing = script("true\n");
  missing.command = {(dir_.path() / "no-such-connector").string()};
  ProcessConnector absent(missing, "{}", {});
  auto spec = absent.spec();
  ASSERT_FALSE(spec);
  EXPECT_NE(spec.error().message.find("No such file or directory"), std::string::npos)
      << spec.error().message;
}

}  // namespace
}  // namespace hearth::host
