#include "tests/synth/social_care.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "tests/synth/population.hpp"

namespace hearth::synth {
namespace {

// Flows per year at 100% scale, in line with a county of this size (England rates per 10,000
// children: about 1,800 contacts, 500 referrals, 170 section 47 enquiries).
constexpr double kContactsPerYear = 11500;  // contacts that do not become referrals
constexpr double kReferralsPerYear = 4800;
constexpr double kCpStartsPerYear = 470;
constexpr double kClaStartsPerYear = 230;
constexpr double kAgedOutPerYear = 78;
constexpr double kEarlyHelpChildrenPerYear = 2600;
constexpr double kShortBreakShare = 0.05;

constexpr Day kOpenEnd = std::numeric_limits<int32_t>::max() / 2;

struct Weighted {
  std::vector<std::string> codes;
  std::vector<double> weights;
  const std::string& draw(Rng& rng) const { return codes[rng.weighted(weights)]; }
};

const Weighted kReferralSources = {
    {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E",
     "3F", "4",  "5A", "5B", "5C", "5D", "6",  "7",  "8",  "9",  "10"},
    {5, 2, 1, 1, 18, 2, 3, 3, 1, 1, 3, 5, 2, 5, 2, 2, 4, 28, 2, 7, 2, 1}};
const Weighted kNeeds = {{"N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"},
                         {1.5, 55, 4, 3, 10, 15, 3, 0.5, 3, 5}};
const Weighted kCpCategories = {{"NEG", "EMO", "PHY", "SAB", "MUL"}, {50, 35, 6, 4, 5}};
const std::vector<std::string> kFactors = {"1B",  "1C",  "2A",  "2B",  "3A",  "3B",  "4A",  "4B",
                                           "5A",  "5B",  "6A",  "6B",  "7A",  "8B",  "9A",  "10A",
                                           "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18B",
                                           "19B", "20",  "21",  "22A", "23A", "24A"};
const std::vector<std::string> kMoveReasons = {"CARPL", "CHILD", "LAREQ", "PLACE", "STAND",
                                               "APPRR", "CREQB", "CREQO", "CLOSE", "ALLEG"};

class SocialCareSimulator {
 public:
  SocialCareSimulator(World& world, Rng& rng)
      : w_(world), rng_(rng), t_(world.timeline), busy_(world.people.size()) {
    by_dob_.resize(w_.people.size());
    for (uint32_t i = 0; i < by_dob_.size(); ++i) by_dob_[i] = i;
    std::stable_sort(by_dob_.begin(), by_dob_.end(),
                     [&](uint32_t a, uint32_t b) { return w_.people[a].dob < w_.people[b].dob; });
  }

  void run() {
    placeClaStock();
    placeCpStock();
    placeAgedOut();
    placeClaFlows();
    placeCpFlows();
    placeGenericReferrals();
    placeContactsOnly();
    placeEarlyHelp();
    finish();
  }

 private:
  // ---- helpers -------------------------------------------------------------------------------

  int scaledCount(double full_scale) const {
    return static_cast<int>(std::llround(full_scale * w_.options.scale));
  }
  Day between(Day a, Day b) { return b <= a ? a : static_cast<Day>(rng_.range(a, b)); }
  Day yearsAgo(Day from, double years) { return from - static_cast<Day>(years * 365.2425); }

  bool isFree(uint32_t child, Day from, Day to) const {
    if (from == kNoDay) return true;
    for (const auto& [a, b] : busy_[child])
      if (from <= b + 21 && to + 21 >= a) return false;
    return true;
  }
  void occupy(uint32_t child, Day from, Day to) { busy_[child].push_back({from, to}); }

  double riskWeight(uint32_t person) const {
    switch (w_.households[w_.people[person].household].risk) {
      case 2:
        return 1.0;
      case 1:
        return 0.3;
      default:
        return 0.02;
    }
  }

  /// A child born in [dob_from, dob_to], weighted by family risk, free over [from, to] unless
  /// `from` is kNoDay.
  uint32_t pickChild(Day dob_from, Day dob_to, Day from, Day to) {
    const auto lo = std::lower_bound(by_dob_.begin(), by_dob_.end(), dob_from,
                                     [&](uint32_t p, Day d) { return w_.people[p].dob < d; });
    const auto hi = std::upper_bound(by_dob_.begin(), by_dob_.end(), dob_to,
                                     [&](Day d, uint32_t p) { return d < w_.people[p].dob; });
    if (hi <= lo) return kNone;
    const uint64_t span = static_cast<uint64_t>(hi - lo);
    for (int attempt = 0; attempt < 4000; ++attempt) {
      const uint32_t person = *(lo + static_cast<ptrdiff_t>(rng_.below(span)));
      if (!rng_.chance(riskWeight(person))) continue;
      if (isFree(person, from, to)) return person;
    }
    return kNone;
  }

  /// A child aged [min_age, max_age] on `day`.
  uint32_t pickChildAged(Day day, int min_age, int max_age, Day from = kNoDay, Day to = kNoDay) {
    const Day dob_from = addYears(day, -(max_age + 1)) + 1;
    const Day dob_to = std::min(addYears(day, -min_age), day);
    return pickChild(dob_from, dob_to, from, to);
  }

  Day authorisationAfter(Day start) {
    const int wd = rng_.chance(0.84) ? static_cast<int>(rng_.range(8, 45))
                                     : static_cast<int>(rng_.range(46, 95));
    return addWorkingDays(start, wd);
  }

  Day clipToExtract(Day d) const { return d > t_.extract_day ? kNoDay : d; }

  uint32_t addContact(uint32_t child, Day received, bool referral, Day decided_on = kNoDay) {
    Contact c;
    c.child = child;
    c.received = received;
    c.received_minute = static_cast<int>(weekday(received) >= 5 ? rng_.range(0, 1439)
                                                                : rng_.range(8 * 60, 18 * 60));
    if (decided_on == kNoDay) {
      const double u = rng_.uniform();
      decided_on = u < 0.58   ? received
                   : u < 0.88 ? addWorkingDays(received, 1)
                              : addWorkingDays(received, static_cast<int>(rng_.range(2, 8)));
    }
    c.decided = std::max(decided_on, received);
    c.decided_minute =
        c.decided == received
            ? std::min(1439, c.received_minute + static_cast<int>(rng_.range(20, 300)))
            : static_cast<int>(rng_.range(8 * 60, 18 * 60));
    c.source = kReferralSources.draw(rng_);
    c.led_to_referral = referral;
    w_.contacts.push_back(std::move(c));
    return static_cast<uint32_t>(w_.contacts.size() - 1);
  }

  CinEpisode newEpisode(uint32_t child, Day referral, const std::string& need) {
    CinEpisode ep;
    ep.child = child;
    ep.referral = referral;
    const double u = rng_.uniform();
    const Day received = u < 0.6    ? referral
                         : u < 0.85 ? referral - 1
                                    : referral - static_cast<Day>(rng_.range(2, 6));
    ep.contact = addContact(child, received, true, referral);
    ep.source = w_.contacts[ep.contact].source;
    ep.need = need.empty() ? kNeeds.draw(rng_) : need;
    return ep;
  }

  void addAssessment(CinEpisode& ep, Day start) {
    Assessment a;
    a.start = start;
    a.authorised = clipToExtract(authorisationAfter(start));
    const int n = static_cast<int>(rng_.range(1, 3));
    for (int i = 0; i < n; ++i) {
      const std::string& f = rng_.pick(kFactors);
      if (std::find(a.factors.begin(), a.factors.end(), f) == a.factors.end())
        a.factors.push_back(f);
    }
    ep.assessments.push_back(std::move(a));
  }

  /// Section 47 then an initial conference; returns the conference day.
  Day addS47WithConference(CinEpisode& ep, Day start) {
    Section47 s;
    s.start = start;
    s.icpc_target = addWorkingDays(start, 15);
    s.icpc = addWorkingDays(
        start, static_cast<int>(rng_.chance(0.8) ? rng_.range(6, 15) : rng_.range(16, 30)));
    s.end = s.icpc;
    ep.s47s.push_back(s);
    return s.icpc;
  }

  void addS47WithoutConference(CinEpisode& ep, Day start) {
    Section47 s;
    s.start = start;
    s.icpc_target = addWorkingDays(start, 15);
    s.icpc_not_required = true;
    s.end = addWorkingDays(start, static_cast<int>(rng_.range(3, 20)));
    ep.s47s.push_back(s);
  }

  void addCpPlan(CinEpisode& ep, Day start, Day end) {
    CpPlan plan;
    plan.start = start;
    plan.end = end;
    plan.initial_category = kCpCategories.draw(rng_);
    plan.latest_category = rng_.chance(0.9) ? plan.initial_category : kCpCategories.draw(rng_);
    const Day last = end == kNoDay ? t_.extract_day : end;
    // Review conferences three months in, then every six months.
    for (Day r = addMonths(start, 3); r < last; r = addMonths(r, 6)) plan.reviews.push_back(r);
    ep.cp_plans.push_back(std::move(plan));
  }

  Day cpDuration() {
    const double u = rng_.uniform();
    if (u < 0.40) return static_cast<Day>(rng_.range(30, 182));
    if (u < 0.75) return static_cast<Day>(rng_.range(183, 365));
    if (u < 0.95) return static_cast<Day>(rng_.range(366, 730));
    return static_cast<Day>(rng_.range(731, 1300));
  }

  // ---- periods of care -----------------------------------------------------------------------

  uint32_t placementPostcode(const std::string& place, const std::string& provider, uint32_t home) {
    const Postcode& h = w_.postcodes[home];
    if (place == "P1") return home;
    // Residential homes and agency foster carers are often far away; in-house carers are local.
    double far = 0.04;
    if (place == "K2" || place == "K1" || place == "S1" || place == "R1")
      far = 0.5;
    else if (provider == "PR4" || provider == "PR5" || place[0] == 'A')
      far = 0.24;
    if (rng_.chance(0.015)) return kNone;  // not recorded
    if (rng_.chance(far)) return distantPostcode(w_, rng_, h.easting, h.northing, 20.5, 90);
    if (rng_.chance(0.2)) return distantPostcode(w_, rng_, h.easting, h.northing, 8, 19.5);
    return nearbyPostcode(w_, rng_, h.easting, h.northing, 8);
  }

  /// A placement from `start`. A temporary one (T0-T4) is allowed only mid-period, where the
  /// caller can end it within a week.
  Placement newPlacement(const Person& child, Day start, uint32_t home, bool adoption,
                         bool allow_temporary) {
    Placement p;
    p.start = start;
    const int age = ageOn(child.dob, start);
    const double u = rng_.uniform();
    if (adoption) {
      p.place = std::string("A") + static_cast<char>('3' + rng_.below(4));
    } else if (age >= 16) {
      p.place = u < 0.30   ? "H5"
                : u < 0.45 ? "K2"
                : u < 0.93 ? std::string("U") + static_cast<char>('4' + rng_.below(3))
                           : "P2";
    } else if (age >= 10) {
      p.place = u < 0.15   ? "K2"
                : u < 0.88 ? std::string("U") + static_cast<char>('1' + rng_.below(6))
                : u < 0.94 ? "P1"
                : u < 0.97 ? "R1"
                           : "S1";
    } else {
      p.place = u < 0.88   ? std::string("U") + static_cast<char>('1' + rng_.below(6))
                : u < 0.95 ? "P1"
                : u < 0.97 ? "K2"
                           : "R3";
    }
    const bool temporary = rng_.chance(0.01);
    if (temporary && allow_temporary) {
      p.place = std::string("T") + static_cast<char>('0' + rng_.below(5));
    }
    const double v = rng_.uniform();
    if (p.place == "P1" || p.place == "P2") {
      p.provider = "PR0";
    } else if (p.place[0] == 'U' && p.place[1] <= '3') {
      p.provider = "PR1";
    } else if (p.place[0] == 'U') {
      p.provider = v < 0.6 ? "PR1" : v < 0.95 ? "PR4" : "PR5";
    } else if (p.place == "K2" || p.place == "S1") {
      p.provider = v < 0.15 ? "PR1" : v < 0.2 ? "PR2" : "PR4";
    } else if (p.place[0] == 'A') {
      p.provider = v < 0.7 ? "PR1" : "PR5";
    } else if (p.place == "H5") {
      p.provider = v < 0.3 ? "PR1" : "PR4";
    } else {
      p.provider = v < 0.5 ? "PR1" : "PR3";
    }
    if (p.place[0] == 'T') p.provider.clear();  // the 903 gives no provider for these
    p.postcode = placementPostcode(p.place, p.provider, home);
    if (p.place == "K2" || p.place == "K1" || p.place == "S1" || p.place == "R1" ||
        p.place == "H5") {
      char urn[16];
      std::snprintf(urn, sizeof urn, "SC%06u", static_cast<unsigned>(400000 + rng_.below(99999)));
      p.urn = urn;
    }
    return p;
  }

  Day placementDuration() {
    return rng_.chance(0.35) ? static_cast<Day>(7 + rng_.exponential(60))
                             : static_cast<Day>(60 + rng_.exponential(900));
  }

  /// Placements from start to end (kNoDay: open). `settle_by` forces a last placement that
  /// began no later than that day, for children whose care has long been stable.
  void buildPlacements(ClaPeriod& p, Day settle_by) {
    const Person& child = w_.people[p.child];
    const Day horizon = p.end == kNoDay ? t_.extract_day : p.end;
    Day day = p.start;
    for (;;) {
      // A temporary placement neither starts nor ends a period of care, and lasts a week at
      // most (the 903's limit for the shortest of them).
      const bool allow_temporary =
          day != p.start && horizon - day > 7 && (settle_by == kNoDay || day > settle_by);
      Placement pl = newPlacement(child, day, p.home_postcode, p.adopted && horizon - day < 400,
                                  allow_temporary);
      Day end = day + std::max<Day>(1, placementDuration());
      if (settle_by != kNoDay && day <= settle_by && end > settle_by) end = kOpenEnd;
      if (pl.place[0] == 'T') end = std::min(end, day + 7);
      if (end >= horizon) {
        pl.end = p.end;
        p.placements.push_back(std::move(pl));
        break;
      }
      pl.end = end;
      pl.change_reason = rng_.pick(kMoveReasons);
      p.placements.push_back(std::move(pl));
      day = end;
    }
    // Placement with parents needs a care order: a child accommodated under section 20 (V2)
    // lives with foster carers instead.
    for (Placement& pl : p.placements) {
      if (pl.place != "P1") continue;
      const Day pl_end = pl.end == kNoDay ? kOpenEnd : pl.end;
      for (const LegalStatus& ls : p.legal) {
        const Day ls_end = ls.end == kNoDay ? kOpenEnd : ls.end;
        if (ls.code == "V2" && ls.start < pl_end && pl.start < ls_end) {
          pl.place = "U4";
          pl.provider = "PR1";
          break;
        }
      }
    }
  }

  void buildLegalStatuses(ClaPeriod& p, bool short_break) {
    const Day horizon = p.end == kNoDay ? t_.extract_day : p.end;
    const int age = ageOn(w_.people[p.child].dob, p.start);
    auto push = [&](Day start, const std::string& code) -> bool {
      if (!p.legal.empty()) p.legal.back().end = start;
      p.legal.push_back({start, kNoDay, code});
      return true;
    };
    if (short_break) {
      // V3 records each short break as an episode of its own, of 17 days at most; a longer
      // series is recorded as one agreement (V4).
      const bool single_breaks = !rng_.chance(0.7);
      const bool short_enough = p.end != kNoDay && p.end - p.start <= 17;
      push(p.start, single_breaks && short_enough ? "V3" : "V4");
    } else {
      const double u = rng_.uniform();
      std::string code = u < 0.32                  ? "V2"
                         : u < 0.74                ? "C1"
                         : u < 0.80                ? "L2"
                         : (u < 0.82 && age >= 10) ? "J2"
                                                   : "C2";
      Day day = p.start;
      push(day, code);
      for (int step = 0; step < 4; ++step) {
        std::string next;
        Day after = 0;
        if (code == "L2" || code == "L1") {
          next = "C1";
          after = static_cast<Day>(rng_.range(3, 20));
        } else if (code == "C1") {
          next = p.adopted ? "E1" : "C2";
          after = static_cast<Day>(rng_.range(120, 330));
        } else if (code == "V2" && rng_.chance(0.3)) {
          next = "C1";
          after = static_cast<Day>(rng_.range(30, 300));
        } else if (code == "C2" && p.adopted) {
          next = "E1";
          after = static_cast<Day>(rng_.range(60, 240));
        } else if (code == "J2") {
          next = "V2";
          after = static_cast<Day>(rng_.range(10, 90));
        } else {
          break;
        }
        day += after;
        if (day >= horizon - 1) break;
        push(day, next);
        code = next;
      }
    }
    p.legal.back().end = p.end;
  }

  void addMissingAndReviews(ClaPeriod& p) {
    const Day horizon = p.end == kNoDay ? t_.extract_day : p.end;
    const Person& child = w_.people[p.child];
    if (ageOn(child.dob, horizon) >= 12 && rng_.chance(0.22)) {
      const int n = static_cast<int>(rng_.range(1, 5));
      for (int i = 0; i < n; ++i) {
        const Day start = between(p.start, horizon - 3);
        if (start < std::max(p.start, t_.history_start)) continue;
        MissingEpisode m;
        m.start = start;
        m.end = clipToExtract(start + static_cast<Day>(rng_.range(0, 6)));
        m.kind = rng_.chance(0.7) ? 'M' : 'A';
        p.missing.push_back(m);
      }
      std::sort(p.missing.begin(), p.missing.end(),
                [](const MissingEpisode& a, const MissingEpisode& b) { return a.start < b.start; });
    }
    Day review = addWorkingDays(p.start, 20);
    for (int i = 0; review < horizon; ++i) {
      p.reviews.push_back(review);
      review = addMonths(review, i == 0 ? 3 : 6);
    }
  }

  /// A referral and its casework leading into care on `start`; the episode stays open while the
  /// child is looked after and closes with the period.
  CinEpisode chainIntoCare(uint32_t child, Day start, bool via_cp) {
    const Day referral = start - static_cast<Day>(rng_.range(5, via_cp ? 200 : 90));
    CinEpisode ep = newEpisode(child, referral, rng_.chance(0.7) ? "N1" : "");
    addAssessment(ep, referral + static_cast<Day>(rng_.range(0, 4)));
    if (via_cp) {
      const Day icpc = addS47WithConference(ep, referral + static_cast<Day>(rng_.range(0, 3)));
      if (icpc < start - 7) addCpPlan(ep, icpc, start);
    } else if (rng_.chance(0.35)) {
      addS47WithoutConference(ep, referral + static_cast<Day>(rng_.range(0, 3)));
    }
    return ep;
  }

  void addPeriod(ClaPeriod period, CinEpisode ep, Day settle_by, bool short_break) {
    const uint32_t child = period.child;
    period.home_postcode =
        w_.addresses[w_.addressOn(child, std::max(period.start, t_.history_start))].postcode;
    // The 903's category of need is N1-N8; the census's N0 (not stated) and N9 (not in need)
    // do not describe a child who came into care.
    const bool census_only = ep.need == "N0" || ep.need == "N9" || ep.need.empty();
    period.need = census_only ? "N1" : ep.need;
    buildLegalStatuses(period, short_break);
    buildPlacements(period, settle_by);
    addMissingAndReviews(period);
    if (period.end != kNoDay) {
      ep.closure = clipToExtract(period.end + static_cast<Day>(rng_.range(0, 20)));
      if (ep.closure != kNoDay) {
        const std::string& rec = period.reason_ceased;
        ep.closure_reason = rec == "E11" || rec == "E12"                 ? "RC1"
                            : rec == "E41"                               ? "RC3"
                            : rec == "E45" || rec == "E46"               ? "RC4"
                            : rec == "E17" || rec == "E7" || rec == "E8" ? "RC6"
                                                                         : "RC7";
      }
    }
    occupy(child, ep.referral, ep.closure == kNoDay ? kOpenEnd : ep.closure);
    period.cin_episode = static_cast<uint32_t>(w_.cin_episodes.size());
    w_.cin_episodes.push_back(std::move(ep));
    w_.cla_periods.push_back(std::move(period));
  }

  // ---- stocks on the last day ----------------------------------------------------------------

  void placeClaStock() {
    const int target = scaledCount(kClaAtPeriodEnd);
    const int short_breaks = static_cast<int>(std::llround(target * kShortBreakShare));
    for (int i = 0; i < target + short_breaks; ++i) {
      const bool short_break = i >= target;
      const double u = rng_.uniform();
      const int age = u < 0.05   ? 0
                      : u < 0.19 ? static_cast<int>(rng_.range(1, 4))
                      : u < 0.37 ? static_cast<int>(rng_.range(5, 9))
                      : u < 0.75 ? static_cast<int>(rng_.range(10, 15))
                                 : static_cast<int>(rng_.range(16, 17));
      const double d = rng_.uniform();
      double years = d < 0.30   ? rng_.uniform()
                     : d < 0.55 ? 1 + rng_.uniform() * 1.5
                                : 2.5 + rng_.exponential(2.5);
      if (short_break) years = rng_.uniform() * 3;
      for (int attempt = 0; attempt < 50; ++attempt) {
        const uint32_t child = pickChildAged(t_.period_end, age, age);
        if (child == kNone) continue;
        const Day dob = w_.people[child].dob;
        Day start = std::max(dob + 1, yearsAgo(t_.period_end, years));
        if (!isFree(child, start - 220, kOpenEnd)) continue;
        ClaPeriod period;
        period.child = child;
        period.start = start;
        period.uasc = !short_break && age >= 14 && rng_.chance(0.04);
        // Most children long in care and under 16 have been in the same home for two years.
        Day settle_by = kNoDay;
        const bool long_stay = t_.period_end - start >= 913 && age < 16;
        if (long_stay && rng_.chance(0.55)) {
          settle_by = between(start, t_.period_end - 740);
        }
        CinEpisode ep = chainIntoCare(child, start, !short_break && rng_.chance(0.35));
        addPeriod(std::move(period), std::move(ep), settle_by, short_break);
        break;
      }
    }
  }

  void placeCpStock() {
    const int target = scaledCount(kCpPlansAtPeriodEnd);
    for (int i = 0; i < target; ++i) {
      const double u = rng_.uniform();
      const int age = u < 0.35   ? static_cast<int>(rng_.range(0, 4))
                      : u < 0.65 ? static_cast<int>(rng_.range(5, 9))
                      : u < 0.93 ? static_cast<int>(rng_.range(10, 15))
                                 : static_cast<int>(rng_.range(16, 17));
      for (int attempt = 0; attempt < 50; ++attempt) {
        const Day plan_start = t_.period_end - cpDuration();
        const Day referral = plan_start - static_cast<Day>(rng_.range(22, 60));
        const uint32_t child = pickChildAged(t_.period_end, age, age, referral, kOpenEnd);
        if (child == kNone || w_.people[child].dob > referral) continue;
        CinEpisode ep = newEpisode(child, referral, rng_.chance(0.75) ? "N1" : "");
        addAssessment(ep, referral + static_cast<Day>(rng_.range(0, 3)));
        Section47 s;
        s.start = referral + static_cast<Day>(rng_.range(0, 5));
        s.icpc_target = addWorkingDays(s.start, 15);
        s.icpc = std::max(plan_start, s.start + 1);
        s.end = s.icpc;
        ep.s47s.push_back(s);
        addCpPlan(ep, s.icpc, kNoDay);
        occupy(child, referral, kOpenEnd);
        w_.cin_episodes.push_back(std::move(ep));
        break;
      }
    }
  }

  // ---- flows ---------------------------------------------------------------------------------

  void placeAgedOut() {
    const int n = scaledCount(kAgedOutPerYear * 5);
    for (int i = 0; i < n; ++i) {
      for (int attempt = 0; attempt < 50; ++attempt) {
        const Day eighteenth = between(t_.history_start, t_.period_end - 1);
        const Day dob_to = addYears(eighteenth, -18);
        const Day years_in = static_cast<Day>(365 * (0.3 + rng_.exponential(2.0)));
        const Day start = std::max(eighteenth - years_in, addYears(eighteenth, -17));
        const uint32_t child = pickChild(dob_to, dob_to, start - 220, eighteenth + 30);
        if (child == kNone) continue;
        ClaPeriod period;
        period.child = child;
        period.start = start;
        period.end = eighteenth;
        const double u = rng_.uniform();
        period.reason_ceased = u < 0.30   ? "E17"
                               : u < 0.65 ? "E7"
                               : u < 0.80 ? "E13"
                               : u < 0.92 ? "E8"
                                          : "E3";
        CinEpisode ep = chainIntoCare(child, start, rng_.chance(0.2));
        CareLeaver leaver;
        leaver.person = child;
        leaver.cla_period = static_cast<uint32_t>(w_.cla_periods.size());
        addPeriod(std::move(period), std::move(ep), kNoDay, false);
        addCareLeaverStatuses(leaver);
        w_.care_leavers.push_back(std::move(leaver));
        break;
      }
    }
  }

  void addCareLeaverStatuses(CareLeaver& leaver) {
    const Person& p = w_.people[leaver.person];
    // RHOM and DIED are left out: the 903 wants activity and accommodation both blank (rule
    // 344) and all three items coded or all blank (rule 153) for them, which cannot both hold.
    const std::string in_touch_codes[] = {"YES", "NO", "REFU", "NREQ"};
    const std::vector<double> in_touch_weights = {91, 3, 2, 4};
    const std::vector<std::string> activities = {"F1", "P1", "F2", "P2", "F3",
                                                 "P3", "G4", "G5", "G6"};
    const std::vector<double> activity_weights = {8, 2, 16, 4, 22, 10, 9, 21, 8};
    const std::vector<std::string> accommodation = {"B", "C", "D", "E", "G", "H", "K", "R",
                                                    "S", "T", "U", "V", "W", "X", "Z"};
    const std::vector<double> accommodation_weights = {10, 2,  14, 6, 4, 3, 1, 3,
                                                       8,  40, 3,  2, 1, 2, 1};
    for (int age = 18; age <= 21; ++age) {
      const Day birthday = addYears(p.dob, age);
      if (birthday > t_.period_end || birthday < t_.history_start) continue;
      CareLeaverStatus s;
      s.birthday = birthday;
      s.age = age;
      const Ymd b = civilFromDay(birthday);
      s.collection_year = b.month >= 4 ? b.year + 1 : b.year;
      s.in_touch = in_touch_codes[rng_.weighted(in_touch_weights)];
      if (s.in_touch == "YES") {
        s.activity = activities[rng_.weighted(activity_weights)];
        const std::string& type = accommodation[rng_.weighted(accommodation_weights)];
        const bool unsuitable_type = type == "V" || type == "Z" || type == "W" || type == "K";
        const bool suitable = rng_.chance(unsuitable_type ? 0.15 : 0.93);
        // No fixed abode (S) and custody (X) are never suitable.
        const bool never_suitable = type == "S" || type == "X";
        s.accommodation = type + (suitable && !never_suitable ? "1" : "2");
      } else {
        // Not in touch: activity and accommodation are coded 0, information not known.
        s.activity = "0";
        s.accommodation = "0";
      }
      leaver.statuses.push_back(std::move(s));
    }
  }

  void placeClaFlows() {
    const int n = scaledCount(kClaStartsPerYear * 5);
    for (int i = 0; i < n; ++i) {
      for (int attempt = 0; attempt < 50; ++attempt) {
        const Day start = between(t_.history_start - 365, t_.period_end - 20);
        Day duration = rng_.chance(0.45) ? static_cast<Day>(rng_.range(3, 240))
                                         : static_cast<Day>(240 + rng_.exponential(500));
        if (start + duration > t_.period_end)
          duration = static_cast<Day>(rng_.range(1, t_.period_end - start));
        const Day end = start + duration;
        if (end < t_.history_start) continue;
        const double u = rng_.uniform();
        const int age = u < 0.2    ? 0
                        : u < 0.4  ? static_cast<int>(rng_.range(1, 4))
                        : u < 0.55 ? static_cast<int>(rng_.range(5, 9))
                                   : static_cast<int>(rng_.range(10, 16));
        const uint32_t child = pickChildAged(start, age, age, start - 220, end + 40);
        if (child == kNone || ageOn(w_.people[child].dob, end) >= 18) continue;
        ClaPeriod period;
        period.child = child;
        period.start = start;
        period.end = end;
        const double r = rng_.uniform();
        const bool young = age < 5;
        if (young && duration > 300 && r < 0.35) {
          period.adopted = true;
          period.reason_ceased = rng_.chance(0.5) ? "E11" : "E12";
        } else {
          period.reason_ceased = r < 0.45   ? "E4A"
                                 : r < 0.55 ? "E4B"
                                 : r < 0.70 ? "E45"
                                 : r < 0.78 ? "E46"
                                 : r < 0.86 ? "E41"
                                 : r < 0.90 ? "E13"
                                 : r < 0.95 ? "E8"
                                            : "E9";
        }
        CinEpisode ep = chainIntoCare(child, start, rng_.chance(0.3));
        addPeriod(std::move(period), std::move(ep), kNoDay, false);
        break;
      }
    }
  }

  void placeCpFlows() {
    const int n = scaledCount(kCpStartsPerYear * 5);
    for (int i = 0; i < n; ++i) {
      for (int attempt = 0; attempt < 50; ++attempt) {
        const Day referral = between(t_.history_start - 300, t_.period_end - 60);
        const Day s47 = referral + static_cast<Day>(rng_.range(0, 5));
        const Day icpc = addWorkingDays(s47, static_cast<int>(rng_.range(6, 18)));
        Day plan_end = icpc + cpDuration();
        if (plan_end > t_.period_end) plan_end = between(icpc + 14, t_.period_end);
        if (plan_end < t_.history_start || plan_end <= icpc) continue;
        // Step down to a child in need plan before the case closes.
        const Day cin_end = plan_end + static_cast<Day>(rng_.range(60, 200));
        const int age = static_cast<int>(rng_.range(0, 16));
        const uint32_t child = pickChildAged(referral, age, age, referral, cin_end);
        if (child == kNone || ageOn(w_.people[child].dob, cin_end) >= 18) continue;
        CinEpisode ep = newEpisode(child, referral, rng_.chance(0.75) ? "N1" : "");
        addAssessment(ep, referral + static_cast<Day>(rng_.range(0, 3)));
        Section47 s;
        s.start = s47;
        s.icpc_target = addWorkingDays(s47, 15);
        s.icpc = icpc;
        s.end = icpc;
        ep.s47s.push_back(s);
        addCpPlan(ep, icpc, clipToExtract(plan_end));
        CinPlan cin;
        cin.start = plan_end;
        cin.end = clipToExtract(cin_end);
        ep.cin_plans.push_back(cin);
        ep.closure = clipToExtract(cin_end);
        if (ep.closure != kNoDay) ep.closure_reason = "RC7";
        occupy(child, referral, ep.closure == kNoDay ? kOpenEnd : ep.closure);
        w_.cin_episodes.push_back(std::move(ep));
        break;
      }
    }
  }

  /// Referrals that end in no further action, a child in need plan, or a section 47 enquiry
  /// that does not lead to a plan. Some children are referred again within the year.
  void placeGenericReferrals() {
    const int chains = static_cast<int>(w_.cin_episodes.size());
    const int n = std::max(0, scaledCount(kReferralsPerYear * 5) - chains);
    std::vector<Day> days;
    for (int i = 0; i < n; ++i) {
      Day d = between(t_.history_start, t_.period_end);
      if (weekday(d) >= 5 && rng_.chance(0.7)) d += 7 - weekday(d);  // mostly weekdays
      days.push_back(std::min(d, t_.period_end));
    }
    std::sort(days.begin(), days.end());
    // Closed episodes by closure day, for choosing children referred again.
    std::multimap<Day, uint32_t> closed;
    for (const CinEpisode& ep : w_.cin_episodes)
      if (ep.closure != kNoDay) closed.emplace(ep.closure, ep.child);

    for (const Day referral : days) {
      uint32_t child = kNone;
      if (rng_.chance(0.21)) {
        auto lo = closed.lower_bound(addMonths(referral, -12));
        auto hi = closed.lower_bound(referral - 7);
        const auto span = std::distance(lo, hi);
        for (int attempt = 0; span > 0 && attempt < 20 && child == kNone; ++attempt) {
          auto it = lo;
          std::advance(it, static_cast<ptrdiff_t>(rng_.below(static_cast<uint64_t>(span))));
          if (ageOn(w_.people[it->second].dob, referral) < 18 &&
              isFree(it->second, referral, referral + 200))
            child = it->second;
        }
      }
      if (child == kNone) {
        const int age = static_cast<int>(rng_.range(0, 17));
        child = pickChildAged(referral, age, age, referral, referral + 120);
      }
      if (child == kNone) continue;
      CinEpisode ep = buildGenericEpisode(child, referral);
      // The episode must end before any case already planned for this child.
      Day end = ep.closure == kNoDay ? kOpenEnd : ep.closure;
      if (!isFree(child, referral, end)) {
        ep = nfaEpisode(child, referral);
        end = ep.closure == kNoDay ? kOpenEnd : ep.closure;
        if (!isFree(child, referral, end)) continue;
      }
      occupy(child, referral, end);
      if (ep.closure != kNoDay) closed.emplace(ep.closure, child);
      if (ep.closure_reason == "RC9") addEarlyHelp(child, ep.closure, true);
      w_.cin_episodes.push_back(std::move(ep));
    }
  }

  CinEpisode nfaEpisode(uint32_t child, Day referral) {
    CinEpisode ep = newEpisode(child, referral, "");
    ep.nfa = true;
    ep.closure = clipToExtract(referral + static_cast<Day>(rng_.range(0, 2)));
    if (ep.closure != kNoDay) ep.closure_reason = "RC8";
    return ep;
  }

  CinEpisode buildGenericEpisode(uint32_t child, Day referral) {
    if (rng_.chance(0.09)) return nfaEpisode(child, referral);
    CinEpisode ep = newEpisode(child, referral, "");
    const Day start = referral + static_cast<Day>(rng_.range(0, 5));
    const bool s47 = rng_.chance(0.24);
    if (s47) {
      if (rng_.chance(0.12)) {
        // Conference held, no plan needed.
        addS47WithConference(ep, referral + static_cast<Day>(rng_.range(0, 3)));
      } else {
        addS47WithoutConference(ep, referral + static_cast<Day>(rng_.range(0, 3)));
      }
    }
    addAssessment(ep, start);
    const Assessment& a = ep.assessments.back();
    const Day done = a.authorised == kNoDay ? t_.extract_day + 1 : a.authorised;
    const double u = rng_.uniform();
    Day closure;
    if (u < 0.52) {
      closure = done + static_cast<Day>(rng_.range(0, 10));
      ep.closure_reason = "RC8";
    } else if (u < 0.64) {
      closure = done + static_cast<Day>(rng_.range(0, 10));
      ep.closure_reason = "RC9";
    } else {
      CinPlan plan;
      plan.start = done + static_cast<Day>(rng_.range(0, 10));
      const Day plan_end = plan.start + static_cast<Day>(rng_.range(60, 420));
      plan.end = clipToExtract(plan_end);
      if (plan.start <= t_.extract_day) ep.cin_plans.push_back(plan);
      closure = plan_end + static_cast<Day>(rng_.range(0, 14));
      ep.closure_reason = rng_.chance(0.9) ? "RC7" : (rng_.chance(0.5) ? "RC5" : "RC3");
    }
    if (ageOn(w_.people[child].dob, closure) >= 18) {
      closure = addYears(w_.people[child].dob, 18) - 1;
      ep.closure_reason = "RC7";
      for (CinPlan& plan : ep.cin_plans)
        if (plan.end == kNoDay || plan.end > closure) plan.end = closure;
    }
    ep.closure = clipToExtract(std::max(closure, referral));
    if (ep.closure == kNoDay) ep.closure_reason.clear();
    return ep;
  }

  void placeContactsOnly() {
    const int n = scaledCount(kContactsPerYear * 5);
    for (int i = 0; i < n; ++i) {
      Day received = between(t_.history_start, t_.period_end);
      if (weekday(received) >= 5 && rng_.chance(0.6)) received -= weekday(received) - 4;
      const int age = static_cast<int>(rng_.range(0, 17));
      const Day dob_from = addYears(received, -(age + 1)) + 1;
      const Day dob_to = std::min(addYears(received, -age), received);
      // Contacts arrive on open cases too, so only the family's risk matters here.
      const auto lo = std::lower_bound(by_dob_.begin(), by_dob_.end(), dob_from,
                                       [&](uint32_t p, Day d) { return w_.people[p].dob < d; });
      const auto hi = std::upper_bound(by_dob_.begin(), by_dob_.end(), dob_to,
                                       [&](Day d, uint32_t p) { return d < w_.people[p].dob; });
      if (hi <= lo) continue;
      for (int attempt = 0; attempt < 400; ++attempt) {
        const uint32_t child =
            *(lo + static_cast<ptrdiff_t>(rng_.below(static_cast<uint64_t>(hi - lo))));
        if (!rng_.chance(riskWeight(child) * 1.5)) continue;
        addContact(child, received, false);
        break;
      }
    }
  }

  // ---- early help ----------------------------------------------------------------------------

  void addEarlyHelp(uint32_t child, Day start, bool step_down) {
    EarlyHelpEpisode e;
    e.child = child;
    e.start = start;
    const Day end = start + static_cast<Day>(rng_.range(60, 300));
    e.end = clipToExtract(end);
    static const std::vector<std::string> kReasons = {
        "Parenting support",      "School attendance",    "Domestic abuse", "Emotional wellbeing",
        "Parental mental health", "Financial difficulty", "Child behaviour"};
    static const std::vector<std::string> kEndReasons = {
        "Outcomes achieved", "Family disengaged", "Stepped up to social care", "Moved out of area"};
    static const std::vector<std::string> kOrganisations = {
        "Family Hub Northampton", "Family Hub Daventry", "Family Hub Towcester",
        "School early help", "Early Help Hub"};
    e.reason = step_down ? "Step down from social care" : rng_.pick(kReasons);
    if (e.end != kNoDay) e.end_reason = rng_.pick(kEndReasons);
    e.organisation = rng_.pick(kOrganisations);
    w_.early_help.push_back(std::move(e));
  }

  void placeEarlyHelp() {
    // Early help works with whole families: every child at home is part of the episode.
    std::vector<std::vector<uint32_t>> children_of(w_.households.size());
    for (uint32_t p = 0; p < w_.people.size(); ++p)
      if (ageOn(w_.people[p].dob, t_.period_end) < 22)
        children_of[w_.people[p].household].push_back(p);
    int placed = 0;
    const int target = scaledCount(kEarlyHelpChildrenPerYear * 5);
    while (placed < target) {
      const uint32_t seed_child = pickChildAged(t_.period_end, 0, 17);
      if (seed_child == kNone) break;
      const Day start = between(t_.history_start, t_.period_end - 7);
      for (uint32_t c : children_of[w_.people[seed_child].household]) {
        const int age = ageOn(w_.people[c].dob, start);
        if (age < 0 || age >= 18) continue;
        addEarlyHelp(c, start, false);
        ++placed;
      }
    }
  }

  // ---- ordering and ids ----------------------------------------------------------------------

  void finish() {
    // Contacts in time order; episodes refer to contacts by index, so remap.
    std::vector<uint32_t> order(w_.contacts.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const Contact& x = w_.contacts[a];
      const Contact& y = w_.contacts[b];
      return x.received != y.received ? x.received < y.received
                                      : x.received_minute < y.received_minute;
    });
    std::vector<uint32_t> new_index(order.size());
    std::vector<Contact> sorted;
    sorted.reserve(order.size());
    for (uint32_t i = 0; i < order.size(); ++i) {
      new_index[order[i]] = i;
      sorted.push_back(std::move(w_.contacts[order[i]]));
      sorted.back().id = i + 1;
    }
    w_.contacts = std::move(sorted);
    for (CinEpisode& ep : w_.cin_episodes)
      if (ep.contact != kNone) ep.contact = new_index[ep.contact];

    // Episodes by referral day; periods of care point at their episode.
    std::vector<uint32_t> ep_order(w_.cin_episodes.size());
    for (uint32_t i = 0; i < ep_order.size(); ++i) ep_order[i] = i;
    std::stable_sort(ep_order.begin(), ep_order.end(), [&](uint32_t a, uint32_t b) {
      return w_.cin_episodes[a].referral < w_.cin_episodes[b].referral;
    });
    std::vector<uint32_t> ep_index(ep_order.size());
    std::vector<CinEpisode> episodes;
    episodes.reserve(ep_order.size());
    for (uint32_t i = 0; i < ep_order.size(); ++i) {
      ep_index[ep_order[i]] = i;
      episodes.push_back(std::move(w_.cin_episodes[ep_order[i]]));
    }
    w_.cin_episodes = std::move(episodes);
    uint32_t assessment_id = 1, s47_id = 1, plan_id = 1, cin_plan_id = 1;
    for (uint32_t i = 0; i < w_.cin_episodes.size(); ++i) {
      CinEpisode& ep = w_.cin_episodes[i];
      ep.id = i + 1;
      for (Assessment& a : ep.assessments) a.id = assessment_id++;
      for (Section47& s : ep.s47s) s.id = s47_id++;
      for (CpPlan& p : ep.cp_plans) p.id = plan_id++;
      for (CinPlan& p : ep.cin_plans) p.id = cin_plan_id++;
    }
    for (ClaPeriod& p : w_.cla_periods) p.cin_episode = ep_index[p.cin_episode];

    std::vector<uint32_t> cla_order(w_.cla_periods.size());
    for (uint32_t i = 0; i < cla_order.size(); ++i) cla_order[i] = i;
    std::stable_sort(cla_order.begin(), cla_order.end(), [&](uint32_t a, uint32_t b) {
      return w_.cla_periods[a].start < w_.cla_periods[b].start;
    });
    std::vector<uint32_t> cla_index(cla_order.size());
    std::vector<ClaPeriod> periods;
    for (uint32_t i = 0; i < cla_order.size(); ++i) {
      cla_index[cla_order[i]] = i;
      periods.push_back(std::move(w_.cla_periods[cla_order[i]]));
      periods.back().id = i + 1;
    }
    w_.cla_periods = std::move(periods);
    for (CareLeaver& c : w_.care_leavers) c.cla_period = cla_index[c.cla_period];

    std::stable_sort(
        w_.early_help.begin(), w_.early_help.end(),
        [](const EarlyHelpEpisode& a, const EarlyHelpEpisode& b) { return a.start < b.start; });
    for (uint32_t i = 0; i < w_.early_help.size(); ++i) w_.early_help[i].id = i + 1;
  }

  World& w_;
  Rng& rng_;
  const Timeline& t_;
  std::vector<std::vector<std::pair<Day, Day>>> busy_;
  std::vector<uint32_t> by_dob_;
};

}  // namespace

void simulateSocialCare(World& world, Rng& rng) { SocialCareSimulator(world, rng).run(); }

}  // namespace hearth::synth
