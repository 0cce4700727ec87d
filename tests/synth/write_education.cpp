#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tests/synth/education.hpp"
#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

/// Blade exports key rows by short random hex ids; derive them from a hash so they are stable.
std::string hexId(uint64_t seed, std::string_view kind, uint64_t n, bool with_tail) {
  uint64_t state = seed ^ hashName(kind) ^ (n * 0x9E3779B97F4A7C15ULL);
  const uint64_t v = splitMix64(state);
  char buf[24];
  if (with_tail) {
    std::snprintf(buf, sizeof buf, "%08x-%03x", static_cast<unsigned>(v >> 32),
                  static_cast<unsigned>(v & 0xFFF));
  } else {
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(v >> 32));
  }
  return buf;
}

std::string ncYear(int academic_age) {
  if (academic_age <= 3) return "N2";
  if (academic_age == 4) return "R";
  return std::to_string(academic_age - 4);
}

std::string tf(bool b) { return b ? "True" : "False"; }

const std::vector<std::string> kSenTypes = {"SLCN", "SEMH", "MLD", "SPLD", "ASD", "PD",
                                            "HI",   "VI",   "SLD", "PMLD", "MSI", "OTH"};

class SchoolCensusWriter {
 public:
  explicit SchoolCensusWriter(SourceContext& ctx) : ctx_(ctx), w_(ctx.world()) {
    for (const EhcPlan& p : w_.ehc_plans) plans_.emplace(p.person, &p);
    for (const Enrolment& e : w_.enrolments) enrolments_.emplace(e.pupil, &e);
    for (uint32_t s = 0; s < w_.schools.size(); ++s) native_[s] = "SCH" + std::to_string(s + 1);
  }

  void writeTerm(const CensusTerm& term, Day previous_census) {
    const std::string prefix = "school-census/" + term.name + "_";
    const uint64_t seed = ctx_.world().options.seed ^ hashName(term.name);
    OutputFile school_file(ctx_.root(), prefix + "schoolcensus.csv", ctx_.stats());
    OutputFile on_file(ctx_.root(), prefix + "pupilonroll.csv", ctx_.stats());
    OutputFile off_file(ctx_.root(), prefix + "pupilnolongeronroll.csv", ctx_.stats());
    OutputFile sen_file(ctx_.root(), prefix + "senneeds.csv", ctx_.stats());
    OutputFile excl_file(ctx_.root(), prefix + "termlyexclusionsonroll.csv", ctx_.stats());
    OutputFile sess_file(ctx_.root(), prefix + "termlysessiondetailsonroll.csv", ctx_.stats());
    OutputFile excl_off_file(ctx_.root(), prefix + "termlyexclusionsoffroll.csv", ctx_.stats());
    OutputFile sess_off_file(ctx_.root(), prefix + "termlysessiondetailsoffroll.csv", ctx_.stats());
    OutputFile fsm_file(ctx_.root(), prefix + "fsmperiod.csv", ctx_.stats());
    OutputFile addr_file(ctx_.root(), prefix + "addressesonroll.csv", ctx_.stats());

    CsvWriter schools(school_file,
                      {"schoolcensustableid", "NativeId", "sourceid", "urn", "lea", "estab",
                       "schoolname", "phase", "censusdate", "termstartdate", "termenddate"});
    CsvWriter on(on_file, {"pupilonrolltableid",
                           "NativeId",
                           "dob",
                           "surname",
                           "forename",
                           "middlenames",
                           "preferredsurname",
                           "formersurname",
                           "upn",
                           "formerupn",
                           "uniquelearnernumber",
                           "sex",
                           "entrydate",
                           "pupilonrollorderseqcolumn",
                           "sourceid",
                           "schoolcensustableid",
                           "hoursatsetting",
                           "schoollunchtaken",
                           "parttime",
                           "topupfunding",
                           "unitcontacttime",
                           "termlysessionspossible",
                           "senunitindicator",
                           "resourcedprovisionindicator",
                           "moveoffrollflag",
                           "fundedhours",
                           "missingaddress",
                           "duplicatenotfunded",
                           "extendedhours",
                           "eligibilitycode",
                           "dafindicator",
                           "ethnicity",
                           "yssa",
                           "servicechild",
                           "language",
                           "classtype",
                           "enrolstatus",
                           "boarder",
                           "plaa",
                           "senprovision",
                           "ncyearactual",
                           "eyppr",
                           "eyppbf",
                           "youngcarer"});
    CsvWriter off(off_file, {"pupilnolongeronrolltableid",
                             "NativeId",
                             "dob",
                             "surname",
                             "forename",
                             "middlenames",
                             "preferredsurname",
                             "formersurname",
                             "upn",
                             "formerupn",
                             "uniquelearnernumber",
                             "sex",
                             "entrydate",
                             "leavingdate",
                             "pupilnolongeronrollorderseqcolumn",
                             "sourceid",
                             "schoolcensustableid",
                             "parttime",
                             "termlysessionspossible",
                             "moveonrollflag",
                             "ethnicity",
                             "boarder",
                             "language"});
    CsvWriter sen(sen_file, {"pupilonrolltableid", "NativeId", "senneedstableid",
                             "senneedsorderseqcolumn", "sourceid", "sentyperank", "sentype"});
    CsvWriter excl(excl_file, exclusionColumns("pupilonrolltableid", "onroll"));
    CsvWriter excl_off(excl_off_file, exclusionColumns("pupilnolongeronrolltableid", "offroll"));
    CsvWriter sess(sess_file, sessionColumns("pupilonrolltableid", "onroll"));
    CsvWriter sess_off(sess_off_file, sessionColumns("pupilnolongeronrolltableid", "offroll"));
    CsvWriter fsm(fsm_file,
                  {"pupilonrolltableid", "NativeId", "fsmperiodtableid", "fsmperiodorderseqcolumn",
                   "sourceid", "fsmstartdate", "fsmenddate", "ukcountry"});
    CsvWriter addr(addr_file, {"pupilonrolltableid", "NativeId", "addressesonrolltableid",
                               "addressesonrollorderseqcolumn", "sourceid",
                               "uniquepropertyreferencenumber", "postcode"});

    std::map<uint32_t, std::string> source_id, census_id;
    for (uint32_t s = 0; s < w_.schools.size(); ++s) {
      const School& school = w_.schools[s];
      if (!inSchoolCensus(school)) continue;
      source_id[s] = hexId(seed, "source", s, false);
      census_id[s] = hexId(seed, "census", s, false);
      schools << census_id[s] << native_[s] << source_id[s] << school.urn << w_.la_number
              << school.estab << school.name << school.phase << bladeDate(term.census)
              << bladeDate(term.term_start) << bladeDate(term.term_end);
      schools.end();
    }

    const int possible = termSessions(w_, 0, term).possible;
    uint64_t row = 0, off_row = 0, sen_row = 0, excl_row = 0, sess_row = 0, fsm_row = 0,
             addr_row = 0, excl_off_row = 0, sess_off_row = 0;
    // Attendance in the previous term: possible sessions (reason "#") and absence by reason.
    auto write_sessions = [&](CsvWriter& csv, uint64_t& n, const std::string& pupil_id,
                              const Enrolment& e, const std::string& source) {
      const TermSessions t = termSessions(w_, e.pupil, term);
      const int illness = t.missed * 6 / 10, unauthorised = t.missed / 4,
                other = t.missed - illness - unauthorised;
      for (const auto& [reason, count] : {std::pair<const char*, int>{"#", t.possible},
                                          {"I", illness},
                                          {"O", unauthorised},
                                          {"C", other}}) {
        if (count <= 0) continue;
        ++n;
        csv << pupil_id << native_[e.school] << hexId(seed, "sess", n, false) << n << source
            << std::to_string(count) + ".0" << reason;
        csv.end();
      }
    };
    const std::string on_name = prefix + "pupilonroll.csv";
    for (const Enrolment& e : w_.enrolments) {
      const auto src = source_id.find(e.school);
      if (src == source_id.end()) continue;
      const Person& person = w_.people[e.pupil];
      const bool on_roll = openOn(e.entry, e.leaving, term.census);
      const bool left =
          e.leaving != kNoDay && e.leaving > previous_census && e.leaving <= term.census;
      if (!on_roll && !left) continue;
      const std::string id = hexId(seed, on_roll ? "on" : "off",
                                   (static_cast<uint64_t>(e.pupil) << 20) ^ e.school, true);
      const std::string file = on_roll ? on_name : prefix + "pupilnolongeronroll.csv";
      const RecordedPerson r = ctx_.record(e.pupil, id, file, term.census, true, false);
      const int age = academicAge(person.dob, term.census);
      const std::string sex = person.sex == Sex::kMale ? "M" : "F";
      const std::string uln = age >= 14 ? person.uln : "";
      if (!on_roll) {
        off << id << native_[e.school] << bladeDate(r.dob) << r.surname << r.forename
            << person.middlename << "" << person.former_surname << r.upn << "" << uln << sex
            << bladeDate(e.entry) << bladeDate(e.leaving) << ++off_row << src->second
            << census_id[e.school] << "False" << possible << "" << person.ethnicity << "N"
            << "ENG";
        off.end();
        ctx_.truth(file, id, e.pupil);
        write_sessions(sess_off, sess_off_row, id, e, src->second);
        continue;
      }
      const std::string provision = senProvision(e.pupil, term.census);
      auto write_on = [&](const std::string& row_id, const RecordedPerson& rec,
                          const char* status) {
        on << row_id << native_[e.school] << bladeDate(rec.dob) << rec.surname << rec.forename
           << person.middlename << "" << person.former_surname << rec.upn << "" << uln << sex
           << bladeDate(e.entry) << ++row << src->second << census_id[e.school] << ""
           << (age <= 6 ? "True" : "") << "False"
           << "False"
           << "" << possible << "False"
           << "False"
           << ""
           << "" << tf(false) << ""
           << ""
           << ""
           << "" << person.ethnicity << ""
           << "N"
           << "ENG"
           << "" << status << "N"
           << "" << provision << ncYear(age) << ""
           << ""
           << "";
        on.end();
        ctx_.truth(on_name, row_id, e.pupil);
      };
      write_on(id, r, "C");
      if (ctx_.duplicate()) {
        // Recorded twice, as a dual registration that is not one.
        const std::string dup =
            hexId(seed, "dup", (static_cast<uint64_t>(e.pupil) << 20) ^ e.school, true);
        write_on(dup, ctx_.record(e.pupil, dup, on_name, term.census, true, false), "S");
        ctx_.error(on_name, dup, "duplicate_record", "pupilonrolltableid", id, dup);
      }
      const Address& a = w_.addresses[r.address];
      ++addr_row;
      addr << id << native_[e.school] << hexId(seed, "addr", addr_row, false) << addr_row
           << src->second << a.uprn << w_.postcodes[a.postcode].code;
      addr.end();
      ctx_.truth(prefix + "addressesonroll.csv", id + "/" + std::to_string(addr_row), e.pupil);
      if (provision != "N") {
        const size_t first = (e.pupil * 2654435761u) % kSenTypes.size();
        ++sen_row;
        sen << id << native_[e.school] << hexId(seed, "sen", sen_row, false) << sen_row
            << src->second << "1.0" << kSenTypes[first];
        sen.end();
        if (e.pupil % 3 == 0) {
          ++sen_row;
          sen << id << native_[e.school] << hexId(seed, "sen", sen_row, false) << sen_row
              << src->second << "2.0" << kSenTypes[(first + 1) % kSenTypes.size()];
          sen.end();
        }
      }
      write_sessions(sess, sess_row, id, e, src->second);
      if (w_.households[person.household].low_income) {
        const Day fsm_start = std::max(e.entry, term.census - 700);
        ++fsm_row;
        fsm << id << native_[e.school] << hexId(seed, "fsm", fsm_row, false) << fsm_row
            << src->second << bladeDate(fsm_start) << ""
            << "ENG";
        fsm.end();
      }
    }
    for (const Exclusion& x : w_.exclusions) {
      if (x.start < term.term_start || x.start > term.term_end) continue;
      const auto src = source_id.find(x.school);
      if (src == source_id.end()) continue;
      // A pupil who left before the census is reported in the off-roll module.
      const bool left = leftBefore(x, term.census, previous_census);
      const uint64_t pupil_key = (static_cast<uint64_t>(x.pupil) << 20) ^ x.school;
      const std::string id = hexId(seed, left ? "off" : "on", pupil_key, true);
      const std::string file =
          prefix + (left ? "termlyexclusionsoffroll.csv" : "termlyexclusionsonroll.csv");
      CsvWriter& csv = left ? excl_off : excl;
      uint64_t& n = left ? excl_off_row : excl_row;
      const std::string key = hexId(seed, left ? "excloff" : "excl", ++n, false);
      const std::string category = ctx_.code(x.category, "PERMANENT", file, key, "category");
      csv << id << native_[x.school] << key << n << src->second << bladeDate(x.start)
          << (x.sessions > 0 ? std::to_string(static_cast<int>(x.sessions)) + ".0" : "") << x.reason
          << ""
          << "" << category << senProvision(x.pupil, x.start);
      csv.end();
      ctx_.truth(file, key, x.pupil);
    }
  }

 private:
  static std::vector<std::string> exclusionColumns(const char* pupil_id, const char* roll) {
    const std::string module = std::string("termlyexclusions") + roll;
    return {pupil_id,   "NativeId",  module + "tableid", module + "orderseqcolumn",
            "sourceid", "startdate", "sessions",         "reason1",
            "reason2",  "reason3",   "category",         "senprovision"};
  }

  static std::vector<std::string> sessionColumns(const char* pupil_id, const char* roll) {
    const std::string module = std::string("termlysessiondetails") + roll;
    return {pupil_id,   "NativeId", module + "tableid", module + "orderseqcolumn",
            "sourceid", "sessions", "attendancereason"};
  }

  // Whether the excluded pupil's enrolment ended between the two census days: the census then
  // lists them as no longer on roll.
  bool leftBefore(const Exclusion& x, Day census, Day previous_census) const {
    const auto range = enrolments_.equal_range(x.pupil);
    for (auto it = range.first; it != range.second; ++it) {
      const Enrolment& e = *it->second;
      if (e.school != x.school || e.entry > x.start) continue;
      if (e.leaving != kNoDay && e.leaving < x.start) continue;
      return e.leaving != kNoDay && e.leaving > previous_census && e.leaving <= census;
    }
    return false;
  }

  std::string senProvision(uint32_t pupil, Day on) const {
    const auto range = plans_.equal_range(pupil);
    for (auto it = range.first; it != range.second; ++it)
      if (openOn(it->second->start, it->second->ceased, on)) return "E";
    return pupil < w_.sen_support.size() && w_.sen_support[pupil] ? "K" : "N";
  }

  SourceContext& ctx_;
  const World& w_;
  std::multimap<uint32_t, const EhcPlan*> plans_;
  std::multimap<uint32_t, const Enrolment*> enrolments_;
  std::map<uint32_t, std::string> native_;
};

std::string ofstedPhase(const School& s) {
  if (s.phase == "PS") return "Primary";
  if (s.phase == "SS") return "Secondary";
  if (s.phase == "SP") return "Special";
  if (s.phase == "PR") return "PRU";
  return "Nursery";
}

std::string giasPhase(const School& s) {
  if (s.phase == "PS") return "Primary";
  if (s.phase == "SS") return "Secondary";
  if (s.phase == "FE") return "16 plus";
  return "Not applicable";
}

}  // namespace

void writeSchoolCensus(SourceContext& ctx) {
  const World& w = ctx.world();
  SchoolCensusWriter writer(ctx);
  const std::vector<CensusTerm> terms = censusTerms(w.timeline.year_end);
  Day previous = terms.front().census - 120;
  for (const CensusTerm& term : terms) {
    writer.writeTerm(term, previous);
    previous = term.census;
  }
  {
    // Get Information About Schools: the register that SEN2 placements are joined to.
    OutputFile file(ctx.root(), "education/gias_establishments.csv", ctx.stats());
    CsvWriter csv(
        file, {"URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
               "TypeOfEstablishment (name)", "EstablishmentStatus (name)",
               "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "SchoolCapacity",
               "Postcode", "Easting", "Northing", "UKPRN"});
    for (const School& s : w.schools) {
      if (s.phase == "EY") continue;
      const Postcode& pc = w.postcodes[s.postcode];
      csv << s.urn << w.la_number << w.la_name
          << (s.estab == 0 ? std::string() : std::to_string(s.estab)) << s.name << s.type << "Open"
          << giasPhase(s) << s.low_year + 4 << s.high_year + 5 << s.capacity << pc.code
          << pc.easting << pc.northing << std::to_string(10000000 + s.urn);
      csv.end();
    }
  }
  {
    OutputFile file(ctx.root(), "education/ks4_pupil_results.csv", ctx.stats());
    CsvWriter csv(file, {"URN", "LAESTAB", "UPN", "SURNAME", "FORENAMES", "DOB", "SEX", "ENG_GRADE",
                         "MAT_GRADE", "BASICS_94"});
    uint64_t n = 0;
    for (const Ks4Result& r : w.ks4) {
      const School& s = w.schools[r.school];
      const std::string key = "ks4:" + std::to_string(++n);
      const RecordedPerson rec = ctx.record(r.pupil, key, "education/ks4_pupil_results.csv",
                                            januaryCensusDay(w.timeline.year_end - 1), true, false);
      csv << s.urn << w.la_number * 10000 + s.estab << rec.upn << rec.surname << rec.forename
          << isoDate(rec.dob) << (w.people[r.pupil].sex == Sex::kMale ? "M" : "F") << r.english
          << r.maths << (r.english >= 4 && r.maths >= 4 ? "1" : "0");
      csv.end();
      ctx.truth("education/ks4_pupil_results.csv", key, r.pupil);
    }
  }
}

void writeSen2(SourceContext& ctx) {
  const World& w = ctx.world();
  const Day census = w.timeline.census_day;
  const Day export_day = census + 28;
  const Ymd e = civilFromDay(export_day);
  char date[16];
  std::snprintf(date, sizeof date, "%02d-%02d-%04d", e.day, e.month, e.year);
  const std::string prefix = std::string("sen2/Blade-Export_") + date + "_";
  const std::string native = std::to_string(w.la_number);
  const uint64_t seed = w.options.seed ^ hashName("sen2");

  OutputFile f0(ctx.root(), prefix + "sen2.csv", ctx.stats());
  OutputFile f1(ctx.root(), prefix + "person.csv", ctx.stats());
  OutputFile f2(ctx.root(), prefix + "requests.csv", ctx.stats());
  OutputFile f3(ctx.root(), prefix + "assessment.csv", ctx.stats());
  OutputFile f4(ctx.root(), prefix + "namedplan.csv", ctx.stats());
  OutputFile f5(ctx.root(), prefix + "plandetail.csv", ctx.stats());
  OutputFile f6(ctx.root(), prefix + "activeplans.csv", ctx.stats());
  OutputFile f7(ctx.root(), prefix + "placementdetail.csv", ctx.stats());
  OutputFile f8(ctx.root(), prefix + "senneed.csv", ctx.stats());
  CsvWriter sen2(f0, {"sen2tableid", "NativeId", "sen2orderseqcolumn", "sourceid", "collection",
                      "year", "referencedate", "sourcelevel", "softwarecode", "release", "serialno",
                      "datetime", "lea", "dmo", "dco"});
  CsvWriter person(f1, {"persontableid", "NativeId", "personorderseqcolumn", "sourceid",
                        "sen2tableid", "surname", "forename", "personbirthdate", "sex", "ethnicity",
                        "postcode", "upn", "uniquelearnernumber", "upnunknown"});
  CsvWriter requests(f2, {"requeststableid", "NativeId", "requestsorderseqcolumn", "sourceid",
                          "persontableid", "receiveddate", "rya", "requestoutcomedate",
                          "requestoutcome", "requestmediation", "requesttribunal", "exported"});
  CsvWriter assessment(
      f3, {"assessmenttableid", "NativeId", "assessmentorderseqcolumn", "sourceid",
           "requeststableid", "assessmentoutcome", "assessmentoutcomedate", "assessmentmediation",
           "assessmenttribunal", "othermediation", "othertribunal", "week20"});
  CsvWriter named(f4, {"namedplantableid", "NativeId", "namedplanorderseqcolumn", "sourceid",
                       "assessmenttableid", "startdate", "planres", "planwbp", "pb", "oa", "dp",
                       "ceasedate", "ceasereason"});
  CsvWriter detail(f5, {"plandetailtableid", "NativeId", "plandetailorderseqcolumn", "sourceid",
                        "namedplantableid", "urn", "ukprn", "sensetting", "sensettingother",
                        "placementrank", "senunitindicator", "resourcedprovisionindicator"});
  CsvWriter active(
      f6, {"activeplanstableid", "NativeId", "activeplansorderseqcolumn", "sourceid",
           "requeststableid", "transferla", "reviewmeeting", "reviewoutcome", "lastreview"});
  CsvWriter placement(f7, {"placementdetailtableid", "NativeId", "placementdetailorderseqcolumn",
                           "sourceid", "activeplanstableid", "res", "wbp", "urn", "ukprn",
                           "sensetting", "sensettingother", "placementrank", "entrydate",
                           "leavingdate", "senunitindicator", "resourcedprovisionindicator"});
  CsvWriter need(f8, {"senneedtableid", "NativeId", "senneedorderseqcolumn", "sourceid",
                      "activeplanstableid", "sentype", "sentyperank"});

  const std::string source = hexId(seed, "source", 0, false);
  const std::string sen2_id = hexId(seed, "sen2", 0, false);
  sen2 << sen2_id << native << 1 << source << "SEN2" << w.timeline.year_end << bladeDate(census)
       << "L"
       << "Local Authority"
       << "1.2" << 1 << bladeDate(export_day) << w.la_number << ""
       << "";
  sen2.end();

  const Day year_start = dayFromCivil(w.timeline.year_end - 1, 1, 1);
  uint64_t n = 0;
  for (const EhcPlan& plan : w.ehc_plans) {
    const bool is_active = openOn(plan.start, plan.ceased, census);
    const bool ceased_in_year =
        plan.ceased != kNoDay && plan.ceased >= year_start && plan.ceased < census;
    if (!is_active && !ceased_in_year) continue;
    ++n;
    const Person& p = w.people[plan.person];
    const std::string person_id = hexId(seed, "person", n, true);
    const RecordedPerson r =
        ctx.record(plan.person, person_id, prefix + "person.csv", census, true, false);
    const int age = ageOn(p.dob, census);
    person << person_id << native << n << source << sen2_id << r.surname << r.forename
           << bladeDate(r.dob) << (p.sex == Sex::kMale ? "M" : "F") << p.ethnicity
           << w.postcodes[w.addresses[r.address].postcode].code << r.upn << (age >= 14 ? p.uln : "")
           << (r.upn.empty() ? "UN2" : "");
    person.end();
    ctx.truth(prefix + "person.csv", person_id, plan.person);

    const std::string request_id = hexId(seed, "request", n, true);
    requests << request_id << native << n << source << person_id << bladeDate(plan.requested)
             << "False" << bladeDate(plan.requested + 42) << "A"
             << "False"
             << "False"
             << "";
    requests.end();
    const std::string assessment_id = hexId(seed, "assessment", n, true);
    assessment << assessment_id << native << n << source << request_id << "A"
               << bladeDate(plan.assessed) << "False"
               << "False"
               << "False"
               << "False"
               << "False";
    assessment.end();
    const std::string named_id = hexId(seed, "named", n, true);
    named << named_id << native << n << source << assessment_id << bladeDate(plan.start) << ""
          << ""
          << "False"
          << ""
          << "" << (plan.ceased == kNoDay ? "" : bladeDate(plan.ceased))
          << (plan.cease_reason == 0 ? "" : std::to_string(plan.cease_reason));
    named.end();
    for (const EhcPlacement& pl : plan.placements) {
      std::string urn, ukprn, setting = pl.setting;
      if (pl.school != kNone) {
        const School& s = w.schools[pl.school];
        if (s.phase == "EY") {
          setting = "EYP";
        } else {
          urn = std::to_string(s.urn);
          if (s.phase == "FE") ukprn = std::to_string(10000000 + s.urn);
        }
      }
      detail << hexId(seed, "detail", n, true) << native << n << source << named_id << urn << ukprn
             << setting << "" << 1 << "False"
             << "False";
      detail.end();
      if (!is_active) continue;
      const std::string active_id = hexId(seed, "active", n, true);
      active << active_id << native << n << source << request_id << ""
             << bladeDate(std::max(plan.start, census - 200)) << "1"
             << bladeDate(std::max(plan.start, census - 190));
      active.end();
      ctx.truth(prefix + "activeplans.csv", active_id, plan.person);
      placement << hexId(seed, "placement", n, true) << native << n << source << active_id << ""
                << "" << urn << ukprn << setting << "" << 1 << bladeDate(pl.start) << ""
                << "False"
                << "False";
      placement.end();
      need << hexId(seed, "need", n, true) << native << n << source << active_id << plan.need << 1;
      need.end();
    }
  }
}

void writeEarlyYearsAndYoungPeople(SourceContext& ctx) {
  const World& w = ctx.world();
  const int y = w.timeline.year_end;
  {
    const std::string name = "nccis/nccis_" + std::to_string(y) + ".csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    CsvWriter csv(file, {"LACode", "SnapshotDate", "YoungPersonsID", "Forename", "Surname", "DOB",
                         "Gender", "Postcode", "UPN", "ULN", "AcademicAge", "ActivityCode",
                         "StartDate", "SENDFlag", "CareLeaverFlag"});
    std::map<uint32_t, RecordedPerson> recorded;
    std::vector<uint8_t> care_leaver(w.people.size(), 0);
    for (const CareLeaver& c : w.care_leavers) care_leaver[c.person] = 1;
    std::vector<uint8_t> send(w.people.size(), 0);
    for (const EhcPlan& p : w.ehc_plans) send[p.person] = 1;
    for (const NccisActivity& a : w.nccis) {
      auto it = recorded.find(a.person);
      if (it == recorded.end()) {
        const std::string id = "YP" + std::to_string(500000 + a.person);
        it = recorded.emplace(a.person, ctx.record(a.person, id, name, a.month_end, true, false))
                 .first;
      }
      const RecordedPerson& r = it->second;
      const Person& p = w.people[a.person];
      const std::string code =
          ctx.code(std::to_string(a.code), "999", name, r.local_id, "ActivityCode");
      csv << w.la_number << isoDate(a.month_end) << r.local_id << r.forename << r.surname
          << isoDate(r.dob) << (p.sex == Sex::kMale ? "M" : "F")
          << w.postcodes[w.addresses[r.address].postcode].code << r.upn << p.uln
          << academicAge(p.dob, a.month_end) << code << isoDate(a.activity_start)
          << (send[a.person] ? "Y" : "N") << (care_leaver[a.person] ? "Y" : "N");
      csv.end();
      ctx.truth(name, r.local_id + "@" + isoDate(a.month_end), a.person);
    }
  }
  {
    const std::string name = "early-years/" + std::to_string(y) + "_spring_eycensus.csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    CsvWriter csv(
        file, {"eypupiltableid", "NativeId", "urn", "settingname", "dob", "surname", "forename",
               "middlenames", "sex", "ethnicity", "postcode", "uniquepropertyreferencenumber",
               "fundedhours", "extendedhours", "hoursatsetting", "fundingbasis", "eypp", "daf"});
    const uint64_t seed = w.options.seed ^ hashName("eycensus");
    uint64_t n = 0;
    for (const EarlyYearsFunding& f : w.early_years) {
      const School& s = w.schools[f.setting];
      const std::string id = hexId(seed, "ey", ++n, true);
      const RecordedPerson r = ctx.record(f.child, id, name, w.timeline.census_day, false, false);
      const Person& p = w.people[f.child];
      const Address& a = w.addresses[r.address];
      csv << id << "EY" + std::to_string(s.urn) << "EY" + std::to_string(s.urn) << s.name
          << bladeDate(r.dob) << r.surname << r.forename << p.middlename
          << (p.sex == Sex::kMale ? "M" : "F") << p.ethnicity << w.postcodes[a.postcode].code
          << a.uprn << "15.0" << (f.hours > 15 ? "15.0" : "")
          << std::to_string(static_cast<int>(f.hours)) + ".0" << f.basis
          << (w.households[p.household].low_income ? "True" : "False") << "False";
      csv.end();
      ctx.truth(name, id, f.child);
    }
  }
  {
    const std::string name = "early-years/dwp_two_year_olds_" + std::to_string(y) + ".csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    CsvWriter csv(file, {"Child_Forename", "Child_Surname", "Child_DOB", "Parent_Forename",
                         "Parent_Surname", "Address_Line1", "Postcode"});
    uint64_t n = 0;
    for (uint32_t c : w.two_year_old_eligible) {
      const Person& p = w.people[c];
      const std::string key = "dwp:" + std::to_string(++n);
      const RecordedPerson r = ctx.record(c, key, name, w.timeline.census_day, false, false);
      const Person* parent = p.mother != kNone ? &w.people[p.mother] : nullptr;
      const Address& a = w.addresses[r.address];
      csv << r.forename << r.surname << isoDate(r.dob) << (parent ? parent->forename : "")
          << (parent ? parent->surname : "")
          << std::to_string(a.house_number) + " " + w.streets[a.street]
          << w.postcodes[a.postcode].code;
      csv.end();
      ctx.truth(name, key, c);
    }
  }
  {
    const std::string name = "cme/cme_register.csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    CsvWriter csv(file, {"CME_Ref", "Forename", "Surname", "DOB", "Sex", "UPN", "Postcode",
                         "Date_Reported", "Date_Closed", "Reason"});
    for (const CmeEpisode& e : w.cme) {
      const std::string key = "CME" + std::to_string(10000 + e.id);
      const RecordedPerson r = ctx.record(e.child, key, name, e.start, true, false);
      csv << key << r.forename << r.surname << isoDate(r.dob)
          << (w.people[e.child].sex == Sex::kMale ? "M" : "F") << r.upn
          << w.postcodes[w.addresses[r.address].postcode].code << isoDate(e.start)
          << (e.end == kNoDay ? "" : isoDate(e.end)) << e.reason;
      csv.end();
      ctx.truth(name, key, e.child);
    }
  }
}

void writeOfsted(SourceContext& ctx) {
  const World& w = ctx.world();
  {
    OutputFile file(ctx.root(), "ofsted/state_funded_schools_mi.csv", ctx.stats());
    CsvWriter csv(file,
                  {"URN", "LAESTAB", "School name", "Ofsted phase", "Type of education",
                   "Local authority", "Postcode", "Total number of pupils", "Inspection start date",
                   "Publication date", "Overall effectiveness", "Category of concern",
                   "Quality of education", "Behaviour and attitudes", "Personal development",
                   "Effectiveness of leadership and management", "Safeguarding is effective?"});
    for (const School& s : w.schools) {
      if (s.phase == "EY" || s.phase == "FE") continue;
      // A report card gives no grades; its inspection date says which framework it is.
      const bool inspected = s.ofsted >= 1;
      const bool graded = inspected && !reportCard(s);
      const std::string grade = graded ? std::to_string(s.ofsted) : "";
      csv << s.urn << w.la_number * 10000 + s.estab << s.name << ofstedPhase(s) << s.type
          << w.la_name << w.postcodes[s.postcode].code << static_cast<int>(s.capacity / 1.08)
          << (inspected ? isoDate(s.inspected) : "") << (inspected ? isoDate(s.inspected + 28) : "")
          << grade << (graded && s.ofsted == 4 ? "SM" : "") << grade << grade << grade << grade
          << (graded ? (s.ofsted == 4 ? "No" : "Yes") : "");
      csv.end();
    }
  }
  {
    OutputFile file(ctx.root(), "ofsted/early_years_providers_mi.csv", ctx.stats());
    CsvWriter csv(file,
                  {"Provider URN", "Provider type", "Provider name", "Local authority", "Postcode",
                   "Most recent full: Inspection date", "Most recent full: Overall effectiveness"});
    for (const School& s : w.schools) {
      if (s.phase != "EY") continue;
      csv << "EY" + std::to_string(s.urn) << "Childcare on non-domestic premises" << s.name
          << w.la_name << w.postcodes[s.postcode].code << isoDate(s.inspected)
          << (reportCard(s) ? "" : std::to_string(s.ofsted));
      csv.end();
    }
  }
}

}  // namespace hearth::synth
