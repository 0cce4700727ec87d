#pragma once

#include <chrono>
#include <fstream>
#include <optional>
#include <string>

#include "pipelines/canonical/model.hpp"
#include "pipelines/indicators/engine.hpp"

/// Small builders for the rule and engine tests: records carry only what the rule reads.
namespace hearth::pipelines::indicators::testing {

namespace cn = canonical;

inline Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

inline WorkingDays shippedBankHolidays() {
  std::ifstream in(HEARTH_BANK_HOLIDAYS_CSV);
  return WorkingDays::fromCsv(in, HEARTH_BANK_HOLIDAYS_CSV);
}

/// Grid references 18.6 and 24.9 miles east of home.
inline PostcodeLookup testPostcodes() {
  PostcodeLookup lookup;
  lookup.add("NN1 1AA", {470000, 260000, "E05900001"});
  lookup.add("NN2 2BB", {470000, 261000, "E05900002"});
  lookup.add("MK1 1NEAR", {500000, 260000, "OUTSIDE"});
  lookup.add("LE1 1FAR", {510000, 260000, "OUTSIDE"});
  return lookup;
}

inline EngineConfig configFor(Period period, int threshold = 5) {
  EngineConfig config;
  config.periods = {std::move(period)};
  config.population_0_17 = 10000;
  config.suppression_threshold = threshold;
  config.area_code = "E06000062";
  return config;
}

inline cn::Person person(std::optional<Date> birth, cn::Sex sex = cn::Sex::kFemale,
                         std::string postcode = "NN1 1AA") {
  cn::Person p;
  p.birth_date = birth;
  p.sex = sex;
  p.ethnicity = "WBRI";
  p.postcode = std::move(postcode);
  return p;
}

inline cn::Referral referral(Date start) {
  cn::Referral r;
  r.start = start;
  return r;
}

inline cn::Contact contact(Date received, std::optional<Date> decided, std::string source = "6") {
  cn::Contact c;
  c.received = received;
  c.decided = decided;
  c.source = std::move(source);
  return c;
}

inline cn::Assessment assessment(Date start, std::optional<Date> authorised) {
  cn::Assessment a;
  a.start = start;
  a.authorised = authorised;
  return a;
}

inline cn::CpPlan cpPlan(Date start, std::optional<Date> end) {
  cn::CpPlan p;
  p.start = start;
  p.end = end;
  return p;
}

inline cn::ClaEpisode episode(Date start, std::optional<Date> end, std::string rne,
                              std::string legal_status, std::string place,
                              std::string placement_postcode = "NN2 2BB") {
  cn::ClaEpisode e;
  e.start = start;
  e.end = end;
  e.reason_new_episode = std::move(rne);
  e.legal_status = std::move(legal_status);
  e.placement_type = std::move(place);
  e.placement_postcode = std::move(placement_postcode);
  e.home_postcode = "NN1 1AA";
  return e;
}

inline cn::CareLeaverStatus careLeaver(Date contact, std::string in_touch,
                                       std::optional<bool> suitable) {
  cn::CareLeaverStatus s;
  s.latest_contact = contact;
  s.in_touch = std::move(in_touch);
  s.accommodation_suitable = suitable;
  return s;
}

inline cn::EarlyHelpEpisode earlyHelp(Date start, std::optional<Date> end) {
  cn::EarlyHelpEpisode e;
  e.start = start;
  e.end = end;
  return e;
}

}  // namespace hearth::pipelines::indicators::testing
