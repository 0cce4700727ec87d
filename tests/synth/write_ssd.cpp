#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/synth/cla_episodes.hpp"
#include "tests/synth/population.hpp"
#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

struct Column {
  const char* name;
  const char* type;  // as the SSD YAML spells it: nvarchar, nchar, datetime, int, float
};

using Value = std::optional<std::string>;

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

/// Writes each SSD table twice: into a SQLite database, and as a PostgreSQL script of CREATE
/// TABLE and COPY blocks that psql loads.
class SsdSink {
 public:
  SsdSink(SourceContext& ctx) : ctx_(ctx), sql_(ctx.root(), "ssd/ssd_postgres.sql", ctx.stats()) {
    const std::filesystem::path path = ctx.root() / "ssd" / "ssd.sqlite";
    std::filesystem::create_directories(path.parent_path());
    std::filesystem::remove(path);
    sqlite3* raw = nullptr;
    if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path.string());
    db_.reset(raw);
    exec("PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;");
    sql_.write(
        "-- Standard Safeguarding Dataset extract, synthetic. Load with: psql -f "
        "ssd_postgres.sql\n");
    sql_.write("SET client_encoding = 'UTF8';\nBEGIN;\n\n");
  }

  ~SsdSink() = default;

  void finish() {
    exec("COMMIT;");
    db_.reset();
    sql_.write("COMMIT;\n");
    sql_.close();
    const std::filesystem::path path = ctx_.root() / "ssd" / "ssd.sqlite";
    ctx_.stats().push_back({"ssd/ssd.sqlite", std::filesystem::file_size(path), rows_total_});
  }

  void begin(const std::string& table, std::vector<Column> columns) {
    table_ = table;
    columns_ = std::move(columns);
    std::string create = "CREATE TABLE " + table + " (";
    std::string pg = "CREATE TABLE " + table + " (";
    std::string insert = "INSERT INTO " + table + " VALUES (";
    std::string copy = "COPY " + table + " (";
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string type = columns_[i].type;
      const char* sqlite_type = type == "int" ? "INTEGER" : type == "float" ? "REAL" : "TEXT";
      const char* pg_type = type == "int"        ? "integer"
                            : type == "float"    ? "double precision"
                            : type == "datetime" ? "timestamp"
                                                 : "varchar";
      const char* sep = i == 0 ? "" : ", ";
      create += std::string(sep) + columns_[i].name + " " + sqlite_type;
      pg += std::string(sep) + "\n  " + columns_[i].name + " " + pg_type;
      insert += std::string(sep) + "?";
      copy += std::string(sep) + columns_[i].name;
    }
    exec(create + ");");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_.get(), (insert + ")").c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_.get()));
    insert_.reset(stmt);
    sql_.write(pg + "\n);\n" + copy + ") FROM stdin;\n");
  }

  void row(const std::vector<Value>& values) {
    if (values.size() != columns_.size())
      throw std::logic_error(table_ + ": wrong number of values");
    sqlite3_stmt* stmt = insert_.get();
    for (size_t i = 0; i < values.size(); ++i) {
      const int slot = static_cast<int>(i + 1);
      if (!values[i]) {
        sqlite3_bind_null(stmt, slot);
        sql_.write(i == 0 ? "\\N" : "\t\\N");
        continue;
      }
      const std::string& v = *values[i];
      const std::string type = columns_[i].type;
      if (type == "int") {
        sqlite3_bind_int64(stmt, slot, std::stoll(v));
      } else if (type == "float") {
        sqlite3_bind_double(stmt, slot, std::stod(v));
      } else {
        sqlite3_bind_text(stmt, slot, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      }
      if (i > 0) sql_.put('\t');
      for (char c : v) {
        switch (c) {
          case '\t':
            sql_.write("\\t");
            break;
          case '\n':
            sql_.write("\\n");
            break;
          case '\\':
            sql_.write("\\\\");
            break;
          default:
            sql_.put(c);
        }
      }
    }
    sql_.put('\n');
    if (sqlite3_step(stmt) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_.get()));
    sqlite3_reset(stmt);
    ++rows_total_;
    sql_.countRecord();
  }

  // Indexed as a deployed SSD is: its key (the first column) and the person each row is about,
  // which the connector's joins and keyset reads look rows up by.
  void end() {
    insert_.reset();
    sql_.write("\\.\n\n");
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string column = columns_[i].name;
      if (i != 0 && !column.ends_with("_person_id")) continue;
      const std::string index =
          "CREATE INDEX " + table_ + "_" + column + "_idx ON " + table_ + " (" + column + ");";
      exec(index);
      sql_.write(index + "\n");
    }
    sql_.write("\n");
  }

 private:
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "sqlite error";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  }

  SourceContext& ctx_;
  OutputFile sql_;
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> insert_;
  std::string table_;
  std::vector<Column> columns_;
  uint64_t rows_total_ = 0;
};

Value day(Day d) { return d == kNoDay ? Value() : Value(isoDate(d)); }
Value text(std::string s) { return s.empty() ? Value() : Value(std::move(s)); }
Value yn(bool b) { return Value(b ? "Y" : "N"); }
Value num(uint64_t n) { return Value(std::to_string(n)); }

const char* sourceDescription(const std::string& code) {
  if (code == "6") return "Police";
  if (code == "2A") return "Schools";
  if (code.rfind("3", 0) == 0) return "Health services";
  if (code.rfind("5", 0) == 0) return "LA services";
  if (code.rfind("1", 0) == 0) return "Individual";
  if (code == "4") return "Housing";
  return "Other";
}

class SsdWriter {
 public:
  SsdWriter(SourceContext& ctx, const CaseSystem& cases)
      : ctx_(ctx), cases_(cases), w_(ctx.world()), sink_(ctx) {}

  void write() {
    persons();
    identifiers();
    contacts();
    earlyHelp();
    cinEpisodes();
    childProtection();
    lookedAfter();
    careLeavers();
    sink_.finish();
  }

 private:
  static constexpr const char* kFile = "ssd/ssd.sqlite";

  std::string worker(uint32_t n) const { return "SW" + std::to_string(1000 + (n * 37) % 450); }
  std::string team(uint32_t n) const { return "T" + std::to_string(10 + (n * 13) % 24); }

  void forEachRecord(const std::function<void(const RecordedPerson&)>& f) {
    for (uint32_t p : cases_.persons()) {
      const CaseSystem::Entry& e = *cases_.find(p);
      f(e.primary);
      if (!e.duplicate.local_id.empty()) f(e.duplicate);
    }
  }

  void persons() {
    sink_.begin("ssd_person", {{"pers_person_id", "nvarchar"},
                               {"pers_forename", "nvarchar"},
                               {"pers_surname", "nvarchar"},
                               {"pers_sex", "nvarchar"},
                               {"pers_gender", "nvarchar"},
                               {"pers_ethnicity", "nvarchar"},
                               {"pers_dob", "datetime"},
                               {"pers_common_child_id", "nvarchar"},
                               {"pers_legacy_id", "nvarchar"},
                               {"pers_upn_unknown", "nvarchar"},
                               {"pers_send_flag", "nchar"},
                               {"pers_expected_dob", "datetime"},
                               {"pers_death_date", "datetime"},
                               {"pers_is_mother", "nchar"},
                               {"pers_nationality", "nvarchar"}});
    std::vector<uint8_t> is_mother(w_.people.size(), 0);
    for (const Person& p : w_.people)
      if (p.mother != kNone) is_mother[p.mother] = 1;
    // PERS008A: Y when the person has an EHC plan on the day of the extract.
    std::vector<uint8_t> has_plan(w_.people.size(), 0);
    const Day extract = w_.timeline.extract_day;
    for (const EhcPlan& plan : w_.ehc_plans) {
      if (plan.start <= extract && (plan.ceased == kNoDay || plan.ceased > extract)) {
        has_plan[plan.person] = 1;
      }
    }
    // PERS012A: the country of origin, recorded for unaccompanied asylum-seeking children only.
    static const std::vector<std::string> kOrigins = {
        "Afghanistan", "Eritrea", "Sudan", "Iran", "Iraq", "Syria", "Albania", "Vietnam"};
    std::vector<uint8_t> uasc(w_.people.size(), 0);
    for (const ClaPeriod& period : w_.cla_periods) {
      if (period.uasc) uasc[period.child] = 1;
    }
    forEachRecord([&](const RecordedPerson& r) {
      const Person& p = w_.people[r.person];
      const std::string key = r.local_id;
      const Day dob =
          ctx_.date(r.dob, w_.timeline.extract_day + 90, kFile, "ssd_person:" + key, "pers_dob");
      sink_.row({r.local_id, text(r.forename), text(r.surname),
                 Value(p.sex == Sex::kMale ? "M" : "F"), Value(p.sex == Sex::kMale ? "01" : "02"),
                 Value(p.ethnicity), day(dob), text(r.nhs_number), Value(),
                 r.upn.empty() ? Value("UN3") : Value(), yn(has_plan[r.person] != 0), Value(),
                 Value(), yn(is_mother[r.person] != 0),
                 uasc[r.person] != 0 ? Value(kOrigins[(r.person * 2654435761u) % kOrigins.size()])
                                     : Value()});
      ctx_.truth(kFile, "ssd_person:" + key, r.person);
    });
    sink_.end();

    sink_.begin("ssd_family", {{"fami_table_id", "nvarchar"},
                               {"fami_family_id", "nvarchar"},
                               {"fami_person_id", "nvarchar"}});
    uint64_t n = 0;
    forEachRecord([&](const RecordedPerson& r) {
      sink_.row(
          {num(++n), Value("FAM" + std::to_string(w_.people[r.person].household)), r.local_id});
      ctx_.truth(kFile, "ssd_family:" + std::to_string(n), r.person);
    });
    sink_.end();

    sink_.begin("ssd_address", {{"addr_table_id", "nvarchar"},
                                {"addr_address_json", "nvarchar"},
                                {"addr_person_id", "nvarchar"},
                                {"addr_address_type", "nvarchar"},
                                {"addr_address_start_date", "datetime"},
                                {"addr_address_end_date", "datetime"},
                                {"addr_address_postcode", "nvarchar"}});
    n = 0;
    forEachRecord([&](const RecordedPerson& r) {
      const Household& h = w_.households[w_.people[r.person].household];
      auto emit = [&](uint32_t address, Day start, Day end) {
        const Address& a = w_.addresses[address];
        const std::string& pc = w_.postcodes[a.postcode].code;
        const std::string json = "{\"NUMBER\":\"" + std::to_string(a.house_number) +
                                 "\",\"STREET\":\"" + w_.streets[a.street] + "\",\"TOWN\":\"" +
                                 w_.local_areas[w_.postcodes[a.postcode].area].name +
                                 "\",\"POSTCODE\":\"" + pc + "\",\"UPRN\":\"" +
                                 std::to_string(a.uprn) + "\"}";
        sink_.row(
            {num(++n), Value(json), r.local_id, Value("HOME"), day(start), day(end), Value(pc)});
        ctx_.truth(kFile, "ssd_address:" + std::to_string(n), r.person);
      };
      const Day since = std::max(w_.people[r.person].dob, w_.timeline.history_start - 2000);
      if (h.previous_address == kNone) {
        emit(h.address, since, kNoDay);
        return;
      }
      // A stale record: the move never reached the case system.
      const bool stale = r.address == h.previous_address;
      emit(h.previous_address, since, stale ? kNoDay : h.moved_on);
      if (!stale) emit(h.address, h.moved_on, kNoDay);
    });
    sink_.end();

    sink_.begin("ssd_disability", {{"disa_person_id", "nvarchar"},
                                   {"disa_table_id", "nvarchar"},
                                   {"disa_disability_code", "nvarchar"}});
    static const std::vector<std::string> kDisabilities = {
        "AUT", "BEH", "COMM", "CON", "HAND", "HEAR", "INC", "LD", "MOB", "PC", "VIS"};
    n = 0;
    forEachRecord([&](const RecordedPerson& r) {
      const bool disabled = (r.person * 2246822519u) % 100 < 8;
      sink_.row({r.local_id, num(++n),
                 Value(disabled ? kDisabilities[(r.person * 3266489917u) % kDisabilities.size()]
                                : "NONE")});
      ctx_.truth(kFile, "ssd_disability:" + std::to_string(n), r.person);
    });
    sink_.end();

    sink_.begin("ssd_mother", {{"moth_table_id", "nvarchar"},
                               {"moth_person_id", "nvarchar"},
                               {"moth_childs_person_id", "nvarchar"},
                               {"moth_childs_dob", "datetime"}});
    n = 0;
    for (uint32_t p : cases_.persons()) {
      const uint32_t mother = w_.people[p].mother;
      if (mother == kNone || cases_.find(mother) == nullptr) continue;
      sink_.row({num(++n), cases_.find(mother)->primary.local_id, cases_.find(p)->primary.local_id,
                 day(w_.people[p].dob)});
      ctx_.truth(kFile, "ssd_mother:" + std::to_string(n), mother);
    }
    sink_.end();
  }

  void identifiers() {
    sink_.begin("ssd_linked_identifiers", {{"link_table_id", "nvarchar"},
                                           {"link_person_id", "nvarchar"},
                                           {"link_identifier_type", "nvarchar"},
                                           {"link_identifier_value", "nvarchar"},
                                           {"link_valid_from_date", "datetime"},
                                           {"link_valid_to_date", "datetime"}});
    uint64_t n = 0;
    forEachRecord([&](const RecordedPerson& r) {
      const Person& p = w_.people[r.person];
      auto emit = [&](const char* type, const std::string& value) {
        if (value.empty()) return;
        sink_.row({num(++n), r.local_id, Value(type), Value(value), day(p.dob), Value()});
        ctx_.truth(kFile, "ssd_linked_identifiers:" + std::to_string(n), r.person);
      };
      emit("NHS Number", r.nhs_number);
      emit("Unique Pupil Number", r.upn);
      emit("Unique Learner Number", p.uln);
    });
    sink_.end();

    sink_.begin("ssd_send", {{"send_table_id", "nvarchar"},
                             {"send_upn", "nvarchar"},
                             {"send_uln", "nvarchar"},
                             {"send_upn_unknown", "nvarchar"},
                             {"send_person_id", "nvarchar"}});
    n = 0;
    forEachRecord([&](const RecordedPerson& r) {
      const Person& p = w_.people[r.person];
      sink_.row(
          {num(++n), text(r.upn), text(p.uln), r.upn.empty() ? Value("UN3") : Value(), r.local_id});
      ctx_.truth(kFile, "ssd_send:" + std::to_string(n), r.person);
    });
    sink_.end();
  }

  void contacts() {
    sink_.begin("ssd_contacts", {{"cont_contact_id", "nvarchar"},
                                 {"cont_person_id", "nvarchar"},
                                 {"cont_contact_date", "datetime"},
                                 {"cont_contact_source_code", "nvarchar"},
                                 {"cont_contact_source_desc", "nvarchar"},
                                 {"cont_contact_outcome_json", "nvarchar"}});
    for (const Contact& c : w_.contacts) {
      const RecordedPerson& r = cases_.recordFor(c.child, c.id);
      std::string received = isoDateTime(c.received, c.received_minute);
      received[10] = ' ';
      // The case system keeps the decision time in the outcome: the one-working-day measure
      // needs it and the statutory returns do not carry it.
      const std::string outcome = std::string("{\"OUTCOME_REFERRAL_FLAG\":\"") +
                                  (c.led_to_referral ? "Y" : "N") + "\",\"OUTCOME_NFA_FLAG\":\"" +
                                  (c.led_to_referral ? "N" : "Y") + "\",\"DECISION_DATETIME\":\"" +
                                  isoDateTime(c.decided, c.decided_minute) + "\"}";
      sink_.row({num(c.id), r.local_id, Value(received), Value(c.source),
                 Value(sourceDescription(c.source)), Value(outcome)});
      ctx_.truth(kFile, "ssd_contacts:" + std::to_string(c.id), c.child);
    }
    sink_.end();
  }

  void earlyHelp() {
    sink_.begin("ssd_early_help_episodes", {{"earl_episode_id", "nvarchar"},
                                            {"earl_person_id", "nvarchar"},
                                            {"earl_episode_start_date", "datetime"},
                                            {"earl_episode_end_date", "datetime"},
                                            {"earl_episode_reason", "nvarchar"},
                                            {"earl_episode_end_reason", "nvarchar"},
                                            {"earl_episode_organisation", "nvarchar"},
                                            {"earl_episode_worker_id", "nvarchar"}});
    for (const EarlyHelpEpisode& e : w_.early_help) {
      const RecordedPerson& r = cases_.recordFor(e.child, e.id);
      sink_.row({num(e.id), r.local_id, day(e.start), day(e.end), Value(e.reason),
                 text(e.end_reason), Value(e.organisation),
                 Value("EH" + std::to_string(100 + e.id % 60))});
      ctx_.truth(kFile, "ssd_early_help_episodes:" + std::to_string(e.id), e.child);
    }
    sink_.end();
  }

  void cinEpisodes() {
    sink_.begin("ssd_cin_episodes", {{"cine_referral_id", "nvarchar"},
                                     {"cine_person_id", "nvarchar"},
                                     {"cine_referral_date", "datetime"},
                                     {"cine_cin_primary_need_code", "nvarchar"},
                                     {"cine_referral_source_code", "nvarchar"},
                                     {"cine_referral_source_desc", "nvarchar"},
                                     {"cine_referral_outcome_json", "nvarchar"},
                                     {"cine_referral_nfa", "nchar"},
                                     {"cine_close_reason", "nvarchar"},
                                     {"cine_close_date", "datetime"},
                                     {"cine_referral_team", "nvarchar"},
                                     {"cine_referral_worker_id", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      const std::string key = "ssd_cin_episodes:" + std::to_string(ep.id);
      const std::string outcome =
          std::string("{\"SINGLE_ASSESSMENT_FLAG\":\"") + (ep.assessments.empty() ? "N" : "Y") +
          "\",\"STRATEGY_DISC_FLAG\":\"" + (ep.s47s.empty() ? "N" : "Y") + "\"}";
      sink_.row({num(ep.id), r.local_id, day(ep.referral),
                 Value(ctx_.code(ep.need, "N10", kFile, key, "cine_cin_primary_need_code")),
                 Value(ep.source), Value(sourceDescription(ep.source)), Value(outcome), yn(ep.nfa),
                 text(ep.closure_reason), day(ep.closure), Value(team(ep.id)),
                 Value(worker(ep.id))});
      ctx_.truth(kFile, key, ep.child);
    }
    sink_.end();

    sink_.begin("ssd_cin_assessments", {{"cina_assessment_id", "nvarchar"},
                                        {"cina_person_id", "nvarchar"},
                                        {"cina_referral_id", "nvarchar"},
                                        {"cina_assessment_start_date", "datetime"},
                                        {"cina_assessment_child_seen", "nchar"},
                                        {"cina_assessment_auth_date", "datetime"},
                                        {"cina_assessment_outcome_json", "nvarchar"},
                                        {"cina_assessment_outcome_nfa", "nchar"},
                                        {"cina_assessment_team", "nvarchar"},
                                        {"cina_assessment_worker_id", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const Assessment& a : ep.assessments) {
        const std::string key = "ssd_cin_assessments:" + std::to_string(a.id);
        const Day auth =
            ctx_.date(a.authorised, a.start - 12, kFile, key, "cina_assessment_auth_date");
        sink_.row({num(a.id), r.local_id, num(ep.id), day(a.start), yn(true), day(auth),
                   Value("{\"OUTCOME_NFA_FLAG\":\"" +
                         std::string(ep.closure_reason == "RC8" ? "Y" : "N") + "\"}"),
                   yn(ep.closure_reason == "RC8"), Value(team(ep.id)), Value(worker(ep.id))});
        ctx_.truth(kFile, key, ep.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_assessment_factors", {{"cinf_table_id", "nvarchar"},
                                           {"cinf_assessment_id", "nvarchar"},
                                           {"cinf_assessment_factors_json", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      for (const Assessment& a : ep.assessments) {
        if (a.authorised == kNoDay) continue;
        std::string json = "[";
        for (size_t i = 0; i < a.factors.size(); ++i)
          json += (i ? ",\"" : "\"") + a.factors[i] + "\"";
        sink_.row({num(a.id), num(a.id), Value(json + "]")});
      }
    }
    sink_.end();

    sink_.begin("ssd_cin_plans", {{"cinp_cin_plan_id", "nvarchar"},
                                  {"cinp_referral_id", "nvarchar"},
                                  {"cinp_person_id", "nvarchar"},
                                  {"cinp_cin_plan_start_date", "datetime"},
                                  {"cinp_cin_plan_end_date", "datetime"},
                                  {"cinp_cin_plan_team", "nvarchar"},
                                  {"cinp_cin_plan_worker_id", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const CinPlan& p : ep.cin_plans) {
        sink_.row({num(p.id), num(ep.id), r.local_id, day(p.start), day(p.end), Value(team(ep.id)),
                   Value(worker(ep.id))});
        ctx_.truth(kFile, "ssd_cin_plans:" + std::to_string(p.id), ep.child);
      }
    }
    sink_.end();
  }

  void childProtection() {
    sink_.begin("ssd_s47_enquiry", {{"s47e_s47_enquiry_id", "nvarchar"},
                                    {"s47e_referral_id", "nvarchar"},
                                    {"s47e_person_id", "nvarchar"},
                                    {"s47e_s47_start_date", "datetime"},
                                    {"s47e_s47_end_date", "datetime"},
                                    {"s47e_s47_nfa", "nchar"},
                                    {"s47e_s47_outcome_json", "nvarchar"},
                                    {"s47e_s47_completed_by_worker_id", "nvarchar"},
                                    {"s47e_s47_completed_by_team", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const Section47& s : ep.s47s) {
        sink_.row({num(s.id), num(ep.id), r.local_id, day(s.start), day(s.end),
                   yn(s.icpc_not_required),
                   Value(std::string("{\"ICPC_FLAG\":\"") + (s.icpc == kNoDay ? "N" : "Y") + "\"}"),
                   Value(worker(ep.id)), Value(team(ep.id))});
        ctx_.truth(kFile, "ssd_s47_enquiry:" + std::to_string(s.id), ep.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_initial_cp_conference", {{"icpc_icpc_id", "nvarchar"},
                                              {"icpc_icpc_meeting_id", "nvarchar"},
                                              {"icpc_s47_enquiry_id", "nvarchar"},
                                              {"icpc_person_id", "nvarchar"},
                                              {"icpc_cp_plan_id", "nvarchar"},
                                              {"icpc_referral_id", "nvarchar"},
                                              {"icpc_icpc_transfer_in", "nchar"},
                                              {"icpc_icpc_target_date", "datetime"},
                                              {"icpc_icpc_date", "datetime"},
                                              {"icpc_icpc_outcome_cp_flag", "nchar"},
                                              {"icpc_icpc_outcome_json", "nvarchar"},
                                              {"icpc_icpc_team", "nvarchar"},
                                              {"icpc_icpc_worker_id", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const Section47& s : ep.s47s) {
        if (s.icpc == kNoDay) continue;
        const CpPlan* plan = nullptr;
        for (const CpPlan& p : ep.cp_plans)
          if (p.start == s.icpc) plan = &p;
        sink_.row({num(s.id), Value("M" + std::to_string(s.id)), num(s.id), r.local_id,
                   plan ? num(plan->id) : Value(), num(ep.id), yn(false), day(s.icpc_target),
                   day(s.icpc), yn(plan != nullptr),
                   Value(std::string("{\"CP_PLAN_FLAG\":\"") + (plan ? "Y" : "N") + "\"}"),
                   Value(team(ep.id)), Value(worker(ep.id))});
        ctx_.truth(kFile, "ssd_initial_cp_conference:" + std::to_string(s.id), ep.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_cp_plans", {{"cppl_cp_plan_id", "nvarchar"},
                                 {"cppl_referral_id", "nvarchar"},
                                 {"cppl_icpc_id", "nvarchar"},
                                 {"cppl_person_id", "nvarchar"},
                                 {"cppl_cp_plan_start_date", "datetime"},
                                 {"cppl_cp_plan_end_date", "datetime"},
                                 {"cppl_cp_plan_initial_category", "nvarchar"},
                                 {"cppl_cp_plan_ola", "nchar"},
                                 {"cppl_cp_plan_latest_category", "nvarchar"}});
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const CpPlan& p : ep.cp_plans) {
        Value icpc;
        for (const Section47& s : ep.s47s)
          if (s.icpc == p.start) icpc = num(s.id);
        const std::string key = "ssd_cp_plans:" + std::to_string(p.id);
        sink_.row({num(p.id), num(ep.id), icpc, r.local_id, day(p.start), day(p.end),
                   Value(ctx_.code(p.initial_category, "XXX", kFile, key,
                                   "cppl_cp_plan_initial_category")),
                   yn(false), Value(p.latest_category)});
        ctx_.truth(kFile, key, ep.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_cp_reviews", {{"cppr_cp_review_id", "nvarchar"},
                                   {"cppr_person_id", "nvarchar"},
                                   {"cppr_cp_plan_id", "nvarchar"},
                                   {"cppr_cp_review_due", "datetime"},
                                   {"cppr_cp_review_date", "datetime"},
                                   {"cppr_cp_review_meeting_id", "nvarchar"},
                                   {"cppr_cp_review_outcome_continue_cp", "nchar"},
                                   {"cppr_cp_review_quorate", "nchar"},
                                   {"cppr_cp_review_participation", "nchar"}});
    uint64_t n = 0;
    for (const CinEpisode& ep : w_.cin_episodes) {
      const RecordedPerson& r = cases_.recordFor(ep.child, ep.id);
      for (const CpPlan& p : ep.cp_plans) {
        for (const Day review : p.reviews) {
          ++n;
          const bool last = p.end != kNoDay && review == p.reviews.back();
          sink_.row({num(n), r.local_id, num(p.id), day(review), day(review),
                     Value("RM" + std::to_string(n)), yn(!last), yn(true), yn(true)});
          ctx_.truth(kFile, "ssd_cp_reviews:" + std::to_string(n), ep.child);
        }
      }
    }
    sink_.end();
  }

  void lookedAfter() {
    sink_.begin("ssd_cla_episodes", {{"clae_cla_episode_id", "nvarchar"},
                                     {"clae_person_id", "nvarchar"},
                                     {"clae_cla_episode_start_date", "datetime"},
                                     {"clae_cla_episode_start_reason", "nvarchar"},
                                     {"clae_cla_primary_need_code", "nvarchar"},
                                     {"clae_cla_episode_ceased_date", "datetime"},
                                     {"clae_cla_episode_ceased_reason", "nvarchar"},
                                     {"clae_cla_id", "nvarchar"},
                                     {"clae_referral_id", "nvarchar"},
                                     {"clae_cla_placement_id", "nvarchar"},
                                     {"clae_entered_care_date", "datetime"},
                                     {"clae_cla_last_iro_contact_date", "datetime"}});
    uint64_t episode_id = 0;
    for (const ClaPeriod& p : w_.cla_periods) {
      const CinEpisode& ep = w_.cin_episodes[p.cin_episode];
      const RecordedPerson& r = cases_.recordFor(p.child, ep.id);
      for (const EpisodeRow& e : episodesOf(p)) {
        ++episode_id;
        const size_t placement_index = static_cast<size_t>(e.placement - p.placements.data());
        const Day last_review = p.reviews.empty() ? kNoDay : p.reviews.back();
        sink_.row({num(episode_id), r.local_id, day(e.decom), Value(e.rne), Value(p.need),
                   day(e.dec), e.dec == kNoDay ? Value() : Value(e.rec), num(p.id), num(ep.id),
                   Value(std::to_string(p.id) + "." + std::to_string(placement_index + 1)),
                   day(p.start), day(last_review)});
        ctx_.truth(kFile, "ssd_cla_episodes:" + std::to_string(episode_id), p.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_cla_placement", {{"clap_cla_placement_id", "nvarchar"},
                                      {"clap_cla_placement_start_date", "datetime"},
                                      {"clap_cla_placement_type", "nvarchar"},
                                      {"clap_cla_placement_urn", "nvarchar"},
                                      {"clap_cla_placement_distance", "float"},
                                      {"clap_cla_id", "nvarchar"},
                                      {"clap_cla_placement_provider", "nvarchar"},
                                      {"clap_cla_placement_postcode", "nvarchar"},
                                      {"clap_cla_placement_end_date", "datetime"},
                                      {"clap_cla_placement_change_reason", "nvarchar"},
                                      {"clap_person_id", "nvarchar"}});
    for (const ClaPeriod& p : w_.cla_periods) {
      const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
      for (size_t i = 0; i < p.placements.size(); ++i) {
        const Placement& pl = p.placements[i];
        // CLAP011A: 999.9 when either postcode is not known.
        Value distance("999.9");
        if (pl.postcode != kNone && p.home_postcode != kNone) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.2f",
                        milesBetween(w_.postcodes[pl.postcode], w_.postcodes[p.home_postcode]));
          distance = buf;
        }
        const std::string id = std::to_string(p.id) + "." + std::to_string(i + 1);
        // The extract codes every placement with the lists in force when it is taken.
        const PlacementCodes codes = placementCodes(pl, w_.timeline.year_end);
        sink_.row({Value(id), day(pl.start), Value(codes.place), text(pl.urn), distance, num(p.id),
                   Value(codes.provider),
                   pl.postcode == kNone ? Value() : Value(w_.postcodes[pl.postcode].code),
                   day(pl.end), text(pl.change_reason), r.local_id});
        ctx_.truth(kFile, "ssd_cla_placement:" + id, p.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_legal_status", {{"lega_legal_status_id", "nvarchar"},
                                     {"lega_person_id", "nvarchar"},
                                     {"lega_legal_status", "nvarchar"},
                                     {"lega_legal_status_start_date", "datetime"},
                                     {"lega_legal_status_end_date", "datetime"}});
    uint64_t n = 0;
    for (const ClaPeriod& p : w_.cla_periods) {
      const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
      for (const LegalStatus& ls : p.legal) {
        sink_.row({num(++n), r.local_id, Value(ls.code), day(ls.start), day(ls.end)});
        ctx_.truth(kFile, "ssd_legal_status:" + std::to_string(n), p.child);
      }
    }
    sink_.end();

    sink_.begin("ssd_cla_reviews", {{"clar_cla_review_id", "nvarchar"},
                                    {"clar_cla_id", "nvarchar"},
                                    {"clar_cla_review_due_date", "datetime"},
                                    {"clar_cla_review_date", "datetime"},
                                    {"clar_cla_review_cancelled", "nchar"},
                                    {"clar_cla_review_participation", "nvarchar"}});
    n = 0;
    for (const ClaPeriod& p : w_.cla_periods) {
      for (const Day review : p.reviews) {
        sink_.row({num(++n), num(p.id), day(review), day(review), yn(false), Value("PN1")});
      }
    }
    sink_.end();

    sink_.begin("ssd_missing", {{"miss_table_id", "nvarchar"},
                                {"miss_person_id", "nvarchar"},
                                {"miss_missing_episode_start_date", "datetime"},
                                {"miss_missing_episode_type", "nvarchar"},
                                {"miss_missing_episode_end_date", "datetime"},
                                {"miss_missing_rhi_offered", "nvarchar"},
                                {"miss_missing_rhi_accepted", "nvarchar"}});
    n = 0;
    for (const ClaPeriod& p : w_.cla_periods) {
      const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
      for (const MissingEpisode& m : p.missing) {
        sink_.row({num(++n), r.local_id, day(m.start), Value(std::string(1, m.kind)), day(m.end),
                   Value("Y"), Value(n % 3 == 0 ? "N" : "Y")});
        ctx_.truth(kFile, "ssd_missing:" + std::to_string(n), p.child);
      }
    }
    sink_.end();
  }

  void careLeavers() {
    sink_.begin("ssd_care_leavers", {{"clea_table_id", "nvarchar"},
                                     {"clea_person_id", "nvarchar"},
                                     {"clea_care_leaver_eligibility", "nvarchar"},
                                     {"clea_care_leaver_in_touch", "nvarchar"},
                                     {"clea_care_leaver_latest_contact", "datetime"},
                                     {"clea_care_leaver_accommodation", "nvarchar"},
                                     {"clea_care_leaver_accom_suitable", "nvarchar"},
                                     {"clea_care_leaver_activity", "nvarchar"},
                                     {"clea_pathway_plan_review_date", "datetime"},
                                     {"clea_care_leaver_personal_advisor", "nvarchar"},
                                     {"clea_care_leaver_allocated_team", "nvarchar"},
                                     {"clea_care_leaver_worker_id", "nvarchar"}});
    uint64_t n = 0;
    for (const CareLeaver& c : w_.care_leavers) {
      if (c.statuses.empty()) continue;
      const ClaPeriod& p = w_.cla_periods[c.cla_period];
      const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
      const CareLeaverStatus& s = c.statuses.back();
      const std::string type = s.accommodation.empty() ? "" : s.accommodation.substr(0, 1);
      // "0" (not known, for a leaver not in touch) has no suitability.
      const std::string suitable = s.accommodation.size() != 2 ? ""
                                   : s.accommodation[1] == '1' ? "Suitable"
                                                               : "Unsuitable";
      sink_.row({num(++n), r.local_id, Value("Former Relevant"), Value(s.in_touch), day(s.birthday),
                 text(type), text(suitable), text(s.activity), day(addMonths(s.birthday, 3)),
                 Value("PA" + std::to_string(10 + n % 30)), Value("T40"),
                 Value(worker(static_cast<uint32_t>(n)))});
      ctx_.truth(kFile, "ssd_care_leavers:" + std::to_string(n), c.person);
    }
    sink_.end();
  }

  SourceContext& ctx_;
  const CaseSystem& cases_;
  const World& w_;
  SsdSink sink_;
};

}  // namespace

void writeSsd(SourceContext& context, const CaseSystem& cases) {
  SsdWriter(context, cases).write();
}

}  // namespace hearth::synth
