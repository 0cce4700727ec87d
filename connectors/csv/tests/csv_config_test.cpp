#include "connectors/csv/csv_config.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace hearth::connectors::csv {
namespace {

std::string refusalOf(const std::string& json) {
  try {
    parseConfig(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << json;
  return {};
}

TEST(CsvConfig, ReadsEverySettingAndFillsInDefaults) {
  const CsvConfig config = parseConfig(R"({
      "directory": "/srv/903",
      "streams": [
        {"name": "episodes", "pattern": "episodes*.csv", "key": ["CHILD", "DECOM"],
         "timestamp_column": "DECOM", "delimiter": ";", "encoding": "utf-8"},
        {"name": "header", "pattern": "header.csv", "key": ["CHILD"]}],
      "checkpoint_every": 500, "settle_ms": 0, "max_row_bytes": 4096})");
  EXPECT_EQ(config.directory, "/srv/903");
  ASSERT_EQ(config.streams.size(), 2u);
  EXPECT_EQ(config.streams[0].key, (std::vector<std::string>{"CHILD", "DECOM"}));
  EXPECT_EQ(config.streams[0].timestamp_column, "DECOM");
  EXPECT_EQ(config.streams[0].delimiter, ';');
  EXPECT_EQ(config.streams[1].delimiter, ',');
  EXPECT_TRUE(config.streams[1].timestamp_column.empty());
  EXPECT_EQ(config.checkpoint_every, 500u);
  EXPECT_EQ(config.settle_ms, 0);
  EXPECT_EQ(config.max_row_bytes, 4096u);

  const CsvConfig defaults = parseConfig(
      R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv", "key": ["id"]}]})");
  EXPECT_EQ(defaults.checkpoint_every, 1000u);
  EXPECT_EQ(defaults.settle_ms, 1000);
  // Below librdkafka's default message.max.bytes, with room for the event around the row.
  EXPECT_EQ(defaults.max_row_bytes, 786432u);
  EXPECT_EQ(defaults.time_zone.name(), "Europe/London");

  const CsvConfig new_york = parseConfig(
      R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv", "key": ["id"]}],
          "time_zone": "America/New_York"})");
  EXPECT_EQ(new_york.time_zone.name(), "America/New_York");
}

TEST(CsvConfig, NamesTheSettingAtFault) {
  EXPECT_EQ(refusalOf(R"({"streams": []})"), "csv connector config: directory is required");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": ["id"], "colour": "red"}]})"),
            "csv connector config: streams[0].colour is not a known setting");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": []}]})"),
            "csv connector config: streams[0].key must be a non-empty list");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": ["id"], "delimiter": "\""}]})"),
            "csv connector config: streams[0].delimiter must be one character other than a "
            "quote or a line break");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": ["id"], "encoding": "latin-1"}]})"),
            "csv connector config: streams[0].encoding must be \"utf-8\", the only encoding "
            "supported");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [
                          {"name": "s", "pattern": "a*.csv", "key": ["id"]},
                          {"name": "s", "pattern": "b*.csv", "key": ["id"]}]})"),
            "csv connector config: streams[1].name repeats stream name 's'");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "x/*.csv",
                          "key": ["id"]}]})"),
            "csv connector config: streams[0].pattern must match file names only, without '/'");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": ["id"]}], "checkpoint_every": 0})"),
            "csv connector config: checkpoint_every must be between 1 and 1099511627776");
  EXPECT_EQ(refusalOf(R"({"directory": "d", "streams": [{"name": "s", "pattern": "*.csv",
                          "key": ["id"]}], "time_zone": "Europe/Londres"})"),
            "csv connector config: time_zone names no time zone of the tz database: "
            "\"Europe/Londres\"");
  EXPECT_EQ(refusalOf("{"), "csv connector config is not valid JSON");
}

TEST(CsvConfig, TheSchemaIsValidJsonAndRejectsUnknownKeys) {
  const auto schema = nlohmann::json::parse(kConfigSchema);
  EXPECT_EQ(schema["additionalProperties"], false);
  EXPECT_EQ(schema["properties"]["streams"]["items"]["additionalProperties"], false);
  EXPECT_EQ(schema["required"], nlohmann::json::parse(R"(["directory", "streams"])"));
}

}  // namespace
}  // namespace hearth::connectors::csv
