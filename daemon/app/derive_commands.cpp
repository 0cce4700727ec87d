// The verbs that look at or act on derived state: indicators, identity review, rebuild and
// linkage evaluation.
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "daemon/app/admin_client.hpp"
#include "daemon/app/commands.hpp"
#include "daemon/app/normalise_contexts.hpp"
#include "daemon/config/config.hpp"
#include "daemon/derive/derive_stage.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/state/record_store.hpp"
#include "pipelines/identity/linkage_eval.hpp"
#include "pipelines/indicators/csv_line.hpp"

namespace hearth::daemon::app {
namespace {

// Derives everything again from the record store, publishing nothing: what `rebuild` checks,
// and what the offline views print. The daemon may be running: the store is read in WAL mode.
struct OfflineDerive {
  std::unique_ptr<state::RecordStore> store;
  std::unique_ptr<derive::DeriveStage> stage;
  derive::EvaluationSummary summary;
  uint64_t loaded = 0;
};

std::optional<OfflineDerive> deriveOffline(const config::Config& config) {
  log::setLevel(log::Level::kWarn);
  OfflineDerive offline;
  auto store = state::RecordStore::open(config.state_dir, [](uint32_t, uint64_t) {});
  if (!store) {
    std::cerr << store.error().message << '\n';
    return std::nullopt;
  }
  offline.store = std::move(store).value();
  derive::DeriveOptions options;
  options.identity = config.identity;
  options.indicators = config.indicators;
  options.suppression_threshold = config.privacy.suppression_threshold;
  options.keep_subject_persons = true;
  offline.stage = std::make_unique<derive::DeriveStage>(
      options,
      pipelines::Pseudonymiser(config.privacy.pseudonym_key.reveal(), config.privacy.key_version),
      nullptr, nullptr, *offline.store);
  auto loaded = offline.stage->loadStored(normaliseContexts(config));
  if (!loaded) {
    std::cerr << loaded.error().message << '\n';
    return std::nullopt;
  }
  offline.loaded = *loaded;
  auto summary = offline.stage->evaluate(derive::DeriveStage::Then::kExit);
  if (!summary) {
    std::cerr << summary.error().message << '\n';
    return std::nullopt;
  }
  offline.summary = *summary;
  return offline;
}

}  // namespace

int indicatorsCommand(const std::filesystem::path& config_path, bool offline, bool json) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  if (!offline) {
    const AdminReply reply =
        adminRequest(*config, "GET", json ? "/api/v1/indicators" : "/api/v1/indicators/table");
    if (reply.error.empty() && reply.status == 200) {
      std::cout << reply.body;
      if (json) std::cout << '\n';
      return kOk;
    }
    std::cerr << "hearthd is not answering ("
              << (reply.error.empty() ? "HTTP " + std::to_string(reply.status) : reply.error)
              << "); computing from the state store instead\n";
  }
  auto derived = deriveOffline(*config);
  if (!derived) return kFailed;
  std::cout << (json ? derived->stage->indicatorsJson() + "\n" : derived->stage->indicatorsTable());
  return kOk;
}

int identityReviewCommand(const std::filesystem::path& config_path) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  const AdminReply reply = adminRequest(*config, "GET", "/api/v1/identity/reviews");
  if (!reply.error.empty()) {
    std::cerr << "hearthd is not answering: " << reply.error << '\n';
    return kFailed;
  }
  if (reply.status != 200) {
    std::cerr << "HTTP " << reply.status << ": " << reply.body << '\n';
    return kFailed;
  }
  const auto pairs = nlohmann::json::parse(reply.body, nullptr, false);
  if (!pairs.is_array()) {
    std::cerr << "unexpected reply: " << reply.body << '\n';
    return kFailed;
  }
  std::cout << pairs.size() << " pair(s) held for review\n";
  for (const auto& pair : pairs) {
    std::cout << std::fixed << std::setprecision(3) << pair.value("match_probability", 0.0) << "  "
              << pair.value("record_a", "") << "  " << pair.value("record_b", "") << "  "
              << pair.value("reasons", nlohmann::json::object()).dump() << '\n';
  }
  return kOk;
}

int identityDecideCommand(const std::filesystem::path& config_path, const std::string& action,
                          const std::string& record_a, const std::string& record_b,
                          const std::string& actor, const std::string& reason) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  const nlohmann::json body = {{"action", action},
                               {"record_a", record_a},
                               {"record_b", record_b},
                               {"actor", actor},
                               {"reason", reason}};
  const AdminReply reply = adminRequest(*config, "POST", "/api/v1/identity/decisions", body.dump());
  if (!reply.error.empty()) {
    std::cerr << "hearthd is not answering: " << reply.error << '\n';
    return kFailed;
  }
  if (reply.status != 201) {
    std::cerr << "refused (HTTP " << reply.status << "): " << reply.body << '\n';
    return kFailed;
  }
  std::cout << action << " recorded: " << reply.body << '\n';
  return kOk;
}

int rebuildCommand(const std::filesystem::path& config_path) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  const auto started = std::chrono::steady_clock::now();
  auto derived = deriveOffline(*config);
  if (!derived) return kFailed;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& s = derived->summary;
  std::cout << "canonical records  " << derived->loaded << "\nlinkage records    "
            << s.linkage_records << "\npersons            " << s.persons << "\nmodel links        "
            << s.links << "\nheld for review     " << s.reviews << "\nlinkage digest     "
            << s.linkage_digest << "\nseconds            " << std::fixed << std::setprecision(2)
            << seconds << '\n';
  return kOk;
}

int linkageEvalFileCommand(const std::string& input, bool use_identifier) {
  pipelines::identity::LinkageEvalOptions options;
  options.input_path = input;
  options.use_identifier = use_identifier;
  return pipelines::identity::runLinkageEval(options, std::cout);
}

namespace {

// Per true person: how many subjects carry it, how many resolved persons they fall into, and how
// many other true persons share those resolved persons. One row each, sorted by person id.
bool writePerPerson(const std::filesystem::path& path,
                    const std::map<std::string, std::vector<std::string>>& predicted) {
  struct Tally {
    uint64_t subjects = 0;
    std::set<std::string> resolved;
    std::set<std::string> sharing;
  };
  std::map<std::string, Tally> tallies;
  for (const auto& [representative, persons] : predicted) {
    const std::set<std::string> distinct(persons.begin(), persons.end());
    for (const std::string& person : persons) {
      Tally& tally = tallies[person];
      ++tally.subjects;
      tally.resolved.insert(representative);
      for (const std::string& other : distinct) {
        if (other != person) tally.sharing.insert(other);
      }
    }
  }
  std::ofstream out(path, std::ios::trunc);
  out << "person_id,subjects,resolved_persons,sharing_persons\n";
  for (const auto& [person, tally] : tallies) {
    out << person << ',' << tally.subjects << ',' << tally.resolved.size() << ','
        << tally.sharing.size() << '\n';
  }
  return static_cast<bool>(out);
}

}  // namespace

int linkageEvalTruthCommand(const std::filesystem::path& config_path,
                            const std::filesystem::path& truth_path,
                            const std::filesystem::path& per_person) {
  auto config = loadConfigOrReport(config_path);
  if (!config) return kInvalid;
  // truth/records.csv: source,file,record_key,person_id. A subject's true person is that of the
  // truth rows whose record key is its local id (903 CHILD, CIN LAchildID, SSD table:id, ...).
  std::ifstream truth(truth_path);
  if (!truth) {
    std::cerr << truth_path.string() << ": cannot open\n";
    return kInvalid;
  }
  std::unordered_map<std::string, std::string> person_of_key;
  std::string line;
  std::getline(truth, line);
  while (std::getline(truth, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto cells = pipelines::indicators::splitCsvLine(line);
    if (cells.size() < 4) continue;
    std::string key = cells[2];
    if (cells[1].ends_with(".sqlite") || cells[1].ends_with(".sql")) {
      // SSD rows are keyed "table:id"; only ssd_person rows name a person by local id.
      if (!key.starts_with("ssd_person:")) continue;
      key = key.substr(key.find(':') + 1);
    }
    person_of_key.try_emplace(key, cells[3]);
  }
  const auto started = std::chrono::steady_clock::now();
  auto derived = deriveOffline(*config);
  if (!derived) return kFailed;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Pairwise counts over subjects with a known true person: predicted pairs share a
  // representative, true pairs share a person id.
  std::map<std::string, std::vector<std::string>> predicted;  // representative -> true persons
  std::map<std::string, uint64_t> true_sizes;
  uint64_t subjects = 0;
  uint64_t unknown = 0;
  for (const auto& [subject, representative] : derived->stage->subjectPersons()) {
    const std::string local = subject.substr(subject.find('/') + 1);
    const auto it = person_of_key.find(local);
    if (it == person_of_key.end()) {
      ++unknown;
      continue;
    }
    ++subjects;
    predicted[representative].push_back(it->second);
    ++true_sizes[it->second];
  }
  auto pairs = [](uint64_t n) { return n * (n - 1) / 2; };
  uint64_t predicted_pairs = 0;
  uint64_t correct_pairs = 0;
  for (auto& [rep, persons] : predicted) {
    predicted_pairs += pairs(persons.size());
    std::map<std::string, uint64_t> counts;
    for (const auto& p : persons) ++counts[p];
    for (const auto& [p, n] : counts) correct_pairs += pairs(n);
  }
  if (!per_person.empty() && !writePerPerson(per_person, predicted)) {
    std::cerr << per_person.string() << ": cannot write\n";
    return kFailed;
  }
  uint64_t true_pairs = 0;
  for (const auto& [p, n] : true_sizes) true_pairs += pairs(n);
  const double precision = predicted_pairs ? double(correct_pairs) / double(predicted_pairs) : 1.0;
  const double recall = true_pairs ? double(correct_pairs) / double(true_pairs) : 1.0;
  const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
  std::cout << std::fixed << std::setprecision(4) << "subjects           " << subjects
            << "\nwithout truth      " << unknown << "\ntrue persons       " << true_sizes.size()
            << "\nresolved persons   " << predicted.size() << "\ntrue pairs         " << true_pairs
            << "\npredicted pairs    " << predicted_pairs << "\ncorrect pairs      "
            << correct_pairs << "\nprecision          " << precision << "\nrecall             "
            << recall << "\nF1                 " << f1 << "\nseconds            "
            << std::setprecision(2) << seconds << '\n';
  return kOk;
}

}  // namespace hearth::daemon::app
