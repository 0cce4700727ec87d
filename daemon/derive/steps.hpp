#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/config.hpp"
#include "daemon/state/record_store.hpp"
#include "pipelines/canonical/model.hpp"
#include "pipelines/canonical/packed_records.hpp"
#include "pipelines/identity/identity_index.hpp"
#include "pipelines/indicators/engine.hpp"
#include "pipelines/indicators/period.hpp"
#include "pipelines/indicators/population_estimates.hpp"
#include "pipelines/indicators/school_register.hpp"

namespace hearth::daemon::derive {

/// Everything known about one subject (a local id in one source system): its Person records
/// and the identifiers that arrived on their own. The unit identity resolution links.
struct SubjectInfo {
  /// "<system>/<local id>", held by whoever made the table (a council's are a million: they are
  /// written one after another, not a string each).
  std::string_view key;
  std::vector<const pipelines::canonical::Person*> persons;
  std::vector<pipelines::canonical::Identifier> extra_identifiers;
  bool touched = true;  // records about it arrived, changed or went since the last evaluation
};

/// A pair of subjects the model linked or held for review.
struct PairOutcome {
  uint32_t a = 0;  // subject indices
  uint32_t b = 0;
  double probability = 0;
  bool linked = false;  // false: held for review
  /// The pair as the index scored it, for IdentityResolver::appendReasonsJson: its reasons are
  /// written only when it is published, never held for every pair at once.
  pipelines::identity::ScoredPair scored;
};

struct IdentityOutcome {
  std::vector<uint32_t> person_of_subject;  // a person index per subject, dense from 0
  uint32_t persons = 0;
  std::vector<PairOutcome> pairs;  // links made since the last call, and open review pairs
  uint64_t linkage_records = 0;
  uint64_t total_links = 0;
  bool rebuilt = false;  // the index was built afresh (first call, or a known subject changed)
};

/// Resolves subjects into persons: deterministic tiers, the probabilistic model, identifier
/// conflicts, then the reviewers' decisions (a merge links, an unmerge keeps apart) in the
/// order they were made. Keeps its index between calls: subjects that only arrived since are
/// added to it (scoring only their candidate pairs); a known subject that changed or went away
/// rebuilds it, model included.
class IdentityResolver {
 public:
  explicit IdentityResolver(config::IdentityConfig options);
  ~IdentityResolver();
  IdentityResolver(const IdentityResolver&) = delete;
  IdentityResolver& operator=(const IdentityResolver&) = delete;

  IdentityOutcome resolve(const std::vector<SubjectInfo>& subjects,
                          const std::vector<state::IdentityDecision>& decisions);

  /// Appends a pair's reasons as a JSON object (its tier, and the comparison level and weight of
  /// each field), as the index of the last resolve explains them: a council's first evaluation
  /// writes a million, into the buffer of each pair's event.
  void appendReasonsJson(std::string& out, const PairOutcome& pair) const;
  /// Asks the processor for what appendReasonsJson(pair) will read (IdentityIndex::
  /// prefetchExplanation).
  void prefetchReasons(const PairOutcome& pair) const;

  /// Lets go of what only a later resolve() builds on: the index's blocking and the linkage
  /// records' keys, identifiers and fingerprints (a council's come to a few hundred MB). For the
  /// last evaluation of a one-shot run, once it has resolved: appendReasonsJson() still explains
  /// the pairs of that resolve, and a later resolve() builds its index anew.
  void releaseIncrementalState();

 private:
  struct State;
  config::IdentityConfig options_;
  std::unique_ptr<State> state_;
};

/// Gives each subject a SubjectLink names the person of the subject it is the same as, following
/// chains of links (a SEN2 placement -> its plan -> assessment -> request -> the person), after
/// identity has resolved the subjects that have Person records. `links` pairs subject indices
/// (of `subjects`); a subject linked to several keeps the link to the one with the smallest key.
void followSubjectLinks(std::vector<std::pair<uint32_t, uint32_t>> links,
                        const std::vector<SubjectInfo>& subjects, IdentityOutcome& outcome);

/// One canonical record with the person it belongs to and its evidence id: the key of its event
/// on hearth.records (its subject's pseudonym), then '#' and what tells it apart from the
/// subject's other records.
struct AttributedRecord {
  /// Held by the derive stage, which holds each canonical record once: the engine files it
  /// without a copy, or a count of its owners. The stage keeps it until an update has withdrawn
  /// it or filed what replaces it.
  pipelines::canonical::RecordRef record;
  uint64_t person = 0;  // stable across evaluations while the person's records stay linked
  /// Held in the same block: the engine files it without a copy.
  std::string_view evidence_id;
  bool changed = false;  // new, re-read or moved to another person since the last evaluation
};

/// The records an update hands over, read one at a time: a council's first evaluation hands over
/// millions, which are not gathered into a list of their own. `at` must stay callable until the
/// update returns.
struct AttributedRecords {
  size_t count = 0;
  std::function<AttributedRecord(size_t)> at;
};

inline constexpr std::string_view kIndicatorValueEventType = "uk.gov.hearth.indicator.value.v1";
inline constexpr std::string_view kIndicatorCycleEventType = "uk.gov.hearth.indicator.cycle.v1";

/// An indicator value ready for `hearth.indicator.values`, or a fact for `.facts`.
struct IndicatorEvent {
  std::string_view topic;  // "indicator.values" or "indicator.facts"
  std::string_view type;   // CloudEvents type
  std::string key;
  std::string data_json;  // the CloudEvents data object
  /// What the event states a value of, for skipping it when unchanged: the key for a value;
  /// the key, indicator, period and set for a fact (a person has one per indicator).
  std::string digest_key;
};

/// Each person's pseudonym by the key the indicator engine files the person under (what a fact
/// is published under): views, in an array sorted by key, of pseudonyms held by the caller.
class PersonPseudonyms {
 public:
  void reserve(size_t persons) { by_key_.reserve(persons); }
  void add(uint64_t key, std::string_view pseudonym) { by_key_.emplace_back(key, pseudonym); }
  /// Call once every person is added, before find(). Of a key given twice, the first stays.
  void seal() {
    std::stable_sort(by_key_.begin(), by_key_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    by_key_.erase(std::unique(by_key_.begin(), by_key_.end(),
                              [](const auto& a, const auto& b) { return a.first == b.first; }),
                  by_key_.end());
  }
  /// The pseudonym of the person filed under `key`, or null.
  const std::string_view* find(uint64_t key) const {
    const auto it = std::lower_bound(by_key_.begin(), by_key_.end(), key,
                                     [](const auto& entry, uint64_t k) { return entry.first < k; });
    return it != by_key_.end() && it->first == key ? &it->second : nullptr;
  }

 private:
  std::vector<std::pair<uint64_t, std::string_view>> by_key_;
};

/// The values and facts an update changed, each made into its event only as it is published: a
/// council's first update gives hundreds of thousands of facts, whose events held at once would
/// cost more than the facts.
class IndicatorChanges {
 public:
  /// Facts name their person by `pseudonyms->find(person)`, which must outlive forEach().
  IndicatorChanges(pipelines::indicators::Evaluation evaluation, const PersonPseudonyms* pseudonyms)
      : evaluation_(std::move(evaluation)), pseudonyms_(pseudonyms) {}

  /// Calls `publish` with each value's event, then each fact's (but a fact of a person merged
  /// away since: its facts moved too), one event at a time, in one buffer; stops at the first
  /// false. Each fact is released once its event is made. Once only.
  bool forEach(const std::function<bool(const IndicatorEvent&)>& publish);

 private:
  pipelines::indicators::Evaluation evaluation_;
  const PersonPseudonyms* pseudonyms_ = nullptr;
};

/// The GIAS register and Ofsted judgements the configuration names (indicators.gias_establishments,
/// indicators.ofsted_inspections); empty when it names none. An unreadable file is an error.
Result<pipelines::indicators::SchoolRegister> loadSchoolRegister(
    const config::IndicatorsConfig& config);

/// The indicator engine as the daemon drives it.
class IndicatorStep {
 public:
  static Result<std::unique_ptr<IndicatorStep>> create(const config::IndicatorsConfig& config,
                                                       int suppression_threshold);
  virtual ~IndicatorStep() = default;
  /// Brings the engine's records up to date: forgets `removed` evidence and files the records
  /// marked changed (the others it holds already).
  virtual void file(const AttributedRecords& records, const std::vector<std::string>& removed) = 0;
  /// The next evaluate() is the engine's last (IndicatorEngine::finishWithNextEvaluation): what
  /// only a later one reads goes, and nothing may be filed after it.
  virtual void finishWithNextEvaluation() = 0;
  /// Recomputes what the records filed since the last call changed, and returns the values and
  /// facts that did. Facts name their person by `pseudonyms.find(person)`, which must outlive
  /// what is returned.
  virtual IndicatorChanges evaluate(const PersonPseudonyms& pseudonyms) = 0;
  virtual std::string valuesJson() const = 0;  // every current value, a JSON array
  /// Every current value as its event's key and data, in key order: what a cycle marker digests.
  virtual std::vector<std::pair<std::string, std::string>> snapshot() const = 0;
  virtual const pipelines::indicators::Period& period() const = 0;  // the reporting period
  virtual std::string table() const = 0;                            // the headlines, for a terminal
  /// The population estimate rows the rates per 10,000 use, when a file gives them.
  virtual const std::optional<pipelines::indicators::PopulationBase>& population() const = 0;
};

}  // namespace hearth::daemon::derive
