#include <map>
#include <string>

#include "tests/synth/writers.hpp"

namespace hearth::synth {

void writeAdultSocialCare(SourceContext& ctx) {
  const World& w = ctx.world();
  std::map<uint32_t, RecordedPerson> clients;
  auto client = [&](uint32_t person) -> const RecordedPerson& {
    auto it = clients.find(person);
    if (it == clients.end()) {
      const std::string id = "ASC" + std::to_string(700000 + clients.size() * 5 + person % 5);
      it = clients
               .emplace(person,
                        ctx.record(person, id, "asc/client", w.timeline.extract_day, false, true))
               .first;
    }
    return it->second;
  };
  const int last = w.timeline.year_end;
  for (int year = last - 4; year <= last; ++year) {
    const Day from = dayFromCivil(year - 1, 4, 1);
    const Day to = dayFromCivil(year, 3, 31);
    const std::string name = "asc/cld_" + std::to_string(year) + ".csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    CsvWriter csv(file, {"LA_Code",
                         "Reporting_Period_Start_Date",
                         "Reporting_Period_End_Date",
                         "LA_Person_Unique_Identifier",
                         "NHS_Number",
                         "Gender",
                         "Ethnicity",
                         "Date_of_Birth",
                         "Date_of_Death",
                         "Client_Postcode",
                         "Client_Type",
                         "Primary_Support_Reason",
                         "Event_Type",
                         "Event_Reference",
                         "Event_Start_Date",
                         "Event_End_Date",
                         "Event_Description",
                         "Event_Outcome",
                         "Service_Type",
                         "Service_Component",
                         "Delivery_Mechanism"});
    for (const AscEvent& e : w.asc_events) {
      if (!openDuring(e.start, e.end, from, to)) continue;
      const RecordedPerson& r = client(e.person);
      const Person& p = w.people[e.person];
      const std::string ref = "EV" + std::to_string(e.id);
      const std::string type = ctx.code(e.type, "Assesment", name, ref, "Event_Type");
      csv << w.la_code << isoDate(from) << isoDate(to) << r.local_id << r.nhs_number
          << (p.sex == Sex::kMale ? "Male" : "Female") << p.ethnicity << isoDate(r.dob) << ""
          << w.postcodes[w.addresses[r.address].postcode].code << "Service User" << e.support_reason
          << type << ref << isoDate(e.start)
          << (e.end == kNoDay || e.end > to ? "" : isoDate(e.end)) << e.description << e.outcome
          << e.service_type << (e.type == "Service" ? e.description : "")
          << (e.type == "Service"
                  ? (e.id % 4 == 0 ? "Direct Payment" : "CASSR Managed Personal Budget")
                  : "");
      csv.end();
      ctx.truth(name, ref, e.person);
    }
  }
  {
    const std::string name = "asc/ascs_survey_" + std::to_string(last) + ".csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    // Column names as the survey's own returns spell them (../shared/data/asc-survey).
    CsvWriter csv(file, {"LaCode", "PrimaryKey", "LA_Person_Unique_Identifier", "Survey_Year",
                         "q7a", "q7b", "Stratum"});
    auto answer = [](int a) { return a == 0 ? std::string() : std::to_string(a); };
    int serial = 0;
    for (const AscSurveyResponse& s : w.asc_survey) {
      const RecordedPerson& r = client(s.person);
      csv << std::to_string(w.la_number)
          << std::to_string(w.la_number) + "_" + std::to_string(serial++) << r.local_id
          << std::to_string(last - 1) + "-" + std::to_string(last % 100) << answer(s.q7a)
          << answer(s.q7b) << s.stratum;
      csv.end();
      ctx.truth(name, r.local_id, s.person);
    }
  }
}

}  // namespace hearth::synth
