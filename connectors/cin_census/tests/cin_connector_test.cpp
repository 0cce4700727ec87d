// The cin_census connector as the daemon runs it: the real plugin library, loaded by the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "connectors/common/tests/connector_test_support.hpp"

namespace hearth::connectors::cin_census {
namespace {

using testing::CollectingSink;
using testing::PluginHarness;
using testing::Record;
using Counts = std::map<std::string, size_t>;

const std::string kSamples = std::string(HEARTH_SHARED_DATA) + "/cin-census";

class CinConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("cin_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(directory_ / name, std::ios::binary | std::ios::trunc) << content;
  }
  std::string config() const { return R"({"directory": ")" + directory_.string() + R"("})"; }

  PluginHarness harness_{HEARTH_CIN_PLUGIN};
  std::filesystem::path directory_;
};

// Expected counts come from python3's xml.etree over each file: for the children r.findall(
// 'Children/Child') whose ChildIdentifiers/LAchildID has text, `child` is their number and each
// other stream the number of CINdetails, CINdetails/Assessments, CINdetails/CINPlanDates,
// CINdetails/Section47 and CINdetails/ChildProtectionPlans below them. Every file parses and
// every child has an LAchildID, so there are no rejects: the errors these samples carry
// (reference dates, LA codes, dates out of order) are for validation, later.
TEST_F(CinConnectorTest, EverySampleFileLoadsWithItsExactRecordCounts) {
  CollectingSink sink = harness_.readAfter("", R"({"directory": ")" + kSamples + R"("})");
  EXPECT_TRUE(sink.rejects.empty());
  const Counts one_of_each = {{"child", 1},    {"cin_episode", 1}, {"assessment", 1},
                              {"cin_plan", 1}, {"section47", 1},   {"cp_plan", 1}};
  Counts two_plans = one_of_each;
  two_plans["cp_plan"] = 2;
  const std::map<std::string, Counts> expected = {
      {"BAR_cin_2022.xml", one_of_each},
      {"CIN2rows.xml", two_plans},
      {"CIN_Census_2021.xml", one_of_each},
      {"CIN_Census_2021_copy.xml", one_of_each},
      {"CIN_Census_2021_no_assessment_factors.xml", one_of_each},
      {"CIN_Census_2024.xml",
       {{"child", 2},
        {"cin_episode", 2},
        {"assessment", 2},
        {"cin_plan", 1},
        {"section47", 1},
        {"cp_plan", 1}}},
      {"CIN_header_issues_100.xml", one_of_each},
      {"CIN_la_issues_2887Q.xml", one_of_each},
      {"fake_CIN_data.xml", {{"child", 332}, {"cin_episode", 402}}},
  };
  for (const auto& [file, counts] : expected) {
    EXPECT_EQ(sink.streamCounts(file), counts) << file;
  }
  EXPECT_EQ(harness_.counters["children_read"], 341);
}

TEST_F(CinConnectorTest, FieldsAreNamedAfterTheirElementsAndListsAreJoined) {
  std::filesystem::copy_file(kSamples + "/CIN_Census_2024.xml", directory_ / "CIN_Census_2024.xml");
  CollectingSink sink = harness_.readAfter("", config());
  const Record* child = sink.find("child", "DfEX0000001");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->location, "CIN_Census_2024.xml:18");
  EXPECT_EQ(child->fields, (testing::Fields{{"LAchildID", "DfEX0000001"},
                                            {"UPN", "A123456789123"},
                                            {"FormerUPN", "X98765432123B"},
                                            {"UPNunknown", "UN3"},
                                            {"PersonBirthDate", "2015-03-27"},
                                            {"ExpectedPersonBirthDate", std::nullopt},
                                            {"Sex", "1"},
                                            {"sex_element", "Sex"},
                                            {"PersonDeathDate", std::nullopt},
                                            {"Ethnicity", "WBRI"},
                                            {"Disabilities", "HAND,HEAR"},
                                            {"collection_year", "2023"},
                                            {"ReferenceDate", "2024-03-31"},
                                            {"LEA", "201"}}));
  const Record* assessment = sink.find("assessment", "DfEX0000001|2022-10-06|1");
  ASSERT_NE(assessment, nullptr);
  EXPECT_EQ(assessment->field("AssessmentFactors"), "1C,RB,6B");
  EXPECT_EQ(assessment->field("episode"), "1");
  const Record* plan = sink.find("cp_plan", "DfEX0000001|2022-10-06|1");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->field("CPPreviewDates"), "2023-02-15");
  EXPECT_EQ(plan->field("NumberOfPreviousCPP"), "10");
  const Record* episode = sink.find("cin_episode", "child_fails_assessments|2024-10-24|1");
  ASSERT_NE(episode, nullptr);
  EXPECT_EQ(episode->field("ReferralNFA"), "false");
  const Record* second = sink.find("assessment", "child_fails_assessments|2024-10-24|1");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->field("AssessmentFactors"), std::nullopt) << "an empty list is absent";

  CollectingSink older =
      harness_.readAfter("", R"({"directory": ")" + kSamples + R"(", "pattern": "bar_CIN_*.XML"})");
  ASSERT_EQ(older.streamCounts().at("child"), 1u);
  EXPECT_EQ(older.records[0].field("sex_element"), "GenderCurrent");
}

const char kHeader[] =
    "<Message>\n<Header><CollectionDetails><Year>2025</Year><ReferenceDate>2025-03-31"
    "</ReferenceDate></CollectionDetails><Source><LEA>999</LEA></Source></Header>\n<Children>\n";

std::string child(const std::string& id, const std::string& referral) {
  return "<Child><ChildIdentifiers>" + (id.empty() ? "" : "<LAchildID>" + id + "</LAchildID>") +
         "<GenderCurrent>2</GenderCurrent></ChildIdentifiers>\n<CINdetails><CINreferralDate>" +
         referral +
         "</CINreferralDate><CINPlanDates><CINPlanStartDate>2024-05-01</CINPlanStartDate>"
         "</CINPlanDates></CINdetails>\n<CINdetails><CINreferralDate>" +
         referral +
         "</CINreferralDate><CINPlanDates><CINPlanStartDate>2024-06-01</CINPlanStartDate>"
         "</CINPlanDates></CINdetails></Child>\n";
}

// The 2025/26 census adds PreProceedingsandFGDM below CINdetails, one block per pre-proceedings
// (element names as the DfE's CIN validator reads them); each block is a record.
TEST_F(CinConnectorTest, PreProceedingsBlocksAreRecordsOfTheirOwn) {
  write("cin_census_2026.xml",
        std::string(kHeader) +
            "<Child><ChildIdentifiers><LAchildID>C1</LAchildID><Sex>F</Sex></ChildIdentifiers>\n"
            "<CINdetails><CINreferralDate>2025-04-02</CINreferralDate>\n"
            "<PreProceedingsandFGDM><PPStartDate>2025-05-01</PPStartDate>"
            "<LBPSentDate>2025-05-06</LBPSentDate><FGDMMeetingOffer>1</FGDMMeetingOffer>"
            "<FGDMMeetingFac>0</FGDMMeetingFac><InitialPPMeetingDate>2025-05-20"
            "</InitialPPMeetingDate><ReviewMeetingsCount>2</ReviewMeetingsCount>"
            "<StepDecisionDate>2025-09-01</StepDecisionDate><PPOutcome>A</PPOutcome>"
            "</PreProceedingsandFGDM>\n"
            "<PreProceedingsandFGDM><PPStartDate>2025-11-03</PPStartDate>"
            "<CourtAppDate>2026-01-12</CourtAppDate><LetterInitCPDate>2026-01-14"
            "</LetterInitCPDate></PreProceedingsandFGDM>\n"
            "</CINdetails></Child>\n</Children>\n</Message>\n");
  CollectingSink sink = harness_.readAfter("", config());
  EXPECT_TRUE(sink.rejects.empty());
  EXPECT_EQ(sink.streamCounts(),
            (Counts{{"child", 1}, {"cin_episode", 1}, {"pre_proceedings", 2}}));
  const Record* first = sink.find("pre_proceedings", "C1|2025-04-02|1");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->location, "cin_census_2026.xml:6");
  EXPECT_EQ(first->fields, (testing::Fields{{"LAchildID", "C1"},
                                            {"episode", "1"},
                                            {"CINreferralDate", "2025-04-02"},
                                            {"PPStartDate", "2025-05-01"},
                                            {"LBPSentDate", "2025-05-06"},
                                            {"FGDMMeetingOffer", "1"},
                                            {"FGDMMeetingFac", "0"},
                                            {"InitialPPMeetingDate", "2025-05-20"},
                                            {"ReviewMeetingsCount", "2"},
                                            {"StepDecisionDate", "2025-09-01"},
                                            {"PPOutcome", "A"},
                                            {"CourtAppDate", std::nullopt},
                                            {"LetterInitCPDate", std::nullopt},
                                            {"collection_year", "2025"},
                                            {"ReferenceDate", "2025-03-31"},
                                            {"LEA", "999"}}));
  const Record* second = sink.find("pre_proceedings", "C1|2025-04-02|2");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->field("CourtAppDate"), "2026-01-12");
  EXPECT_EQ(second->field("PPOutcome"), std::nullopt);
  const Record* episode = sink.find("cin_episode", "C1|2025-04-02|1");
  ASSERT_NE(episode, nullptr);
  for (const auto& [name, value] : episode->fields) {
    EXPECT_NE(name, "PPStartDate") << "the blocks' items stay out of the episode";
  }
}

TEST_F(CinConnectorTest, AChildWithoutIdIsRejectedAndTheOthersCarryOn) {
  write("cin.xml", kHeader + child("A1", "2024-04-01") + child("", "2024-04-02") +
                       child("A3", "2024-04-03") + "</Children></Message>\n");
  CollectingSink sink = harness_.readAfter("", config());
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].reason, "cin.missing_child_id");
  EXPECT_EQ(sink.rejects[0].location, "cin.xml:7");
  EXPECT_EQ(sink.streamCounts(), (Counts{{"child", 2}, {"cin_episode", 4}, {"cin_plan", 4}}));
  // Two episodes with the same referral date still get distinct, stable keys.
  EXPECT_NE(sink.find("cin_episode", "A1|2024-04-01|1"), nullptr);
  EXPECT_NE(sink.find("cin_episode", "A1|2024-04-01|2"), nullptr);
  EXPECT_EQ(sink.find("cin_plan", "A3|2024-04-03|2")->field("episode"), "2");
  EXPECT_EQ(sink.find("child", "A3")->field("collection_year"), "2025");
}

TEST_F(CinConnectorTest, MalformedXmlKeepsTheChildrenBeforeItAndTheReadSucceeds) {
  std::string broken = child("B2", "2024-04-02");
  broken.replace(broken.find("</CINPlanDates>"), 15, "</CINPlanDate>");
  write("cin.xml", kHeader + child("B1", "2024-04-01") + broken + child("B3", "2024-04-03"));
  CollectingSink sink = harness_.readAfter("", config());
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].reason, "xml.malformed");
  // Line 8 is B2's first CINdetails line; the bad end tag's name starts at column 121.
  EXPECT_EQ(sink.rejects[0].location, "cin.xml:8:121");
  EXPECT_EQ(sink.streamCounts(), (Counts{{"child", 1}, {"cin_episode", 2}, {"cin_plan", 2}}));
  ASSERT_EQ(sink.checkpoints.size(), 1u) << "the file counts as read until it changes";
  CollectingSink again = harness_.readAfter(sink.checkpoints.back(), config());
  EXPECT_TRUE(again.records.empty());
  EXPECT_TRUE(again.rejects.empty());
}

TEST_F(CinConnectorTest, AnUnchangedFileIsSkippedAndAChangedOneIsReadAgainWhole) {
  write("cin.xml", kHeader + child("C1", "2024-04-01") + "</Children></Message>\n");
  CollectingSink first = harness_.readAfter("", config());
  ASSERT_EQ(first.records.size(), 5u);

  CollectingSink unchanged = harness_.readAfter(first.checkpoints.back(), config());
  EXPECT_TRUE(unchanged.records.empty());

  // Same bytes written again (a new modification time): nothing to read.
  write("cin.xml", kHeader + child("C1", "2024-04-01") + "</Children></Message>\n");
  std::filesystem::last_write_time(
      directory_ / "cin.xml",
      std::filesystem::file_time_type::clock::now() + std::chrono::seconds(5));
  CollectingSink touched = harness_.readAfter(first.checkpoints.back(), config());
  EXPECT_TRUE(touched.records.empty());
  ASSERT_EQ(touched.checkpoints.size(), 1u);

  write("cin.xml", kHeader + child("C1", "2024-04-01") + child("C2", "2024-04-09") +
                       "</Children></Message>\n");
  CollectingSink changed = harness_.readAfter(touched.checkpoints.back(), config());
  EXPECT_EQ(changed.records.size(), 10u) << "the whole file again, not only the new child";
  EXPECT_EQ(harness_.counters["files_reread"], 1);
}

}  // namespace
}  // namespace hearth::connectors::cin_census
