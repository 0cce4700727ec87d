// Feeds the XML return mapping thousands of deterministic corruptions of a valid return and
// checks what must hold for any input: it returns, every record has a key and a table, a
// malformed document ends with exactly one xml.malformed reject, and feeding the bytes in
// chunks changes nothing. (tests/fuzz/ssda903_xml_fuzz.cpp explores further under clang.)
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "connectors/ssda903/ssda903_xml.hpp"

namespace hearth::connectors::ssda903 {
namespace {

constexpr int kMutants = 3000;

class Collector final : public XmlSink {
 public:
  bool onRecord(const XmlRecord& record) override {
    EXPECT_NE(record.table, nullptr);
    EXPECT_FALSE(record.key.empty());
    seen.push_back(std::string(record.table->stream) + " " + record.key);
    return true;
  }
  bool onReject(const XmlReject& reject) override {
    seen.push_back(std::string(reject.reason_code) + " " + std::to_string(reject.line));
    if (reject.reason_code == "xml.malformed") ++malformed;
    return true;
  }
  std::vector<std::string> seen;
  int malformed = 0;
};

std::string validReturn() {
  std::string text = "<?xml version=\"1.0\"?>\n<EXPSSDA903>\n";
  for (int i = 0; i < 6; ++i) {
    const std::string id = std::to_string(500 + i);
    text += "<CHILD><HEADER><CHILDID>" + id +
            "</CHILDID><SEX>1</SEX><DOB>01/02/2010</DOB>"
            "</HEADER>\n<EPISODE><DECOM>0" +
            std::to_string(i + 1) +
            "/04/2024</DECOM><PL>U1</PL>"
            "<RNE>S</RNE></EPISODE>\n<REVIEW><REVIEW>05/05/2024</REVIEW></REVIEW>\n"
            "<OC3><IN_TOUCH>YES</IN_TOUCH><ACCOM>&#x42;1</ACCOM></OC3></CHILD>\n";
  }
  return text + "</EXPSSDA903>\n";
}

std::string mutate(std::string text, std::mt19937& random) {
  static constexpr char kBytes[] = {'<', '>', '/', '&', ';', '"', 'A', '\n', '\xC3', '\xFF', '\0'};
  const int edits = 1 + static_cast<int>(random() % 5);
  for (int e = 0; e < edits; ++e) {
    const size_t at = random() % (text.size() + 1);
    switch (random() % 3) {
      case 0:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at),
                    kBytes[random() % sizeof(kBytes)]);
        break;
      case 1:
        if (at < text.size()) text.erase(at, 1 + random() % 12);
        break;
      default:
        if (at < text.size()) text[at] = kBytes[random() % sizeof(kBytes)];
        break;
    }
  }
  return text;
}

Collector parse(const std::string& text, size_t chunk, XmlReturnParser::Status& status) {
  Collector collector;
  XmlReturnParser parser(collector);
  size_t at = 0;
  do {
    const size_t take = std::min(chunk, text.size() - at);
    status = parser.feed(std::string_view(text).substr(at, take), at + take == text.size());
    at += take;
  } while (at < text.size() && status == XmlReturnParser::Status::kOk);
  return collector;
}

TEST(Ssda903XmlMutation, AnyCorruptionEndsCleanlyAndChunkingChangesNothing) {
  std::mt19937 random(20240401);
  const std::string valid = validReturn();
  XmlReturnParser::Status status;
  const Collector clean = parse(valid, valid.size(), status);
  ASSERT_EQ(status, XmlReturnParser::Status::kOk);
  ASSERT_EQ(clean.seen.size(), 24u);

  for (int i = 0; i < kMutants; ++i) {
    const std::string text = mutate(valid, random);
    XmlReturnParser::Status whole_status;
    XmlReturnParser::Status chunked_status;
    const Collector whole = parse(text, text.size(), whole_status);
    const Collector chunked = parse(text, 1 + random() % 64, chunked_status);
    ASSERT_EQ(whole.seen, chunked.seen) << "mutant " << i;
    ASSERT_EQ(whole_status, chunked_status) << "mutant " << i;
    ASSERT_EQ(whole.malformed, whole_status == XmlReturnParser::Status::kMalformed ? 1 : 0);
  }
}

}  // namespace
}  // namespace hearth::connectors::ssda903
