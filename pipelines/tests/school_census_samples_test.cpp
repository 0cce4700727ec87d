// The school census blade exports of a real census (../shared/data/school-census) through the
// normaliser as the csv connector hands them over: every pupil row becomes a canonical Person.
// The samples are pseudonymised: names are tokens such as FOR9344, and upn, formerupn and
// uniquelearnernumber hold hash fragments ("21db2df8-fa0"), never valid identifiers.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {
namespace {

using Counts = std::map<std::string, int>;

// The census directory sits beside the 903 samples in the shared data.
const std::string kSamples = std::string(HEARTH_SSDA903_SAMPLES) + "/../school-census";

// One CSV line with RFC 4180 quoting (the exports quote values such as "Sought, no reply");
// no value in the samples spans lines.
std::vector<std::string> splitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

struct FileResult {
  int rows = 0;
  std::set<std::string> subjects;
  Counts records;   // by kind
  Counts findings;  // by code
  NormaliseOutput output;
};

FileResult normaliseFile(const std::string& file, const std::string& stream,
                         const std::string& directory = kSamples) {
  std::ifstream in(directory + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::string line;
  std::getline(in, line);
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = splitCsvLine(line);

  const Normaliser normaliser(NormaliseContext{
      .layout = "school_census",
      .connector = "school_census",
      .source_system = "school_census",
      .today = canonical::Date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}},
      .default_collection_year = 2024});
  FileResult result;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++result.rows;
    const std::vector<std::string> cells = splitCsvLine(line);
    EXPECT_EQ(cells.size(), header.size()) << file << " row " << result.rows;
    std::vector<FieldView> fields;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) {
      fields.push_back({header[i], cells[i], false});
    }
    const std::string key = file + ":" + std::to_string(result.rows + 1);
    normaliser.normalise(
        RawRecordView{.stream = stream, .source_key = key, .location = key, .fields = fields},
        result.output);
  }
  for (const auto& record : result.output.records) {
    ++result.records[std::string(canonical::recordKind(record))];
    result.subjects.insert(canonical::subjectOf(record).value);
  }
  for (const auto& finding : result.output.findings) ++result.findings[finding.code];
  return result;
}

TEST(SchoolCensusSamples, EveryPupilOnRollLoadsAsAPerson) {
  const FileResult r = normaliseFile("2025_spring_pupilonroll.csv", "pupil_on_roll");
  EXPECT_EQ(r.rows, 9498);
  // senprovision: 995 N, 907 K and 929 E give their provision; 4,773 are blank; the 941 S, 480
  // A and 473 P of the codes before 2014 are queried and give none.
  // Each row is a person and the pupil's place in the return (whose school header module the
  // samples lack: the school is unknown where the place is read).
  EXPECT_EQ(r.records,
            (Counts{{"enrolment", 9498}, {"person", 9498}, {"sen_provision", 995 + 907 + 929}}));
  EXPECT_EQ(r.subjects.size(), 9498u) << "pupilonrolltableid is unique per row";
  // Every row has a hashed upn and formerupn (two UPN queries) and a hashed ULN.
  EXPECT_EQ(r.findings, (Counts{{"upn.check_letter", 2 * 9498},
                                {"uln.check_digit", 9498},
                                {"code.unknown", 941 + 480 + 473}}));

  const auto& first = std::get<canonical::Person>(r.output.records.front());
  EXPECT_EQ(first.subject.system, "school_census");
  EXPECT_EQ(first.subject.value, "0002e817-8ca");
  EXPECT_EQ(canonical::formatIsoDate(*first.birth_date), "2020-04-25");
  EXPECT_EQ(first.given_name, "FOR9344");
  EXPECT_EQ(first.family_name, "SUR6864");
  EXPECT_EQ(first.former_family_name, "FSUR3634");
  EXPECT_EQ(first.sex, canonical::Sex::kMale);
  EXPECT_EQ(first.ethnicity, "ANEP");
  EXPECT_TRUE(first.identifiers.empty());
  int with_birth_date = 0;
  for (const auto& record : r.output.records) {
    if (const auto* person = std::get_if<canonical::Person>(&record)) {
      with_birth_date += person->birth_date.has_value();
    } else if (const auto* place = std::get_if<canonical::Enrolment>(&record)) {
      EXPECT_EQ(canonical::formatIsoDate(*place->census), "2025-01-16");
      EXPECT_TRUE(place->on_roll);
    } else {
      EXPECT_EQ(canonical::formatIsoDate(*std::get<canonical::SenProvision>(record).census),
                "2025-01-16");
    }
  }
  EXPECT_EQ(with_birth_date, 9498) << "every blade dob parses";
  EXPECT_TRUE(r.output.unmapped.empty()) << "every column is mapped or ignored on purpose";
}

TEST(SchoolCensusSamples, EveryPupilNoLongerOnRollLoadsAsAPerson) {
  const FileResult r =
      normaliseFile("2025_spring_pupilnolongeronroll.csv", "2025_spring_pupilnolongeronroll");
  EXPECT_EQ(r.rows, 375);
  EXPECT_EQ(r.records, (Counts{{"enrolment", 375}, {"person", 375}}));
  // The sample repeats 21 row ids; each row still loads, under its own row id.
  EXPECT_EQ(r.subjects.size(), 354u);
  EXPECT_EQ(r.findings, (Counts{{"upn.check_letter", 2 * 375}, {"uln.check_digit", 375}}));
  EXPECT_TRUE(r.output.unmapped.empty()) << "every column is mapped or ignored on purpose";
}

const std::string kOffRollSamples = kSamples + "/../school-census-offroll";

Counts byCategory(const NormaliseOutput& output, double& sessions) {
  Counts counts;
  for (const auto& record : output.records) {
    const auto& x = std::get<canonical::Exclusion>(record);
    ++counts[x.category];
    sessions += x.sessions.value_or(0);
  }
  return counts;
}

TEST(SchoolCensusSamples, ExclusionsOnRollLoadWithExactCountsByCategory) {
  const FileResult r =
      normaliseFile("2025_spring_termlyexclusionsonroll.csv", "termly_exclusions_on_roll");
  EXPECT_EQ(r.rows, 10064);
  double sessions = 0;
  EXPECT_EQ(byCategory(r.output, sessions),
            (Counts{{"PERM", 4062}, {"FIXD", 4004}, {"LNCH", 1998}}));
  EXPECT_DOUBLE_EQ(sessions, 100640.0);
  EXPECT_TRUE(r.findings.empty());
  const auto& first = std::get<canonical::Exclusion>(r.output.records.front());
  EXPECT_EQ(first.subject.value, "0002e817-8ca");
  EXPECT_EQ(canonical::formatIsoDate(*first.start), "2025-02-14");
  EXPECT_EQ(first.reasons, (std::vector<std::string>{"DB", "PA"}));
  EXPECT_TRUE(first.on_roll);
  EXPECT_TRUE(r.output.unmapped.empty()) << "every column is mapped or ignored on purpose";
}

TEST(SchoolCensusSamples, ExclusionsOffRollLoadWithExactCountsByCategory) {
  const FileResult r = normaliseFile("2025_spring_termlyexclusionsoffroll.csv",
                                     "termly_exclusions_off_roll", kOffRollSamples);
  EXPECT_EQ(r.rows, 516);
  double sessions = 0;
  EXPECT_EQ(byCategory(r.output, sessions), (Counts{{"PERM", 183}, {"FIXD", 221}, {"LNCH", 112}}));
  EXPECT_DOUBLE_EQ(sessions, 5160.0);
  EXPECT_FALSE(std::get<canonical::Exclusion>(r.output.records.front()).on_roll);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.output.unmapped.empty());
}

// Sessions per census: "#" lines hold the possible sessions. A line without a number of
// sessions says nothing and is rejected, visibly.
struct SessionTotals {
  double possible = 0;
  double missed = 0;
};

SessionTotals totals(const NormaliseOutput& output, const std::string& census) {
  SessionTotals t;
  for (const auto& record : output.records) {
    const auto& a = std::get<canonical::Attendance>(record);
    EXPECT_EQ(canonical::formatIsoDate(*a.census), census);
    (a.reason == "#" ? t.possible : t.missed) += *a.sessions;
  }
  return t;
}

TEST(SchoolCensusSamples, SessionDetailsOnRollLoadWithExactSessionCounts) {
  const FileResult r =
      normaliseFile("2025_spring_termlysessiondetailsonroll.csv", "termly_session_details_on_roll");
  EXPECT_EQ(r.rows, 41251);
  EXPECT_EQ(r.records, (Counts{{"attendance", 41251 - 404}}));
  EXPECT_EQ(r.findings, (Counts{{"field.missing", 404}}));
  // The spring 2025 census: the third Thursday of January.
  const SessionTotals t = totals(r.output, "2025-01-16");
  EXPECT_DOUBLE_EQ(t.possible, 63493.0);
  EXPECT_DOUBLE_EQ(t.possible + t.missed, 5310375.0);
  EXPECT_TRUE(r.output.unmapped.empty());
}

TEST(SchoolCensusSamples, SessionDetailsOffRollLoadWithExactSessionCounts) {
  const FileResult r = normaliseFile("2025_spring_termlysessiondetailsoffroll.csv",
                                     "termly_session_details_off_roll", kOffRollSamples);
  EXPECT_EQ(r.rows, 1684);
  EXPECT_EQ(r.records, (Counts{{"attendance", 1684 - 18}}));
  EXPECT_EQ(r.findings, (Counts{{"field.missing", 18}}));
  const SessionTotals t = totals(r.output, "2025-01-16");
  EXPECT_DOUBLE_EQ(t.possible, 3533.0);
  EXPECT_DOUBLE_EQ(t.possible + t.missed, 216427.0);
  EXPECT_FALSE(std::get<canonical::Attendance>(r.output.records.front()).on_roll);
}

TEST(SchoolCensusSamples, OtherModulesProduceNothing) {
  for (const auto& [file, stream] : {std::pair{"2025_spring_senneeds.csv", "senneeds"},
                                     std::pair{"2025_spring_fsmperiod.csv", "fsmperiod"}}) {
    const FileResult r = normaliseFile(file, stream);
    EXPECT_GT(r.rows, 0) << file;
    EXPECT_TRUE(r.output.records.empty()) << file;
    EXPECT_TRUE(r.output.findings.empty()) << file;
  }
}

}  // namespace
}  // namespace hearth::pipelines::normalise
