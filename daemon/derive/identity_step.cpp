// The daemon's side of identity resolution: canonical Person records in, the person each subject
// belongs to out, with the model's links and review pairs for hearth.identity.
#include <unordered_map>

#include "daemon/derive/steps.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/identity/identity_index.hpp"

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

void takeIdentifier(id::PersonRecord& record, const canonical::Identifier& identifier) {
  if (identifier.scheme == "nhs" && record.nhs_number.empty()) record.nhs_number = identifier.value;
  if (identifier.scheme == "upn" && record.upn.empty()) record.upn = identifier.value;
}

id::PersonRecord linkageRecord(const SubjectInfo& subject, const canonical::Person& person) {
  id::PersonRecord record;
  record.source_system = person.subject.system;
  record.local_id = person.subject.value;
  record.given_name = person.given_name;
  record.family_name = person.family_name;
  record.birth_date = person.birth_date;
  record.sex = linkageSex(person.sex);
  record.postcode = person.postcode;
  for (const auto& identifier : person.identifiers) takeIdentifier(record, identifier);
  for (const auto& identifier : subject.extra_identifiers) takeIdentifier(record, identifier);
  return record;
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
  // One linkage record per Person record; records of one subject share its local id, so the
  // local-id tier joins them whatever else they say.
  std::vector<id::PersonRecord> records;
  std::vector<uint32_t> subject_of_record;
  std::vector<int64_t> first_record(subjects.size(), -1);
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    for (const canonical::Person* person : subjects[s].persons) {
      if (first_record[s] < 0) first_record[s] = static_cast<int64_t>(records.size());
      records.push_back(linkageRecord(subjects[s], *person));
      subject_of_record.push_back(s);
    }
  }

  IdentityOutcome outcome;
  outcome.linkage_records = records.size();
  id::LinkageConfig config;
  config.link_threshold = options.link_threshold;
  config.review_threshold = options.review_threshold;
  config.use_extra_id = false;
  id::IdentityIndex index(config);
  index.build(std::move(records));

  std::unordered_map<std::string, uint32_t> subject_index;
  for (uint32_t s = 0; s < subjects.size(); ++s) subject_index.emplace(subjects[s].key, s);
  std::vector<id::ReviewerDecision> reviewer;
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
