// Records per second through each layout, one core: 903 episodes through parse, code lists,
// single-record rules and normalisation; the education layouts and FHIR Patient resources likewise.
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise {
namespace {

using Rows = std::vector<std::vector<FieldView>>;

// Normalises `rows` round and round as one stream of `layout`, counting raw records.
void normaliseRows(benchmark::State& state, std::string layout, std::string_view stream,
                   std::string_view location, const Rows& rows, int collection_year = 0) {
  const Normaliser normaliser(NormaliseContext{
      .layout = std::move(layout),
      .connector = "bench",
      .source_system = "bench",
      .today = canonical::Date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}},
      .default_collection_year = collection_year});
  NormaliseOutput out;
  out.records.reserve(64);
  size_t i = 0;
  for (auto _ : state) {
    const auto& fields = rows[i++ % rows.size()];
    normaliser.normalise(
        RawRecordView{
            .stream = stream, .source_key = location, .location = location, .fields = fields},
        out);
    if (out.records.size() >= 64) out.clear();
    benchmark::DoNotOptimize(out.records.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Ssda903Episodes(benchmark::State& state) {
  // A realistic spread: open and closed episodes, short breaks, temporary placements.
  const Rows rows = {
      {{"CHILD", "566910"},
       {"DECOM", "15/02/2024"},
       {"RNE", "L"},
       {"LS", "C2"},
       {"CIN", "N3"},
       {"PLACE", "U3"},
       {"PLACE_PROVIDER", "PR1"},
       {"DEC", "14/08/2024"},
       {"REC", "X1"},
       {"REASON_PLACE_CHANGE", "CLOSE"},
       {"HOME_POST", "EG19 7TT"},
       {"PL_POST", "WV27 9FW"},
       {"URN", "SC424447"},
       {"collection_year", "2024"}},
      {{"CHILD", "566910"},
       {"DECOM", "14/08/2024"},
       {"RNE", "T"},
       {"LS", "C2"},
       {"CIN", "N3"},
       {"PLACE", "K2"},
       {"PLACE_PROVIDER", "PR4"},
       {"DEC", ""},
       {"REC", ""},
       {"REASON_PLACE_CHANGE", ""},
       {"HOME_POST", "EG19 7TT"},
       {"PL_POST", "B33 8TH"},
       {"URN", "SC896962"},
       {"collection_year", "2024"}},
      {{"CHILD", "384923"},
       {"DECOM", "26/04/2024"},
       {"RNE", "S"},
       {"LS", "V3"},
       {"CIN", "N1"},
       {"PLACE", "U1"},
       {"PLACE_PROVIDER", "PR2"},
       {"DEC", "29/04/2024"},
       {"REC", "E8"},
       {"REASON_PLACE_CHANGE", ""},
       {"HOME_POST", ""},
       {"PL_POST", ""},
       {"URN", "XXXXXXX"},
       {"collection_year", "2024"}},
      {{"CHILD", "709901"},
       {"DECOM", "01/06/2024"},
       {"RNE", "P"},
       {"LS", "J2"},
       {"CIN", "N8"},
       {"PLACE", "T4"},
       {"PLACE_PROVIDER", ""},
       {"DEC", "05/06/2024"},
       {"REC", "X1"},
       {"REASON_PLACE_CHANGE", "OTHER"},
       {"HOME_POST", "M1 1AE"},
       {"PL_POST", "SW1A 1AA"},
       {"URN", ""},
       {"collection_year", "2024"}},
  };
  normaliseRows(state, "ssda903", "episodes", "episodes.csv:2", rows);
}
BENCHMARK(BM_Ssda903Episodes);

void BM_SchoolCensusExclusions(benchmark::State& state) {
  normaliseRows(state, "school_census", "termly_exclusions_on_roll",
                "2025_spring_termlyexclusionsonroll.csv:2",
                {{{"pupilonrolltableid", "0002e817-8ca"},
                  {"NativeId", "SCH7"},
                  {"termlyexclusionsonrolltableid", "e8a25ee1"},
                  {"termlyexclusionsonrollorderseqcolumn", "1"},
                  {"sourceid", "f50bf7cf"},
                  {"startdate", "2025-Feb-14 00:00:00"},
                  {"sessions", "10.0"},
                  {"reason1", "DB"},
                  {"reason2", "PA"},
                  {"reason3", ""},
                  {"category", "PERM"},
                  {"senprovision", "E"}}});
}
BENCHMARK(BM_SchoolCensusExclusions);

void BM_SchoolCensusSessions(benchmark::State& state) {
  auto line = [](std::string_view sessions, std::string_view reason) {
    return std::vector<FieldView>{{"pupilonrolltableid", "0002e817-8ca"},
                                  {"NativeId", "SCH7"},
                                  {"termlysessiondetailsonrolltableid", "6d694e9f"},
                                  {"termlysessiondetailsonrollorderseqcolumn", "7"},
                                  {"sourceid", "f50bf7cf"},
                                  {"sessions", sessions},
                                  {"attendancereason", reason}};
  };
  normaliseRows(state, "school_census", "termly_session_details_on_roll",
                "2025_spring_termlysessiondetailsonroll.csv:2",
                {line("135.0", "#"), line("6.0", "I"), line("3.0", "O")});
}
BENCHMARK(BM_SchoolCensusSessions);

// A pupil on roll: the person and the pupil's enrolment in the return.
void BM_SchoolCensusPupilOnRoll(benchmark::State& state) {
  normaliseRows(state, "school_census", "pupil_on_roll", "2025_spring_pupilonroll.csv:2",
                {{{"pupilonrolltableid", "0002e817-8ca"},
                  {"NativeId", "SCH7"},
                  {"dob", "2015-Jul-26 00:00:00"},
                  {"surname", "Smith"},
                  {"forename", "Amy"},
                  {"formersurname", ""},
                  {"upn", "B801200005001"},
                  {"formerupn", ""},
                  {"uniquelearnernumber", ""},
                  {"sex", "F"},
                  {"ethnicity", "WBRI"},
                  {"entrydate", "2019-Sep-04 00:00:00"},
                  {"pupilonrollorderseqcolumn", "1"},
                  {"sourceid", "f50bf7cf"},
                  {"schoolcensustableid", "3fa2c1d0"},
                  {"ncyearactual", "5"},
                  {"senprovision", "N"}}});
}
BENCHMARK(BM_SchoolCensusPupilOnRoll);

void BM_SchoolCensusHeader(benchmark::State& state) {
  normaliseRows(state, "school_census", "school_census", "2025_spring_schoolcensus.csv:2",
                {{{"schoolcensustableid", "3fa2c1d0"},
                  {"NativeId", "SCH7"},
                  {"sourceid", "f50bf7cf"},
                  {"urn", "100015"},
                  {"lea", "941"},
                  {"estab", "2001"},
                  {"schoolname", "Willow Primary"},
                  {"phase", "PS"},
                  {"censusdate", "2025-Jan-16 00:00:00"},
                  {"termstartdate", "2024-Sep-01 00:00:00"},
                  {"termenddate", "2024-Dec-31 00:00:00"}}});
}
BENCHMARK(BM_SchoolCensusHeader);

void BM_CmeRegister(benchmark::State& state) {
  normaliseRows(state, "cme_register", "cme_register", "cme_register.csv:2",
                {{{"CME_Ref", "CME10001"},
                  {"Forename", "Amy"},
                  {"Surname", "Smith"},
                  {"DOB", "2012-03-04"},
                  {"Sex", "F"},
                  {"UPN", "B801200005001"},
                  {"Postcode", "NN1 1AA"},
                  {"Date_Reported", "2024-09-10"},
                  {"Date_Closed", "2024-11-02"},
                  {"Reason", "NOSCHOOL"}}});
}
BENCHMARK(BM_CmeRegister);

void BM_NccisActivity(benchmark::State& state) {
  normaliseRows(state, "nccis", "activity", "nccis_2025.csv:2",
                {{{"LACode", "941"},
                  {"SnapshotDate", "2025-01-31"},
                  {"YoungPersonsID", "YP500001"},
                  {"Forename", "Sam"},
                  {"Surname", "Jones"},
                  {"DOB", "2008-05-01"},
                  {"Gender", "M"},
                  {"Postcode", "NN1 1AA"},
                  {"UPN", "B801200005001"},
                  {"ULN", ""},
                  {"AcademicAge", "16"},
                  {"ActivityCode", "540"},
                  {"StartDate", "2024-11-01"},
                  {"SENDFlag", "N"},
                  {"CareLeaverFlag", "N"}}});
}
BENCHMARK(BM_NccisActivity);

void BM_Ks4Results(benchmark::State& state) {
  normaliseRows(state, "ks4_results", "pupil_results", "ks4_pupil_results.csv:2",
                {{{"URN", "100001"},
                  {"LAESTAB", "9414001"},
                  {"UPN", "B801200005001"},
                  {"SURNAME", "Jones"},
                  {"FORENAMES", "Sam"},
                  {"DOB", "2008-05-01"},
                  {"SEX", "M"},
                  {"ENG_GRADE", "5"},
                  {"MAT_GRADE", "NE"},
                  {"BASICS_94", "0"}}},
                2023);
}
BENCHMARK(BM_Ks4Results);

// The Synthea sample's Patient resources (US-shaped, about 3.4 KB each) through the fhir layout:
// the normalising half of the fhir connector's parse + normalise figure.
void BM_FhirPatients(benchmark::State& state) {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> read;
    std::ifstream in(std::string(HEARTH_FHIR_BULK_SAMPLES) + "/Patient.000.ndjson");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) read.push_back(line);
    }
    return read;
  }();
  if (lines.empty()) {
    state.SkipWithError("no Synthea Patient sample");
    return;
  }
  Rows rows;
  for (const std::string& line : lines) rows.push_back({{"resource", line}});
  normaliseRows(state, "fhir", "Patient", "Patient.000.ndjson:1", rows);
  int64_t bytes = 0;
  for (const std::string& line : lines) bytes += static_cast<int64_t>(line.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * bytes /
                          static_cast<int64_t>(lines.size()));
}
BENCHMARK(BM_FhirPatients);

// SEN2: the person module (identifiers checked) and the rows of a plan, each with its link.
void BM_Sen2Person(benchmark::State& state) {
  normaliseRows(state, "sen2", "person", "Blade-Export_13-02-2025_person.csv:2",
                {{{"persontableid", "66bde271-830"},
                  {"NativeId", "941"},
                  {"personorderseqcolumn", "1"},
                  {"sourceid", "63b5c134"},
                  {"sen2tableid", "07c7f83e"},
                  {"surname", "Jones"},
                  {"forename", "Noah"},
                  {"personbirthdate", "2013-Aug-05 00:00:00"},
                  {"sex", "M"},
                  {"ethnicity", "WOTH"},
                  {"postcode", "NN7 5RE"},
                  {"upn", "A928202414000"},
                  {"uniquelearnernumber", "1703148540"},
                  {"upnunknown", ""}}},
                2024);
}
BENCHMARK(BM_Sen2Person);

void BM_Sen2NamedPlan(benchmark::State& state) {
  normaliseRows(state, "sen2", "namedplan", "Blade-Export_13-02-2025_namedplan.csv:2",
                {{{"namedplantableid", "6da965ac-926"},
                  {"NativeId", "941"},
                  {"namedplanorderseqcolumn", "1"},
                  {"sourceid", "63b5c134"},
                  {"assessmenttableid", "98647394-c09"},
                  {"startdate", "2016-Jan-25 00:00:00"},
                  {"planres", ""},
                  {"planwbp", ""},
                  {"pb", "False"},
                  {"oa", ""},
                  {"dp", ""},
                  {"ceasedate", "2024-Jul-01 00:00:00"},
                  {"ceasereason", "3"}}},
                2024);
}
BENCHMARK(BM_Sen2NamedPlan);

void BM_Sen2PlacementDetail(benchmark::State& state) {
  normaliseRows(state, "sen2", "placementdetail", "Blade-Export_13-02-2025_placementdetail.csv:2",
                {{{"placementdetailtableid", "7a798467-c99"},
                  {"NativeId", "941"},
                  {"placementdetailorderseqcolumn", "1"},
                  {"sourceid", "63b5c134"},
                  {"activeplanstableid", "7f5384f0-58e"},
                  {"res", ""},
                  {"wbp", ""},
                  {"urn", "101151"},
                  {"ukprn", ""},
                  {"sensetting", ""},
                  {"sensettingother", ""},
                  {"placementrank", "1"},
                  {"entrydate", "2016-Jan-25 00:00:00"},
                  {"leavingdate", ""},
                  {"senunitindicator", "False"},
                  {"resourcedprovisionindicator", "False"}}},
                2024);
}
BENCHMARK(BM_Sen2PlacementDetail);

void BM_EarlyYearsCensus(benchmark::State& state) {
  normaliseRows(state, "early_years_census", "eycensus", "2025_spring_eycensus.csv:2",
                {{{"eypupiltableid", "266f7165-695"},
                  {"NativeId", "EY101864"},
                  {"urn", "EY101864"},
                  {"settingname", "Riverside Day Nursery 7"},
                  {"dob", "2022-Sep-08 00:00:00"},
                  {"surname", "Wilson"},
                  {"forename", "Lucas"},
                  {"middlenames", ""},
                  {"sex", "M"},
                  {"ethnicity", "WBRI"},
                  {"postcode", "NN4 7AE"},
                  {"uniquepropertyreferencenumber", "28000000315"},
                  {"fundedhours", "15.0"},
                  {"extendedhours", ""},
                  {"hoursatsetting", "15.0"},
                  {"fundingbasis", "ECO"},
                  {"eypp", "True"},
                  {"daf", "False"}}},
                2024);
}
BENCHMARK(BM_EarlyYearsCensus);

void BM_DwpTwoYearOlds(benchmark::State& state) {
  normaliseRows(state, "dwp_two_year_olds", "children", "dwp_two_year_olds_2025.csv:2",
                {{{"Child_Forename", "Lucas"},
                  {"Child_Surname", "Wilson"},
                  {"Child_DOB", "2022-09-08"},
                  {"Parent_Forename", "Willow"},
                  {"Parent_Surname", "Wilson"},
                  {"Address_Line1", "148 North Street"},
                  {"Postcode", "NN4 7AE"}}},
                2024);
}
BENCHMARK(BM_DwpTwoYearOlds);

}  // namespace
}  // namespace hearth::pipelines::normalise

BENCHMARK_MAIN();
