#include "tests/synth/indicators.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/synth/education.hpp"
#include "tests/synth/population.hpp"

namespace hearth::synth {
namespace {

using Json = nlohmann::ordered_json;

double rounded(double x) { return std::round(x * 10000.0) / 10000.0; }

Json ratio(const char* id, const char* measure, double numerator, double denominator,
           const char* unit, double multiplier = 100.0) {
  Json j;
  j["id"] = id;
  j["measure"] = measure;
  j["numerator"] = numerator;
  j["denominator"] = denominator;
  j["value"] = denominator > 0 ? rounded(numerator / denominator * multiplier) : 0.0;
  j["unit"] = unit;
  return j;
}

Json count(const char* id, const char* measure, double n) {
  Json j;
  j["id"] = id;
  j["measure"] = measure;
  j["numerator"] = n;
  j["denominator"] = nullptr;
  j["value"] = n;
  j["unit"] = "count";
  return j;
}

class Oracle {
 public:
  explicit Oracle(const World& w)
      : w_(w), ps_(w.timeline.period_start), pe_(w.timeline.period_end) {}

  Json run() {
    Json out;
    out["generator"] = {{"seed", w_.options.seed},
                        {"scale", w_.options.scale},
                        {"mess_rate", w_.options.mess_rate}};
    out["period"] = {{"start", isoDate(ps_)},
                     {"end", isoDate(pe_)},
                     {"january_census", isoDate(w_.timeline.census_day)}};
    Json list = Json::array();
    list.push_back(claCount());
    list.push_back(cpPlanCount());
    list.push_back(reReferrals());
    list.push_back(referralDecisions());
    list.push_back(assessmentTimeliness());
    list.push_back(placedOver20Miles());
    list.push_back(stabilityShort());
    list.push_back(stabilityLong());
    list.push_back(careLeaverAccommodation());
    list.push_back(earlyHelpOpen());
    list.push_back(neet());
    list.push_back(funded2yo());
    list.push_back(cmeOpen());
    list.push_back(ehcpCount());
    list.push_back(permanentExclusions());
    list.push_back(pupilsGoodOutstanding());
    list.push_back(homelessDutyOwed());
    list.push_back(temporaryAccommodation());
    list.push_back(fallsAdmissions());
    list.push_back(careLeaverNeet());
    list.push_back(ks4EnglishMaths());
    list.push_back(persistentAbsence());
    list.push_back(ascLongTermSupport());
    list.push_back(ascFeelsSafe());
    list.push_back(roughSleeping());
    out["indicators"] = std::move(list);
    Json cross = Json::array();
    cross.push_back(careLeaversOwedDuty());
    cross.push_back(cpChildrenInTemporaryAccommodation());
    cross.push_back(claWithEhcp());
    cross.push_back(familyMultipleNeeds());
    out["cross_service"] = std::move(cross);
    return out;
  }

 private:
  bool inPeriod(Day d) const { return d != kNoDay && d >= ps_ && d <= pe_; }

  int childrenAt(Day day) const {
    int n = 0;
    for (const Person& p : w_.people) {
      const int age = ageOn(p.dob, day);
      n += p.dob <= day && age < 18 ? 1 : 0;
    }
    return n;
  }

  /// Periods of care open at the period end, short breaks (V3, V4) left out.
  std::vector<const ClaPeriod*> claAtPeriodEnd() const {
    std::vector<const ClaPeriod*> out;
    for (const ClaPeriod& p : w_.cla_periods) {
      if (!openOn(p.start, p.end, pe_)) continue;
      const LegalStatus* status = nullptr;
      for (const LegalStatus& ls : p.legal)
        if (ls.start <= pe_) status = &ls;
      if (status != nullptr && (status->code == "V3" || status->code == "V4")) continue;
      out.push_back(&p);
    }
    return out;
  }

  static const Placement* placementOn(const ClaPeriod& p, Day day) {
    const Placement* found = nullptr;
    for (const Placement& pl : p.placements)
      if (pl.start <= day) found = &pl;
    return found;
  }

  Json claCount() {
    const auto cla = claAtPeriodEnd();
    std::set<uint32_t> children;
    for (const ClaPeriod* p : cla) children.insert(p->child);
    const int population = childrenAt(pe_);
    Json j = count("cla_count", "children in care", static_cast<double>(children.size()));
    j["denominator"] = population;
    j["rate_per_10000"] = rounded(children.size() * 10000.0 / population);
    return j;
  }

  Json cpPlanCount() {
    std::set<uint32_t> children;
    for (const CinEpisode& ep : w_.cin_episodes)
      for (const CpPlan& plan : ep.cp_plans)
        if (openOn(plan.start, plan.end, pe_)) children.insert(ep.child);
    return count("cp_plan_count", "children on a CP plan", static_cast<double>(children.size()));
  }

  Json reReferrals() {
    std::map<uint32_t, std::vector<Day>> by_child;
    for (const CinEpisode& ep : w_.cin_episodes) by_child[ep.child].push_back(ep.referral);
    int referrals = 0, repeats = 0;
    for (auto& [child, days] : by_child) {
      std::sort(days.begin(), days.end());
      for (size_t i = 0; i < days.size(); ++i) {
        if (!inPeriod(days[i])) continue;
        ++referrals;
        // A previous referral on or after the same date twelve months earlier counts.
        const Day window = addMonths(days[i], -12);
        for (size_t j = 0; j < i; ++j) {
          if (days[j] >= window && days[j] < days[i]) {
            ++repeats;
            break;
          }
        }
      }
    }
    return ratio("re_referral_12m", "repeat referrals", repeats, referrals, "percent");
  }

  Json referralDecisions() {
    int received = 0, timely = 0;
    for (const Contact& c : w_.contacts) {
      if (!inPeriod(c.received)) continue;
      ++received;
      if (workingDaysAfter(c.received, c.decided) <= 1) ++timely;
    }
    return ratio("referral_decision_1wd", "timely decisions", timely, received, "percent");
  }

  Json assessmentTimeliness() {
    int authorised = 0, timely = 0;
    for (const CinEpisode& ep : w_.cin_episodes) {
      for (const Assessment& a : ep.assessments) {
        if (!inPeriod(a.authorised)) continue;
        ++authorised;
        if (workingDaysAfter(a.start, a.authorised) <= 45) ++timely;
      }
    }
    return ratio("assessment_45wd", "assessment timeliness", timely, authorised, "percent");
  }

  Json placedOver20Miles() {
    int computable = 0, far = 0;
    for (const ClaPeriod* p : claAtPeriodEnd()) {
      const Placement* pl = placementOn(*p, pe_);
      if (pl == nullptr || pl->postcode == kNone || p->home_postcode == kNone) continue;
      ++computable;
      if (milesBetween(w_.postcodes[pl->postcode], w_.postcodes[p->home_postcode]) > 20.0) ++far;
    }
    return ratio("cla_placed_20_miles", "placed far from home", far, computable, "percent");
  }

  Json stabilityShort() {
    const auto cla = claAtPeriodEnd();
    int three_plus = 0;
    for (const ClaPeriod* p : cla) {
      int placements = 0;
      for (const Placement& pl : p->placements) {
        if (pl.place[0] == 'T') continue;  // temporary placements T0-T4 do not count
        if (pl.start <= pe_ && (pl.end == kNoDay || pl.end > ps_)) ++placements;
      }
      if (placements >= 3) ++three_plus;
    }
    return ratio("cla_stability_short", "3+ placements", three_plus,
                 static_cast<double>(cla.size()), "percent");
  }

  Json stabilityLong() {
    int cohort = 0, stable = 0;
    for (const ClaPeriod* p : claAtPeriodEnd()) {
      if (ageOn(w_.people[p->child].dob, pe_) >= 16) continue;
      if (p->start > addMonths(pe_, -30)) continue;
      ++cohort;
      const Placement* pl = placementOn(*p, pe_);
      if (pl != nullptr && pl->start <= addYears(pe_, -2)) ++stable;
    }
    return ratio("cla_stability_long", "long-term stability", stable, cohort, "percent");
  }

  std::vector<const CareLeaverStatus*> careLeaverCohort() const {
    std::vector<const CareLeaverStatus*> out;
    for (const CareLeaver& c : w_.care_leavers)
      for (const CareLeaverStatus& s : c.statuses)
        if (s.age >= 19 && s.age <= 21 && inPeriod(s.birthday)) out.push_back(&s);
    return out;
  }

  Json careLeaverAccommodation() {
    const auto cohort = careLeaverCohort();
    int suitable = 0;
    for (const CareLeaverStatus* s : cohort)
      if (s->accommodation.size() == 2 && s->accommodation[1] == '1') ++suitable;
    return ratio("care_leaver_accom_19_21", "care leavers suitably housed", suitable,
                 static_cast<double>(cohort.size()), "percent");
  }

  Json careLeaverNeet() {
    const auto cohort = careLeaverCohort();
    int neet = 0;
    for (const CareLeaverStatus* s : cohort)
      if (s->activity == "G4" || s->activity == "G5" || s->activity == "G6") ++neet;
    return ratio("care_leaver_neet", "care leavers not in education, employment or training", neet,
                 static_cast<double>(cohort.size()), "percent");
  }

  Json earlyHelpOpen() {
    std::set<uint32_t> children, families;
    for (const EarlyHelpEpisode& e : w_.early_help) {
      if (!openDuring(e.start, e.end, ps_, pe_)) continue;
      children.insert(e.child);
      families.insert(w_.people[e.child].household);
    }
    Json j = count("early_help_open", "families accessing early help",
                   static_cast<double>(children.size()));
    j["breakdown"] = {{"children", children.size()}, {"families", families.size()}};
    return j;
  }

  Json neet() {
    const int year = w_.timeline.year_end;
    const Day months[] = {dayFromCivil(year - 1, 12, 31), dayFromCivil(year, 1, 31),
                          dayFromCivil(year, 3, 1) - 1};
    double numerator = 0, denominator = 0, neet_only = 0, not_known = 0;
    for (const Day month : months) {
      for (const NccisActivity& a : w_.nccis) {
        if (a.month_end != month) continue;
        const int age = academicAge(w_.people[a.person].dob, month);
        if (age < 16 || age > 17) continue;
        if (a.code == 710) continue;  // custody is outside the cohort
        denominator += 1;
        const bool is_neet = a.code == 540 || (a.code >= 610 && a.code <= 680);
        const bool is_unknown = a.code >= 810 && a.code <= 830;
        neet_only += is_neet ? 1 : 0;
        not_known += is_unknown ? 1 : 0;
        numerator += is_neet || is_unknown ? 1 : 0;
      }
    }
    Json j =
        ratio("neet_16_17", "NEET and not known", numerator / 3.0, denominator / 3.0, "percent");
    j["breakdown"] = {{"neet", rounded(neet_only / 3.0)}, {"not_known", rounded(not_known / 3.0)}};
    return j;
  }

  Json funded2yo() {
    const Day census = w_.timeline.census_day;
    std::set<uint32_t> funded;
    for (const EarlyYearsFunding& f : w_.early_years) {
      if (f.basis != "ECO" && f.basis != "HSD" && f.basis != "LAA") continue;
      if (ageOn(w_.people[f.child].dob, census) == 2) funded.insert(f.child);
    }
    int eligible = 0;
    for (uint32_t c : w_.two_year_old_eligible)
      eligible += ageOn(w_.people[c].dob, census) == 2 ? 1 : 0;
    return ratio("funded_2yo", "funded two-year-olds", static_cast<double>(funded.size()), eligible,
                 "percent");
  }

  Json cmeOpen() {
    std::set<uint32_t> children;
    for (const CmeEpisode& e : w_.cme)
      if (openDuring(e.start, e.end, ps_, pe_)) children.insert(e.child);
    return count("cme_open", "children missing education", static_cast<double>(children.size()));
  }

  std::string settingOf(const EhcPlan& plan, Day day) const {
    for (const EhcPlacement& pl : plan.placements) {
      if (!openOn(pl.start, pl.end, day)) continue;
      if (pl.school == kNone) return "other";
      const std::string& phase = w_.schools[pl.school].phase;
      if (phase == "SP") return "special";
      if (phase == "PS" || phase == "SS") return "mainstream";
      return "other";
    }
    return "other";
  }

  Json ehcpCount() {
    const Day census = w_.timeline.census_day;
    int total = 0;
    std::map<std::string, int> settings = {{"mainstream", 0}, {"special", 0}, {"other", 0}};
    for (const EhcPlan& plan : w_.ehc_plans) {
      if (!openOn(plan.start, plan.ceased, census)) continue;
      ++total;
      ++settings[settingOf(plan, census)];
    }
    Json j = count("ehcp_count", "EHC plans", total);
    j["breakdown"] = {{"mainstream", settings["mainstream"]},
                      {"special", settings["special"]},
                      {"other", settings["other"]}};
    return j;
  }

  Json permanentExclusions() {
    // The last complete academic year before the period end, with its January headcount.
    const int year = w_.timeline.year_end;
    const Day from = dayFromCivil(year - 2, 9, 1);
    const Day to = dayFromCivil(year - 1, 8, 31);
    const Day census = januaryCensusDay(year - 1);
    std::map<std::string, double> headcount, perms;
    for (const Enrolment& e : w_.enrolments)
      if (openOn(e.entry, e.leaving, census)) headcount[w_.schools[e.school].phase] += 1;
    for (const Exclusion& x : w_.exclusions)
      if (x.category == "PERM" && x.start >= from && x.start <= to)
        perms[w_.schools[x.school].phase] += 1;
    const double n = perms["PS"] + perms["SS"];
    const double d = headcount["PS"] + headcount["SS"];
    Json j = ratio("perm_exclusion_rate", "permanent exclusions", n, d, "per 100 pupils");
    j["academic_year"] = std::to_string(year - 2) + "/" + std::to_string((year - 1) % 100);
    j["breakdown"] = {
        {"primary",
         {{"numerator", perms["PS"]},
          {"denominator", headcount["PS"]},
          {"value", headcount["PS"] > 0 ? rounded(perms["PS"] / headcount["PS"] * 100) : 0.0}}},
        {"secondary",
         {{"numerator", perms["SS"]},
          {"denominator", headcount["SS"]},
          {"value", headcount["SS"] > 0 ? rounded(perms["SS"] / headcount["SS"] * 100) : 0.0}}}};
    return j;
  }

  Json pupilsGoodOutstanding() {
    const Day census = w_.timeline.census_day;
    double good = 0, graded = 0, sp_good = 0, sp_graded = 0, pupils = 0, report_cards = 0;
    for (const Enrolment& e : w_.enrolments) {
      if (!openOn(e.entry, e.leaving, census)) continue;
      const School& s = w_.schools[e.school];
      pupils += 1;
      if (reportCard(s)) {
        report_cards += 1;
        continue;
      }
      if (s.ofsted < 1 || s.ofsted > 4) continue;
      graded += 1;
      good += s.ofsted <= 2 ? 1 : 0;
      if (s.phase == "SP") {
        sp_graded += 1;
        sp_good += s.ofsted <= 2 ? 1 : 0;
      }
    }
    double ey_good = 0, ey_graded = 0;
    for (const EarlyYearsFunding& f : w_.early_years) {
      const School& s = w_.schools[f.setting];
      if (reportCard(s) || s.ofsted < 1 || s.ofsted > 4) continue;
      ey_graded += 1;
      ey_good += s.ofsted <= 2 ? 1 : 0;
    }
    Json j = ratio("pupils_good_outstanding", "pupils at good schools", good, graded, "percent");
    j["breakdown"] = {{"special_schools",
                       {{"numerator", sp_good},
                        {"denominator", sp_graded},
                        {"value", sp_graded > 0 ? rounded(sp_good / sp_graded * 100) : 0.0}}},
                      {"early_years",
                       {{"numerator", ey_good},
                        {"denominator", ey_graded},
                        {"value", ey_graded > 0 ? rounded(ey_good / ey_graded * 100) : 0.0}}},
                      {"new_framework",
                       {{"numerator", report_cards},
                        {"denominator", pupils},
                        {"value", pupils > 0 ? rounded(report_cards / pupils * 100) : 0.0}}}};
    return j;
  }

  bool owedDutyInPeriod(const HomelessCase& c) const {
    return inPeriod(c.prevention_start) || inPeriod(c.relief_start);
  }

  Json homelessDutyOwed() {
    int n = 0, prevention = 0, relief = 0;
    for (const HomelessCase& c : w_.homeless_cases) {
      n += owedDutyInPeriod(c) ? 1 : 0;
      prevention += inPeriod(c.prevention_start) ? 1 : 0;
      relief += inPeriod(c.relief_start) ? 1 : 0;
    }
    Json j = count("homeless_duty_owed", "homelessness", n);
    j["breakdown"] = {{"prevention", prevention}, {"relief", relief}};
    return j;
  }

  // Overlapping placements of one household count it once.
  Json temporaryAccommodation() {
    std::set<uint32_t> households, with_children;
    for (const TemporaryAccommodation& t : w_.temporary_accommodation) {
      if (!openOn(t.start, t.end, pe_)) continue;
      households.insert(t.household);
      if (withChildren(w_, w_.homeless_cases[t.case_id - 1])) with_children.insert(t.household);
    }
    Json j = count("temp_accommodation", "temporary accommodation",
                   static_cast<double>(households.size()));
    j["breakdown"] = {{"with_children", with_children.size()}};
    return j;
  }

  static bool isEmergency(const std::string& method) {
    return (method.size() == 2 && method[0] == '2' &&
            ((method[1] >= '1' && method[1] <= '8') || (method[1] >= 'A' && method[1] <= 'D')));
  }

  static bool codeIn(const std::string& code, char letter_from, int from, char letter_to, int to) {
    if (code.size() < 3) return false;
    const int n = (code[1] - '0') * 10 + (code[2] - '0');
    const int key = (code[0] - 'A') * 100 + n;
    return key >= (letter_from - 'A') * 100 + from && key <= (letter_to - 'A') * 100 + to;
  }

  // The publisher's definition (docs/sources.md, Health):
  // emergency admissions in the period of people aged 65+ on the admission date whose primary
  // diagnosis is an injury (S00-T98) and another diagnosis a fall (W00-W19). An admission whose
  // diagnoses arrived without ICD-10 cannot be judged: it is counted apart, never as no fall.
  // The rate is directly standardised to the European Standard Population 2013 over the
  // five-year bands 65-69 ... 90+, with the residents of each band on the period end as base.
  Json fallsAdmissions() {
    static constexpr std::array<int, 6> kEsp2013 = {5500, 5000, 4000, 2500, 1500, 1000};
    std::array<int, 6> falls{};
    int not_computable = 0;
    for (const Admission& a : w_.admissions) {
      if (!inPeriod(a.admitted) || !isEmergency(a.method)) continue;
      const int age = ageOn(w_.people[a.person].dob, a.admitted);
      if (age < 65) continue;
      if (!a.icd10_coded) {
        ++not_computable;
        continue;
      }
      bool cause = false;
      for (size_t i = 1; i < a.diagnoses.size(); ++i)
        cause = cause || codeIn(a.diagnoses[i], 'W', 0, 'W', 19);
      const bool injury = !a.diagnoses.empty() && codeIn(a.diagnoses[0], 'S', 0, 'T', 98);
      if (injury && cause) ++falls[std::min((age - 65) / 5, 5)];
    }
    std::array<int, 6> residents{};
    for (const Person& p : w_.people) {
      if (p.dob > pe_) continue;
      const int age = ageOn(p.dob, pe_);
      if (age >= 65) ++residents[std::min((age - 65) / 5, 5)];
    }
    double weighted = 0;
    int n = 0, population = 0, standard = 0;
    Json bands = Json::object();
    static constexpr std::array<const char*, 6> kBandNames = {"65-69", "70-74", "75-79",
                                                              "80-84", "85-89", "90+"};
    for (size_t b = 0; b < falls.size(); ++b) {
      n += falls[b];
      population += residents[b];
      standard += kEsp2013[b];
      if (residents[b] > 0) weighted += static_cast<double>(falls[b]) / residents[b] * kEsp2013[b];
      bands[kBandNames[b]] = {{"admissions", falls[b]}, {"residents", residents[b]}};
    }
    Json j = count("falls_admissions_65", "falls admissions 65+", n);
    j["denominator"] = population;
    j["not_computable"] = not_computable;
    j["dsr_per_100000"] = rounded(weighted / standard * 100000.0);
    j["by_age_band"] = std::move(bands);
    return j;
  }

  Json ks4EnglishMaths() {
    int cohort = 0, both = 0;
    for (const Ks4Result& r : w_.ks4) {
      ++cohort;
      both += r.english >= 4 && r.maths >= 4 ? 1 : 0;
    }
    return ratio("ks4_eng_maths_4", "grade 4+ in English and maths", both, cohort, "percent");
  }

  // Pupils summed over the school census returns whose census day falls in the period (each
  // describes the term before it): on roll on the census day, or left since the previous one.
  Json persistentAbsence() {
    int pupils = 0, persistent = 0;
    for (const auto& [pupil, t] : sessionsInPeriod()) {
      if (t.possible <= 0) continue;
      ++pupils;
      persistent += t.missed * 10 >= t.possible ? 1 : 0;
    }
    return ratio("persistent_absence", "persistent absence", persistent, pupils, "percent");
  }

  // Each pupil's sessions over the school census returns whose census day falls in the period,
  // on roll that day or having left since the previous census.
  std::map<uint32_t, TermSessions> sessionsInPeriod() const {
    const std::vector<CensusTerm> terms = censusTerms(w_.timeline.year_end);
    std::map<uint32_t, TermSessions> sessions;
    Day previous = terms.front().census - 120;
    for (const CensusTerm& term : terms) {
      const Day census = term.census;
      const Day previous_census = previous;
      previous = census;
      if (census < ps_ || census > pe_) continue;
      for (const Enrolment& e : w_.enrolments) {
        if (!inSchoolCensus(w_.schools[e.school])) continue;
        const bool on_roll = openOn(e.entry, e.leaving, census);
        const bool left = e.leaving != kNoDay && e.leaving > previous_census && e.leaving <= census;
        if (!on_roll && !left) continue;
        const TermSessions t = termSessions(w_, e.pupil, term);
        TermSessions& sum = sessions[e.pupil];
        sum.possible += t.possible;
        sum.missed += t.missed;
      }
    }
    return sessions;
  }

  // Setting rank in the one-per-person hierarchy: Nursing > Residential > Community > Prison.
  static int settingRank(const std::string& service_type) {
    static const char* kSettings[] = {"Nursing", "Residential", "Community", "Prison"};
    for (int i = 0; i < 4; ++i)
      if (service_type.find(kSettings[i]) != std::string::npos) return i;
    return 4;
  }

  // Long-term support at the year end: a service started on or before 31 March that has not
  // ended before it, one per adult, counted in the highest setting of the hierarchy.
  Json ascLongTermSupport() {
    std::map<uint32_t, int> setting_of;
    for (const AscEvent& e : w_.asc_events) {
      if (e.type != "Service" || e.service_type.rfind("Long Term", 0) != 0) continue;
      if (e.start > pe_ || (e.end != kNoDay && e.end < pe_)) continue;
      if (ageOn(w_.people[e.person].dob, pe_) < 18) continue;
      auto [it, added] = setting_of.emplace(e.person, settingRank(e.service_type));
      if (!added) it->second = std::min(it->second, settingRank(e.service_type));
    }
    int aged_18_64 = 0, aged_65 = 0;
    int settings[5] = {0, 0, 0, 0, 0};
    for (const auto& [person, setting] : setting_of) {
      (ageOn(w_.people[person].dob, pe_) < 65 ? aged_18_64 : aged_65) += 1;
      ++settings[setting];
    }
    Json j = count("asc_long_term_support", "adults with long-term support",
                   static_cast<double>(setting_of.size()));
    j["breakdown"] = {{"18-64", aged_18_64},      {"65+", aged_65},
                      {"nursing", settings[0]},   {"residential", settings[1]},
                      {"community", settings[2]}, {"prison", settings[3]}};
    return j;
  }

  // Unweighted for one council: valid answers (1-4) only; the stratum is kept for weighting.
  Json ascFeelsSafe() {
    int safe = 0, valid = 0;
    std::map<std::string, std::pair<int, int>> strata;
    for (const AscSurveyResponse& r : w_.asc_survey) {
      if (r.q7a < 1 || r.q7a > 4) continue;
      ++valid;
      safe += r.q7a == 1 ? 1 : 0;
      auto& s = strata[std::to_string(r.stratum)];
      s.first += r.q7a == 1 ? 1 : 0;
      ++s.second;
    }
    Json j =
        ratio("asc_feels_safe", "adult social care users who feel safe", safe, valid, "percent");
    Json by_stratum = Json::object();
    for (const auto& [stratum, counts] : strata)
      by_stratum[stratum] = {{"numerator", counts.first}, {"denominator", counts.second}};
    j["breakdown"] = {{"stratum", by_stratum}};
    return j;
  }

  Json roughSleeping() {
    std::set<uint32_t> people;
    for (const RoughSleeping& r : w_.rough_sleeping)
      if (inPeriod(r.recorded)) people.insert(r.person);
    return count("rough_sleeping", "rough sleeping", static_cast<double>(people.size()));
  }

  // ---- cross-service -------------------------------------------------------------------------

  std::set<uint32_t> peopleOwedDutyInPeriod() const {
    std::set<uint32_t> out;
    for (const HomelessCase& c : w_.homeless_cases) {
      if (!owedDutyInPeriod(c)) continue;
      out.insert(c.applicant);
      out.insert(c.members.begin(), c.members.end());
    }
    return out;
  }

  Json careLeaversOwedDuty() {
    const std::set<uint32_t> owed = peopleOwedDutyInPeriod();
    std::set<uint32_t> cohort, numerator;
    for (const CareLeaver& c : w_.care_leavers) {
      for (const CareLeaverStatus& s : c.statuses) {
        if (s.age < 19 || s.age > 21 || !inPeriod(s.birthday)) continue;
        cohort.insert(c.person);
        if (owed.count(c.person) != 0) numerator.insert(c.person);
      }
    }
    return ratio(
        "care_leavers_19_21_owed_homelessness_duty", "care leavers 19-21 owed a homelessness duty",
        static_cast<double>(numerator.size()), static_cast<double>(cohort.size()), "percent");
  }

  // The household placed is the one the case was made for: a single applicant's placement does
  // not house the rest of the family they lived with.
  Json cpChildrenInTemporaryAccommodation() {
    std::set<uint32_t> placed;
    for (const TemporaryAccommodation& t : w_.temporary_accommodation)
      if (openOn(t.start, t.end, pe_)) {
        const HomelessCase& c = w_.homeless_cases[t.case_id - 1];
        placed.insert(c.members.begin(), c.members.end());
      }
    std::set<uint32_t> cp, in_ta;
    for (const CinEpisode& ep : w_.cin_episodes)
      for (const CpPlan& plan : ep.cp_plans)
        if (openOn(plan.start, plan.end, pe_)) {
          cp.insert(ep.child);
          if (placed.count(ep.child) != 0) in_ta.insert(ep.child);
        }
    return ratio("cp_children_in_temporary_accommodation",
                 "children on CP plans living in temporary accommodation",
                 static_cast<double>(in_ta.size()), static_cast<double>(cp.size()), "percent");
  }

  Json claWithEhcp() {
    const Day census = w_.timeline.census_day;
    std::map<uint32_t, std::string> ehcp_setting;
    for (const EhcPlan& plan : w_.ehc_plans)
      if (openOn(plan.start, plan.ceased, census))
        ehcp_setting[plan.person] = settingOf(plan, census);
    std::set<uint32_t> cla;
    for (const ClaPeriod* p : claAtPeriodEnd()) cla.insert(p->child);
    std::map<std::string, int> by_setting = {{"mainstream", 0}, {"special", 0}, {"other", 0}};
    int with = 0;
    for (uint32_t c : cla) {
      const auto it = ehcp_setting.find(c);
      if (it == ehcp_setting.end()) continue;
      ++with;
      ++by_setting[it->second];
    }
    Json j = ratio("cla_with_ehcp", "children in care with an EHC plan", with,
                   static_cast<double>(cla.size()), "percent");
    j["breakdown"] = {{"mainstream", by_setting["mainstream"]},
                      {"special", by_setting["special"]},
                      {"other", by_setting["other"]}};
    return j;
  }

  Json familyMultipleNeeds() {
    const size_t n = w_.people.size();
    std::vector<uint8_t> social(n, 0), send(n, 0), school(n, 0), housing_need(n, 0), parent(n, 0),
        neet(n, 0);
    for (const CinEpisode& ep : w_.cin_episodes)
      if (openDuring(ep.referral, ep.closure, ps_, pe_)) social[ep.child] = 1;
    for (const ClaPeriod& p : w_.cla_periods)
      if (openDuring(p.start, p.end, ps_, pe_)) social[p.child] = 1;
    for (const EhcPlan& plan : w_.ehc_plans)
      if (openDuring(plan.start, plan.ceased, ps_, pe_)) send[plan.person] = 1;
    // SEN support as the school census records it: on roll on a census day of the period.
    for (const CensusTerm& term : censusTerms(w_.timeline.year_end)) {
      if (term.census < ps_ || term.census > pe_) continue;
      for (const Enrolment& e : w_.enrolments)
        if (inSchoolCensus(w_.schools[e.school]) && openOn(e.entry, e.leaving, term.census) &&
            e.pupil < w_.sen_support.size() && w_.sen_support[e.pupil])
          send[e.pupil] = 1;
    }
    for (const auto& [pupil, t] : sessionsInPeriod())
      if (t.possible > 0 && t.missed * 10 >= t.possible) school[pupil] = 1;
    // Exclusions as the census returns report them: a term's exclusions come with the next
    // census, so those of the term after the last return are not known yet.
    const std::vector<CensusTerm> terms = censusTerms(w_.timeline.year_end);
    for (const Exclusion& x : w_.exclusions) {
      const bool reported = std::any_of(terms.begin(), terms.end(), [&](const CensusTerm& t) {
        return x.start >= t.term_start && x.start <= t.term_end;
      });
      if (inPeriod(x.start) && reported && inSchoolCensus(w_.schools[x.school])) school[x.pupil] = 1;
    }
    std::set<uint32_t> homeless_households;
    for (const HomelessCase& c : w_.homeless_cases)
      if (owedDutyInPeriod(c)) homeless_households.insert(c.household);
    for (const TemporaryAccommodation& t : w_.temporary_accommodation)
      if (openDuring(t.start, t.end, ps_, pe_)) homeless_households.insert(t.household);
    std::vector<uint8_t> adult_need(n, 0);
    for (const AscEvent& e : w_.asc_events)
      if (e.type == "Service" && openDuring(e.start, e.end, ps_, pe_)) adult_need[e.person] = 1;
    for (const Admission& a : w_.admissions) {
      if (!inPeriod(a.admitted)) continue;
      for (const std::string& d : a.diagnoses)
        if (codeIn(d, 'W', 0, 'W', 19)) adult_need[a.person] = 1;
    }
    for (const NccisActivity& a : w_.nccis)
      if (inPeriod(a.month_end) &&
          (a.code == 540 || (a.code >= 610 && a.code <= 680) || (a.code >= 810 && a.code <= 830)))
        neet[a.person] = 1;
    int children = 0, multiple = 0;
    for (uint32_t p = 0; p < n; ++p) {
      const Person& person = w_.people[p];
      if (person.dob > pe_ || ageOn(person.dob, pe_) >= 18) continue;
      ++children;
      housing_need[p] = homeless_households.count(person.household) != 0;
      parent[p] = person.mother != kNone && adult_need[person.mother];
      const int domains = social[p] + send[p] + school[p] + housing_need[p] + parent[p] + neet[p];
      multiple += domains >= 3 ? 1 : 0;
    }
    return ratio("family_multiple_needs", "children with needs in three or more services", multiple,
                 children, "percent");
  }

  const World& w_;
  const Day ps_;
  const Day pe_;
};

}  // namespace

nlohmann::ordered_json computeIndicators(const World& world) { return Oracle(world).run(); }

}  // namespace hearth::synth
