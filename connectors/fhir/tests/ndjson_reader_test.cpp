// The NDJSON line splitter and the resource parser on their own.
#include "connectors/fhir/ndjson_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hearth::connectors::fhir {
namespace {

struct Seen {
  std::string text;
  uint64_t number;
  uint64_t length;
  bool too_long;
  friend bool operator==(const Seen&, const Seen&) = default;
};

// Splits `input` handing over `chunk` bytes at a time.
std::vector<Seen> split(const std::string& input, size_t chunk, size_t cap = 1024) {
  LineSplitter splitter(cap);
  std::vector<Seen> seen;
  const auto collect = [&](const Line& line) {
    seen.push_back({std::string(line.text), line.number, line.length, line.too_long});
    return true;
  };
  for (size_t at = 0; at < input.size(); at += chunk) {
    splitter.feed(std::string_view(input).substr(at, chunk), collect);
  }
  splitter.finish(collect);
  EXPECT_EQ(splitter.consumedBytes(), input.size());
  return seen;
}

TEST(LineSplitter, ToleratesCrlfAndAMissingFinalLineBreakInChunksOfAnySize) {
  const std::string input = "{\"a\":1}\r\n{\"b\":2}\n\n{\"c\":3}";
  const std::vector<Seen> expected = {{"{\"a\":1}", 1, 7, false},
                                      {"{\"b\":2}", 2, 7, false},
                                      {"", 3, 0, false},
                                      {"{\"c\":3}", 4, 7, false}};
  for (size_t chunk : {1, 2, 3, 5, 8, 100}) EXPECT_EQ(split(input, chunk), expected) << chunk;
}

TEST(LineSplitter, CutsALineOverTheCapToItsStartAndCarriesOnAfterIt) {
  const std::string long_line(5000, 'x');
  const std::string input = "{}\n" + long_line + "\n{\"ok\":1}\n";
  for (size_t chunk : {7, 4096, 100000}) {
    const auto seen = split(input, chunk, 1024);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_TRUE(seen[1].too_long);
    EXPECT_EQ(seen[1].length, 5000u);
    EXPECT_EQ(seen[1].text, long_line.substr(0, 1024));
    EXPECT_EQ(seen[2], (Seen{"{\"ok\":1}", 3, 8, false}));
  }
}

TEST(LineSplitter, ALineOfExactlyTheCapPlusItsCarriageReturnIsNotTooLong) {
  const std::string line(1024, 'y');
  const auto seen = split(line + "\r\n", 10, 1024);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].too_long);
  EXPECT_EQ(seen[0].text, line);
}

TEST(LineSplitter, ResumesWithTheLineNumberAndOffsetItIsGiven) {
  LineSplitter splitter(1024, 41, 1000);
  std::vector<uint64_t> numbers;
  splitter.feed("{}\n{}\n", [&](const Line& line) {
    numbers.push_back(line.number);
    return true;
  });
  EXPECT_EQ(numbers, (std::vector<uint64_t>{41, 42}));
  EXPECT_EQ(splitter.consumedBytes(), 1006u);
  EXPECT_EQ(splitter.nextLine(), 43u);
}

TEST(ResourceParser, ReadsTypeIdAndLastUpdatedWhereverTheyAre) {
  ResourceParser parser;
  ASSERT_EQ(parser.parse(R"({"meta":{"versionId":"2","lastUpdated":"2024-05-01T10:00:00Z"},)"
                         R"("name":[{"family":"X"}],"id":"p1","resourceType":"Patient"})"),
            LineProblem::kNone)
      << parser.message();
  EXPECT_EQ(parser.head().resource_type, "Patient");
  EXPECT_EQ(parser.head().id, "p1");
  EXPECT_EQ(parser.head().last_updated, "2024-05-01T10:00:00Z");
  ASSERT_EQ(parser.parse(R"({"resourceType":"Encounter","id":"e\u0031"})"), LineProblem::kNone);
  EXPECT_EQ(parser.head().id, "e1");
  EXPECT_EQ(parser.head().last_updated, "");
}

TEST(ResourceParser, NamesWhatIsWrongWithABadLine) {
  ResourceParser parser;
  EXPECT_EQ(parser.parse("not json"), LineProblem::kInvalidJson);
  EXPECT_EQ(parser.parse(R"({"resourceType":"Patient","id":"p1")"), LineProblem::kInvalidJson)
      << "an object cut short";
  EXPECT_EQ(parser.parse(R"({"resourceType":"Patient","id":"p1"} {})"), LineProblem::kInvalidJson)
      << "text after the object";
  EXPECT_EQ(parser.parse(R"([1,2])"), LineProblem::kNotAnObject);
  EXPECT_EQ(parser.parse(R"({"id":"p1"})"), LineProblem::kNoResourceType);
  EXPECT_EQ(parser.parse(R"({"resourceType":7,"id":"p1"})"), LineProblem::kNoResourceType);
  EXPECT_EQ(parser.parse(R"({"resourceType":"Patient"})"), LineProblem::kNoId);
  EXPECT_EQ(parser.parse("{\"resourceType\":\"Patient\",\"id\":\"\xFF\"}"),
            LineProblem::kInvalidJson)
      << "invalid UTF-8";
  EXPECT_FALSE(parser.message().empty());
}

TEST(ResourceParser, ReadsTheReferencesOfADeletedBundle) {
  ResourceParser parser;
  EXPECT_EQ(
      parser.deletedReferences(
          R"({"resourceType":"Bundle","type":"transaction","entry":[)"
          R"({"request":{"method":"DELETE","url":"Patient/123"}},)"
          R"({"request":{"method":"DELETE","url":"https://x.org/fhir/Encounter/e9?_x=1"}}]})"),
      (std::vector<std::string>{"Patient/123", "Encounter/e9"}));
  EXPECT_TRUE(parser.deletedReferences(R"({"resourceType":"Bundle","entry":[{}]})").empty());
  EXPECT_FALSE(parser.message().empty());
}

}  // namespace
}  // namespace hearth::connectors::fhir
