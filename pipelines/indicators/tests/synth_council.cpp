#include "pipelines/indicators/tests/synth_council.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "pipelines/indicators/csv_line.hpp"
#include "pipelines/normalise/fhir.hpp"

namespace hearth::pipelines::indicators::testing {
namespace {

namespace cn = canonical;
using Date = cn::Date;
constexpr const char* kSsdFile = "ssd/ssd.sqlite";

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

/// One result row: nullable text columns by index.
class Row {
 public:
  explicit Row(sqlite3_stmt* statement) : statement_(statement) {}
  std::string text(int column) const {
    const unsigned char* value = sqlite3_column_text(statement_, column);
    return value == nullptr ? std::string() : reinterpret_cast<const char*>(value);
  }
  std::optional<Date> date(int column) const { return cn::parseIsoDate(text(column)); }

 private:
  sqlite3_stmt* statement_;
};

class SsdDatabase {
 public:
  explicit SsdDatabase(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(raw);
      throw std::runtime_error("cannot open " + path.string());
    }
    db_.reset(raw);
  }

  void forEach(const std::string& sql, const std::function<void(const Row&)>& visit) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sqlite3_errmsg(db_.get())) + ": " + sql);
    }
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement(raw);
    while (sqlite3_step(raw) == SQLITE_ROW) visit(Row(raw));
  }

 private:
  std::unique_ptr<sqlite3, SqliteCloser> db_;
};

struct Address {
  std::optional<Date> start;
  std::optional<Date> end;
  std::string postcode;
};

struct LegalStatus {
  std::optional<Date> start;
  std::optional<Date> end;
  std::string code;
};

struct PlacementRow {
  std::string type;
  std::string postcode;
  std::string provider;
  std::string urn;
};

/// The home address on `day`; before the first recorded address, the first one (the case
/// system records addresses only from some years before the extract).
std::string addressOn(const std::vector<Address>& addresses, Date day) {
  const Address* first = nullptr;
  for (const Address& a : addresses) {
    if (a.start && *a.start <= day && (!a.end || *a.end > day)) return a.postcode;
    if (first == nullptr || (a.start && first->start && *a.start < *first->start)) first = &a;
  }
  return first == nullptr ? std::string() : first->postcode;
}

std::string currentAddress(const std::vector<Address>& addresses) {
  for (const Address& a : addresses) {
    if (!a.end) return a.postcode;
  }
  return addresses.empty() ? std::string() : addresses.back().postcode;
}

/// DECISION_DATETIME from the contact outcome JSON: the case system keeps it nowhere else.
std::optional<Date> decisionDate(const std::string& outcome_json) {
  const std::string key = "\"DECISION_DATETIME\":\"";
  const size_t at = outcome_json.find(key);
  if (at == std::string::npos) return std::nullopt;
  return cn::parseIsoDate(outcome_json.substr(at + key.size(), 10));
}

cn::Provenance provenance(const std::string& table, const std::string& id) {
  cn::Provenance p;
  p.origin = cn::Origin("trust_cms", "ssd", table);
  p.source_key = id;
  return p;
}

cn::Subject subject(const std::string& person_id) { return {"trust_cms", person_id}; }

class Loader {
 public:
  Loader(const std::filesystem::path& dir, SynthCouncil& out)
      : dir_(dir), db_(dir / "ssd" / "ssd.sqlite"), out_(out) {}

  void load() {
    readAttribution();
    readAddresses();
    persons();
    contacts();
    referrals();
    assessments();
    cpPlans();
    claEpisodes();
    careLeavers();
    earlyHelp();
  }

 private:
  void readAttribution() {
    std::ifstream in(dir_ / "truth" / "records.csv");
    if (!in) throw std::runtime_error("no truth/records.csv in " + dir_.string());
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const std::vector<std::string> f = splitCsvLine(line);
      if (f.size() < 4 || f[1] != kSsdFile) continue;
      // Person ids look like P0000005.
      person_of_[f[2]] = std::strtoull(f[3].c_str() + 1, nullptr, 10);
    }
  }

  void readAddresses() {
    db_.forEach(
        "SELECT addr_person_id, addr_address_start_date, addr_address_end_date, "
        "addr_address_postcode FROM ssd_address ORDER BY addr_address_start_date",
        [&](const Row& r) {
          addresses_[r.text(0)].push_back({r.date(1), r.date(2), r.text(3)});
        });
    db_.forEach("SELECT fami_person_id, fami_family_id FROM ssd_family",
                [&](const Row& r) { family_[r.text(0)] = r.text(1); });
  }

  void feed(const std::string& table, const std::string& id, cn::Record record) {
    const std::string key = table + ":" + id;
    const auto person = person_of_.find(key);
    if (person == person_of_.end()) {
      ++out_.unattributed;
      return;
    }
    out_.records.push_back({person->second, "ssd/" + key, std::move(record)});
  }

  void persons() {
    db_.forEach(
        "SELECT pers_person_id, pers_sex, pers_ethnicity, pers_dob FROM ssd_person",
        [&](const Row& r) {
          cn::Person p;
          p.provenance = provenance("ssd_person", r.text(0));
          p.subject = subject(r.text(0));
          const std::string sex = r.text(1);
          p.sex = sex == "M" ? cn::Sex::kMale : sex == "F" ? cn::Sex::kFemale : cn::Sex::kUnknown;
          p.ethnicity = r.text(2);
          p.birth_date = r.date(3);
          p.postcode = currentAddress(addresses_[r.text(0)]);
          p.family_id = family_[r.text(0)];
          feed("ssd_person", r.text(0), std::move(p));
        });
  }

  void contacts() {
    db_.forEach(
        "SELECT cont_contact_id, cont_person_id, cont_contact_date, cont_contact_source_code, "
        "cont_contact_outcome_json FROM ssd_contacts",
        [&](const Row& r) {
          cn::Contact c;
          c.provenance = provenance("ssd_contacts", r.text(0));
          c.subject = subject(r.text(1));
          c.received = r.date(2);
          c.source = r.text(3);
          c.decided = decisionDate(r.text(4));
          feed("ssd_contacts", r.text(0), std::move(c));
        });
  }

  void referrals() {
    db_.forEach(
        "SELECT cine_referral_id, cine_person_id, cine_referral_date, cine_close_date, "
        "cine_referral_source_code, cine_referral_nfa, cine_cin_primary_need_code, "
        "cine_close_reason FROM ssd_cin_episodes",
        [&](const Row& r) {
          cn::Referral ref;
          ref.provenance = provenance("ssd_cin_episodes", r.text(0));
          ref.subject = subject(r.text(1));
          ref.start = r.date(2);
          ref.end = r.date(3);
          ref.source = r.text(4);
          ref.no_further_action = r.text(5) == "Y";
          ref.primary_need = r.text(6);
          ref.closure_reason = r.text(7);
          feed("ssd_cin_episodes", r.text(0), std::move(ref));
        });
  }

  void assessments() {
    db_.forEach(
        "SELECT cina_assessment_id, cina_person_id, cina_assessment_start_date, "
        "cina_assessment_auth_date FROM ssd_cin_assessments",
        [&](const Row& r) {
          cn::Assessment a;
          a.provenance = provenance("ssd_cin_assessments", r.text(0));
          a.subject = subject(r.text(1));
          a.start = r.date(2);
          a.authorised = r.date(3);
          feed("ssd_cin_assessments", r.text(0), std::move(a));
        });
  }

  void cpPlans() {
    db_.forEach(
        "SELECT cppl_cp_plan_id, cppl_person_id, cppl_cp_plan_start_date, "
        "cppl_cp_plan_end_date, cppl_cp_plan_initial_category, cppl_cp_plan_latest_category "
        "FROM ssd_cp_plans",
        [&](const Row& r) {
          cn::CpPlan p;
          p.provenance = provenance("ssd_cp_plans", r.text(0));
          p.subject = subject(r.text(1));
          p.start = r.date(2);
          p.end = r.date(3);
          p.initial_category = r.text(4);
          p.latest_category = r.text(5);
          feed("ssd_cp_plans", r.text(0), std::move(p));
        });
  }

  // SSD keeps placements and legal statuses in their own tables; a canonical episode carries
  // the placement it points at and the legal status in force on its first day.
  void claEpisodes() {
    std::unordered_map<std::string, PlacementRow> placements;
    db_.forEach(
        "SELECT clap_cla_placement_id, clap_cla_placement_type, clap_cla_placement_postcode, "
        "clap_cla_placement_provider, clap_cla_placement_urn FROM ssd_cla_placement",
        [&](const Row& r) {
          placements[r.text(0)] = {r.text(1), r.text(2), r.text(3), r.text(4)};
        });
    std::unordered_map<std::string, std::vector<LegalStatus>> legal;
    db_.forEach(
        "SELECT lega_person_id, lega_legal_status_start_date, lega_legal_status_end_date, "
        "lega_legal_status FROM ssd_legal_status",
        [&](const Row& r) {
          legal[r.text(0)].push_back({r.date(1), r.date(2), r.text(3)});
        });
    db_.forEach(
        "SELECT clae_cla_episode_id, clae_person_id, clae_cla_episode_start_date, "
        "clae_cla_episode_start_reason, clae_cla_primary_need_code, "
        "clae_cla_episode_ceased_date, clae_cla_episode_ceased_reason, clae_cla_placement_id, "
        "clae_entered_care_date FROM ssd_cla_episodes",
        [&](const Row& r) {
          cn::ClaEpisode e;
          e.provenance = provenance("ssd_cla_episodes", r.text(0));
          e.subject = subject(r.text(1));
          e.start = r.date(2);
          e.reason_new_episode = r.text(3);
          e.category_of_need = r.text(4);
          e.end = r.date(5);
          e.reason_ceased = r.text(6);
          if (const auto p = placements.find(r.text(7)); p != placements.end()) {
            e.placement_type = p->second.type;
            e.placement_postcode = p->second.postcode;
            e.placement_provider = p->second.provider;
            e.urn = p->second.urn;
          }
          for (const LegalStatus& ls : legal[r.text(1)]) {
            if (e.start && ls.start && *ls.start <= *e.start && (!ls.end || *ls.end > *e.start)) {
              e.legal_status = ls.code;
            }
          }
          if (const std::optional<Date> entered = r.date(8)) {
            e.home_postcode = addressOn(addresses_[r.text(1)], *entered);
          }
          feed("ssd_cla_episodes", r.text(0), std::move(e));
        });
  }

  void careLeavers() {
    db_.forEach(
        "SELECT clea_table_id, clea_person_id, clea_care_leaver_in_touch, "
        "clea_care_leaver_latest_contact, clea_care_leaver_accommodation, "
        "clea_care_leaver_accom_suitable, clea_care_leaver_activity FROM ssd_care_leavers",
        [&](const Row& r) {
          cn::CareLeaverStatus s;
          s.provenance = provenance("ssd_care_leavers", r.text(0));
          s.subject = subject(r.text(1));
          s.in_touch = r.text(2);
          s.latest_contact = r.date(3);
          s.accommodation = r.text(4);
          const std::string suitable = r.text(5);
          if (suitable == "Suitable") s.accommodation_suitable = true;
          if (suitable == "Unsuitable") s.accommodation_suitable = false;
          s.activity = r.text(6);
          feed("ssd_care_leavers", r.text(0), std::move(s));
        });
  }

  void earlyHelp() {
    db_.forEach(
        "SELECT earl_episode_id, earl_person_id, earl_episode_start_date, "
        "earl_episode_end_date, earl_episode_reason, earl_episode_end_reason "
        "FROM ssd_early_help_episodes",
        [&](const Row& r) {
          cn::EarlyHelpEpisode e;
          e.provenance = provenance("ssd_early_help_episodes", r.text(0));
          e.subject = subject(r.text(1));
          e.start = r.date(2);
          e.end = r.date(3);
          e.reason = r.text(4);
          e.end_reason = r.text(5);
          feed("ssd_early_help_episodes", r.text(0), std::move(e));
        });
  }

  std::filesystem::path dir_;
  SsdDatabase db_;
  SynthCouncil& out_;
  std::unordered_map<std::string, PersonKey> person_of_;
  std::unordered_map<std::string, std::vector<Address>> addresses_;
  std::unordered_map<std::string, std::string> family_;
};

/// Residents aged 0-17 on `day` from truth/people.csv: the configured population a council
/// would take from the ONS mid-year estimates.
double childPopulation(const std::filesystem::path& dir, Date day) {
  std::ifstream in(dir / "truth" / "people.csv");
  if (!in) throw std::runtime_error("no truth/people.csv in " + dir.string());
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = splitCsvLine(line);
  size_t dob_column = 0;
  while (dob_column < header.size() && header[dob_column] != "dob") ++dob_column;
  double children = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = splitCsvLine(line);
    if (f.size() <= dob_column) continue;
    const std::optional<Date> dob = cn::parseIsoDate(f[dob_column]);
    if (dob && *dob <= day && cn::ageInYears(*dob, day) < 18) ++children;
  }
  return children;
}

}  // namespace

void generateCouncil(const std::string& binary, const std::string& arguments,
                     const std::filesystem::path& dir) {
  // Test processes run in parallel and share the folder: one generates while the others wait
  // on the lock, then find the marker it wrote.
  const std::string lock_path = dir.string() + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) ::close(lock);
    throw std::runtime_error("cannot lock " + lock_path);
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  const std::filesystem::path marker = dir / ".generated-with";
  std::error_code error;
  const bool fresh =
      std::filesystem::exists(marker, error) && std::filesystem::last_write_time(marker, error) >=
                                                    std::filesystem::last_write_time(binary, error);
  if (fresh) {
    std::ifstream in(marker);
    std::string previous;
    if (std::getline(in, previous) && previous == arguments) return;
  }
  std::filesystem::remove(marker, error);
  const std::string command =
      "'" + binary + "' " + arguments + " --quiet --out '" + dir.string() + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  std::ofstream(marker) << arguments << "\n";
}

SynthCouncil loadFhirCouncil(const std::filesystem::path& dir, Date today) {
  std::unordered_map<std::string, PersonKey> person_of;  // "fhir/Encounter.ndjson:enc-1"
  {
    std::ifstream in(dir / "truth" / "records.csv");
    if (!in) throw std::runtime_error("no truth/records.csv in " + dir.string());
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const std::vector<std::string> f = splitCsvLine(line);
      if (f.size() < 4 || !f[1].starts_with("fhir/")) continue;
      person_of[f[1] + ":" + f[2]] = std::strtoull(f[3].c_str() + 1, nullptr, 10);
    }
  }
  SynthCouncil council;
  for (const std::string type : {"Patient", "Encounter", "Condition"}) {
    const std::string file = "fhir/" + type + ".ndjson";
    std::ifstream in(dir / file);
    if (!in) throw std::runtime_error("no " + file + " in " + dir.string());
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      // The generator writes the resource's id right after its type.
      const std::string marker = "\"id\":\"";
      const size_t at = line.find(marker);
      if (at == std::string::npos) throw std::runtime_error(file + ": a resource without id");
      const std::string id =
          line.substr(at + marker.size(), line.find('"', at + marker.size()) - at - marker.size());
      normalise::fhir::ResourceContext context;
      context.provenance = {cn::Origin("nhft", "fhir", type), type + "/" + id, 0};
      context.today = today;
      normalise::NormaliseOutput out;
      normalise::fhir::normaliseResource(context, line, "", out);
      const auto person = person_of.find(file + ":" + id);
      for (cn::Record& record : out.records) {
        if (person == person_of.end()) {
          ++council.unattributed;
          continue;
        }
        council.records.push_back({person->second, "fhir/" + type + "/" + id, std::move(record)});
      }
    }
  }
  return council;
}

SynthCouncil loadSsdCouncil(const std::filesystem::path& dir, Date population_day) {
  SynthCouncil council;
  Loader(dir, council).load();
  council.population_0_17 = childPopulation(dir, population_day);
  return council;
}

}  // namespace hearth::pipelines::indicators::testing
