#include "plugins/host/protocol_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hearth::host::protocol {
namespace {

std::vector<std::string> splitAll(LineSplitter& splitter, const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  for (const auto& chunk : chunks) {
    splitter.feed(chunk, [&](std::string_view line) {
      lines.emplace_back(line);
      return true;
    });
  }
  return lines;
}

TEST(LineSplitter, JoinsChunksAndStripsLineEnds) {
  LineSplitter splitter(100);
  const auto lines = splitAll(splitter, {"ab", "c\r\nde\n", "f", "g\nh"});
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", "fg"}));
  EXPECT_EQ(splitter.takeRest(), "h");
  EXPECT_EQ(splitter.lines(), 4u);
}

TEST(LineSplitter, AnOverlongLineOverflowsWithoutGrowingPastItsCap) {
  LineSplitter splitter(1000);
  const std::string chunk(400, 'x');
  EXPECT_EQ(splitter.feed(chunk, [](std::string_view) { return true; }), LineSplitter::Fed::kMore);
  EXPECT_EQ(splitter.feed(chunk, [](std::string_view) { return true; }), LineSplitter::Fed::kMore);
  EXPECT_EQ(splitter.feed(chunk, [](std::string_view) { return true; }),
            LineSplitter::Fed::kOverflow);
  // A line that ends within the cap is fine, however many there are in one chunk.
  LineSplitter many(10);
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "12345\n";
  int seen = 0;
  EXPECT_EQ(many.feed(lines,
                      [&](std::string_view line) {
                        EXPECT_EQ(line, "12345");
                        return ++seen > 0;
                      }),
            LineSplitter::Fed::kMore);
  EXPECT_EQ(seen, 1000);
}

TEST(LineSplitter, AStoppedFeedKeepsTheLinesNotYetHandedOut) {
  LineSplitter splitter(100);
  EXPECT_EQ(splitter.feed("a\nb\nc", [](std::string_view) { return false; }),
            LineSplitter::Fed::kStopped);
  const auto rest = splitAll(splitter, {"\n"});
  EXPECT_EQ(rest, (std::vector<std::string>{"b", "c"}));
}

TEST(MessageDecoder, RecordKeyComesFromTheDeclaredPrimaryKey) {
  MessageDecoder decoder;
  decoder.setPrimaryKeys({{"people", {"la", "id"}}});
  ASSERT_TRUE(decoder.decode(
      R"({"type":"RECORD","record":{"stream":"people","emitted_at":1700000000000,)"
      R"("data":{"id":7,"la":"E06000001","name":null,"ok":true,"tags":["a"],"n":1.5}}})"));
  ASSERT_EQ(decoder.type(), MessageType::kRecord);
  const RecordMessage& record = decoder.record();
  EXPECT_EQ(record.stream, "people");
  EXPECT_EQ(record.key, "E06000001|7");
  EXPECT_EQ(record.time_ms, 0) << "emitted_at is no source time";
  ASSERT_EQ(record.fields.size(), 6u);
  std::map<std::string, std::pair<std::string, bool>> fields;
  for (const auto& field : record.fields) fields[field.name] = {field.value, field.is_null};
  EXPECT_EQ(fields["id"], std::make_pair(std::string("7"), false));
  EXPECT_EQ(fields["name"], std::make_pair(std::string(), true));
  EXPECT_EQ(fields["ok"].first, "true");
  EXPECT_EQ(fields["tags"].first, R"(["a"])");
  EXPECT_EQ(fields["n"].first, "1.5");
}

TEST(MessageDecoder, ARecordWithoutItsKeyFieldIsAProblem) {
  MessageDecoder decoder;
  decoder.setPrimaryKeys({{"people", {"id"}}});
  EXPECT_FALSE(decoder.decode(R"({"type":"RECORD","record":{"stream":"people","data":{}}})"));
  EXPECT_EQ(decoder.problem().code, "protocol.no_key");
}

TEST(MessageDecoder, AKeylessStreamGetsTheSameKeyForTheSameData) {
  MessageDecoder decoder;
  ASSERT_TRUE(decoder.decode(R"({"type":"RECORD","record":{"stream":"s","data":{"a":"1"}}})"));
  const std::string first = decoder.record().key;
  ASSERT_TRUE(decoder.decode(R"({"type":"RECORD","record":{"stream":"s","data":{"a":"1"}}})"));
  EXPECT_EQ(decoder.record().key, first);
  ASSERT_TRUE(decoder.decode(R"({"type":"RECORD","record":{"stream":"s","data":{"a":"2"}}})"));
  EXPECT_NE(decoder.record().key, first);
  EXPECT_EQ(first.size(), 16u);
}

TEST(MessageDecoder, HearthsOwnRecordPartsWin) {
  MessageDecoder decoder;
  decoder.setPrimaryKeys({{"s", {"id"}}});
  ASSERT_TRUE(
      decoder.decode(R"({"type":"RECORD","record":{"stream":"s","data":{"id":"1"},)"
                     R"("hearth":{"key":"k-1","location":"file.csv:2","source_time_ms":5}}})"));
  EXPECT_EQ(decoder.record().key, "k-1");
  EXPECT_EQ(decoder.record().location, "file.csv:2");
  EXPECT_EQ(decoder.record().time_ms, 5);
}

TEST(MessageDecoder, NamesWhyALineIsNotAMessage) {
  MessageDecoder decoder;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hello", "protocol.not_json"},
      {"[1,2]", "protocol.not_an_object"},
      {R"({"record":{}})", "protocol.no_type"},
      {R"({"type":"PARTY"})", "protocol.unknown_type"},
      {R"({"type":"RECORD"})", "protocol.malformed"},
      {R"({"type":"RECORD","record":{"stream":"s","data":[1]}})", "protocol.malformed"},
      {R"({"type":"STATE","state":{"type":"STREAM"}})", "protocol.malformed"},
      {std::string(100, '[') + std::string(100, ']'), "protocol.too_deep"},
  };
  for (const auto& [line, code] : cases) {
    EXPECT_FALSE(decoder.decode(line)) << line;
    EXPECT_EQ(decoder.problem().code, code) << line;
  }
}

TEST(MessageDecoder, ReadsTheOtherMessages) {
  MessageDecoder decoder;
  ASSERT_TRUE(decoder.decode(R"({"type":"LOG","log":{"level":"WARN","message":"slow"}})"));
  EXPECT_EQ(decoder.type(), MessageType::kLog);
  EXPECT_EQ(decoder.logLevel(), "WARN");
  EXPECT_EQ(decoder.text(), "slow");

  ASSERT_TRUE(decoder.decode(
      R"({"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"down",)"
      R"("failure_type":"transient_error"}}})"));
  EXPECT_EQ(decoder.trace().kind, TraceMessage::Kind::kError);
  EXPECT_EQ(decoder.trace().message, "down");
  EXPECT_EQ(decoder.trace().failure_type, "transient_error");

  ASSERT_TRUE(decoder.decode(
      R"({"type":"TRACE","trace":{"type":"ESTIMATE","estimate":{"name":"s","type":"STREAM",)"
      R"("row_estimate":1234}}})"));
  EXPECT_EQ(decoder.trace().kind, TraceMessage::Kind::kEstimate);
  EXPECT_EQ(decoder.trace().row_estimate, 1234u);

  ASSERT_TRUE(decoder.decode(
      R"({"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"no"}})"));
  EXPECT_FALSE(decoder.succeeded());
  EXPECT_EQ(decoder.text(), "no");

  ASSERT_TRUE(
      decoder.decode(R"({"type":"SPEC","spec":{"connectionSpecification":{"type":"object"}}})"));
  EXPECT_EQ(decoder.specification(), R"({"type":"object"})");

  ASSERT_TRUE(decoder.decode(
      R"({"type":"REJECT","reject":{"stream":"s","reason_code":"x.bad","message":"m","raw":"r"}})"));
  EXPECT_EQ(decoder.reject().reason_code, "x.bad");
  EXPECT_EQ(decoder.reject().raw, "r");
}

TEST(MessageDecoder, ACatalogBecomesHearthsStreamListWithItsKeys) {
  MessageDecoder decoder;
  ASSERT_TRUE(decoder.decode(
      R"({"type":"CATALOG","catalog":{"streams":[{"name":"people","json_schema":{"properties":{)"
      R"("id":{"type":"integer"},"born":{"type":["null","string"],"format":"date"},)"
      R"("seen":{"type":"string","format":"date-time"}}},"supported_sync_modes":)"
      R"(["full_refresh","incremental"],"source_defined_primary_key":[["id"]]}]}})"));
  const Catalog& catalog = decoder.catalog();
  EXPECT_EQ(catalog.hearth_json,
            R"({"streams":[{"fields":[{"name":"born","type":"date"},{"name":"id","type":"int"},)"
            R"({"name":"seen","type":"timestamp"}],"name":"people"}]})");
  EXPECT_EQ(catalog.primary_keys.at("people"), std::vector<std::string>{"id"});
  const auto configured = configuredCatalog(catalog.airbyte);
  EXPECT_EQ(configured["streams"][0]["sync_mode"], "incremental");
  EXPECT_EQ(configured["streams"][0]["primary_key"], nlohmann::json::parse(R"([["id"]])"));
}

TEST(StateBook, KeepsTheNewestStatePerStreamAndAGlobalReplacesThemAll) {
  auto stream = [](const std::string& name, int n) {
    return nlohmann::json{
        {"type", "STREAM"},
        {"stream", {{"stream_descriptor", {{"name", name}}}, {"stream_state", {{"n", n}}}}}};
  };
  StateBook book;
  ASSERT_TRUE(book.load(""));
  EXPECT_TRUE(book.empty());
  book.add(stream("a", 1));
  book.add(stream("b", 1));
  book.add(stream("a", 2));
  const auto states = nlohmann::json::parse(book.token());
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0]["stream"]["stream_state"]["n"], 2);
  EXPECT_EQ(states[1]["stream"]["stream_state"]["n"], 1);

  StateBook again;
  ASSERT_TRUE(again.load(book.token()));
  EXPECT_EQ(again.token(), book.token());

  book.add({{"type", "GLOBAL"}, {"global", {{"shared_state", {{"x", 1}}}}}});
  EXPECT_EQ(nlohmann::json::parse(book.token()).size(), 1u);
}

TEST(StateBook, AnInProcessCheckpointIsHandedToThePluginHost) {
  StateBook book;
  ASSERT_TRUE(book.load("offset:42"));
  const auto states = nlohmann::json::parse(book.token());
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0]["global"]["shared_state"]["hearth_checkpoint"], "offset:42");
}

}  // namespace
}  // namespace hearth::host::protocol
