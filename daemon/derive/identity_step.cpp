// The daemon's side of identity resolution: canonical Person records in, the person each subject
// belongs to out, with the model's links and review pairs for hearth.identity.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <unordered_map>

#include "daemon/derive/steps.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/identity/identity_index.hpp"
#include "pipelines/validation/identifiers.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
namespace id = pipelines::identity;

id::Sex linkageSex(canonical::Sex sex) {
  switch (sex) {
    case canonical::Sex::kMale:
      return id::Sex::kMale;
    case canonical::Sex::kFemale:
      return id::Sex::kFemale;
    case canonical::Sex::kUnknown:
    case canonical::Sex::kIndeterminate:
      return id::Sex::kUnknown;
    case canonical::Sex::kNotRecorded:
      break;
  }
  return id::Sex::kMissing;
}

// The value most of a subject's records give; ties go to the first given.
template <typename T>
T consensus(const std::vector<T>& values) {
  const T* best = nullptr;
  size_t best_count = 0;
  for (const T& candidate : values) {
    const size_t count = static_cast<size_t>(std::count(values.begin(), values.end(), candidate));
    if (count > best_count) {
      best = &candidate;
      best_count = count;
    }
  }
  return best != nullptr ? *best : T{};
}

// One linkage record per subject, from all its Person records: a local id names one person in
// its system, so its records are summarised rather than linked to each other. Linking them one
// by one would flood the model's candidate pairs with certain matches and teach it that a birth
// date alone is convincing.
id::PersonRecord linkageRecord(const SubjectInfo& subject) {
  std::vector<std::string> given, family, postcode, nhs, upn;
  std::vector<canonical::Date> births;
  std::vector<id::Sex> sexes;
  for (const canonical::Person* person : subject.persons) {
    if (!person->given_name.empty()) given.push_back(person->given_name);
    if (!person->family_name.empty()) family.push_back(person->family_name);
    if (!person->postcode.empty()) postcode.push_back(person->postcode);
    if (person->birth_date) births.push_back(*person->birth_date);
    if (person->sex != canonical::Sex::kNotRecorded) sexes.push_back(linkageSex(person->sex));
    for (const auto& identifier : person->identifiers) {
      if (identifier.scheme == "nhs") nhs.push_back(identifier.value);
      if (identifier.scheme == "upn") upn.push_back(identifier.value);
    }
  }
  for (const auto& identifier : subject.extra_identifiers) {
    if (identifier.scheme == "nhs") nhs.push_back(identifier.value);
    if (identifier.scheme == "upn") upn.push_back(identifier.value);
  }
  const canonical::Person& first = *subject.persons.front();
  id::PersonRecord record;
  record.source_system = first.subject.system;
  record.local_id = first.subject.value;
  record.given_name = consensus(given);
  record.family_name = consensus(family);
  if (!births.empty()) record.birth_date = consensus(births);
  record.sex = sexes.empty() ? id::Sex::kMissing : consensus(sexes);
  record.postcode = consensus(postcode);
  record.nhs_number = consensus(nhs);
  record.upn = consensus(upn);
  return record;
}

// Chains of individually likely links can join two people whom no single comparison would
// (George Smith, no UPN, links to both his own records and, through a shared birth date and
// surname, to a classmate's). A person cannot hold two different valid UPNs or NHS numbers, so
// each such conflict inside a cluster becomes a cannot-link between the records that carry the
// two values, and the clustering, which takes links strongest first, splits the chain at its
// weakest joint. A mistyped number that still passes its check lands in the review band instead.
std::vector<id::ReviewerDecision> identifierConflicts(
    const id::IdentityIndex& index, const std::vector<id::PersonRecord>& records) {
  struct Holders {
    std::vector<std::pair<std::string, uint32_t>> upn;  // value, first record holding it
    std::vector<std::pair<std::string, uint32_t>> nhs;
  };
  auto note = [](std::vector<std::pair<std::string, uint32_t>>& seen, const std::string& value,
                 uint32_t record) {
    for (const auto& [v, r] : seen) {
      if (v == value) return;
    }
    seen.emplace_back(value, record);
  };
  std::unordered_map<uint32_t, Holders> clusters;
  for (uint32_t r = 0; r < records.size(); ++r) {
    const id::PersonRecord& record = records[r];
    const bool upn = !record.upn.empty() && pipelines::validation::isValidUpn(record.upn);
    const bool nhs =
        !record.nhs_number.empty() && pipelines::validation::isValidNhsNumber(record.nhs_number);
    if (!upn && !nhs) continue;
    Holders& holders = clusters[index.personOf(r)];
    if (upn) note(holders.upn, record.upn, r);
    if (nhs) note(holders.nhs, record.nhs_number, r);
  }
  std::vector<id::ReviewerDecision> forbids;
  for (const auto& [cluster, holders] : clusters) {
    for (const auto* seen : {&holders.upn, &holders.nhs}) {
      for (size_t i = 0; i < seen->size(); ++i) {
        for (size_t j = i + 1; j < seen->size(); ++j) {
          forbids.push_back(
              {id::ReviewerDecision::Kind::kCannotLink, (*seen)[i].second, (*seen)[j].second});
        }
      }
    }
  }
  std::sort(forbids.begin(), forbids.end(),
            [](const auto& x, const auto& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
  return forbids;
}

std::string reasonsJson(const id::IdentityIndex& index, const id::ScoredPair& pair) {
  std::string out = "{\"tier\":";
  pipelines::appendJsonString(out, id::tierName(pair.tier));
  for (const id::ComparisonReason& reason : index.explain(pair)) {
    out.push_back(',');
    pipelines::appendJsonString(out, id::fieldName(reason.field));
    out.append(":{\"level\":");
    pipelines::appendJsonString(out, reason.level);
    out.append(",\"weight\":");
    pipelines::appendJsonDouble(out, reason.weight);
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

}  // namespace

IdentityOutcome resolveIdentities(const std::vector<SubjectInfo>& subjects,
                                  const std::vector<state::IdentityDecision>& decisions,
                                  const config::IdentityConfig& options) {
  std::vector<id::PersonRecord> records;
  std::vector<uint32_t> subject_of_record;
  std::vector<int64_t> first_record(subjects.size(), -1);
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    if (subjects[s].persons.empty()) continue;
    first_record[s] = static_cast<int64_t>(records.size());
    records.push_back(linkageRecord(subjects[s]));
    subject_of_record.push_back(s);
  }

  if (const char* dump = std::getenv("HEARTH_IDENTITY_DUMP"); dump != nullptr) {
    // For whoever tunes the model: the linkage records exactly as linked (local use only: they
    // hold names and identifiers).
    std::ofstream out(dump);
    out << "source_system,local_id,given_name,family_name,birth_date,sex,postcode,nhs,upn\n";
    for (const auto& r : records) {
      out << r.source_system << ',' << r.local_id << ',' << r.given_name << ',' << r.family_name
          << ',' << (r.birth_date ? canonical::formatIsoDate(*r.birth_date) : "") << ','
          << static_cast<char>(r.sex == id::Sex::kMissing ? ' ' : static_cast<char>(r.sex)) << ','
          << r.postcode << ',' << r.nhs_number << ',' << r.upn << '\n';
    }
  }
  IdentityOutcome outcome;
  outcome.linkage_records = records.size();
  id::LinkageConfig config;
  config.link_threshold = options.link_threshold;
  config.review_threshold = options.review_threshold;
  config.use_extra_id = false;
  id::IdentityIndex index(config);
  std::vector<id::PersonRecord> linked = records;
  index.build(std::move(records));

  // Identifier conflicts first, reviewers' decisions after: a later decision about the same pair
  // replaces an earlier one, so a reviewer can still merge what the identifiers keep apart.
  std::vector<id::ReviewerDecision> reviewer = identifierConflicts(index, linked);
  std::unordered_map<std::string, uint32_t> subject_index;
  for (uint32_t s = 0; s < subjects.size(); ++s) subject_index.emplace(subjects[s].key, s);
  for (const state::IdentityDecision& d : decisions) {
    const auto a = subject_index.find(d.record_a);
    const auto b = subject_index.find(d.record_b);
    if (a == subject_index.end() || b == subject_index.end()) continue;
    if (first_record[a->second] < 0 || first_record[b->second] < 0) continue;
    reviewer.push_back({d.action == "merge" ? id::ReviewerDecision::Kind::kForceLink
                                            : id::ReviewerDecision::Kind::kCannotLink,
                        static_cast<uint32_t>(first_record[a->second]),
                        static_cast<uint32_t>(first_record[b->second])});
  }
  if (!reviewer.empty()) index.applyDecisions(reviewer);

  // Dense person numbers: a cluster's number is given when its first subject is met.
  std::unordered_map<uint32_t, uint32_t> person_of_cluster;
  outcome.person_of_subject.resize(subjects.size());
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    if (first_record[s] < 0) {
      outcome.person_of_subject[s] = outcome.persons++;
      continue;
    }
    const uint32_t cluster = index.personOf(static_cast<uint32_t>(first_record[s]));
    const auto [it, added] = person_of_cluster.try_emplace(cluster, outcome.persons);
    if (added) ++outcome.persons;
    outcome.person_of_subject[s] = it->second;
  }

  // Links between different subjects are what consumers want to see; records of one subject
  // are linked by definition.
  for (const id::ScoredPair& pair : index.links()) {
    const uint32_t a = subject_of_record[pair.a];
    const uint32_t b = subject_of_record[pair.b];
    if (a == b) continue;
    outcome.pairs.push_back({a, b, pair.match_probability, true, reasonsJson(index, pair)});
  }
  for (const id::ScoredPair& pair : index.pendingReviews()) {
    const uint32_t a = subject_of_record[pair.a];
    const uint32_t b = subject_of_record[pair.b];
    if (a == b) continue;
    outcome.pairs.push_back({a, b, pair.match_probability, false, reasonsJson(index, pair)});
  }
  return outcome;
}

}  // namespace hearth::daemon::derive
