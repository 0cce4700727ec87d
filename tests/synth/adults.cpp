#include "tests/synth/adults.hpp"

#include <cstdio>
#include <string>

namespace hearth::synth {
namespace {

enum Service : uint8_t { kHousing = 1, kAdultSocialCare = 2, kHealth = 4 };

struct AdultFacts {
  uint8_t services = 0;
  bool long_term_support = false;
  bool owed_homelessness_duty = false;
  bool temporary_accommodation = false;
  bool sleeping_rough = false;
  bool care_leaver = false;
};

}  // namespace

void writeAdults(const World& w, const std::filesystem::path& root, std::vector<FileStat>& stats) {
  const Day day = w.timeline.period_end;
  std::vector<AdultFacts> facts(w.people.size());
  for (const HomelessCase& c : w.homeless_cases) {
    auto open = [day](Day start, Day end) { return start != kNoDay && openOn(start, end, day); };
    const bool owed =
        open(c.prevention_start, c.prevention_end) || open(c.relief_start, c.relief_end);
    for (uint32_t m : c.members) {
      facts[m].services |= kHousing;
      facts[m].owed_homelessness_duty = facts[m].owed_homelessness_duty || owed;
    }
  }
  for (const TemporaryAccommodation& t : w.temporary_accommodation) {
    if (!openOn(t.start, t.end, day)) continue;
    for (uint32_t m : w.homeless_cases[t.case_id - 1].members)
      facts[m].temporary_accommodation = true;
  }
  for (const RoughSleeping& r : w.rough_sleeping) {
    facts[r.person].services |= kHousing;
    // Seen sleeping rough in the 90 days up to the day.
    if (r.recorded <= day && r.recorded > day - 90) facts[r.person].sleeping_rough = true;
  }
  for (const AscEvent& e : w.asc_events) {
    facts[e.person].services |= kAdultSocialCare;
    if (e.type == "Service" && e.service_type.rfind("Long Term", 0) == 0 && e.start <= day &&
        (e.end == kNoDay || e.end >= day))
      facts[e.person].long_term_support = true;
  }
  for (const Admission& a : w.admissions) facts[a.person].services |= kHealth;
  for (const CareLeaver& c : w.care_leavers)
    facts[c.person].care_leaver = ageOn(w.people[c.person].dob, day) < 26;

  OutputFile file(root, "truth/adults.csv", stats);
  CsvWriter csv(file,
                {"person_id", "age", "services", "long_term_support", "owed_homelessness_duty",
                 "temporary_accommodation", "sleeping_rough", "care_leaver"});
  auto yes = [](bool b) { return b ? "1" : "0"; };
  char id[16];
  for (uint32_t p = 0; p < w.people.size(); ++p) {
    const AdultFacts& f = facts[p];
    const int age = ageOn(w.people[p].dob, day);
    if (f.services == 0 || age < 18) continue;
    std::string services;
    for (const auto& [bit, name] :
         {std::pair{kHousing, "housing"}, std::pair{kAdultSocialCare, "adult_social_care"},
          std::pair{kHealth, "health"}}) {
      if ((f.services & bit) == 0) continue;
      if (!services.empty()) services += ';';
      services += name;
    }
    std::snprintf(id, sizeof id, "P%07u", p);
    csv << id << age << services << yes(f.long_term_support) << yes(f.owed_homelessness_duty)
        << yes(f.temporary_accommodation) << yes(f.sleeping_rough) << yes(f.care_leaver);
    csv.end();
  }
}

}  // namespace hearth::synth
