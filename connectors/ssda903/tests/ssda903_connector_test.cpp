// The ssda903 connector as the daemon runs it: the real plugin library, loaded by the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "connectors/common/tests/connector_test_support.hpp"

namespace hearth::connectors::ssda903 {
namespace {

using testing::CollectingSink;
using testing::PluginHarness;
using testing::Record;
using Counts = std::map<std::string, size_t>;

const std::string kSamples = std::string(HEARTH_SHARED_DATA) + "/ssda903";

std::string configFor(const std::string& directory, const std::string& extra = "") {
  return R"({"directory": ")" + directory + R"(", "settle_ms": 0)" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

class Ssda903ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("ssda903_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    directory_ = root_ / "return";
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void write(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  }
  void append(const std::filesystem::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::app) << content;
  }

  PluginHarness harness_{HEARTH_SSDA903_PLUGIN};
  std::filesystem::path root_;
  std::filesystem::path directory_;
};

// Expected counts are the data rows of each file as python3's csv module reads them, blank
// lines left out:
//   len([r for r in csv.reader(open(f, newline='', encoding='utf-8-sig')) if r]) - 1
// No row has a column count other than its header's, and no key column is empty in any row
// (checked the same way), so none is rejected. The rule_info CSVs and child_summary.json are
// not tables of the return and are not read.
TEST_F(Ssda903ConnectorTest, EverySampleFileLoadsWithItsExactRowCount) {
  CollectingSink sink = harness_.readAfter("", configFor(kSamples));
  EXPECT_TRUE(sink.rejects.empty());
  const std::map<std::string, Counts> expected = {
      {"DoLo.csv", {{"dolo", 1}}},
      {"SSDA903_2020_episodes.csv", {{"episodes", 5}}},
      {"SSDA903_2020_header.csv", {{"header", 5}}},
      {"ad1.csv", {{"ad1", 29}}},
      {"episodes.csv", {{"episodes", 5050}}},
      {"header.csv", {{"header", 2675}}},
      {"missing.csv", {{"missing", 43}}},
      {"oc2.csv", {{"oc2", 2675}}},
      {"oc3.csv", {{"oc3", 53}}},
      {"placed_for_adoption.csv", {{"placed_for_adoption", 29}}},
      {"placed_for_adoption_errors.csv", {}},
      {"previous_permanence.csv", {{"previous_permanence", 2675}}},
      {"reviews.csv", {{"reviews", 12582}}},
      {"sw_episodes.csv", {{"sw_episodes", 1}}},
      {"uasc.csv", {{"uasc", 132}}},
      {"903_2023_24_rule_info.csv", {}},
  };
  for (const auto& [file, counts] : expected) {
    EXPECT_EQ(sink.streamCounts(file), counts) << file;
  }
  EXPECT_EQ(sink.records.size(), 25955u);
}

TEST_F(Ssda903ConnectorTest, AFilePatternMapsAnyFileToAStream) {
  // placed_for_adoption_errors.csv: 30 data rows by the python3 csv count above.
  CollectingSink sink = harness_.readAfter(
      "",
      configFor(kSamples, R"("files": {"placed_for_adoption": "placed_for_adoption_ERRORS.csv"})"));
  EXPECT_EQ(sink.streamCounts("placed_for_adoption_errors.csv"),
            (Counts{{"placed_for_adoption", 30}}));
  EXPECT_EQ(sink.streamCounts("placed_for_adoption.csv"), Counts{})
      << "a pattern replaces the stream's default file names";
}

TEST_F(Ssda903ConnectorTest, RecordsKeepSourceNamesAndDatesAndCarryTheCollectionYear) {
  CollectingSink sink = harness_.readAfter("", configFor(kSamples));
  const Record* episode = sink.find("episodes", "566910|15/02/2016");
  ASSERT_NE(episode, nullptr);
  EXPECT_EQ(episode->location, "episodes.csv:2");
  EXPECT_EQ(episode->fields, (testing::Fields{{"CHILD", "566910"},
                                              {"DECOM", "15/02/2016"},
                                              {"RNE", "L"},
                                              {"LS", "C2"},
                                              {"CIN", "N3"},
                                              {"PLACE", "T2"},
                                              {"PLACE_PROVIDER", "PR0"},
                                              {"DEC", "14/08/2017"},
                                              {"REC", "X1"},
                                              {"REASON_PLACE_CHANGE", "CLOSE"},
                                              {"HOME_POST", std::nullopt},
                                              {"PL_POST", std::nullopt},
                                              {"URN", "4244474"},
                                              {"collection_year", std::nullopt}}));
  EXPECT_TRUE(harness_.logged("no collection year for episodes.csv"));

  const Record* dated = sink.find("episodes", "689661|11/12/2018");
  ASSERT_NE(dated, nullptr);
  EXPECT_EQ(dated->field("collection_year"), "2020");
  EXPECT_EQ(dated->field("TEST_COLUMN"), "*DUMMY*") << "columns the table lacks are kept";
  EXPECT_TRUE(
      harness_.logged("collection year 2020 (from file name SSDA903_2020_episodes.csv) applied to "
                      "SSDA903_2020_episodes.csv"));

  const Record* worker = sink.find("sw_episodes", "CHILD10|SW999|01/01/2020");
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->fields.front().first, "CHILD") << "the byte order mark is not in the name";
  EXPECT_NE(sink.find("dolo", "CHILD10|01/01/2025"), nullptr);
  EXPECT_NE(sink.find("missing", "510000|13/11/2017"), nullptr);
  EXPECT_NE(sink.find("reviews", "566910|30/08/2017"), nullptr);
}

TEST_F(Ssda903ConnectorTest, TheCollectionYearComesFromConfigurationThenFileThenDirectory) {
  const auto year_directory = root_ / "903" / "2024_25";
  write(year_directory / "Episodes.CSV", "CHILD,DECOM\n1,01/05/2024\n");
  CollectingSink detected = harness_.readAfter("", configFor(year_directory.string()));
  ASSERT_EQ(detected.records.size(), 1u);
  EXPECT_EQ(detected.records[0].field("collection_year"), "2024");
  EXPECT_TRUE(
      harness_.logged("collection year 2024 (from directory 2024_25) applied to Episodes.CSV"));

  CollectingSink configured =
      harness_.readAfter("", configFor(year_directory.string(), R"("collection_year": 2025)"));
  EXPECT_EQ(configured.records[0].field("collection_year"), "2025");
  EXPECT_TRUE(harness_.logged("collection year 2025 (from configuration)"));
}

// A child with a header, two episodes (one open), a review and a missing episode, written once
// as the CSV file set and once as the XML return.
const char kHeaderCsv[] =
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n700001,2,04/03/2012,WBRI,A123456789012,,\n";
const char kEpisodesCsv[] =
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,"
    "URN\n"
    "700001,01/04/2024,S,C2,N1,U1,PR1,15/06/2024,E11,,AB1 2CD,EF3 4GH,SC123456\n"
    "700001,15/06/2024,P,C2,N1,K2,PR2,,,CARPL,AB1 2CD,XY9 8ZW,\n";
const char kReviewsCsv[] = "CHILD,DOB,REVIEW,REVIEW_CODE\n700001,04/03/2012,20/05/2024,PN1\n";
const char kMissingCsv[] =
    "CHILD,DOB,MISSING,MIS_START,MIS_END\n700001,04/03/2012,M,02/07/2024,03/07/2024\n";
const char kReturnXml[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>700001</CHILDID>
      <SEX>2</SEX>
      <DOB>04/03/2012</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UPN>A123456789012</UPN>
      <MOTHER></MOTHER>
    </HEADER>
    <EPISODE>
      <DECOM>01/04/2024</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U1</PL>
      <PL_POST>EF3 4GH</PL_POST>
      <HOME_POST>AB1 2CD</HOME_POST>
      <URN>SC123456</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
      <DEC>15/06/2024</DEC>
      <REC>E11</REC>
    </EPISODE>
    <EPISODE>
      <DECOM>15/06/2024</DECOM>
      <RNE>P</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>K2</PL>
      <PL_POST>XY9 8ZW</PL_POST>
      <HOME_POST>AB1 2CD</HOME_POST>
      <PLACE_PROVIDER>PR2</PLACE_PROVIDER>
      <DEC/>
      <REASON_PLACE_CHANGE>CARPL</REASON_PLACE_CHANGE>
    </EPISODE>
    <REVIEW>
      <REVIEW>20/05/2024</REVIEW>
      <REVIEW_CODE>PN1</REVIEW_CODE>
    </REVIEW>
    <MISSING>
      <MISSING>M</MISSING>
      <MIS_START>02/07/2024</MIS_START>
      <MIS_END>03/07/2024</MIS_END>
    </MISSING>
  </CHILD>
</EXPSSDA903>
)";

std::vector<std::string> comparable(const CollectingSink& sink) {
  std::vector<std::string> out;
  for (const Record& record : sink.records) {
    std::string line = record.stream + " " + record.key + " {";
    for (const auto& [name, value] : record.fields)
      line += name + "=" + value.value_or("<null>") + ";";
    out.push_back(line + "}");
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(Ssda903ConnectorTest, TheSameChildAsCsvAndAsXmlGivesIdenticalRecords) {
  const auto csv_directory = root_ / "2024" / "csv";
  write(csv_directory / "header.csv", kHeaderCsv);
  write(csv_directory / "episodes.csv", kEpisodesCsv);
  write(csv_directory / "reviews.csv", kReviewsCsv);
  write(csv_directory / "missing.csv", kMissingCsv);
  const auto xml_directory = root_ / "2024" / "xml";
  write(xml_directory / "SSDA903_return.xml", kReturnXml);

  CollectingSink from_csv = harness_.readAfter("", configFor(csv_directory.string()));
  CollectingSink from_xml = harness_.readAfter("", configFor(xml_directory.string()));
  EXPECT_TRUE(from_csv.rejects.empty());
  EXPECT_TRUE(from_xml.rejects.empty());
  ASSERT_EQ(from_csv.records.size(), 5u);
  EXPECT_EQ(comparable(from_xml), comparable(from_csv));
  const Record* review = from_xml.find("reviews", "700001|20/05/2024");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->field("DOB"), "04/03/2012") << "taken from the HEADER";
  EXPECT_EQ(review->location, "SSDA903_return.xml:37");
}

// The shape the DfE's 903 validator reads: reviews (AREVIEW) and missing periods (AMISSING)
// nested in HEADER beside its leaves, and UASC as a flag leaf of HEADER.
const char kDfeShapedXml[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>700001</CHILDID>
      <UPN>A123456789012</UPN>
      <SEX>2</SEX>
      <DOB>04/03/2012</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>0</UASC>
      <AREVIEW>
        <REVIEW>20/05/2024</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <AMISSING>
        <MISSING>M</MISSING>
        <MIS_START>02/07/2024</MIS_START>
        <MIS_END>03/07/2024</MIS_END>
      </AMISSING>
      <MOTHER/>
    </HEADER>
    <EPISODE>
      <DECOM>01/04/2024</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U1</PL>
      <PL_POST>EF3 4GH</PL_POST>
      <HOME_POST>AB1 2CD</HOME_POST>
      <URN>SC123456</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
      <DEC>15/06/2024</DEC>
      <REC>E11</REC>
    </EPISODE>
  </CHILD>
</EXPSSDA903>
)";

TEST_F(Ssda903ConnectorTest, ReviewsAndMissingPeriodsNestedInHeaderAreTheirOwnRecords) {
  write(directory_ / "return.xml", kDfeShapedXml);
  CollectingSink sink = harness_.readAfter("", configFor(directory_.string()));
  EXPECT_TRUE(sink.rejects.empty());
  EXPECT_EQ(sink.streamCounts("return.xml"),
            (Counts{{"episodes", 1}, {"header", 1}, {"missing", 1}, {"reviews", 1}}));
  const Record* review = sink.find("reviews", "700001|20/05/2024");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->field("REVIEW_CODE"), "PN1");
  EXPECT_EQ(review->field("DOB"), "04/03/2012") << "taken from the HEADER";
  const Record* missing = sink.find("missing", "700001|02/07/2024");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->field("MISSING"), "M");
  const Record* header = sink.find("header", "700001");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->field("UASC"), "0") << "a flag leaf, not a UASC table";
  for (const auto& [name, value] : header->fields) {
    EXPECT_NE(name, "REVIEW_CODE") << "nested rows stay out of the header";
    EXPECT_NE(name, "MIS_START") << "nested rows stay out of the header";
  }
}

// The DfE's own XML layout (the 903 validator's reader and its fake_903.xml): the care leaver
// (IN_TOUCH, ACTIV, ACCOM), UASC (DUC) and adoption (DATE_INT ... LS_ADOPTR) items stand
// directly in HEADER, with no OC3, UASC or AD1 element. Child 700003 wraps its OC3 instead, as
// returns written from the CSV layout do.
const char kDfeFlatXml[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>700001</CHILDID>
      <UPN>A123456789012</UPN>
      <SEX>1</SEX>
      <DOB>10/05/2005</DOB>
      <ETHNIC>AOTH</ETHNIC>
      <UASC>1</UASC>
      <DUC>10/05/2023</DUC>
      <IN_TOUCH>YES</IN_TOUCH>
      <ACTIV>F2</ACTIV>
      <ACCOM>D1</ACCOM>
      <AREVIEW>
        <REVIEW>20/05/2024</REVIEW>
        <REVIEW_CODE>PN1</REVIEW_CODE>
      </AREVIEW>
      <MOTHER/>
      <MC_DOB/>
    </HEADER>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>700002</CHILDID>
      <SEX>2</SEX>
      <DOB>30/04/2020</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC/>
      <DATE_INT>03/05/2024</DATE_INT>
      <DATE_MATCH>17/06/2024</DATE_MATCH>
      <FOSTER_CARE>0</FOSTER_CARE>
      <NB_ADOPTR>1</NB_ADOPTR>
      <SEX_ADOPTR>MM</SEX_ADOPTR>
      <LS_ADOPTR>L0</LS_ADOPTR>
    </HEADER>
    <EPISODE>
      <DECOM>01/04/2024</DECOM>
      <RNE>S</RNE>
      <LS>E1</LS>
      <CIN>N1</CIN>
      <PL>A4</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>700003</CHILDID>
      <SEX>1</SEX>
      <DOB>01/09/2006</DOB>
      <UASC>1</UASC>
    </HEADER>
    <OC3>
      <IN_TOUCH>NO</IN_TOUCH>
      <ACTIV>G4</ACTIV>
      <ACCOM>0</ACCOM>
    </OC3>
  </CHILD>
</EXPSSDA903>
)";

// The same children's OC3, UASC and AD1 rows as the CSV files hold them.
const char kOc3Csv[] =
    "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n700001,10/05/2005,YES,F2,D1\n700003,01/09/2006,NO,G4,0\n";
const char kUascCsv[] = "CHILD,SEX,DOB,DUC\n700001,1,10/05/2005,10/05/2023\n700003,1,01/09/2006,\n";
const char kAd1Csv[] =
    "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
    "700002,30/04/2020,03/05/2024,17/06/2024,0,1,MM,L0\n";

TEST_F(Ssda903ConnectorTest, TheDfeLayoutsHeaderItemsBecomeTheOc3UascAndAd1RowsTheCsvHolds) {
  const auto xml_directory = root_ / "2024" / "xml";
  write(xml_directory / "return.xml", kDfeFlatXml);
  const auto csv_directory = root_ / "2024" / "csv";
  write(csv_directory / "oc3.csv", kOc3Csv);
  write(csv_directory / "uasc.csv", kUascCsv);
  write(csv_directory / "ad1.csv", kAd1Csv);

  CollectingSink from_xml = harness_.readAfter("", configFor(xml_directory.string()));
  CollectingSink from_csv = harness_.readAfter("", configFor(csv_directory.string()));
  EXPECT_TRUE(from_xml.rejects.empty());
  EXPECT_EQ(
      from_xml.streamCounts(),
      (Counts{
          {"ad1", 1}, {"episodes", 1}, {"header", 3}, {"oc3", 2}, {"reviews", 1}, {"uasc", 2}}));

  const Record* care_leaver = from_xml.find("oc3", "700001");
  ASSERT_NE(care_leaver, nullptr);
  EXPECT_EQ(care_leaver->field("IN_TOUCH"), "YES");
  EXPECT_EQ(care_leaver->field("ACTIV"), "F2");
  EXPECT_EQ(care_leaver->field("ACCOM"), "D1");
  EXPECT_EQ(care_leaver->field("DOB"), "10/05/2005") << "taken from the HEADER";
  EXPECT_EQ(care_leaver->location, "return.xml:4") << "the HEADER the items stand in";
  const Record* uasc = from_xml.find("uasc", "700001");
  ASSERT_NE(uasc, nullptr);
  EXPECT_EQ(uasc->field("DUC"), "10/05/2023");
  EXPECT_EQ(uasc->field("SEX"), "1");
  const Record* flagged = from_xml.find("uasc", "700003");
  ASSERT_NE(flagged, nullptr) << "a UASC flag of 1 puts the child in the UASC table";
  EXPECT_EQ(flagged->field("DUC"), std::nullopt);
  const Record* adoption = from_xml.find("ad1", "700002");
  ASSERT_NE(adoption, nullptr);
  EXPECT_EQ(adoption->field("DATE_MATCH"), "17/06/2024");
  EXPECT_EQ(adoption->field("SEX_ADOPTR"), "MM");
  EXPECT_EQ(from_xml.find("oc3", "700003")->field("ACTIV"), "G4") << "the wrapped OC3 still reads";

  for (const char* child : {"700001", "700002"}) {
    const Record* header = from_xml.find("header", child);
    ASSERT_NE(header, nullptr);
    for (const auto& [name, value] : header->fields) {
      for (const char* item : {"IN_TOUCH", "ACTIV", "ACCOM", "DUC", "DATE_INT", "LS_ADOPTR"}) {
        EXPECT_NE(name, item) << "the header record keeps only the header's own items";
      }
    }
  }
  // Row for row what the CSV files give.
  CollectingSink tables;
  for (const Record& record : from_xml.records) {
    if (record.stream == "oc3" || record.stream == "uasc" || record.stream == "ad1") {
      tables.records.push_back(record);
    }
  }
  EXPECT_EQ(comparable(tables), comparable(from_csv));
}

TEST_F(Ssda903ConnectorTest, CsvFilesContinueFromTheCheckpointAndXmlIsReadAgainWholeWhenChanged) {
  write(directory_ / "episodes.csv", "CHILD,DECOM\n1,01/05/2024\n");
  write(directory_ / "return.xml", kReturnXml);
  const std::string config = configFor(directory_.string(), R"("collection_year": 2024)");
  CollectingSink first = harness_.readAfter("", config);
  EXPECT_EQ(first.records.size(), 6u);
  ASSERT_FALSE(first.checkpoints.empty());

  CollectingSink unchanged = harness_.readAfter(first.checkpoints.back(), config);
  EXPECT_TRUE(unchanged.records.empty());

  append(directory_ / "episodes.csv", "2,02/05/2024\n");
  std::string changed = kReturnXml;
  changed.replace(changed.find("PN1</REVIEW_CODE>"), 3, "PN2");
  write(directory_ / "return.xml.new", changed);
  std::filesystem::rename(directory_ / "return.xml.new", directory_ / "return.xml");
  CollectingSink second = harness_.readAfter(first.checkpoints.back(), config);
  EXPECT_EQ(second.streamCounts("episodes.csv"), (Counts{{"episodes", 1}}));
  EXPECT_EQ(second.streamCounts("return.xml"),
            (Counts{{"episodes", 2}, {"header", 1}, {"missing", 1}, {"reviews", 1}}))
      << "the changed XML return is read again whole";
  EXPECT_EQ(harness_.counters["files_reread"], 1);
}

TEST_F(Ssda903ConnectorTest, UnreadableInputBecomesRejectsAndTheRestCarriesOn) {
  write(directory_ / "episodes.csv",
        "CHILD,DECOM,RNE\n1,01/05/2024,S\n2,02/05/2024\n,03/05/2024,S\n4,04/05/2024,S\n");
  write(directory_ / "reviews.csv", "CHILD,REVIEW_CODE\n1,PN1\n");
  write(directory_ / "return.xml",
        "<EXPSSDA903>\n<CHILD><HEADER><CHILDID>9</CHILDID></HEADER>"
        "<EPISODE><RNE>S</RNE></EPISODE></CHILD>\n<CHILD><HEADER><CHILDID>10</CHILDID>"
        "</HEADER></CHILD>\n<CHILD><HEADER><CHILDID>11</CHILD>\n</EXPSSDA903>\n");
  // Line 4: the mismatched end tag's name starts at column 29, after
  // "<CHILD><HEADER><CHILDID>11</".
  CollectingSink sink = harness_.readAfter("", configFor(directory_.string()));
  std::vector<std::string> rejects;
  for (const auto& reject : sink.rejects) rejects.push_back(reject.reason + " " + reject.location);
  EXPECT_EQ(rejects, (std::vector<std::string>{
                         "csv.column_count episodes.csv:3", "csv.missing_key episodes.csv:4",
                         "csv.bad_header reviews.csv:1", "xml.missing_key return.xml:2",
                         "xml.malformed return.xml:4:29"}));
  EXPECT_EQ(sink.streamCounts("episodes.csv"), (Counts{{"episodes", 2}}));
  EXPECT_EQ(sink.streamCounts("return.xml"), (Counts{{"header", 2}}))
      << "the children before the malformed one are kept";
  EXPECT_EQ(harness_.counters["files_malformed"], 1);
}

TEST_F(Ssda903ConnectorTest, RefusesUnknownSettingsAndStreams) {
  auto instance = host::ConnectorInstance::create(
      harness_.plugin_, configFor(directory_.string(), R"("files": {"episode": "e.csv"})"), {});
  ASSERT_FALSE(instance.ok());
  EXPECT_NE(instance.error().message.find("files.episode is not a stream of the return"),
            std::string::npos)
      << instance.error().message;
}

}  // namespace
}  // namespace hearth::connectors::ssda903
