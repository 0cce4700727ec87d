#include "tests/synth/community.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace hearth::synth {
namespace {

// ---- health ---------------------------------------------------------------------------------

/// Emergency admissions per person-year by age band.
double emergencyRate(int age) {
  if (age < 5) return 0.12;
  if (age < 18) return 0.035;
  if (age < 45) return 0.05;
  if (age < 65) return 0.075;
  if (age < 80) return 0.16;
  return 0.34;
}

/// Admissions whose diagnoses reach the council in SNOMED CT only (no ICD-10 coding added).
constexpr double kShareWithoutIcd10 = 0.04;

const std::vector<std::string> kFallInjuries = {"S72.0", "S72.1", "S06.0", "S52.5", "S42.2",
                                                "S32.1", "S22.3", "T14.0", "S01.8", "S82.6"};
const std::vector<std::string> kFallCauses = {"W19.X", "W01.X", "W10.X", "W06.X", "W18.X", "W05.X"};
const std::vector<std::string> kMedical = {"J18.9", "N39.0", "R07.4", "I50.9", "J44.1", "K80.2",
                                           "R10.4", "A09.9", "E86.X", "L03.1", "I21.9", "J22.X",
                                           "R55.X", "I48.9", "K92.2", "G40.9", "F10.0", "O47.0"};
const std::vector<std::string> kChildhood = {"J21.9", "J06.9", "R50.9", "A08.4",
                                             "J45.9", "R11.X", "S09.9", "T78.4"};

}  // namespace

void simulateHealth(World& w, Rng& rng) {
  const Timeline& t = w.timeline;
  const Day from = addYears(t.period_start, -1);
  const Day to = t.period_end;
  const double years = (to - from + 1) / 365.25;
  for (uint32_t p = 0; p < w.people.size(); ++p) {
    const Person& person = w.people[p];
    const int age = ageOn(person.dob, to);
    if (age < 0) continue;
    const double expected = emergencyRate(age) * years;
    // Admissions cluster in frail people: a person's propensity is drawn once.
    const double propensity = rng.exponential(1.0);
    const double lambda = expected * propensity;
    int n = 0;
    for (double acc = rng.exponential(1.0); acc < lambda && n < 12; acc += rng.exponential(1.0))
      ++n;
    for (int i = 0; i < n; ++i) {
      Admission a;
      a.person = p;
      a.admitted = static_cast<Day>(rng.range(std::max(from, person.dob), to));
      const int age_then = ageOn(person.dob, a.admitted);
      const bool elective = rng.chance(0.12);
      if (elective) {
        a.method = std::to_string(11 + rng.below(3));
        a.diagnoses.push_back(rng.pick(kMedical));
      } else {
        static const std::vector<std::string> kMethods = {"21", "22", "23", "24", "25",
                                                          "28", "2A", "2B", "2D"};
        static const std::vector<double> kWeights = {70, 12, 3, 3, 2, 2, 5, 2, 1};
        a.method = kMethods[rng.weighted(kWeights)];
        const double fall_share = age_then >= 80   ? 0.16
                                  : age_then >= 65 ? 0.09
                                  : age_then < 5   ? 0.03
                                                   : 0.025;
        if (rng.chance(fall_share)) {
          a.diagnoses.push_back(rng.pick(kFallInjuries));
          a.diagnoses.push_back(rng.pick(kFallCauses));
        } else {
          a.diagnoses.push_back(age_then < 18 ? rng.pick(kChildhood) : rng.pick(kMedical));
          if (rng.chance(0.3)) a.diagnoses.push_back(rng.pick(kMedical));
        }
      }
      a.cls = "IMP";
      a.discharged = a.admitted + static_cast<Day>(rng.exponential(age_then >= 65 ? 8 : 3));
      w.admissions.push_back(std::move(a));
    }
  }
  std::stable_sort(w.admissions.begin(), w.admissions.end(),
                   [](const Admission& a, const Admission& b) { return a.admitted < b.admitted; });
  for (uint32_t i = 0; i < w.admissions.size(); ++i) w.admissions[i].id = i + 1;
  // Drawn after everything else, so the admissions themselves do not depend on it.
  for (Admission& a : w.admissions) a.icd10_coded = !rng.chance(kShareWithoutIcd10);
}

// ---- housing --------------------------------------------------------------------------------

namespace {

class HousingSimulator {
 public:
  HousingSimulator(World& w, Rng& rng) : w_(w), rng_(rng), t_(w.timeline) {
    members_.resize(w.households.size());
    for (uint32_t p = 0; p < w.people.size(); ++p) members_[w.people[p].household].push_back(p);
    for (const CareLeaver& c : w.care_leavers) care_leavers_.push_back(c.person);
  }

  void run() {
    // The last year is placed exactly; the four before it at a similar rate.
    const int last = static_cast<int>(std::llround(kHomelessDutyCases * w_.options.scale));
    for (int placed = 0, guard = 0; placed < last && guard < last * 20; ++guard)
      placed += addCase(t_.period_start, t_.period_end) ? 1 : 0;
    for (int i = 0; i < last * 4; ++i) addCase(t_.history_start, t_.period_start - 1);
    std::stable_sort(
        w_.homeless_cases.begin(), w_.homeless_cases.end(),
        [](const HomelessCase& a, const HomelessCase& b) { return a.approach < b.approach; });
    std::vector<uint32_t> new_id(w_.homeless_cases.size() + 1, 0);
    for (uint32_t i = 0; i < w_.homeless_cases.size(); ++i) {
      new_id[w_.homeless_cases[i].id] = i + 1;
      w_.homeless_cases[i].id = i + 1;
    }
    for (TemporaryAccommodation& ta : w_.temporary_accommodation) ta.case_id = new_id[ta.case_id];
    std::stable_sort(w_.temporary_accommodation.begin(), w_.temporary_accommodation.end(),
                     [](const TemporaryAccommodation& a, const TemporaryAccommodation& b) {
                       return a.start < b.start;
                     });
    for (uint32_t i = 0; i < w_.temporary_accommodation.size(); ++i)
      w_.temporary_accommodation[i].id = i + 1;
    roughSleeping();
  }

 private:
  uint32_t adultOf(uint32_t household) const {
    for (uint32_t p : members_[household])
      if (ageOn(w_.people[p].dob, t_.period_end) >= 18) return p;
    return kNone;
  }

  /// A household to apply: a family (often one known to children's services), a single adult,
  /// or a care leaver.
  bool chooseHousehold(uint32_t& household, uint32_t& applicant, bool& family) {
    const double u = rng_.uniform();
    if (u < 0.04 && !care_leavers_.empty()) {
      applicant = rng_.pick(care_leavers_);
      household = w_.people[applicant].household;
      family = false;
      return true;
    }
    for (int attempt = 0; attempt < 200; ++attempt) {
      const uint32_t h = static_cast<uint32_t>(rng_.below(w_.households.size()));
      const Household& hh = w_.households[h];
      const uint32_t adult = adultOf(h);
      if (adult == kNone) continue;
      const bool has_children =
          members_[h].size() > 2 || w_.people[members_[h].back()].mother != kNone;
      const double accept = has_children ? (hh.risk == 2   ? 0.9
                                            : hh.risk == 1 ? 0.3
                                                           : 0.03)
                                         : (hh.low_income ? 0.25 : 0.02);
      if (!rng_.chance(accept)) continue;
      household = h;
      applicant = adult;
      family = has_children;
      return true;
    }
    return false;
  }

  bool addCase(Day from, Day to) {
    uint32_t household = 0, applicant = 0;
    bool family = false;
    if (!chooseHousehold(household, applicant, family)) return false;
    static const std::vector<std::string> kReasons = {
        "End of private rented tenancy - assured shorthold",
        "Family or friends no longer willing or able to accommodate",
        "Domestic abuse",
        "Non-violent relationship breakdown with partner",
        "Eviction from supported housing",
        "Left institution with no accommodation available",
        "Other"};
    static const std::vector<double> kReasonWeights = {27, 25, 14, 9, 5, 6, 14};
    HomelessCase c;
    c.id = static_cast<uint32_t>(w_.homeless_cases.size() + 1);
    c.household = household;
    c.applicant = applicant;
    if (family)
      c.members = members_[household];
    else
      c.members = {applicant};
    const Day duty = static_cast<Day>(rng_.range(from, to));
    c.approach = duty - static_cast<Day>(rng_.range(0, 20));
    c.assessment = duty;
    c.reason = kReasons[rng_.weighted(kReasonWeights)];
    c.slept_rough = !family && rng_.chance(0.08);
    auto clip = [&](Day d) { return d > t_.extract_day ? kNoDay : d; };
    if (rng_.chance(0.58)) {
      c.prevention_start = duty;
      const Day end = duty + static_cast<Day>(rng_.range(56, 150));
      c.prevention_end = clip(end);
      if (c.prevention_end != kNoDay) {
        const double o = rng_.uniform();
        c.prevention_outcome = o < 0.55   ? "Secured accommodation for 6+ months"
                               : o < 0.85 ? "Homeless (including if homeless when duty started)"
                                          : "Contact lost";
        if (c.prevention_outcome.rfind("Homeless", 0) == 0) c.relief_start = end;
        // Earlier years' cases stay out of the last year, so its count is exactly the plan's.
        if (to < t_.period_start && c.relief_start != kNoDay && c.relief_start >= t_.period_start) {
          c.relief_start = kNoDay;
          c.prevention_outcome = "Contact lost";
        }
      }
    } else {
      c.relief_start = duty;
    }
    if (c.relief_start != kNoDay && c.relief_start <= t_.extract_day) {
      const Day end = c.relief_start + static_cast<Day>(rng_.range(56, 120));
      c.relief_end = clip(end);
      if (c.relief_end != kNoDay) {
        const double o = rng_.uniform();
        c.relief_outcome = o < 0.45   ? "Secured accommodation for 6+ months"
                           : o < 0.75 ? "56 days elapsed"
                                      : "Contact lost";
        if (c.relief_outcome == "56 days elapsed") {
          c.decision = clip(end + static_cast<Day>(rng_.range(0, 30)));
          if (c.decision != kNoDay)
            c.main_duty = family
                              ? (rng_.chance(0.8)
                                     ? "Homeless + priority need + unintentional (main duty owed)"
                                     : "Intentionally homeless")
                              : (rng_.chance(0.4)
                                     ? "Homeless + priority need + unintentional (main duty owed)"
                                     : "No priority need");
        }
      }
      if (rng_.chance(family ? 0.55 : 0.18)) {
        TemporaryAccommodation ta;
        ta.case_id = c.id;
        ta.household = household;
        ta.start = c.relief_start + static_cast<Day>(rng_.range(0, 3));
        const Day end = ta.start + static_cast<Day>(rng_.exponential(family ? 260 : 90));
        ta.end = clip(end);
        static const std::vector<std::string> kTypes = {
            "Bed and breakfast hotel (including shared annexes)",
            "Nightly paid, privately managed accommodation, self-contained",
            "Hostel (including reception centres and emergency units)",
            "Private sector accommodation leased by your local authority",
            "Local authority or housing association (LA/HA) stock"};
        ta.type = rng_.pick(kTypes);
        ta.out_of_area = rng_.chance(0.1);
        if (ta.start <= t_.extract_day) w_.temporary_accommodation.push_back(std::move(ta));
      }
    }
    w_.homeless_cases.push_back(std::move(c));
    return true;
  }

  void roughSleeping() {
    std::vector<uint32_t> candidates;
    for (const HomelessCase& c : w_.homeless_cases)
      if (c.slept_rough) candidates.push_back(c.applicant);
    const int extra = static_cast<int>(std::llround(60 * 5 * w_.options.scale));
    for (int i = 0; i < extra; ++i) {
      const uint32_t h = static_cast<uint32_t>(rng_.below(w_.households.size()));
      const uint32_t adult = adultOf(h);
      if (adult != kNone && ageOn(w_.people[adult].dob, t_.period_end) < 70)
        candidates.push_back(adult);
    }
    for (uint32_t p : candidates) {
      const Day first = static_cast<Day>(rng_.range(t_.history_start, t_.period_end));
      const int contacts = static_cast<int>(1 + rng_.below(5));
      for (int k = 0; k < contacts; ++k) {
        const Day d = first + static_cast<Day>(k * rng_.range(3, 40));
        if (d <= t_.period_end) w_.rough_sleeping.push_back({0, p, d});
      }
    }
    std::stable_sort(
        w_.rough_sleeping.begin(), w_.rough_sleeping.end(),
        [](const RoughSleeping& a, const RoughSleeping& b) { return a.recorded < b.recorded; });
    for (uint32_t i = 0; i < w_.rough_sleeping.size(); ++i) w_.rough_sleeping[i].id = i + 1;
  }

  World& w_;
  Rng& rng_;
  const Timeline& t_;
  std::vector<std::vector<uint32_t>> members_;
  std::vector<uint32_t> care_leavers_;
};

}  // namespace

void simulateHousing(World& world, Rng& rng) { HousingSimulator(world, rng).run(); }

// ---- adult social care ----------------------------------------------------------------------

void simulateAdultCare(World& w, Rng& rng) {
  const Timeline& t = w.timeline;
  static const std::vector<std::string> kLongTerm = {"Long Term Support: Nursing Care",
                                                     "Long Term Support: Residential Care",
                                                     "Long Term Support: Community"};
  static const std::vector<double> kLongTermWeights = {12, 22, 66};
  static const std::vector<std::string> kReasons = {
      "Physical Support: Personal Care Support",
      "Physical Support: Access and Mobility Only",
      "Memory and Cognition",
      "Learning Disability Support",
      "Mental Health Support",
      "Sensory Support: Support for Visual Impairment",
      "Social Support: Support for Social Isolation/Other"};
  uint32_t event_id = 0;
  for (uint32_t p = 0; p < w.people.size(); ++p) {
    const Person& person = w.people[p];
    const int age = ageOn(person.dob, t.period_end);
    if (age < 18) continue;
    const double chance = age >= 85 ? 0.22 : age >= 75 ? 0.08 : age >= 65 ? 0.03 : 0.008;
    if (!rng.chance(chance)) continue;
    const std::string reason =
        age < 65 && rng.chance(0.4) ? kReasons[3 + rng.below(2)] : rng.pick(kReasons);
    const Day request = static_cast<Day>(
        rng.range(std::max(t.history_start - 700, addYears(person.dob, 18)), t.period_end - 20));
    auto push = [&](const std::string& type, Day start, Day end, const std::string& description,
                    const std::string& outcome, const std::string& service) {
      AscEvent e;
      e.id = ++event_id;
      e.person = p;
      e.type = type;
      e.start = start;
      e.end = end > t.extract_day ? kNoDay : end;
      e.description = description;
      e.outcome = outcome;
      e.service_type = service;
      e.support_reason = reason;
      w.asc_events.push_back(std::move(e));
    };
    push("Request", request, request, "Request for support",
         rng.chance(0.7) ? "Assessment" : "Universal services/signposted", "");
    const Day assessment = request + static_cast<Day>(rng.range(5, 60));
    push("Assessment", assessment, assessment + static_cast<Day>(rng.range(1, 28)),
         "Needs assessment", "Long term support", "");
    Day start = assessment + static_cast<Day>(rng.range(7, 40));
    if (rng.chance(0.35)) {
      push("Service", start, start + static_cast<Day>(rng.range(14, 42)), "Reablement",
           "Long term support", "Short Term Support: ST-Max");
      start += 45;
    }
    const Day end = start + static_cast<Day>(rng.exponential(age >= 85 ? 700 : 1100));
    const std::string service = kLongTerm[rng.weighted(kLongTermWeights)];
    push("Service", start, end, service.substr(service.find(':') + 2), "Service continuing",
         service);
    for (Day review = addYears(start, 1); review < std::min(end, t.period_end);
         review = addYears(review, 1)) {
      push("Review", review, review, "Planned review", "No change in long term support", "");
    }
  }
  // The survey samples people in long-term support during the year, each once.
  uint32_t last_person = kNone;
  for (const AscEvent& e : w.asc_events) {
    if (e.type != "Service" || e.service_type.rfind("Long Term", 0) != 0) continue;
    if (!openDuring(e.start, e.end, t.period_start, t.period_end)) continue;
    if (e.person == last_person || !rng.chance(0.3)) continue;
    last_person = e.person;
    // Answers 1-4 as the questionnaire codes them; a few leave the question blank (0).
    auto answer = [&rng](double yes) {
      const double u = rng.uniform();
      return u < 0.03 ? 0 : u < yes ? 1 : u < 0.93 ? 2 : u < 0.98 ? 3 : 4;
    };
    AscSurveyResponse r;
    r.person = e.person;
    r.q7a = answer(0.70);
    r.q7b = answer(0.75);
    const bool learning_disability = e.support_reason == "Learning Disability Support";
    const bool in_a_home = e.service_type.find("Nursing") != std::string::npos ||
                           e.service_type.find("Residential") != std::string::npos;
    r.stratum = learning_disability                                ? 1
                : ageOn(w.people[e.person].dob, t.period_end) < 65 ? 2
                : in_a_home                                        ? 3
                                                                   : 4;
    w.asc_survey.push_back(r);
  }
}

}  // namespace hearth::synth
