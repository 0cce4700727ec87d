// Feeds the CIN parser thousands of deterministic corruptions of a valid census and checks what
// must hold for any input: it returns, a malformed document ends with exactly one xml.malformed
// reject, every record has a key, and feeding the bytes in chunks changes nothing.
// (tests/fuzz/cin_parser_fuzz.cpp explores further under clang.)
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "connectors/cin_census/cin_parser.hpp"

namespace hearth::connectors::cin_census {
namespace {

constexpr int kMutants = 3000;

class Collector final : public CinSink {
 public:
  bool onRecord(const CinRecord& record) override {
    EXPECT_FALSE(record.key.empty());
    std::string line = std::string(record.stream) + " " + record.key;
    for (const auto& [name, value] : record.fields) line += ";" + name + "=" + value.value_or("-");
    seen.push_back(line);
    return true;
  }
  bool onReject(const CinReject& reject) override {
    seen.push_back(std::string(reject.reason_code) + " " + std::to_string(reject.line));
    if (reject.reason_code == "xml.malformed") ++malformed;
    return true;
  }
  std::vector<std::string> seen;
  int malformed = 0;
};

std::string validCensus() {
  std::string text =
      "<?xml version=\"1.0\"?>\n<Message><Header><CollectionDetails><Year>2024</Year>"
      "</CollectionDetails></Header><Children>\n";
  for (int i = 0; i < 5; ++i) {
    text +=
        "<Child><ChildIdentifiers><LAchildID>K" + std::to_string(i) +
        "</LAchildID><Sex>1</Sex></ChildIdentifiers><ChildCharacteristics><Disabilities>"
        "<Disability>HAND</Disability><Disability>&amp;X</Disability></Disabilities>"
        "</ChildCharacteristics>\n<CINdetails><CINreferralDate>2024-01-0" +
        std::to_string(i + 1) +
        "</CINreferralDate><Assessments><FactorsIdentifiedAtAssessment>"
        "<AssessmentFactors>1C</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
        "<ChildProtectionPlans><Reviews><CPPreviewDate>2024-02-02</CPPreviewDate></Reviews>"
        "</ChildProtectionPlans></CINdetails></Child>\n";
  }
  return text + "</Children></Message>\n";
}

std::string mutate(std::string text, std::mt19937& random) {
  static constexpr char kBytes[] = {'<', '>', '/', '&', ';', '"', 'C', '\n', '\xC3', '\xFF', '\0'};
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

Collector parse(const std::string& text, size_t chunk, CinParser::Status& status) {
  Collector collector;
  CinParser parser(collector);
  size_t at = 0;
  do {
    const size_t take = std::min(chunk, text.size() - at);
    status = parser.feed(std::string_view(text).substr(at, take), at + take == text.size());
    at += take;
  } while (at < text.size() && status == CinParser::Status::kOk);
  return collector;
}

TEST(CinParserMutation, AnyCorruptionEndsCleanlyAndChunkingChangesNothing) {
  std::mt19937 random(20250331);
  const std::string valid = validCensus();
  CinParser::Status status;
  const Collector clean = parse(valid, valid.size(), status);
  ASSERT_EQ(status, CinParser::Status::kOk);
  ASSERT_EQ(clean.seen.size(), 20u);  // per child: child, cin_episode, assessment, cp_plan
  EXPECT_NE(clean.seen[0].find("Disabilities=HAND,&X"), std::string::npos) << clean.seen[0];

  for (int i = 0; i < kMutants; ++i) {
    const std::string text = mutate(valid, random);
    CinParser::Status whole_status;
    CinParser::Status chunked_status;
    const Collector whole = parse(text, text.size(), whole_status);
    const Collector chunked = parse(text, 1 + random() % 64, chunked_status);
    ASSERT_EQ(whole.seen, chunked.seen) << "mutant " << i;
    ASSERT_EQ(whole_status, chunked_status) << "mutant " << i;
    ASSERT_EQ(whole.malformed, whole_status == CinParser::Status::kMalformed ? 1 : 0);
  }
}

}  // namespace
}  // namespace hearth::connectors::cin_census
