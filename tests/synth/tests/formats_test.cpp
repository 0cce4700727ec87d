#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/synth/generator.hpp"
#include "tests/synth/identifiers.hpp"

namespace hearth::synth {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = HEARTH_SHARED_DATA;

std::string firstLine(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM in one sample
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Element paths ("Message/Children/Child/ChildIdentifiers/UPN") of an XML document.
std::set<std::string> elementPaths(const std::string& xml) {
  std::set<std::string> paths;
  std::vector<std::string> stack;
  for (size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    if (xml[i + 1] == '?' || xml[i + 1] == '!') continue;
    const bool closing = xml[i + 1] == '/';
    const size_t start = i + (closing ? 2 : 1);
    const size_t end = xml.find_first_of(" />", start);
    const std::string name = xml.substr(start, end - start);
    if (closing) {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    std::string path;
    for (const std::string& s : stack) path += s + "/";
    paths.insert(path + name);
    const size_t close = xml.find('>', i);
    if (xml[close - 1] != '/') stack.push_back(name);
  }
  return paths;
}

/// Field names per table from the SSD YAML: "- name: <table>" then "  - name: <field>" lines.
std::vector<std::string> ssdFields(const fs::path& yml) {
  std::ifstream in(yml);
  std::vector<std::string> fields;
  std::string line;
  bool in_fields = false;
  while (std::getline(in, line)) {
    if (line.rfind("  fields:", 0) == 0) in_fields = true;
    if (in_fields && line.rfind("  - name: ", 0) == 0) fields.push_back(line.substr(10));
  }
  return fields;
}

/// Rows of a CSV file without quoted fields, as column -> value.
std::vector<std::map<std::string, std::string>> csvRows(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream names(line);
  for (std::string name; std::getline(names, name, ',');) header.push_back(name);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    auto& row = rows.emplace_back();
    std::string cell;
    for (size_t i = 0; i < header.size() && std::getline(cells, cell, ','); ++i) {
      row[header[i]] = cell;
    }
  }
  return rows;
}

/// The distinct values of one column of a CSV file without quoted fields.
std::set<std::string> columnValues(const fs::path& path, const std::string& column) {
  std::set<std::string> values;
  for (const auto& row : csvRows(path)) {
    if (const auto it = row.find(column); it != row.end()) values.insert(it->second);
  }
  return values;
}

/// The distinct texts of every <name>...</name> element in an XML document.
std::set<std::string> elementTexts(const std::string& xml, const std::string& name) {
  std::set<std::string> values;
  const std::string open = "<" + name + ">";
  for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at + 1)) {
    const size_t start = at + open.size();
    values.insert(xml.substr(start, xml.find('<', start) - start));
  }
  return values;
}

class Formats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = fs::temp_directory_path() / ("hearth_synth_formats_" + std::to_string(getpid()));
    fs::remove_all(out_);
    Options options;
    options.seed = 31;
    options.scale = 0.01;
    generateCouncil(options, MessRates{}, out_);
  }
  static void TearDownTestSuite() { fs::remove_all(out_); }
  static fs::path out_;
};
fs::path Formats::out_;

TEST_F(Formats, Ssda903CsvHeadersEqualTheSamples) {
  for (const char* name :
       {"header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1", "placed_for_adoption",
        "previous_permanence", "missing", "sw_episodes", "DoLo"}) {
    const std::string file = std::string(name) + ".csv";
    EXPECT_EQ(firstLine(out_ / "ssda903/2025" / file), firstLine(kShared / "ssda903" / file))
        << file;
  }
}

// The 903 recorded sex as 1/2 up to 2023/24; from 2024/25 (the year ending March 2025) its code
// list is M/F/U.
TEST_F(Formats, Ssda903SexUsesEachCollectionYearsCodeList) {
  const std::set<std::string> numeric = {"1", "2"};
  const std::set<std::string> letters = {"F", "M"};
  for (int year = 2021; year <= 2025; ++year) {
    const fs::path dir = out_ / "ssda903" / std::to_string(year);
    const std::set<std::string>& expected = year >= 2025 ? letters : numeric;
    EXPECT_EQ(columnValues(dir / "header.csv", "SEX"), expected) << year;
    EXPECT_EQ(elementTexts(slurp(dir / "ssda903.xml"), "SEX"), expected) << year;
    for (const std::string& sex : columnValues(dir / "uasc.csv", "SEX")) {
      EXPECT_TRUE(expected.contains(sex)) << year << ": " << sex;
    }
  }
}

// 2024/25 replaced semi-independent (H5) and independent living (P2) by supported accommodation
// (K3); short breaks carry no postcodes (rule 398) in every year.
TEST(Ssda903Episodes, UseTheirYearsPlacementCodes) {
  // The demo's council: large enough to hold placements of every kind.
  const fs::path out = fs::temp_directory_path() / ("hearth_synth_903_" + std::to_string(getpid()));
  Options options;
  options.seed = 2025;
  options.scale = 0.05;
  generateCouncil(options, MessRates{}.scaled(0), out);
  size_t rows = 0, supported = 0;
  for (int year = 2021; year <= 2025; ++year) {
    for (const auto& row : csvRows(out / "ssda903" / std::to_string(year) / "episodes.csv")) {
      ++rows;
      const std::string& place = row.at("PLACE");
      if (year >= 2025) {
        EXPECT_TRUE(place != "H5" && place != "P2") << year << ": " << place;
      }
      if (place == "K3") {
        ++supported;
        EXPECT_NE(row.at("PLACE_PROVIDER"), "PR0");
      }
      if (row.at("LS") == "V3" || row.at("LS") == "V4") {
        EXPECT_EQ(row.at("HOME_POST") + row.at("PL_POST"), "") << year;
      }
    }
  }
  EXPECT_GT(rows, 200u);
  EXPECT_GT(supported, 0u);
  fs::remove_all(out);
}

// GenderCurrent (1/2/0/9) gave way to Sex (M/F/U) in the 2024 census.
TEST_F(Formats, CinCensusSexUsesEachYearsCodeList) {
  for (int year = 2021; year <= 2025; ++year) {
    const std::string xml =
        slurp(out_ / ("cin-census/cin_census_" + std::to_string(year) + ".xml"));
    if (year >= 2024) {
      EXPECT_EQ(elementTexts(xml, "Sex"), (std::set<std::string>{"F", "M"})) << year;
      EXPECT_TRUE(elementTexts(xml, "GenderCurrent").empty()) << year;
    } else {
      EXPECT_EQ(elementTexts(xml, "GenderCurrent"), (std::set<std::string>{"1", "2"})) << year;
      EXPECT_TRUE(elementTexts(xml, "Sex").empty()) << year;
    }
  }
}

TEST_F(Formats, SchoolCensusBladeHeadersEqualTheSamples) {
  for (const char* module : {"pupilonroll", "pupilnolongeronroll", "senneeds",
                             "termlyexclusionsonroll", "termlysessiondetailsonroll", "fsmperiod"}) {
    const std::string file = std::string("2025_spring_") + module + ".csv";
    EXPECT_EQ(firstLine(out_ / "school-census" / file), firstLine(kShared / "school-census" / file))
        << file;
  }
  for (const char* module : {"termlyexclusionsoffroll", "termlysessiondetailsoffroll"}) {
    const std::string file = std::string("2025_spring_") + module + ".csv";
    EXPECT_EQ(firstLine(out_ / "school-census" / file),
              firstLine(kShared / "school-census-offroll" / file))
        << file;
  }
}

TEST_F(Formats, CinCensusUsesOnlyElementsOfTheSampleStructure) {
  std::set<std::string> known;
  for (const char* sample :
       {"CIN_Census_2021.xml", "CIN_Census_2024.xml", "fake_CIN_data.xml", "BAR_cin_2022.xml"}) {
    const auto paths = elementPaths(slurp(kShared / "cin-census" / sample));
    known.insert(paths.begin(), paths.end());
  }
  for (int year : {2021, 2024, 2025}) {
    const auto ours =
        elementPaths(slurp(out_ / ("cin-census/cin_census_" + std::to_string(year) + ".xml")));
    EXPECT_TRUE(ours.count("Message/Children/Child/CINdetails/CINreferralDate"));
    for (const std::string& path : ours) EXPECT_TRUE(known.count(path)) << year << ": " << path;
  }
}

TEST_F(Formats, Ssda903XmlCarriesTheEpisodeColumns) {
  const auto paths = elementPaths(slurp(out_ / "ssda903/2025/ssda903.xml"));
  EXPECT_TRUE(paths.count("EXPSSDA903/CHILD/HEADER/CHILDID"));
  // The XML spells PLACE as PL; every other episode column keeps its CSV name.
  std::string header = firstLine(kShared / "ssda903/episodes.csv");
  std::stringstream columns(header);
  std::string column;
  std::getline(columns, column, ',');  // CHILD lives in the header
  while (std::getline(columns, column, ',')) {
    const std::string tag = column == "PLACE" ? "PL" : column;
    EXPECT_TRUE(paths.count("EXPSSDA903/CHILD/EPISODE/" + tag)) << tag;
  }
}

TEST_F(Formats, SsdTablesHaveTheDataModelsColumns) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((out_ / "ssd/ssd.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* tables = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", -1,
                     &tables, nullptr);
  int checked = 0;
  while (sqlite3_step(tables) == SQLITE_ROW) {
    const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
    std::vector<std::string> columns;
    sqlite3_stmt* info = nullptr;
    sqlite3_prepare_v2(db, ("PRAGMA table_info(" + table + ")").c_str(), -1, &info, nullptr);
    while (sqlite3_step(info) == SQLITE_ROW)
      columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info, 1)));
    sqlite3_finalize(info);
    EXPECT_EQ(columns, ssdFields(kShared / "ssd-data-model" / (table + ".yml"))) << table;
    ++checked;
  }
  sqlite3_finalize(tables);
  sqlite3_close(db);
  EXPECT_GE(checked, 20);
  const std::string sql = slurp(out_ / "ssd/ssd_postgres.sql");
  EXPECT_NE(sql.find("COPY ssd_person (pers_person_id,"), std::string::npos);
}

// The SSD model defines pers_common_child_id as the NHS number (PERS013A): the person's NHS number
// as the case system holds it, the same value as its "NHS Number" linked identifier.
TEST_F(Formats, SsdCommonChildIdIsTheNhsNumber) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((out_ / "ssd/ssd.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* rows = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT p.pers_common_child_id, l.link_identifier_value "
                               "FROM ssd_person p LEFT JOIN ssd_linked_identifiers l "
                               "ON l.link_person_id = p.pers_person_id "
                               "AND l.link_identifier_type = 'NHS Number'",
                               -1, &rows, nullptr),
            SQLITE_OK);
  size_t persons = 0, with_number = 0, valid = 0;
  while (sqlite3_step(rows) == SQLITE_ROW) {
    ++persons;
    const auto* common = sqlite3_column_text(rows, 0);
    const auto* linked = sqlite3_column_text(rows, 1);
    ASSERT_EQ(common == nullptr, linked == nullptr);
    if (common == nullptr) continue;
    ++with_number;
    const std::string number = reinterpret_cast<const char*>(common);
    EXPECT_EQ(number, reinterpret_cast<const char*>(linked));
    EXPECT_EQ(number.size(), 10u) << number;
    if (isValidNhsNumber(number)) ++valid;
  }
  sqlite3_finalize(rows);
  sqlite3_close(db);
  ASSERT_GT(persons, 100u);
  // About 3% of records lack the number and 0.4% carry a mistyped one.
  EXPECT_GT(with_number, persons * 9 / 10);
  EXPECT_GT(valid, with_number * 98 / 100);
}

// Coded SSD columns follow the model's definitions.
TEST_F(Formats, SsdCodedColumnsFollowTheModel) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((out_ / "ssd/ssd.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto count = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
    const int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return n;
  };
  const int64_t persons = count("SELECT COUNT(*) FROM ssd_person");
  ASSERT_GT(persons, 100);
  // PERS008A: Y for a person with an EHC plan.
  EXPECT_GT(count("SELECT COUNT(*) FROM ssd_person WHERE pers_send_flag = 'Y'"), 0);
  // PERS012A: country of origin, for unaccompanied asylum-seeking children only.
  EXPECT_LT(count("SELECT COUNT(*) FROM ssd_person WHERE pers_nationality IS NOT NULL"),
            persons / 20);
  // CLAP011A: 999.9 when a postcode is not known, never blank.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM ssd_cla_placement WHERE clap_cla_placement_distance IS NULL"), 0);
  // CLEA003A's code set.
  EXPECT_EQ(count("SELECT COUNT(*) FROM ssd_care_leavers WHERE clea_care_leaver_eligibility NOT IN "
                  "('Relevant', 'Former Relevant', 'Eligible', 'Qualifying', "
                  "'No Current Eligibility')"),
            0);
  sqlite3_close(db);
}

TEST_F(Formats, FhirPatientUsesTheUkCoreNhsNumberIdentifier) {
  const std::string sample = slurp(kShared / "fhir-ukcore/UKCore-Patient-RichardSmith-Example.xml");
  for (const char* needle :
       {"https://fhir.nhs.uk/Id/nhs-number",
        "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus",
        "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"}) {
    ASSERT_NE(sample.find(needle), std::string::npos) << needle;
    EXPECT_NE(slurp(out_ / "fhir/Patient.ndjson").find(needle), std::string::npos) << needle;
  }
}

TEST_F(Formats, PostcodeLookupHasOnsColumnNames) {
  const std::string header = firstLine(out_ / "reference/postcode_lookup.csv");
  for (const char* column : {"pcds", "oseast1m", "osnrth1m", "lsoa21", "laua"})
    EXPECT_NE(header.find(column), std::string::npos) << column;
}

}  // namespace
}  // namespace hearth::synth
