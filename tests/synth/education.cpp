#include "tests/synth/education.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "tests/synth/population.hpp"

namespace hearth::synth {

std::vector<CensusTerm> censusTerms(int y) {
  auto third_thursday = [](int year, int month) {
    Day d = dayFromCivil(year, month, 1);
    while (weekday(d) != 3) ++d;
    return d + 14;
  };
  auto first_thursday = [](int year, int month) {
    Day d = dayFromCivil(year, month, 1);
    while (weekday(d) != 3) ++d;
    return d;
  };
  const int p = y - 1;
  return {
      {std::to_string(p) + "_spring", januaryCensusDay(p), dayFromCivil(p - 1, 9, 1),
       dayFromCivil(p - 1, 12, 31)},
      {std::to_string(p) + "_summer", third_thursday(p, 5), dayFromCivil(p, 1, 1),
       dayFromCivil(p, 3, 31)},
      {std::to_string(p) + "_autumn", first_thursday(p, 10), dayFromCivil(p, 4, 1),
       dayFromCivil(p, 8, 31)},
      {std::to_string(y) + "_spring", januaryCensusDay(y), dayFromCivil(p, 9, 1),
       dayFromCivil(p, 12, 31)},
  };
}

TermSessions termSessions(const World& world, uint32_t pupil, const CensusTerm& term) {
  TermSessions sessions;
  sessions.possible = std::max(10, workingDaysAfter(term.term_start - 1, term.term_end) * 2 - 14);
  const double absence =
      pupil < world.absence_rate.size() ? world.absence_rate[pupil] / 100.0 : 0.05;
  sessions.missed = static_cast<int>(sessions.possible * absence);
  return sessions;
}

bool reportCard(const School& school) {
  return school.inspected != kNoDay && school.inspected >= dayFromCivil(2025, 11, 10);
}

bool inSchoolCensus(const School& school) {
  return school.phase == "PS" || school.phase == "SS" || school.phase == "SP" ||
         school.phase == "PR";
}

namespace {

struct SchoolPlan {
  const char* phase;
  const char* type;
  double per_full_scale;
  int estab_base;
  int low_year;
  int high_year;
  int minimum;
};

// Establishment counts of a county of this size.
constexpr SchoolPlan kSchoolPlans[] = {
    {"PS", "Academy converter", 110, 2000, 0, 6, 2},
    {"PS", "Community school", 75, 2400, 0, 6, 1},
    {"SS", "Academy converter", 27, 4000, 7, 13, 1},
    {"SP", "Community special school", 9, 7000, 0, 14, 1},
    {"PR", "Pupil referral unit", 2, 1100, 5, 11, 1},
    {"EY", "Early years setting", 220, 0, -2, -1, 2},
    {"FE", "Further education", 2, 0, 12, 15, 1},
};

constexpr const char* kNameParts[] = {
    "Abbey",     "Beacon",      "Brook",    "Castle",   "Chestnut",  "Church",    "Eastfield",
    "Fairway",   "Greenfields", "Hillside", "Kingsley", "Lakeside",  "Manor",     "Meadow",
    "Millbrook", "Oakway",      "Orchard",  "Parkland", "Riverside", "St Mary's", "St Luke's",
    "Valley",    "Westfield",   "Willow",   "Woodland"};

class EducationSimulator {
 public:
  EducationSimulator(World& w, Rng& rng) : w_(w), rng_(rng), t_(w.timeline) {}

  void run() {
    buildSchools();
    planEhcps();
    enrolPupils();
    placeEhcps();
    gradeSchools();
    senAndAttendance();
    exclusions();
    nccis();
    earlyYears();
    childrenMissingEducation();
    ks4();
  }

 private:
  int scaled(double full) const { return static_cast<int>(std::llround(full * w_.options.scale)); }

  void buildSchools() {
    std::vector<int> counters(std::size(kSchoolPlans), 0);
    for (size_t k = 0; k < std::size(kSchoolPlans); ++k) {
      const SchoolPlan& plan = kSchoolPlans[k];
      const int n = std::max(plan.minimum, scaled(plan.per_full_scale));
      for (int i = 0; i < n; ++i) {
        School s;
        s.urn = static_cast<uint32_t>(100000 + w_.schools.size() * 97 + rng_.below(97));
        s.estab = plan.estab_base == 0 ? 0 : plan.estab_base + i;
        s.phase = plan.phase;
        s.type = plan.type;
        s.postcode = static_cast<uint32_t>(rng_.below(w_.council_postcodes));
        s.low_year = plan.low_year;
        s.high_year = plan.high_year;
        const std::string area = w_.local_areas[w_.postcodes[s.postcode].area].name;
        const std::string part = kNameParts[rng_.below(std::size(kNameParts))];
        const std::string place = area.substr(0, area.find(' '));
        if (s.phase == "PS")
          s.name = part + " Primary School, " + place;
        else if (s.phase == "SS")
          s.name = place + " " + part + " Academy";
        else if (s.phase == "SP")
          s.name = part + " Special School";
        else if (s.phase == "PR")
          s.name = place + " Pupil Referral Unit";
        else if (s.phase == "EY")
          s.name = part + " Day Nursery " + std::to_string(i + 1);
        else
          s.name = place + " College";
        w_.schools.push_back(std::move(s));
        by_phase_[plan.phase].push_back(static_cast<uint32_t>(w_.schools.size() - 1));
      }
    }
  }

  /// A school of the phase near the person's home: usually the nearest, sometimes the next.
  uint32_t schoolNear(uint32_t person, const std::string& phase, Day on) {
    const std::vector<uint32_t>& candidates = by_phase_[phase];
    const Postcode& home = w_.postcodes[w_.addresses[w_.addressOn(person, on)].postcode];
    std::array<std::pair<double, uint32_t>, 3> best;
    best.fill({1e18, candidates.front()});
    for (uint32_t s : candidates) {
      const Postcode& pc = w_.postcodes[w_.schools[s].postcode];
      const double de = pc.easting - home.easting, dn = pc.northing - home.northing;
      const double d = de * de + dn * dn;
      if (d < best[2].first) {
        best[2] = {d, s};
        std::sort(best.begin(), best.end());
      }
    }
    const double u = rng_.uniform();
    const size_t pick =
        u < 0.62 || best[1].first >= 1e18 ? 0 : (u < 0.88 || best[2].first >= 1e18 ? 1 : 2);
    return best[pick].second;
  }

  /// First school day of the academic year in which the child has academic age `age`.
  Day septemberAtAge(Day dob, int age) const {
    const Ymd b = civilFromDay(dob);
    const int year = b.year + age + (b.month >= 9 ? 1 : 0);
    return dayFromCivil(year, 9, 3);
  }
  Day julyAtAge(Day dob, int age) const {
    return dayFromCivil(civilFromDay(septemberAtAge(dob, age)).year + 1, 7, 22);
  }

  // ---- EHC plans -----------------------------------------------------------------------------

  struct PlannedEhcp {
    uint32_t person;
    std::string setting;  // special, mainstream, ey, fe, ap, none
    uint32_t school = kNone;
  };

  void planEhcps() {
    const int target = scaled(kEhcPlansAtCensus);
    const Day census = t_.census_day;
    std::vector<uint32_t> by_dob(w_.people.size());
    std::iota(by_dob.begin(), by_dob.end(), 0u);
    std::stable_sort(by_dob.begin(), by_dob.end(),
                     [&](uint32_t a, uint32_t b) { return w_.people[a].dob < w_.people[b].dob; });
    std::vector<uint8_t> taken(w_.people.size(), 0);
    auto pick = [&](int age) -> uint32_t {
      const Day from = addYears(census, -(age + 1)) + 1, to = addYears(census, -age);
      const auto lo = std::lower_bound(by_dob.begin(), by_dob.end(), from,
                                       [&](uint32_t p, Day d) { return w_.people[p].dob < d; });
      const auto hi = std::upper_bound(by_dob.begin(), by_dob.end(), to,
                                       [&](Day d, uint32_t p) { return d < w_.people[p].dob; });
      if (hi <= lo) return kNone;
      for (int attempt = 0; attempt < 200; ++attempt) {
        const uint32_t p =
            *(lo + static_cast<ptrdiff_t>(rng_.below(static_cast<uint64_t>(hi - lo))));
        // About three in four plans are for boys.
        if (taken[p] || (w_.people[p].sex == Sex::kFemale && rng_.chance(0.62))) continue;
        return p;
      }
      return kNone;
    };
    auto add_plan = [&](uint32_t p, Day start, Day ceased, const std::string& setting) {
      EhcPlan plan;
      plan.person = p;
      plan.start = start;
      plan.assessed = start - static_cast<Day>(rng_.range(7, 21));
      plan.requested = plan.assessed - static_cast<Day>(rng_.range(70, 140));
      plan.ceased = ceased;
      plan.cease_reason = ceased == kNoDay ? 0 : static_cast<int>(rng_.range(1, 5));
      static const std::vector<std::string> kNeeds = {"ASD", "SEMH", "SLCN", "MLD",  "SLD", "SPLD",
                                                      "PD",  "HI",   "VI",   "PMLD", "OTH"};
      static const std::vector<double> kWeights = {33, 17, 15, 9, 5, 4, 5, 2, 1, 2, 7};
      plan.need = kNeeds[rng_.weighted(kWeights)];
      w_.ehc_plans.push_back(std::move(plan));
      planned_.push_back({p, setting});
      taken[p] = 1;
    };
    // About a quarter of children in care have a plan, far more than other children.
    int placed = 0;
    for (const ClaPeriod& period : w_.cla_periods) {
      if (!openOn(period.start, period.end, census) || placed >= target) continue;
      const int age = ageOn(w_.people[period.child].dob, census);
      if (age < 4 || taken[period.child] || !rng_.chance(0.27)) continue;
      const Day start = std::max(census - static_cast<Day>(rng_.below(4 * 365)),
                                 addYears(w_.people[period.child].dob, 3));
      const double s = rng_.uniform();
      add_plan(period.child, std::min(start, census), kNoDay,
               age > 15   ? "fe"
               : s < 0.4  ? "special"
               : s < 0.95 ? "mainstream"
                          : "ap");
      ++placed;
    }
    for (int i = placed; i < target; ++i) {
      const double u = rng_.uniform();
      const int age = u < 0.04   ? static_cast<int>(rng_.range(2, 4))
                      : u < 0.37 ? static_cast<int>(rng_.range(5, 10))
                      : u < 0.70 ? static_cast<int>(rng_.range(11, 15))
                      : u < 0.92 ? static_cast<int>(rng_.range(16, 19))
                                 : static_cast<int>(rng_.range(20, 25));
      const uint32_t p = pick(age);
      if (p == kNone) {
        --i;
        continue;
      }
      const int years = static_cast<int>(rng_.below(static_cast<uint64_t>(std::min(age - 1, 9))));
      const Day start = std::max(census - static_cast<Day>(years * 365 + rng_.below(365)),
                                 addYears(w_.people[p].dob, 2));
      const double s = rng_.uniform();
      std::string setting;
      if (age <= 4)
        setting = age == 4 && s < 0.4 ? "mainstream" : "ey";
      else if (age <= 15)
        setting = s < 0.44 ? "special" : s < 0.93 ? "mainstream" : "ap";
      else if (age <= 19)
        setting = s < 0.45 ? "fe" : s < 0.70 ? "special" : s < 0.85 ? "mainstream" : "none";
      else
        setting = s < 0.75 ? "fe" : "none";
      add_plan(p, std::min(start, census), kNoDay, setting);
    }
    // Plans that ended before the census: moved away, needs met, left education.
    const int ceased = scaled(kEhcPlansAtCensus * 0.45);
    for (int i = 0; i < ceased; ++i) {
      const int age = static_cast<int>(rng_.range(6, 25));
      const uint32_t p = pick(age);
      if (p == kNone) continue;
      const Day end = static_cast<Day>(rng_.range(t_.history_start, census - 1));
      const Day start =
          std::max(end - static_cast<Day>(rng_.range(200, 2000)), addYears(w_.people[p].dob, 2));
      if (start >= end) continue;
      add_plan(p, start, end, age <= 15 ? "mainstream" : "fe");
    }
    for (size_t i = 0; i < planned_.size(); ++i)
      plan_of_[planned_[i].person] = static_cast<uint32_t>(i);
  }

  // ---- enrolments ----------------------------------------------------------------------------

  void enrol(uint32_t pupil, uint32_t school, Day entry, Day leaving) {
    const Day horizon = t_.extract_day;
    if (entry > horizon || leaving < t_.history_start - 400) return;
    w_.enrolments.push_back({pupil, school, entry, leaving > horizon ? kNoDay : leaving});
  }

  void enrolPupils() {
    for (uint32_t p = 0; p < w_.people.size(); ++p) {
      const Person& person = w_.people[p];
      const Day reception = septemberAtAge(person.dob, 4);
      if (reception > t_.extract_day || julyAtAge(person.dob, 17) < t_.history_start - 400)
        continue;
      if (rng_.chance(0.012)) continue;  // educated at home or outside the county's schools
      Day special_from = kNoDay;
      const auto planned = plan_of_.find(p);
      if (planned != plan_of_.end() && planned_[planned->second].setting == "special") {
        special_from = std::max(
            reception,
            septemberAtAge(
                person.dob,
                std::max(4, academicAge(person.dob, w_.ehc_plans[planned->second].start))));
      }
      const Day primary_end = julyAtAge(person.dob, 10);
      const Day secondary_start = septemberAtAge(person.dob, 11);
      const bool sixth_form = rng_.chance(0.42);
      const Day secondary_end = julyAtAge(person.dob, sixth_form ? 17 : 15);
      auto career = [&](Day from, Day to, const std::string& phase) {
        if (from >= to) return;
        uint32_t school = schoolNear(p, phase, from);
        if (rng_.chance(0.05)) {
          // Moved school once.
          const Day move =
              from +
              static_cast<Day>(rng_.below(static_cast<uint64_t>(std::max<Day>(1, to - from))));
          enrol(p, school, from, move);
          school = schoolNear(p, phase, move);
          from = move + 1;
        }
        enrol(p, school, from, to);
      };
      if (special_from == kNoDay) {
        career(reception, primary_end, "PS");
        career(secondary_start, secondary_end, "SS");
      } else {
        if (special_from <= primary_end) {
          career(reception, special_from - 1, "PS");
        } else {
          career(reception, primary_end, "PS");
          career(secondary_start, special_from - 1, "SS");
        }
        const uint32_t special = schoolNear(p, "SP", special_from);
        planned_[planned->second].school = special;
        enrol(p, special, std::max(special_from, reception), julyAtAge(person.dob, 18));
      }
    }
    std::stable_sort(w_.enrolments.begin(), w_.enrolments.end(),
                     [](const Enrolment& a, const Enrolment& b) {
                       return a.pupil != b.pupil ? a.pupil < b.pupil : a.entry < b.entry;
                     });
  }

  uint32_t schoolOn(uint32_t pupil, Day day) const {
    const auto lo = std::lower_bound(w_.enrolments.begin(), w_.enrolments.end(), pupil,
                                     [](const Enrolment& e, uint32_t p) { return e.pupil < p; });
    for (auto it = lo; it != w_.enrolments.end() && it->pupil == pupil; ++it)
      if (openOn(it->entry, it->leaving, day)) return it->school;
    return kNone;
  }

  void placeEhcps() {
    const Day census = t_.census_day;
    for (size_t i = 0; i < planned_.size(); ++i) {
      EhcPlan& plan = w_.ehc_plans[i];
      const PlannedEhcp& planned = planned_[i];
      EhcPlacement placement;
      placement.start = plan.start;
      placement.end = plan.ceased;
      const Day on = plan.ceased == kNoDay ? census : plan.ceased - 1;
      if (planned.setting == "special") {
        placement.school =
            planned.school != kNone ? planned.school : schoolNear(plan.person, "SP", on);
      } else if (planned.setting == "mainstream") {
        placement.school = schoolOn(plan.person, on);
        if (placement.school == kNone) placement.setting = "OTH";
      } else if (planned.setting == "ap") {
        placement.school = by_phase_["PR"].front();
      } else if (planned.setting == "fe") {
        placement.school = schoolNear(plan.person, "FE", on);
      } else if (planned.setting == "ey") {
        placement.school = schoolNear(plan.person, "EY", on);
      } else {
        placement.setting = "NIEO";
      }
      plan.placements.push_back(placement);
    }
    std::stable_sort(w_.ehc_plans.begin(), w_.ehc_plans.end(),
                     [](const EhcPlan& a, const EhcPlan& b) { return a.start < b.start; });
    for (uint32_t i = 0; i < w_.ehc_plans.size(); ++i) w_.ehc_plans[i].id = i + 1;
  }

  // ---- Ofsted grades -------------------------------------------------------------------------

  void gradeSchools() {
    // Pupils on roll at the January census, per school.
    std::vector<double> pupils(w_.schools.size(), 0);
    for (const Enrolment& e : w_.enrolments)
      if (openOn(e.entry, e.leaving, t_.census_day)) pupils[e.school] += 1;
    std::vector<uint32_t> order;
    for (uint32_t s = 0; s < w_.schools.size(); ++s) {
      School& school = w_.schools[s];
      school.capacity = static_cast<int>(pupils[s] * 1.08) + 10;
      school.inspected = t_.census_day - static_cast<Day>(rng_.range(60, 6 * 365));
      if (school.phase == "EY" || school.phase == "FE") {
        school.ofsted = rng_.chance(0.96) ? (rng_.chance(0.15) ? 1 : 2) : 3;
        continue;
      }
      if (rng_.chance(0.04)) {
        school.ofsted = 0;  // a new academy not yet graded
        school.inspected = kNoDay;
        continue;
      }
      order.push_back(s);
    }
    // Shuffle, then choose good schools greedily so that the pupil-weighted share lands on the
    // council plan's figure to within half a school.
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.below(i)]);
    double total = 0;
    for (uint32_t s : order) total += pupils[s];
    const double target = kPupilsAtGoodSchools * total;
    double good = 0;
    for (uint32_t s : order) {
      School& school = w_.schools[s];
      if (good + pupils[s] / 2 <= target) {
        good += pupils[s];
        school.ofsted = rng_.chance(0.2) ? 1 : 2;
      } else {
        school.ofsted = rng_.chance(0.85) ? 3 : 4;
      }
    }
  }

  // ---- SEN support, attendance, exclusions --------------------------------------------------

  void senAndAttendance() {
    w_.sen_support.assign(w_.people.size(), 0);
    w_.absence_rate.assign(w_.people.size(), 0);
    for (uint32_t p = 0; p < w_.people.size(); ++p) {
      if (academicAge(w_.people[p].dob, t_.census_day) < 3) continue;
      const bool risk = w_.households[w_.people[p].household].risk > 0;
      w_.sen_support[p] = rng_.chance(risk ? 0.24 : 0.12) ? 1 : 0;
      const double rate = std::min(60.0, rng_.exponential(risk ? 9.0 : 5.5));
      w_.absence_rate[p] = static_cast<uint8_t>(rate);
    }
  }

  void exclusions() {
    static const std::vector<std::string> kReasons = {"PP", "PA", "VP", "VA", "BU", "RA", "DM",
                                                      "DB", "SM", "DA", "TH", "MT", "OT"};
    for (const Enrolment& e : w_.enrolments) {
      const School& school = w_.schools[e.school];
      if (school.phase != "PS" && school.phase != "SS" && school.phase != "SP") continue;
      const bool secondary = school.phase == "SS";
      const bool risk = w_.households[w_.people[e.pupil].household].risk > 0;
      const double factor = risk ? 3.0 : 1.0;
      const Day from = std::max(e.entry, t_.history_start);
      const Day to = e.leaving == kNoDay ? t_.period_end : std::min(e.leaving, t_.period_end);
      if (to <= from) continue;
      const double years = (to - from) / 365.0;
      const double suspensions = years * (secondary ? 0.14 : 0.025) * factor;
      const int n = static_cast<int>(suspensions) +
                    (rng_.chance(suspensions - std::floor(suspensions)) ? 1 : 0);
      for (int i = 0; i < n; ++i) addExclusion(e, "SUSP", from, to, kReasons);
      if (rng_.chance(years * (secondary ? 0.0016 : 0.0003) * factor))
        addExclusion(e, "PERM", from, to, kReasons);
    }
    std::stable_sort(w_.exclusions.begin(), w_.exclusions.end(),
                     [](const Exclusion& a, const Exclusion& b) { return a.start < b.start; });
  }

  void addExclusion(const Enrolment& e, const char* category, Day from, Day to,
                    const std::vector<std::string>& reasons) {
    Day d = static_cast<Day>(rng_.range(from, to));
    for (int guard = 0;
         guard < 14 && (weekday(d) >= 5 || civilFromDay(d).month == 8 || isBankHoliday(d)); ++guard)
      ++d;
    if (d > to) return;
    Exclusion x;
    x.pupil = e.pupil;
    x.school = e.school;
    x.start = d;
    x.category = category;
    x.sessions = std::string(category) == "PERM" ? 0 : static_cast<double>(rng_.range(1, 10));
    x.reason = rng_.pick(reasons);
    w_.exclusions.push_back(std::move(x));
  }

  // ---- young people, early years, missing education ------------------------------------------

  void nccis() {
    const int y = t_.year_end;
    std::vector<Day> months;
    for (int m = 0; m < 12; ++m) months.push_back(addMonths(dayFromCivil(y - 1, 5, 1), m) - 1);
    std::vector<uint8_t> is_care_leaver(w_.people.size(), 0);
    for (const CareLeaver& c : w_.care_leavers) is_care_leaver[c.person] = 1;
    for (const ClaPeriod& p : w_.cla_periods) is_care_leaver[p.child] = 1;
    static const std::vector<int> kEet = {110, 120, 130, 210, 220, 230, 310, 320};
    static const std::vector<double> kEetWeights = {36, 12, 32, 6, 4, 3, 4, 3};
    static const std::vector<int> kNeet = {540, 610, 615, 619, 620, 630, 640, 650, 660, 670, 680};
    static const std::vector<int> kUnknown = {810, 820, 830};
    for (uint32_t p = 0; p < w_.people.size(); ++p) {
      const Person& person = w_.people[p];
      const int age_first = academicAge(person.dob, months.front());
      const int age_last = academicAge(person.dob, months.back());
      if (age_last < 16 || age_first > 17) continue;
      const bool risk = w_.households[person.household].risk > 0 || is_care_leaver[p];
      int code = 0;
      Day since = months.front() - static_cast<Day>(rng_.range(20, 400));
      for (const Day month : months) {
        const int age = academicAge(person.dob, month);
        if (age < 16 || age > 17) continue;
        if (code == 0 || rng_.chance(0.06)) {
          const double u = rng_.uniform() / (risk ? 3.0 : 1.0);
          const int previous = code;
          code = u < 0.001   ? 710
                 : u < 0.026 ? rng_.pick(kNeet)
                 : u < 0.046 ? rng_.pick(kUnknown)
                             : kEet[rng_.weighted(kEetWeights)];
          if (previous != 0 && previous != code)
            since = month - static_cast<Day>(rng_.range(1, 28));
        }
        w_.nccis.push_back({p, month, code, since});
      }
    }
  }

  void earlyYears() {
    const Day census = t_.census_day;
    for (uint32_t p = 0; p < w_.people.size(); ++p) {
      const Person& person = w_.people[p];
      if (person.dob > census) continue;
      const int age = ageOn(person.dob, census);
      const int academic = academicAge(person.dob, census);
      const bool low_income = w_.households[person.household].low_income;
      if (age == 2) {
        if (low_income) w_.two_year_old_eligible.push_back(p);
        const bool takes_up = low_income ? rng_.chance(0.76) : rng_.chance(0.012);
        if (!takes_up) continue;
        const std::string basis =
            low_income ? (rng_.chance(0.93) ? "ECO" : "HSD") : (rng_.chance(0.5) ? "LAA" : "HSD");
        w_.early_years.push_back({p, schoolNear(p, "EY", census), basis, 15});
      } else if (academic == 3 && rng_.chance(0.92)) {
        w_.early_years.push_back(
            {p, schoolNear(p, "EY", census), "", rng_.chance(0.6) ? 30.0 : 15.0});
      }
    }
  }

  void childrenMissingEducation() {
    static const std::vector<std::string> kReasons = {
        "Not registered at a school", "Moved out of area, destination unknown", "Failed to start",
        "Removed from roll, whereabouts unknown", "Permanently excluded, no place"};
    const int n = scaled(260 * 5);
    std::vector<uint32_t> school_age;
    for (uint32_t p = 0; p < w_.people.size(); ++p) {
      const int a = academicAge(w_.people[p].dob, t_.period_end);
      if (a >= 5 && a <= 17) school_age.push_back(p);
    }
    if (school_age.empty()) return;
    for (int i = 0; i < n; ++i) {
      uint32_t p = rng_.pick(school_age);
      if (w_.households[w_.people[p].household].risk == 0 && rng_.chance(0.7))
        p = rng_.pick(school_age);
      CmeEpisode e;
      e.child = p;
      e.start = static_cast<Day>(rng_.range(t_.history_start, t_.period_end - 5));
      const Day end = e.start + static_cast<Day>(rng_.range(7, 200));
      e.end = end > t_.extract_day ? kNoDay : end;
      e.reason = rng_.pick(kReasons);
      w_.cme.push_back(std::move(e));
    }
    std::stable_sort(w_.cme.begin(), w_.cme.end(),
                     [](const CmeEpisode& a, const CmeEpisode& b) { return a.start < b.start; });
    for (uint32_t i = 0; i < w_.cme.size(); ++i) w_.cme[i].id = i + 1;
  }

  void ks4() {
    // The cohort at the end of key stage 4 in the last complete academic year.
    const Day census = januaryCensusDay(t_.year_end - 1);
    for (const Enrolment& e : w_.enrolments) {
      if (!openOn(e.entry, e.leaving, census)) continue;
      const School& s = w_.schools[e.school];
      if (s.phase != "SS" && s.phase != "SP") continue;
      if (academicAge(w_.people[e.pupil].dob, census) != 15) continue;
      const bool disadvantaged = w_.households[w_.people[e.pupil].household].low_income;
      const double ability =
          rng_.normal(disadvantaged ? 3.9 : 5.1, 1.9) - (s.phase == "SP" ? 3 : 0);
      auto grade = [&](double shift) {
        return std::clamp(static_cast<int>(std::lround(ability + shift + rng_.normal(0, 0.8))), 0,
                          9);
      };
      w_.ks4.push_back({e.pupil, e.school, grade(0.2), grade(-0.1)});
    }
  }

  World& w_;
  Rng& rng_;
  const Timeline& t_;
  std::map<std::string, std::vector<uint32_t>> by_phase_;
  std::vector<PlannedEhcp> planned_;
  std::map<uint32_t, uint32_t> plan_of_;
};

}  // namespace

void simulateEducation(World& world, Rng& rng) { EducationSimulator(world, rng).run(); }

}  // namespace hearth::synth
