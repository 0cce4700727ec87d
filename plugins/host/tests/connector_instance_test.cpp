#include "plugins/host/connector_instance.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hearth::host {
namespace {

std::shared_ptr<PluginLibrary> fixture(const std::string& name) {
  auto plugin = loadPlugin(std::filesystem::path(HEARTH_HOST_FIXTURE_DIR) /
                           ("hearth_connector_fixture_" + name + ".so"));
  if (!plugin.ok()) throw std::runtime_error(plugin.error().message);
  return std::move(*plugin);
}

std::string text(hearth_str str) { return std::string(str.data, str.len); }

// Copies everything it is given, as a daemon's sink copies what must outlive the callback.
class RecordingSink : public RecordSink {
 public:
  struct Record {
    std::string stream, key, location;
    int64_t time_ms;
    std::vector<std::pair<std::string, std::string>> fields;
  };

  hearth_status onRecord(const hearth_record& record) override {
    Record copy{text(record.stream),
                text(record.source_key),
                text(record.location),
                record.source_time_ms,
                {}};
    for (size_t i = 0; i < record.field_count; ++i) {
      copy.fields.emplace_back(text(record.fields[i].name), text(record.fields[i].value));
    }
    records.push_back(std::move(copy));
    events.push_back("record");
    return records.size() >= stop_after ? HEARTH_CANCELLED : HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    rejects.push_back(text(reject.reason_code) + " " + text(reject.location) + " " +
                      text(reject.message) + " [" + text(reject.raw) + "]");
    events.push_back("reject");
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view token) override {
    checkpoints.emplace_back(token);
    events.push_back("checkpoint");
    return HEARTH_OK;
  }
  void onProgress(uint64_t done, uint64_t total, std::string_view unit) override {
    progress.push_back(std::to_string(done) + "/" + std::to_string(total) + " " +
                       std::string(unit));
  }

  size_t stop_after = SIZE_MAX;
  std::vector<Record> records;
  std::vector<std::string> rejects, checkpoints, progress, events;
};

HostServices fullServices(std::vector<std::string>& log) {
  HostServices services;
  services.log = [&log](hearth_log_level level, std::string_view message) {
    log.push_back(std::to_string(level) + " " + std::string(message));
  };
  services.counterAdd = [&log](std::string_view name, double value) {
    log.push_back("counter " + std::string(name) + " " + std::to_string(static_cast<int>(value)));
  };
  services.secret = [](std::string_view ref) -> std::optional<std::string> {
    if (ref == "fixture.password") return "hunter2";
    return std::nullopt;
  };
  services.nowMs = [] { return int64_t{1700000000000}; };
  return services;
}

TEST(ConnectorInstance, RunsTheFullVerbCycleOfAGoodPlugin) {
  std::vector<std::string> log;
  auto instance = ConnectorInstance::create(fixture("good"), "{}", fullServices(log));
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  EXPECT_EQ(log, (std::vector<std::string>{"1 fixture_good created", "counter created 1"}));

  Result<void> checked = (*instance)->check();
  EXPECT_TRUE(checked.ok()) << checked.error().message;

  auto catalogue = (*instance)->discover();
  ASSERT_TRUE(catalogue.ok()) << catalogue.error().message;
  EXPECT_EQ(*catalogue, R"({"streams":[{"name":"people","fields":[{"name":"id","type":"string"},)"
                        R"({"name":"age","type":"int"}]}]})");

  RecordingSink sink;
  auto outcome = (*instance)->read("", sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_FALSE(outcome->cancelled);
  EXPECT_EQ(outcome->records, 3u);
  EXPECT_EQ(outcome->rejects, 1u);
  EXPECT_EQ(outcome->checkpoints, 1u);
  EXPECT_EQ(sink.events,
            (std::vector<std::string>{"record", "record", "reject", "record", "checkpoint"}));
  ASSERT_EQ(sink.records.size(), 3u);
  EXPECT_EQ(sink.records[1].stream, "people");
  EXPECT_EQ(sink.records[1].key, "2");
  EXPECT_EQ(sink.records[1].location, "people:2");
  EXPECT_EQ(sink.records[1].time_ms, 2000);
  EXPECT_EQ(sink.records[1].fields,
            (std::vector<std::pair<std::string, std::string>>{{"id", "2"}, {"age", "41"}}));
  EXPECT_EQ(sink.rejects,
            (std::vector<std::string>{"fixture.bad_row people:3 row 3 is not a person [x,y,z]"}));
  EXPECT_EQ(sink.checkpoints, (std::vector<std::string>{"after:3"}));
  EXPECT_EQ(sink.progress, (std::vector<std::string>{"1/3 records", "2/3 records", "3/3 records"}));

  RecordingSink resumed;
  auto again = (*instance)->read(sink.checkpoints.back(), resumed);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->records, 0u);
  EXPECT_TRUE(resumed.events.empty());
}

TEST(ConnectorInstance, ReportsAVerbsFailureWithThePluginsMessage) {
  std::vector<std::string> log;
  HostServices services = fullServices(log);
  services.secret = nullptr;
  auto instance = ConnectorInstance::create(fixture("good"), "{}", std::move(services));
  ASSERT_TRUE(instance.ok()) << instance.error().message;

  Result<void> checked = (*instance)->check();
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, kFailedCode);
  EXPECT_NE(checked.error().message.find("check failed: secret fixture.password is unknown"),
            std::string::npos)
      << checked.error().message;

  RecordingSink sink;
  auto outcome = (*instance)->read("garbage", sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("read failed: unreadable checkpoint"), std::string::npos);
}

TEST(ConnectorInstance, ARetryableFailureCarriesTheRetryCode) {
  std::vector<std::string> log;
  HostServices services = fullServices(log);
  services.nowMs = nullptr;  // the system clock, not the one the fixture expects
  auto instance = ConnectorInstance::create(fixture("good"), "{}", std::move(services));
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  Result<void> checked = (*instance)->check();
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, kRetryCode);
}

TEST(ConnectorInstance, ASinkThatSaysStopEndsTheReadAsCancelled) {
  auto instance = ConnectorInstance::create(fixture("good"), "{}", HostServices{});
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  RecordingSink sink;
  sink.stop_after = 1;
  auto outcome = (*instance)->read("", sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_EQ(outcome->records, 1u);
  EXPECT_TRUE(sink.checkpoints.empty());
}

TEST(ConnectorInstance, ASinkThatThrowsFailsTheReadWithoutCrossingTheAbi) {
  class ThrowingSink : public RecordingSink {
    hearth_status onRecord(const hearth_record&) override {
      throw std::runtime_error("queue closed");
    }
  };
  auto instance = ConnectorInstance::create(fixture("good"), "{}", HostServices{});
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  ThrowingSink sink;
  auto outcome = (*instance)->read("", sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("the record sink failed: queue closed"), std::string::npos)
      << outcome.error().message;
}

TEST(ConnectorInstance, StopFromAnotherThreadEndsABlockedRead) {
  auto instance = ConnectorInstance::create(fixture("good"), R"({"block": true})", HostServices{});
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (*instance)->stop();
  });
  RecordingSink sink;
  auto outcome = (*instance)->read("", sink);
  stopper.join();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->cancelled);

  auto later = (*instance)->read("", sink);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->cancelled);
}

TEST(ConnectorInstance, HostCancellationReachesTheConnector) {
  std::stop_source shutdown;
  HostServices services;
  services.cancellation = shutdown.get_token();
  auto instance = ConnectorInstance::create(fixture("good"), R"({"block": true})", services);
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    shutdown.request_stop();
  });
  RecordingSink sink;
  auto outcome = (*instance)->read("", sink);
  canceller.join();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->cancelled);
}

TEST(ConnectorInstance, CreateReportsThePluginsErrorWithItsNameAndPath) {
  auto plugin = fixture("create_error");
  auto instance = ConnectorInstance::create(plugin, "{}", HostServices{});
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.error().code, kFailedCode);
  EXPECT_EQ(instance.error().message, "connector 'fixture_create_error' (" +
                                          plugin->path().string() +
                                          ") create failed: cannot reach the source: fixture "
                                          "always fails");
}

TEST(ConnectorInstance, TheSdkTurnsAnExceptionInCreateIntoAnError) {
  auto plugin = fixture("create_throws");
  auto instance = ConnectorInstance::create(plugin, "{}", HostServices{});
  ASSERT_FALSE(instance.ok());
  EXPECT_EQ(instance.error().message,
            "connector 'fixture_create_throws' (" + plugin->path().string() +
                ") create failed: config rejected: the fixture refuses every configuration");
}

TEST(ConnectorInstance, KeepsItsPluginLoadedAfterTheCallerLetsGo) {
  auto plugin = fixture("good");
  auto instance = ConnectorInstance::create(plugin, "{}", HostServices{});
  ASSERT_TRUE(instance.ok()) << instance.error().message;
  plugin.reset();
  RecordingSink sink;
  auto outcome = (*instance)->read("", sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->records, 3u);
}

}  // namespace
}  // namespace hearth::host
