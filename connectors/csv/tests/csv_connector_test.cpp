// The csv connector as the daemon runs it: the real plugin library, loaded by the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace hearth::connectors::csv {
namespace {

using host::ConnectorInstance;
using host::HostServices;
using host::ReadOutcome;
using host::RecordSink;

std::string text(hearth_str str) { return std::string(str.data, str.len); }

struct Record {
  std::string stream, key, location;
  int64_t time_ms = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;  // nullopt: NULL
};

struct Reject {
  std::string stream, key, reason, location, message, raw;
};

class CollectingSink : public RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    Record copy{text(record.stream),
                text(record.source_key),
                text(record.location),
                record.source_time_ms,
                {}};
    for (size_t i = 0; i < record.field_count; ++i) {
      const hearth_field& field = record.fields[i];
      copy.fields.emplace_back(text(field.name),
                               field.type == HEARTH_FIELD_NULL
                                   ? std::nullopt
                                   : std::optional<std::string>(text(field.value)));
    }
    records.push_back(std::move(copy));
    if (on_record) on_record(records.size());
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    rejects.push_back({text(reject.stream), text(reject.source_key), text(reject.reason_code),
                       text(reject.location), text(reject.message), text(reject.raw)});
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view token) override {
    checkpoints.emplace_back(token);
    return HEARTH_OK;
  }
  void onProgress(uint64_t done, uint64_t total, std::string_view unit) override {
    progress.emplace_back(done, total);
    EXPECT_EQ(unit, "bytes");
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> keys;
    for (const auto& record : records) keys.push_back(record.key);
    return keys;
  }
  std::vector<std::string> locations() const {
    std::vector<std::string> locations;
    for (const auto& record : records) locations.push_back(record.location);
    return locations;
  }

  std::function<void(size_t)> on_record;
  std::vector<Record> records;
  std::vector<Reject> rejects;
  std::vector<std::string> checkpoints;
  std::vector<std::pair<uint64_t, uint64_t>> progress;
};

class CsvConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("csv_connector_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    auto plugin = host::loadPlugin(HEARTH_CSV_PLUGIN);
    ASSERT_TRUE(plugin.ok()) << plugin.error().message;
    plugin_ = std::move(*plugin);
  }

  void TearDown() override { std::filesystem::remove_all(directory_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(directory_ / name, std::ios::binary | std::ios::trunc) << content;
  }
  void append(const std::string& name, const std::string& content) {
    std::ofstream(directory_ / name, std::ios::binary | std::ios::app) << content;
  }

  // A config with one stream "episodes" over episodes*.csv keyed by CHILD and DECOM; `extra`
  // adds top-level settings, `stream_extra` settings of the stream.
  std::string config(const std::string& extra = R"("settle_ms": 0)",
                     const std::string& stream_extra = "") const {
    return R"({"directory": ")" + directory_.string() +
           R"(", "streams": [{"name": "episodes", "pattern": "episodes*.csv", "key": ["CHILD", "DECOM"])" +
           (stream_extra.empty() ? "" : ", " + stream_extra) + "}]" +
           (extra.empty() ? "" : ", " + extra) + "}";
  }

  std::unique_ptr<ConnectorInstance> connect(const std::string& config_json) {
    HostServices services;
    services.log = [this](hearth_log_level level, std::string_view message) {
      log_.push_back(std::to_string(level) + " " + std::string(message));
    };
    services.counterAdd = [this](std::string_view name, double value) {
      counters_[std::string(name)] += value;
    };
    auto instance = ConnectorInstance::create(plugin_, config_json, std::move(services));
    if (!instance.ok()) {
      ADD_FAILURE() << instance.error().message;
      return nullptr;
    }
    return std::move(*instance);
  }

  // Reads everything after `checkpoint` with a fresh instance, as after a restart.
  CollectingSink readAfter(const std::string& checkpoint, const std::string& config_json) {
    CollectingSink sink;
    auto instance = connect(config_json);
    if (instance == nullptr) return sink;
    auto outcome = instance->read(checkpoint, sink);
    EXPECT_TRUE(outcome.ok()) << outcome.error().message;
    return sink;
  }
  CollectingSink readAfter(const std::string& checkpoint) {
    return readAfter(checkpoint, config());
  }

  std::filesystem::path directory_;
  std::shared_ptr<host::PluginLibrary> plugin_;
  std::vector<std::string> log_;
  std::map<std::string, double> counters_;
};

const std::string kHeader = "CHILD,DECOM,RNE,LS\n";

// The key of generated row `i`: its CHILD and its DECOM, a date in January 2024.
std::string keyOf(int i) {
  const int day = i % 28 + 1;
  return std::to_string(i) + "|2024-01-" + (day < 10 ? "0" : "") + std::to_string(day);
}

// Generated rows `from` to `to` of an episodes file.
std::string rows(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    std::string key = keyOf(i);
    key[key.find('|')] = ',';
    out += key + ",S,C2\n";
  }
  return out;
}

TEST_F(CsvConnectorTest, ReadsEveryMatchingFileInNameOrderWithTypedFields) {
  write("episodes_b.csv", kHeader + "2,2024-02-01,P,\"\"\n");
  write("episodes_a.csv",
        "\xEF\xBB\xBF"
        "CHILD,DECOM,RNE,LS\r\n1,2024-01-05,S,\r\n\r\n3,\"2024-03-01\",\"U, V\",J1\r\n");
  write("reviews.csv", kHeader + "9,2024-01-01,S,C2\n");

  CollectingSink sink =
      readAfter("", config(R"("settle_ms": 0)", R"("timestamp_column": "DECOM")"));

  ASSERT_EQ(sink.keys(),
            (std::vector<std::string>{"1|2024-01-05", "3|2024-03-01", "2|2024-02-01"}));
  EXPECT_EQ(sink.locations(),
            (std::vector<std::string>{"episodes_a.csv:2", "episodes_a.csv:4", "episodes_b.csv:2"}));
  const Record& first = sink.records[0];
  EXPECT_EQ(first.stream, "episodes");
  EXPECT_EQ(first.time_ms, 1704412800000);  // 2024-01-05T00:00:00Z
  using Fields = std::vector<std::pair<std::string, std::optional<std::string>>>;
  EXPECT_EQ(first.fields,
            (Fields{{"CHILD", "1"}, {"DECOM", "2024-01-05"}, {"RNE", "S"}, {"LS", std::nullopt}}));
  EXPECT_EQ(sink.records[1].fields[2].second, "U, V");
  EXPECT_EQ(sink.records[2].fields[3].second, "") << "a quoted empty field is a string";
  EXPECT_TRUE(sink.rejects.empty());
  ASSERT_EQ(sink.checkpoints.size(), 2u) << "one at the end of each file";
  ASSERT_FALSE(sink.progress.empty());
  EXPECT_EQ(sink.progress.back().first, sink.progress.back().second);
}

// Case systems write London wall-clock time: in summer it is an hour ahead of UTC.
TEST_F(CsvConnectorTest, SourceTimesWithoutAnOffsetAreTheConfiguredZonesWallClock) {
  write("episodes_a.csv", kHeader + "1,2024-07-05 10:00,S,C2\n2,2024-01-05 10:00,S,C2\n" +
                              "3,2024-07-05T10:00:00Z,S,C2\n4,2024-10-27 01:30,S,C2\n");
  const int64_t summer_10_utc = 1720173600000;    // 2024-07-05T10:00:00Z
  const int64_t winter_10_utc = 1704448800000;    // 2024-01-05T10:00:00Z
  const int64_t autumn_0030_utc = 1729989000000;  // 2024-10-27T00:30:00Z

  CollectingSink london =
      readAfter("", config(R"("settle_ms": 0)", R"("timestamp_column": "DECOM")"));
  ASSERT_EQ(london.records.size(), 4u);
  EXPECT_EQ(london.records[0].time_ms, summer_10_utc - 3600000);
  EXPECT_EQ(london.records[1].time_ms, winter_10_utc);
  EXPECT_EQ(london.records[2].time_ms, summer_10_utc) << "an explicit Z is kept";
  EXPECT_EQ(london.records[3].time_ms, autumn_0030_utc) << "the repeated hour: the earlier one";

  CollectingSink utc = readAfter(
      "", config(R"("settle_ms": 0, "time_zone": "UTC")", R"("timestamp_column": "DECOM")"));
  ASSERT_EQ(utc.records.size(), 4u);
  EXPECT_EQ(utc.records[0].time_ms, summer_10_utc);
  EXPECT_EQ(utc.records[2].time_ms, summer_10_utc);
}

TEST_F(CsvConnectorTest, ResumingFromTheCheckpointReadsOnlyRowsAppendedSince) {
  write("episodes.csv", kHeader + rows(1, 3));
  CollectingSink first = readAfter("");
  ASSERT_EQ(first.records.size(), 3u);
  ASSERT_FALSE(first.checkpoints.empty());

  CollectingSink unchanged = readAfter(first.checkpoints.back());
  EXPECT_TRUE(unchanged.records.empty());
  EXPECT_TRUE(unchanged.checkpoints.empty()) << "nothing new, nothing to record";

  append("episodes.csv", rows(4, 5));
  CollectingSink second = readAfter(first.checkpoints.back());
  EXPECT_EQ(second.keys(), (std::vector<std::string>{keyOf(4), keyOf(5)}));
  EXPECT_EQ(second.locations(), (std::vector<std::string>{"episodes.csv:5", "episodes.csv:6"}));
  ASSERT_EQ(second.checkpoints.size(), 1u);
}

TEST_F(CsvConnectorTest, CheckpointsEveryNRowsAndResumesFromAnyOfThem) {
  write("episodes.csv", kHeader + rows(1, 25));
  CollectingSink sink = readAfter("", config(R"("settle_ms": 0, "checkpoint_every": 10)"));
  ASSERT_EQ(sink.records.size(), 25u);
  ASSERT_EQ(sink.checkpoints.size(), 3u) << "after rows 10 and 20, and at the end of the file";

  CollectingSink resumed = readAfter(sink.checkpoints[0]);
  ASSERT_EQ(resumed.records.size(), 15u);
  EXPECT_EQ(resumed.records.front().location, "episodes.csv:12");
}

TEST_F(CsvConnectorTest, AFileReplacedUnderTheSameNameIsReadFromTheStart) {
  write("episodes.csv", kHeader + rows(1, 3));
  CollectingSink first = readAfter("");
  ASSERT_EQ(first.records.size(), 3u);

  // Rotation as log rotators do it: a new file renamed over the old name (a new inode).
  write("episodes.csv.new", kHeader + rows(7, 11));
  std::filesystem::rename(directory_ / "episodes.csv.new", directory_ / "episodes.csv");
  CollectingSink second = readAfter(first.checkpoints.back());
  EXPECT_EQ(second.records.size(), 5u);
  EXPECT_EQ(second.records.front().location, "episodes.csv:2");
  EXPECT_EQ(counters_["files_rotated"], 1);
}

TEST_F(CsvConnectorTest, AFileRewrittenInPlaceWithNewContentIsReadFromTheStart) {
  write("episodes.csv", kHeader + rows(1, 3));
  CollectingSink first = readAfter("");
  // Same inode, longer than before, but different first bytes: the fingerprint tells.
  write("episodes.csv", "CHILD,DECOM,RNE,LS,EXTRA\n" + std::string("8,2024-05-05,S,C2,x\n") +
                            "9,2024-05-06,S,C2,y\n10,2024-05-07,S,C2,z\n11,2024-05-08,S,C2,w\n");
  CollectingSink second = readAfter(first.checkpoints.back());
  EXPECT_EQ(second.keys(), (std::vector<std::string>{"8|2024-05-05", "9|2024-05-06",
                                                     "10|2024-05-07", "11|2024-05-08"}));
  EXPECT_EQ(counters_["files_rotated"], 1);
}

TEST_F(CsvConnectorTest, ATruncatedFileIsReadFromTheStartWithAWarning) {
  write("episodes.csv", kHeader + rows(1, 6));
  CollectingSink first = readAfter("");
  ASSERT_EQ(first.records.size(), 6u);

  std::filesystem::resize_file(directory_ / "episodes.csv", 0);
  append("episodes.csv", kHeader + rows(1, 1));
  CollectingSink second = readAfter(first.checkpoints.back());
  EXPECT_EQ(second.keys(), (std::vector<std::string>{keyOf(1)}));
  EXPECT_EQ(counters_["files_truncated"], 1);
  const bool warned = std::any_of(log_.begin(), log_.end(), [](const std::string& line) {
    return line.starts_with(std::to_string(HEARTH_LOG_WARN)) &&
           line.find("truncated") != std::string::npos;
  });
  EXPECT_TRUE(warned);
}

TEST_F(CsvConnectorTest, RejectsBadRowsAndCarriesOnWithTheRestOfTheFile) {
  write("episodes.csv", kHeader +                     // line 1
                            "1,2024-01-01,S,C2\n"     // 2: good
                            "2,2024-01-02,S\n"        // 3: csv.column_count
                            "3,2024-01-03,S\"x,C2\n"  // 4: csv.bad_quote
                            "4,2024-01-04,\xFF,C2\n"  // 5: csv.invalid_utf8
                            ",2024-01-05,S,C2\n"      // 6: csv.missing_key
                            "6," +
                            std::string(1100, 'z') +
                            ",S,C2\n"                // 7: csv.row_too_long
                            "7,2024-01-07,S,C2\n"    // 8: good
                            "8,\"2024-01-08,S,C2\n"  // 9: csv.unterminated_quote
                            "9,2024-01-09,S,C2\n");  // 10: good
  CollectingSink sink = readAfter("", config(R"("settle_ms": 0, "max_row_bytes": 1024)"));

  EXPECT_EQ(sink.locations(),
            (std::vector<std::string>{"episodes.csv:2", "episodes.csv:8", "episodes.csv:10"}));
  std::vector<std::string> rejects;
  for (const auto& reject : sink.rejects) rejects.push_back(reject.reason + " " + reject.location);
  EXPECT_EQ(rejects, (std::vector<std::string>{
                         "csv.column_count episodes.csv:3",
                         "csv.bad_quote episodes.csv:4",
                         "csv.invalid_utf8 episodes.csv:5",
                         "csv.missing_key episodes.csv:6",
                         "csv.row_too_long episodes.csv:7",
                         "csv.unterminated_quote episodes.csv:9",
                     }));
  const Reject& column_count = sink.rejects[0];
  EXPECT_EQ(column_count.stream, "episodes");
  EXPECT_EQ(column_count.key, "2|2024-01-02");
  EXPECT_EQ(column_count.message, "expected 4 columns, found 3");
  EXPECT_EQ(column_count.raw, "2,2024-01-02,S");
  EXPECT_EQ(sink.rejects[1].message, "bad quoting in column 3: a quote inside an unquoted field");
  EXPECT_EQ(sink.rejects[1].key, "3|2024-01-03");
  EXPECT_EQ(sink.rejects[3].key, "") << "an incomplete key is not a key";
  EXPECT_EQ(sink.rejects[3].message, "key column 'CHILD' is empty");
  EXPECT_EQ(sink.rejects[4].message, "row longer than the limit of 1024 bytes");
  EXPECT_LE(sink.rejects[4].raw.size(), 4096u);
  EXPECT_EQ(sink.rejects[5].raw, "8,\"2024-01-08,S,C2");
}

TEST_F(CsvConnectorTest, ALastRowWithoutLineBreakWaitsUntilTheFileSettles) {
  write("episodes.csv", kHeader + rows(1, 2) + "3,2024-01-04,S,C2");
  CollectingSink busy = readAfter("", config(R"("settle_ms": 600000)"));
  EXPECT_EQ(busy.records.size(), 2u) << "the file was just written: its last row may grow";
  ASSERT_EQ(busy.checkpoints.size(), 1u);

  CollectingSink settled = readAfter(busy.checkpoints.back(), config(R"("settle_ms": 0)"));
  EXPECT_EQ(settled.keys(), (std::vector<std::string>{"3|2024-01-04"}));
}

TEST_F(CsvConnectorTest, AFileWithoutAUsableHeaderIsOneRejectAndTheOthersCarryOn) {
  write("episodes_1.csv", "CHILD,RNE\n1,S\n");
  write("episodes_2.csv", kHeader + rows(1, 1));
  CollectingSink sink = readAfter("");
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].reason, "csv.bad_header");
  EXPECT_EQ(sink.rejects[0].location, "episodes_1.csv:1");
  EXPECT_EQ(sink.rejects[0].message,
            "header has no key column 'DECOM'; rows up to byte 14 of the file are skipped");
  EXPECT_EQ(sink.records.size(), 1u);

  CollectingSink again = readAfter(sink.checkpoints.back());
  EXPECT_TRUE(again.rejects.empty()) << "the same bytes are not rejected twice";
}

TEST_F(CsvConnectorTest, StopEndsALongReadSoonAfterAndKeepsItsPlace) {
  write("episodes.csv", kHeader + rows(1, 50000));
  // No periodic checkpoint falls inside the rows read before the stop is noticed.
  auto instance = connect(config(R"("checkpoint_every": 20000)"));
  ASSERT_NE(instance, nullptr);
  CollectingSink sink;
  sink.on_record = [&](size_t count) {
    if (count == 100) instance->stop();
  };
  auto outcome = instance->read("", sink);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_LT(sink.records.size(), 10000u);
  ASSERT_EQ(sink.checkpoints.size(), 1u) << "one checkpoint, where the stop left the file";

  CollectingSink rest = readAfter(sink.checkpoints.back());
  EXPECT_EQ(sink.records.size() + rest.records.size(), 50000u);
  EXPECT_EQ(rest.records.back().key, keyOf(50000));
}

TEST_F(CsvConnectorTest, TheCheckpointForgetsFilesThatAreGone) {
  write("episodes_1.csv", kHeader + rows(1, 1));
  write("episodes_2.csv", kHeader + rows(2, 2));
  CollectingSink first = readAfter("");
  std::filesystem::remove(directory_ / "episodes_1.csv");
  append("episodes_2.csv", rows(3, 3));
  CollectingSink second = readAfter(first.checkpoints.back());
  ASSERT_EQ(second.checkpoints.size(), 1u);
  const auto token = nlohmann::json::parse(second.checkpoints.back());
  EXPECT_FALSE(token["streams"]["episodes"].contains("episodes_1.csv"));
  EXPECT_EQ(token["streams"]["episodes"]["episodes_2.csv"]["line"], 4);
}

TEST_F(CsvConnectorTest, CheckNeedsAReadableDirectory) {
  auto instance = connect(config());
  ASSERT_NE(instance, nullptr);
  EXPECT_TRUE(instance->check().ok());

  std::filesystem::remove_all(directory_);
  Result<void> checked = instance->check();
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("directory " + directory_.string() +
                                         " is not accessible: No such file or directory"),
            std::string::npos)
      << checked.error().message;
}

TEST_F(CsvConnectorTest, DiscoverListsEachStreamWithItsHeaderColumns) {
  write("episodes_2024.csv", kHeader);
  auto instance = connect(config());
  ASSERT_NE(instance, nullptr);
  auto catalogue = instance->discover();
  ASSERT_TRUE(catalogue.ok()) << catalogue.error().message;
  EXPECT_EQ(nlohmann::json::parse(*catalogue), nlohmann::json::parse(R"({"streams": [{
      "name": "episodes", "key": ["CHILD", "DECOM"],
      "fields": [{"name": "CHILD", "type": "string"}, {"name": "DECOM", "type": "string"},
                 {"name": "RNE", "type": "string"}, {"name": "LS", "type": "string"}]}]})"));
}

TEST_F(CsvConnectorTest, RefusesAConfigurationWithAnUnknownKey) {
  auto instance = ConnectorInstance::create(plugin_, config(R"("settle_ms": 0, "colour": "red")"),
                                            HostServices{});
  ASSERT_FALSE(instance.ok());
  EXPECT_NE(instance.error().message.find("csv connector config: colour is not a known setting"),
            std::string::npos)
      << instance.error().message;
  EXPECT_NE(plugin_->configSchema().find(R"("additionalProperties": false)"), std::string::npos);
}

TEST_F(CsvConnectorTest, AnUnreadableCheckpointFailsTheRead) {
  auto instance = connect(config());
  ASSERT_NE(instance, nullptr);
  CollectingSink sink;
  auto outcome = instance->read("{not json", sink);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("checkpoint token is unreadable"), std::string::npos);
}

}  // namespace
}  // namespace hearth::connectors::csv
