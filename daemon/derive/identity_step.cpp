// The daemon's side of identity resolution: canonical Person records in, the person each subject
// belongs to out, with the model's links and review pairs for hearth.identity.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <span>
#include <stdexcept>
#include <unordered_map>

#include "daemon/derive/steps.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/common/parallel_sort.hpp"
#include "pipelines/events/key_hash_map.hpp"
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

// The value most of a subject's records give; of values given equally often, the smallest, so
// the summary is the same in whatever order the subject's records are held.
template <typename T>
T consensus(const std::vector<T>& values) {
  const T* best = nullptr;
  size_t best_count = 0;
  for (const T& candidate : values) {
    const size_t count = static_cast<size_t>(std::count(values.begin(), values.end(), candidate));
    if (count > best_count || (count == best_count && best != nullptr && candidate < *best)) {
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
// The values of one subject's records, gathered to find each field's consensus: views of the
// held records' strings, in lists a thread keeps from one linkage record to the next (a council's
// rebuild makes hundreds of thousands, each from a few values).
struct SubjectValues {
  std::vector<std::string_view> given, family, postcode, nhs, verified_nhs, upn, former_upn, uln;
  std::vector<canonical::Date> births;
  std::vector<id::Sex> sexes;

  void clear() {
    for (auto* list : {&given, &family, &postcode, &nhs, &verified_nhs, &upn, &former_upn, &uln}) {
      list->clear();
    }
    births.clear();
    sexes.clear();
  }
};

id::PersonRecord linkageRecord(const SubjectInfo& subject) {
  thread_local SubjectValues values;
  values.clear();
  const auto take = [](const canonical::Identifier& identifier) {
    const std::string_view scheme = identifier.scheme.view();
    const std::string_view value = identifier.value.view();
    if (scheme == "upn") values.upn.push_back(value);
    if (scheme == "former_upn") values.former_upn.push_back(value);
    if (scheme == "uln") values.uln.push_back(value);
    if (scheme != "nhs") return;
    values.nhs.push_back(value);
    // UK Core verification status: only 01 (present and verified) vouches for the number;
    // sources without a status are taken at their word, as before.
    if (identifier.verification.empty() || identifier.verification == "01") {
      values.verified_nhs.push_back(value);
    }
  };
  for (const canonical::Person* person : subject.persons) {
    if (!person->given_name.empty()) values.given.push_back(person->given_name.view());
    if (!person->family_name.empty()) values.family.push_back(person->family_name.view());
    if (!person->postcode.empty()) values.postcode.push_back(person->postcode.view());
    if (person->birth_date) values.births.push_back(*person->birth_date);
    if (person->sex != canonical::Sex::kNotRecorded) {
      values.sexes.push_back(linkageSex(person->sex));
    }
    for (const auto& identifier : person->identifiers) take(identifier);
  }
  for (const auto& identifier : subject.extra_identifiers) take(identifier);
  const canonical::Person& first = *subject.persons.front();
  id::PersonRecord record;
  record.source_system = first.subject.system;
  record.local_id = first.subject.value;
  record.given_name = consensus(values.given);
  record.family_name = consensus(values.family);
  if (!values.births.empty()) record.birth_date = consensus(values.births);
  record.sex = values.sexes.empty() ? id::Sex::kMissing : consensus(values.sexes);
  record.postcode = consensus(values.postcode);
  record.nhs_number = consensus(values.nhs);
  record.nhs_verified = std::find(values.verified_nhs.begin(), values.verified_nhs.end(),
                                  record.nhs_number) != values.verified_nhs.end();
  record.upn = consensus(values.upn);
  record.former_upn = consensus(values.former_upn);
  record.uln = consensus(values.uln);
  return record;
}

// Chains of individually likely links can join two people whom no single comparison would
// (George Smith, no UPN, links to both his own records and, through a shared birth date and
// surname, to a classmate's). A person cannot hold two different valid UPNs or NHS numbers, so
// each such conflict inside a cluster becomes a cannot-link between the records that carry the
// two values, and the clustering, which takes links strongest first, splits the chain at its
// weakest joint. A mistyped number that still passes its check lands in the review band instead.
// A record's identifiers that pass their checks ("" when absent or failing).
struct ValidIdentifiers {
  std::string upn;
  std::string nhs;
};

ValidIdentifiers validIdentifiers(const id::PersonRecord& record) {
  ValidIdentifiers ids;
  if (!record.upn.empty() && pipelines::validation::isValidUpn(record.upn)) ids.upn = record.upn;
  if (!record.nhs_number.empty() && record.nhs_verified &&
      pipelines::validation::isValidNhsNumber(record.nhs_number)) {
    ids.nhs = record.nhs_number;
  }
  return ids;
}

std::vector<id::ReviewerDecision> identifierConflicts(
    const id::IdentityIndex& index, const std::vector<ValidIdentifiers>& ids,
    const std::vector<std::string>& subject_of_record) {
  struct Holders {
    // value, the record holding it whose subject key is smallest: the same record in whatever
    // order the subjects came
    std::vector<std::pair<std::string, uint32_t>> upn;
    std::vector<std::pair<std::string, uint32_t>> nhs;
  };
  auto note = [&](std::vector<std::pair<std::string, uint32_t>>& seen, const std::string& value,
                  uint32_t record) {
    for (auto& [v, r] : seen) {
      if (v != value) continue;
      if (subject_of_record[record] < subject_of_record[r]) r = record;
      return;
    }
    seen.emplace_back(value, record);
  };
  std::unordered_map<uint32_t, Holders> clusters;
  for (uint32_t r = 0; r < ids.size(); ++r) {
    if (ids[r].upn.empty() && ids[r].nhs.empty()) continue;
    Holders& holders = clusters[index.personOf(r)];
    if (!ids[r].upn.empty()) note(holders.upn, ids[r].upn, r);
    if (!ids[r].nhs.empty()) note(holders.nhs, ids[r].nhs, r);
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

void appendReasonsJson(std::string& out, const id::IdentityIndex& index,
                       const id::ScoredPair& pair) {
  out.append("{\"tier\":");
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
}

}  // namespace

// A fingerprint of what a linkage record says, to notice a subject whose records changed.
uint64_t fingerprint(const id::PersonRecord& r) {
  std::string text;
  for (const std::string* part :
       {&r.given_name, &r.family_name, &r.postcode, &r.nhs_number, &r.upn, &r.former_upn, &r.uln}) {
    text.append(*part).push_back('\x1f');
  }
  if (r.birth_date) text.append(canonical::formatIsoDate(*r.birth_date));
  text.push_back(static_cast<char>(r.sex));
  return std::hash<std::string>{}(text);
}

struct IdentityResolver::State {
  std::unique_ptr<id::IdentityIndex> index;
  std::vector<std::string> subject_of_record;  // record index -> subject key
  std::vector<ValidIdentifiers> identifiers;   // record index -> its checked identifiers
  size_t reviewer_decisions = 0;               // reviewer decisions already handed over
  // Subject key (by its 128-bit hash, in one flat table: a council has a million) -> the
  // fingerprint of its linkage record.
  pipelines::KeyHashMap<uint64_t> fingerprints;
  std::set<std::pair<uint32_t, uint32_t>> decided;  // pairs already given to the index
  size_t links_reported = 0;                        // index.links() already returned
  bool released = false;  // releaseIncrementalState(): the next resolve() builds anew
};

IdentityResolver::IdentityResolver(config::IdentityConfig options)
    : options_(options), state_(std::make_unique<State>()) {}
IdentityResolver::~IdentityResolver() = default;

IdentityOutcome IdentityResolver::resolve(const std::vector<SubjectInfo>& subjects,
                                          const std::vector<state::IdentityDecision>& decisions) {
  State& st = *state_;
  // The linkage record of every subject with Person records; which of them are new, and whether
  // any known one changed or went away (then the index is rebuilt: it cannot forget a record).
  // Only subjects whose records changed are summarised again; a changed or vanished one means
  // a rebuild.
  std::vector<id::PersonRecord> fresh;
  std::vector<std::string> fresh_keys;
  bool rebuild = st.index == nullptr || st.released;
  size_t known = 0;
  // With no index yet everything is built below: nothing to compare.
  for (const SubjectInfo& subject : rebuild ? std::span<const SubjectInfo>() : subjects) {
    if (subject.persons.empty()) continue;
    const pipelines::KeyHash key = pipelines::keyHash(subject.key);
    uint64_t* const known_print = st.fingerprints.find(key);
    if (known_print != nullptr) ++known;
    if (!subject.touched && known_print != nullptr) continue;
    id::PersonRecord record = linkageRecord(subject);
    const uint64_t print = fingerprint(record);
    if (known_print == nullptr) {
      st.fingerprints.tryEmplace(key, print);
      fresh.push_back(std::move(record));
      fresh_keys.emplace_back(subject.key);
    } else if (*known_print != print) {
      *known_print = print;
      rebuild = true;
    }
  }
  if (!rebuild && known + fresh.size() != st.fingerprints.size()) rebuild = true;
  IdentityOutcome outcome;
  if (rebuild) {
    std::vector<uint32_t> with_persons;
    with_persons.reserve(subjects.size());
    for (uint32_t s = 0; s < subjects.size(); ++s) {
      if (!subjects[s].persons.empty()) with_persons.push_back(s);
    }
    std::vector<uint64_t> all_prints(with_persons.size());
    std::vector<pipelines::KeyHash> all_hashes(with_persons.size());
    std::vector<ValidIdentifiers> all_identifiers(with_persons.size());
    id::LinkageConfig config;
    config.link_threshold = options_.link_threshold;
    config.review_threshold = options_.review_threshold;
    config.use_extra_id = false;
    st.index = std::make_unique<id::IdentityIndex>(config);
    // The linkage records a part at a time, each part's halves made on two threads into the
    // list the part before used. A council's are hundreds of thousands of 472-byte records:
    // made all at once, writing their pages afresh was half the cost of making them, and the
    // index keeps only their features.
    constexpr size_t kPart = size_t{1} << 15;
    size_t made = 0;
    st.index->build(
        [&](std::vector<id::PersonRecord>& part) {
          if (made == with_persons.size()) return false;
          part.resize(std::min(kPart, with_persons.size() - made));
          pipelines::forHalvesInParallel(part.size(), 20'000, [&](size_t from, size_t to) {
            for (size_t i = from; i < to; ++i) {
              const size_t n = made + i;
              const SubjectInfo& subject = subjects[with_persons[n]];
              part[i] = linkageRecord(subject);
              all_prints[n] = fingerprint(part[i]);
              all_identifiers[n] = validIdentifiers(part[i]);
              all_hashes[n] = pipelines::keyHash(subject.key);
            }
          });
          made += part.size();
          return true;
        },
        with_persons.size());
    st.fingerprints.clear();
    st.fingerprints.reserve(with_persons.size());
    std::vector<std::string> all_keys;
    all_keys.reserve(with_persons.size());
    for (size_t n = 0; n < with_persons.size(); ++n) {
      st.fingerprints.tryEmplace(all_hashes[n], all_prints[n]);
      all_keys.emplace_back(subjects[with_persons[n]].key);
    }
    st.subject_of_record = std::move(all_keys);
    st.identifiers = std::move(all_identifiers);
    st.decided.clear();
    st.reviewer_decisions = 0;
    st.links_reported = 0;
    st.released = false;
    outcome.rebuilt = true;
  } else if (!fresh.empty()) {
    st.subject_of_record.insert(st.subject_of_record.end(), fresh_keys.begin(), fresh_keys.end());
    for (const auto& record : fresh) st.identifiers.push_back(validIdentifiers(record));
    st.index->add(std::move(fresh));
  }
  id::IdentityIndex& index = *st.index;
  // By a 128-bit hash of each subject's key, in one flat table: a council has a million subjects.
  pipelines::KeyHashMap<uint32_t> record_of_subject;
  record_of_subject.reserve(st.subject_of_record.size());
  for (uint32_t r = 0; r < st.subject_of_record.size(); ++r) {
    record_of_subject.tryEmplace(pipelines::keyHash(st.subject_of_record[r]), r);
  }

  // Reviewers' decisions win over identifier conflicts about the same pair, so a reviewer can
  // still merge two records the identifiers would keep apart. Only decisions the index has not
  // seen are handed over: it keeps them.
  std::vector<id::ReviewerDecision> reviewer;
  std::set<std::pair<uint32_t, uint32_t>> reviewed;
  for (const state::IdentityDecision& d : decisions) {
    const uint32_t* a = record_of_subject.find(pipelines::keyHash(d.record_a));
    const uint32_t* b = record_of_subject.find(pipelines::keyHash(d.record_b));
    if (a == nullptr || b == nullptr) continue;
    const auto pair = std::minmax(*a, *b);
    reviewed.insert(pair);
    reviewer.push_back({d.action == "merge" ? id::ReviewerDecision::Kind::kForceLink
                                            : id::ReviewerDecision::Kind::kCannotLink,
                        *a, *b});
  }
  std::vector<id::ReviewerDecision> fresh_decisions;
  for (const id::ReviewerDecision& conflict :
       identifierConflicts(index, st.identifiers, st.subject_of_record)) {
    const auto pair = std::minmax(conflict.a, conflict.b);
    if (reviewed.contains(pair) || !st.decided.insert(pair).second) continue;
    fresh_decisions.push_back(conflict);
  }
  // Whenever the applicable log grows, all of it is replayed in order after the conflicts: the
  // index keeps the latest decision about each pair, so the reviewers' word stays last.
  if (reviewer.size() != st.reviewer_decisions) {
    fresh_decisions.insert(fresh_decisions.end(), reviewer.begin(), reviewer.end());
    st.reviewer_decisions = reviewer.size();
  }
  if (!fresh_decisions.empty()) index.applyDecisions(fresh_decisions);

  // Dense person numbers: a cluster's number is given when its first subject is met.
  std::unordered_map<uint32_t, uint32_t> person_of_cluster;
  outcome.person_of_subject.resize(subjects.size());
  // Each linkage record's subject: every one of them is among `subjects` (a subject gone since
  // the last call rebuilds the index without it).
  std::vector<uint32_t> subject_of_linkage(st.subject_of_record.size(), UINT32_MAX);
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    const uint32_t* record = record_of_subject.find(pipelines::keyHash(subjects[s].key));
    if (record == nullptr) {
      outcome.person_of_subject[s] = outcome.persons++;
      continue;
    }
    subject_of_linkage[*record] = s;
    const uint32_t cluster = index.personOf(*record);
    const auto [it, added] = person_of_cluster.try_emplace(cluster, outcome.persons);
    if (added) ++outcome.persons;
    outcome.person_of_subject[s] = it->second;
  }
  outcome.linkage_records = index.size();

  // The links made since the last call, and every review pair still open.
  auto subjectIndex = [&](uint32_t record) {
    const uint32_t s = subject_of_linkage.at(record);
    if (s == UINT32_MAX) throw std::out_of_range("a linkage record without its subject");
    return s;
  };
  // A deterministic link inside one source (a pupil's census rows of successive terms, joined by
  // UPN and birth date) is bookkeeping; links across sources and every model link are decisions
  // worth publishing, with their reasons. A link clustering refused (it would have joined two
  // valid NHS numbers or UPNs, or a pair a reviewer keeps apart) took no effect: published, it
  // would name one person's record and another's as one.
  auto systemOf = [&](uint32_t record) {
    const std::string& key = st.subject_of_record[record];
    return std::string_view(key).substr(0, key.find('/'));
  };
  const auto& links = index.links();
  const std::vector<id::ScoredPair> reviews = index.pendingReviews();
  outcome.pairs.reserve(links.size() - st.links_reported + reviews.size());
  for (size_t i = st.links_reported; i < links.size(); ++i) {
    const id::ScoredPair& link = links[i];
    const bool deterministic =
        link.tier != id::LinkTier::kProbabilistic && link.tier != id::LinkTier::kReviewer;
    if (deterministic && systemOf(link.a) == systemOf(link.b)) continue;
    if (index.personOf(link.a) != index.personOf(link.b)) continue;
    outcome.pairs.push_back(
        {subjectIndex(link.a), subjectIndex(link.b), link.match_probability, true, link});
  }
  st.links_reported = links.size();
  outcome.total_links = links.size();
  for (const id::ScoredPair& pair : reviews) {
    outcome.pairs.push_back(
        {subjectIndex(pair.a), subjectIndex(pair.b), pair.match_probability, false, pair});
  }
  return outcome;
}

void IdentityResolver::releaseIncrementalState() {
  State& st = *state_;
  if (st.index != nullptr) st.index->releaseForAdding();
  std::vector<std::string>().swap(st.subject_of_record);
  std::vector<ValidIdentifiers>().swap(st.identifiers);
  st.fingerprints = pipelines::KeyHashMap<uint64_t>();
  st.decided.clear();
  st.released = true;
}

void IdentityResolver::appendReasonsJson(std::string& out, const PairOutcome& pair) const {
  if (state_->index == nullptr) {
    out.append("{}");
    return;
  }
  derive::appendReasonsJson(out, *state_->index, pair.scored);
}

void IdentityResolver::prefetchReasons(const PairOutcome& pair) const {
  if (state_->index != nullptr) state_->index->prefetchExplanation(pair.scored);
}

void followSubjectLinks(std::vector<std::pair<uint32_t, uint32_t>> links,
                        const std::vector<SubjectInfo>& subjects, IdentityOutcome& outcome) {
  if (links.empty()) return;
  // One link per subject: of a subject said to be the same as several, the one with the
  // smallest key (not the first held, which would follow the order of the held records).
  std::sort(links.begin(), links.end(), [&](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return subjects[x.second].key < subjects[y.second].key;
  });
  links.erase(std::unique(links.begin(), links.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              links.end());
  std::unordered_map<uint32_t, uint32_t> same_as(links.begin(), links.end());
  // A chain is as long as the source's nesting (a SEN2 placement is four links from its
  // person); the bound only stops a cycle of links, which then ends where it stands.
  constexpr int kLongestChain = 16;
  std::vector<uint32_t>& person = outcome.person_of_subject;
  std::vector<uint32_t> linked = person;
  for (const auto& [subject, target] : links) {
    uint32_t end = target;
    for (int hops = 0; hops < kLongestChain; ++hops) {
      const auto next = same_as.find(end);
      if (next == same_as.end() || next->second == subject) break;
      end = next->second;
    }
    linked[subject] = person[end];
  }
  // Persons left without a subject go; the others keep their order, numbered densely again.
  std::vector<uint32_t> renumbered(outcome.persons, UINT32_MAX);
  uint32_t persons = 0;
  for (uint32_t& p : linked) {
    if (renumbered[p] == UINT32_MAX) renumbered[p] = persons++;
    p = renumbered[p];
  }
  person.swap(linked);
  outcome.persons = persons;
}

}  // namespace hearth::daemon::derive
