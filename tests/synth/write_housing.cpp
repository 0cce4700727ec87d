#include <map>
#include <string>
#include <vector>

#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

/// Writes one H-CLIC section both as CSV and as INSERT statements that SQLite and PostgreSQL
/// both accept, in batches so that the script loads quickly.
class SectionWriter {
 public:
  SectionWriter(SourceContext& ctx, OutputFile& sql, const std::string& table,
                std::vector<std::string> columns, std::vector<std::string> types)
      : file_(ctx.root(), "housing/" + table + ".csv", ctx.stats()),
        csv_(file_, columns),
        sql_(sql),
        table_(table),
        columns_(std::move(columns)),
        types_(std::move(types)) {
    sql_.write("CREATE TABLE " + table_ + " (");
    for (size_t i = 0; i < columns_.size(); ++i)
      sql_.write((i ? ", " : "") + columns_[i] + " " + types_[i]);
    sql_.write(");\n");
  }
  ~SectionWriter() { flushBatch(); }

  void row(const std::vector<std::string>& values) {
    for (const std::string& v : values) csv_ << v;
    csv_.end();
    batch_ += batch_rows_ == 0 ? "INSERT INTO " + table_ + " VALUES\n(" : ",\n(";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) batch_ += ", ";
      if (values[i].empty()) {
        batch_ += "NULL";
      } else if (types_[i] == "INTEGER") {
        batch_ += values[i];
      } else {
        batch_ += "'";
        for (char c : values[i]) {
          if (c == '\'') batch_ += '\'';
          batch_ += c;
        }
        batch_ += "'";
      }
    }
    batch_ += ")";
    if (++batch_rows_ == 500) flushBatch();
  }

 private:
  void flushBatch() {
    if (batch_rows_ == 0) return;
    sql_.write(batch_);
    sql_.write(";\n");
    batch_.clear();
    batch_rows_ = 0;
  }

  OutputFile file_;
  CsvWriter csv_;
  OutputFile& sql_;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<std::string> types_;
  std::string batch_;
  int batch_rows_ = 0;
};

std::string date(Day d) { return d == kNoDay ? "" : isoDate(d); }

std::string nino(uint32_t person) {
  static constexpr char kFirst[] = "ABCEGHJKLMNOPRSTWXYZ";
  static constexpr char kSecond[] = "ABCEGHJKLMNPRSTWXYZ";
  static constexpr char kSuffix[] = "ABCD";
  const uint64_t h = (person + 1) * 0x9E3779B97F4A7C15ULL;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%c%06u%c", kFirst[h % 20], kSecond[(h >> 8) % 19],
                static_cast<unsigned>((h >> 16) % 1000000), kSuffix[(h >> 40) % 4]);
  return buf;
}

}  // namespace

void writeHousing(SourceContext& ctx) {
  const World& w = ctx.world();
  OutputFile sql(ctx.root(), "housing/hclic.sql", ctx.stats());
  sql.write("-- H-CLIC case level data held by the housing system, synthetic.\n");
  const std::string updated = isoDate(w.timeline.extract_day) + " 02:00:00";
  {
    SectionWriter main(
        ctx, sql, "hclic_main",
        {"LA_CODE", "CASE_REF", "HOUSEHOLD_REF", "MAIN_APPLICANT_PERSON_REF", "DATE_OF_APPLICATION",
         "DATE_OF_ASSESSMENT", "PREVENTION_DUTY_OWED", "RELIEF_DUTY_OWED",
         "REASON_LOSS_SETTLED_HOME", "NUMBER_OF_ADULTS", "NUMBER_OF_CHILDREN",
         "SLEEPING_ROUGH_AT_APPLICATION", "POSTCODE", "UPRN", "UPDATED_AT"},
        {"TEXT", "TEXT", "TEXT", "TEXT", "DATE", "DATE", "TEXT", "TEXT", "TEXT", "INTEGER",
         "INTEGER", "TEXT", "TEXT", "TEXT", "TIMESTAMP"});
    SectionWriter people(
        ctx, sql, "hclic_people",
        {"CASE_REF", "PERSON_REF", "FORENAME", "SURNAME", "DATE_OF_BIRTH", "SEX", "NINO",
         "NHS_NUMBER", "RELATIONSHIP_TO_MAIN_APPLICANT", "LEAD_APPLICANT", "UPDATED_AT"},
        {"TEXT", "TEXT", "TEXT", "TEXT", "DATE", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT",
         "TIMESTAMP"});
    // The case-level sections name the case's main applicant beside the case reference, as the
    // housing system's section export joins them to Main.
    SectionWriter prevention(ctx, sql, "hclic_prevention",
                             {"CASE_REF", "MAIN_APPLICANT_PERSON_REF", "PREVENTION_DUTY_START",
                              "PREVENTION_DUTY_END", "PREVENTION_OUTCOME", "UPDATED_AT"},
                             {"TEXT", "TEXT", "DATE", "DATE", "TEXT", "TIMESTAMP"});
    SectionWriter relief(
        ctx, sql, "hclic_relief",
        {"CASE_REF", "MAIN_APPLICANT_PERSON_REF", "RELIEF_DUTY_START", "RELIEF_DUTY_END",
         "RELIEF_OUTCOME", "MAIN_DUTY_DECISION_DATE", "MAIN_DUTY_DECISION", "UPDATED_AT"},
        {"TEXT", "TEXT", "DATE", "DATE", "TEXT", "DATE", "TEXT", "TIMESTAMP"});
    SectionWriter ta(ctx, sql, "hclic_temporaryaccommodation",
                     {"CASE_REF", "MAIN_APPLICANT_PERSON_REF", "TA_PLACEMENT_REF", "TA_START_DATE",
                      "TA_END_DATE", "TA_TYPE", "TA_OUT_OF_AREA", "TA_WITH_CHILDREN", "UPDATED_AT"},
                     {"TEXT", "TEXT", "TEXT", "DATE", "DATE", "TEXT", "TEXT", "TEXT", "TIMESTAMP"});
    for (const HomelessCase& c : w.homeless_cases) {
      const std::string case_ref = "HC" + std::to_string(200000 + c.id);
      int adults = 0, children = 0;
      for (uint32_t m : c.members)
        (ageOn(w.people[m].dob, c.approach) >= 18 ? adults : children) += 1;
      const RecordedPerson lead = ctx.record(c.applicant, case_ref + "/1",
                                             "housing/hclic_people.csv", c.approach, false, true);
      const Address& address = w.addresses[lead.address];
      main.row({w.la_code, case_ref, "HH" + std::to_string(c.household), case_ref + "/1",
                date(c.approach), date(c.assessment), c.prevention_start == kNoDay ? "N" : "Y",
                c.relief_start == kNoDay ? "N" : "Y", c.reason, std::to_string(adults),
                std::to_string(children), c.slept_rough ? "Y" : "N",
                w.postcodes[address.postcode].code, std::to_string(address.uprn), updated});
      ctx.truth("housing/hclic_main.csv", case_ref, c.applicant);
      int k = 0;
      for (uint32_t m : c.members) {
        const std::string ref = case_ref + "/" + std::to_string(++k);
        const RecordedPerson r = m == c.applicant ? lead
                                                  : ctx.record(m, ref, "housing/hclic_people.csv",
                                                               c.approach, false, true);
        const Person& p = w.people[m];
        const bool adult = ageOn(p.dob, c.approach) >= 18;
        const std::string relationship = m == c.applicant ? "Main applicant"
                                         : adult          ? "Partner"
                                                          : "Child";
        people.row({case_ref, ref, r.forename, r.surname, isoDate(r.dob),
                    p.sex == Sex::kMale ? "M" : "F", adult ? nino(m) : "", r.nhs_number,
                    relationship, m == c.applicant ? "Y" : "N", updated});
        ctx.truth("housing/hclic_people.csv", ref, m);
      }
      if (c.prevention_start != kNoDay) {
        prevention.row({case_ref, case_ref + "/1", date(c.prevention_start), date(c.prevention_end),
                        c.prevention_outcome, updated});
        ctx.truth("housing/hclic_prevention.csv", case_ref, c.applicant);
      }
      if (c.relief_start != kNoDay) {
        relief.row({case_ref, case_ref + "/1", date(c.relief_start), date(c.relief_end),
                    c.relief_outcome, date(c.decision), c.main_duty, updated});
        ctx.truth("housing/hclic_relief.csv", case_ref, c.applicant);
      }
    }
    for (const TemporaryAccommodation& t : w.temporary_accommodation) {
      const HomelessCase& c = w.homeless_cases[t.case_id - 1];
      const std::string case_ref = "HC" + std::to_string(200000 + t.case_id);
      const std::string key = "TA" + std::to_string(t.id);
      ta.row({case_ref, case_ref + "/1", key, date(t.start), date(t.end), t.type,
              t.out_of_area ? "Y" : "N", withChildren(w, c) ? "Y" : "N", updated});
      ctx.truth("housing/hclic_temporaryaccommodation.csv", key, c.applicant);
    }
  }
  {
    const std::string name = "housing/rough_sleeping.csv";
    OutputFile file(ctx.root(), name, ctx.stats());
    // The outreach service's own client reference follows a person from contact to contact.
    CsvWriter csv(file, {"CONTACT_REF", "CLIENT_REF", "DATE_SEEN", "FORENAME", "SURNAME",
                         "DATE_OF_BIRTH", "SEX", "LOCATION_AREA"});
    std::map<uint32_t, std::string> client_of;
    for (const RoughSleeping& r : w.rough_sleeping) {
      const std::string key = "RS" + std::to_string(r.id);
      const std::string client =
          client_of.try_emplace(r.person, "OUT" + std::to_string(500000 + client_of.size()))
              .first->second;
      const RecordedPerson rec = ctx.record(r.person, key, name, r.recorded, false, false);
      // Outreach workers often get no date of birth.
      const std::string dob = ctx.rng().chance(0.35) ? "" : isoDate(rec.dob);
      csv << key << client << isoDate(r.recorded) << rec.forename << rec.surname << dob
          << (w.people[r.person].sex == Sex::kMale ? "M" : "F")
          << w.local_areas[r.id % w.local_areas.size()].name;
      csv.end();
      ctx.truth(name, key, r.person);
    }
  }
}

}  // namespace hearth::synth
