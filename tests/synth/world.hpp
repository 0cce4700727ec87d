#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/synth/calendar.hpp"

namespace hearth::synth {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

/// What the user asked for on the command line.
struct Options {
  uint64_t seed = 1;
  double scale = 1.0;
  /// Multiplies every default mess rate; 0 gives clean data.
  double mess_rate = 1.0;
  /// The last financial year ends on 31 March of this year.
  int year_end = 2025;
  int threads = 2;
};

/// The time frame: five financial years of history ending on 31 March of `year_end`.
struct Timeline {
  int year_end = 2025;
  Day history_start = 0;  // 1 April, five years before the end
  Day period_start = 0;   // 1 April of the last financial year
  Day period_end = 0;     // 31 March of the last financial year
  Day extract_day = 0;    // when the sources were extracted (after the period end)
  Day census_day = 0;     // January census in the last financial year
};

// ---- Geography -----------------------------------------------------------------------------

struct LocalArea {
  std::string code;  // synthetic ward-like code
  std::string name;
};

struct Postcode {
  std::string code;  // normalised "NN1 5AB"
  int32_t easting = 0;
  int32_t northing = 0;
  std::string lsoa21;
  std::string laua;   // E06000062 for the council, others outside
  uint16_t area = 0;  // index into local_areas; 0xFFFF outside the council
};

struct Address {
  uint32_t postcode = 0;
  uint64_t uprn = 0;
  uint16_t house_number = 0;
  uint16_t street = 0;
};

// ---- People ---------------------------------------------------------------------------------

enum class Sex : uint8_t { kMale = 1, kFemale = 2 };

struct Household {
  uint32_t address = 0;
  /// Where the household lived before it moved during the history, if it did.
  uint32_t previous_address = kNone;
  Day moved_on = kNoDay;
  /// 0 none, 1 some need, 2 high need: drives who meets children's services.
  uint8_t risk = 0;
  bool low_income = false;
};

struct Person {
  uint32_t household = 0;
  uint32_t mother = kNone;
  Sex sex = Sex::kFemale;
  Day dob = 0;
  std::string forename;
  std::string middlename;
  std::string surname;
  /// Birth surname when the person is now known by another (marriage, step-family).
  std::string former_surname;
  std::string ethnicity;
  std::string nhs_number;
  std::string upn;
  std::string uln;
};

// ---- Children's social care -----------------------------------------------------------------

struct Contact {
  uint32_t id = 0;
  uint32_t child = 0;
  Day received = 0;
  int received_minute = 0;
  Day decided = 0;
  int decided_minute = 0;
  std::string source;  // referral source code
  bool led_to_referral = false;
};

struct Assessment {
  uint32_t id = 0;
  Day start = 0;
  Day authorised = kNoDay;  // kNoDay: still open at extraction
  std::vector<std::string> factors;
};

struct Section47 {
  uint32_t id = 0;
  Day start = 0;
  Day end = 0;
  Day icpc_target = 0;
  Day icpc = kNoDay;
  bool icpc_not_required = false;
};

struct CpPlan {
  uint32_t id = 0;
  Day start = 0;
  Day end = kNoDay;
  std::string initial_category;
  std::string latest_category;
  std::vector<Day> reviews;
};

struct CinPlan {
  uint32_t id = 0;
  Day start = 0;
  Day end = kNoDay;
};

/// One episode of need in the CIN census: a referral and everything hanging off it.
struct CinEpisode {
  uint32_t id = 0;
  uint32_t child = 0;
  uint32_t contact = kNone;
  Day referral = 0;
  std::string source;
  std::string need;  // N0-N9
  bool nfa = false;
  Day closure = kNoDay;
  std::string closure_reason;
  std::vector<Assessment> assessments;
  std::vector<Section47> s47s;
  std::vector<CpPlan> cp_plans;
  std::vector<CinPlan> cin_plans;
};

struct Placement {
  Day start = 0;
  Day end = kNoDay;
  std::string place;     // 903 PLACE code
  std::string provider;  // PR0-PR5
  uint32_t postcode = kNone;
  std::string urn;            // Ofsted URN of a children's home, or empty
  std::string change_reason;  // why this placement ended, when it ended with a move
};

struct LegalStatus {
  Day start = 0;
  Day end = kNoDay;
  std::string code;  // C1, C2, E1, J2, L1, L2, V2, V3, V4 ...
};

struct MissingEpisode {
  Day start = 0;
  Day end = kNoDay;
  char kind = 'M';  // M missing, A away without authorisation
};

/// A period of care: continuous looked-after time, built from placements and legal statuses.
struct ClaPeriod {
  uint32_t id = 0;
  uint32_t child = 0;
  uint32_t cin_episode = kNone;
  Day start = 0;
  Day end = kNoDay;
  std::string reason_ceased;  // REC of the last episode
  uint32_t home_postcode = kNone;
  std::string need;
  std::vector<Placement> placements;
  std::vector<LegalStatus> legal;
  std::vector<MissingEpisode> missing;
  std::vector<Day> reviews;
  bool uasc = false;
  bool adopted = false;
};

/// Care leaver status recorded around a birthday (the 903 OC3 record for that year).
struct CareLeaverStatus {
  int collection_year = 0;  // the year the financial year ends
  Day birthday = 0;
  int age = 0;
  std::string in_touch;
  std::string activity;
  std::string accommodation;  // type letter + suitability digit
};

struct CareLeaver {
  uint32_t person = 0;
  uint32_t cla_period = 0;
  std::vector<CareLeaverStatus> statuses;
};

struct EarlyHelpEpisode {
  uint32_t id = 0;
  uint32_t child = 0;
  Day start = 0;
  Day end = kNoDay;
  std::string reason;
  std::string end_reason;
  std::string organisation;
};

// ---- Education ------------------------------------------------------------------------------

struct School {
  uint32_t urn = 0;
  int estab = 0;  // LAESTAB is la_number * 10000 + estab
  std::string name;
  std::string phase;  // census phase: PS primary, SS secondary, SP special, PR PRU, EY, FE
  std::string type;   // GIAS type of establishment
  uint32_t postcode = 0;
  int ofsted = 0;  // latest graded overall effectiveness 1-4; 0 never graded
  Day inspected = kNoDay;
  int capacity = 0;
  int low_year = 0;  // youngest national curriculum year (0 = reception, -1 nursery)
  int high_year = 0;
};

struct Enrolment {
  uint32_t pupil = 0;
  uint32_t school = 0;
  Day entry = 0;
  Day leaving = kNoDay;
};

struct Exclusion {
  uint32_t pupil = 0;
  uint32_t school = 0;
  Day start = 0;
  std::string category;  // PERM or SUSP
  double sessions = 0;
  std::string reason;
};

struct EhcPlacement {
  Day start = 0;
  Day end = kNoDay;
  uint32_t school = kNone;  // kNone: not at a school on the register
  std::string setting;      // SEN2 sensetting when not at a school
};

struct EhcPlan {
  uint32_t id = 0;
  uint32_t person = 0;
  Day requested = 0;
  Day assessed = 0;
  Day start = 0;
  Day ceased = kNoDay;
  int cease_reason = 0;
  std::string need;  // primary SEN type: ASD, SEMH, SLCN, MLD ...
  std::vector<EhcPlacement> placements;
};

/// One month's NCCIS activity for a young person.
struct NccisActivity {
  uint32_t person = 0;
  Day month_end = 0;
  int code = 0;
  Day activity_start = 0;
};

struct EarlyYearsFunding {
  uint32_t child = 0;
  uint32_t setting = 0;  // index into schools (phase EY)
  std::string basis;     // ECO, HSD, LAA for two-year-olds; empty for universal 3-4 hours
  double hours = 0;
};

struct CmeEpisode {
  uint32_t id = 0;
  uint32_t child = 0;
  Day start = 0;
  Day end = kNoDay;
  std::string reason;
};

struct Ks4Result {
  uint32_t pupil = 0;
  uint32_t school = 0;
  int english = 0;
  int maths = 0;
};

// ---- Health, housing, adults ----------------------------------------------------------------

struct Admission {
  uint32_t id = 0;
  uint32_t person = 0;
  Day admitted = 0;
  Day discharged = 0;
  std::string method;                  // admission method: 21-28, 2A-2D emergency; 11-13 elective
  std::string cls;                     // IMP inpatient, EMER emergency (same-day), AMB
  std::vector<std::string> diagnoses;  // ICD-10, primary first
  /// False when the trust's feed codes this admission's diagnoses in SNOMED CT only: whether it
  /// was a fall cannot then be told from ICD-10.
  bool icd10_coded = true;
};

struct HomelessCase {
  uint32_t id = 0;
  uint32_t household = 0;
  uint32_t applicant = 0;
  std::vector<uint32_t> members;
  Day approach = 0;
  Day assessment = 0;
  Day prevention_start = kNoDay;
  Day prevention_end = kNoDay;
  std::string prevention_outcome;
  Day relief_start = kNoDay;
  Day relief_end = kNoDay;
  std::string relief_outcome;
  Day decision = kNoDay;
  std::string main_duty;
  std::string reason;
  bool slept_rough = false;
};

struct TemporaryAccommodation {
  uint32_t id = 0;
  uint32_t case_id = 0;
  uint32_t household = 0;
  Day start = 0;
  Day end = kNoDay;
  std::string type;
  bool out_of_area = false;
};

struct RoughSleeping {
  uint32_t id = 0;
  uint32_t person = 0;
  Day recorded = 0;
};

struct AscEvent {
  uint32_t id = 0;
  uint32_t person = 0;
  std::string type;  // Request, Assessment, Service, Review
  Day start = 0;
  Day end = kNoDay;
  std::string description;
  std::string outcome;
  std::string service_type;
  std::string support_reason;
};

struct AscSurveyResponse {
  uint32_t person = 0;
  int q7a = 0;  // 1 = "I feel as safe as I want"; 0 = no answer
  int q7b = 0;  // 1 = "services help me feel safe"; 0 = no answer
  /// The survey's sampling stratum: 1 learning disability support (any age), 2 aged 18-64,
  /// 3 aged 65+ in residential or nursing care, 4 aged 65+ in the community.
  int stratum = 0;
};

/// Everything the generator knows to be true. Writers read it, inject mess into what they
/// write, and the indicator oracle reads it directly.
struct World {
  Options options;
  Timeline timeline;
  int la_number = 941;
  std::string la_code = "E06000062";
  std::string la_name = "West Northamptonshire";

  std::vector<LocalArea> local_areas;
  std::vector<Postcode> postcodes;
  /// Postcodes [0, council_postcodes) are inside the council; the rest lie outside it.
  uint32_t council_postcodes = 0;
  std::vector<Address> addresses;
  std::vector<std::string> streets;
  std::vector<Household> households;
  std::vector<Person> people;

  std::vector<Contact> contacts;
  std::vector<CinEpisode> cin_episodes;
  std::vector<ClaPeriod> cla_periods;
  std::vector<CareLeaver> care_leavers;
  std::vector<EarlyHelpEpisode> early_help;

  std::vector<School> schools;
  std::vector<Enrolment> enrolments;
  std::vector<Exclusion> exclusions;
  std::vector<uint8_t> sen_support;   // per person: 1 if on SEN support (K) while at school
  std::vector<uint8_t> absence_rate;  // per person: percent of sessions missed
  std::vector<EhcPlan> ehc_plans;
  std::vector<NccisActivity> nccis;
  std::vector<EarlyYearsFunding> early_years;
  std::vector<uint32_t> two_year_old_eligible;  // the DWP list of eligible children
  std::vector<CmeEpisode> cme;
  std::vector<Ks4Result> ks4;

  std::vector<Admission> admissions;
  std::vector<HomelessCase> homeless_cases;
  std::vector<TemporaryAccommodation> temporary_accommodation;
  std::vector<RoughSleeping> rough_sleeping;
  std::vector<AscEvent> asc_events;
  std::vector<AscSurveyResponse> asc_survey;

  const Postcode& postcodeOf(uint32_t person) const {
    return postcodes[addresses[households[people[person].household].address].postcode];
  }
  uint32_t addressOf(uint32_t person) const { return households[people[person].household].address; }
  /// The address a person lived at on `day`, given a move during the history.
  uint32_t addressOn(uint32_t person, Day day) const {
    const Household& h = households[people[person].household];
    if (h.previous_address != kNone && day < h.moved_on) return h.previous_address;
    return h.address;
  }
};

/// The household of a homelessness case included someone under 18 when it approached.
inline bool withChildren(const World& w, const HomelessCase& c) {
  for (uint32_t m : c.members)
    if (ageOn(w.people[m].dob, c.approach) < 18) return true;
  return false;
}

/// "open on day": started on or before it and not ended on or before it.
inline bool openOn(Day start, Day end, Day day) {
  return start <= day && (end == kNoDay || end > day);
}
/// Overlaps [from, to] at any point.
inline bool openDuring(Day start, Day end, Day from, Day to) {
  return start <= to && (end == kNoDay || end >= from);
}

}  // namespace hearth::synth
