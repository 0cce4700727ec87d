#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/common/worker_pool.hpp"
#include "pipelines/events/event_id.hpp"
#include "pipelines/events/key_hash_map.hpp"
#include "pipelines/indicators/disclosure.hpp"
#include "pipelines/indicators/indicator.hpp"
#include "pipelines/indicators/output.hpp"
#include "pipelines/indicators/period.hpp"
#include "pipelines/indicators/person_records.hpp"
#include "pipelines/indicators/postcode_lookup.hpp"
#include "pipelines/indicators/school_register.hpp"
#include "pipelines/indicators/standard_population.hpp"
#include "pipelines/indicators/working_days.hpp"

namespace hearth::pipelines::indicators {

struct EngineConfig {
  /// Every indicator is evaluated for each of these.
  std::vector<Period> periods;
  /// Residents aged 0-17: the denominator of `cla_count`'s rate per 10,000. 0 leaves it out.
  double population_0_17 = 0;
  /// Published cells with a numerator or denominator from 1 to threshold - 1 are suppressed,
  /// for the families that publish that way (social care, education, adult social care).
  int suppression_threshold = 5;
  /// A family's convention when configured (health: 1-7 hidden, the rest rounded to 5);
  /// otherwise housing publishes unrounded and the others follow the threshold above. Secondary
  /// suppression applies to every family but housing.
  std::map<std::string, DisclosureConvention, std::less<>> disclosure;
  /// The council's area code, the `area` of every cell but the local-area breakdowns.
  std::string area_code;
  /// Residents by single year of age (the last entry: that age and over), the base of
  /// age-standardised rates. Empty leaves those rates out.
  std::vector<double> population_by_age;
  /// Schools and settings: the GIAS register and Ofsted's judgements (education rules).
  SchoolRegister schools;
  /// Threads that work out what the rules make of the people an evaluation recomputes (the
  /// totals are then brought up to date person by person, in order, on the calling thread): a
  /// whole council's first evaluation recomputes a quarter of a million people.
  unsigned evaluate_threads = 2;
};

/// What changed since the previous evaluate().
struct Evaluation {
  std::vector<IndicatorValue> values;
  /// A deque: a whole council's first evaluation gives hundreds of thousands, which a vector
  /// would copy at each doubling and hold with up to as much room again; and a publisher can
  /// release them one at a time, from the front.
  std::deque<IndicatorFact> facts;
  size_t persons_recomputed = 0;
};

/// The indicator catalogue kept up to date as records arrive. Per-person state is kept;
/// evaluate() recomputes only the people touched since the last call and adjusts the totals.
/// Not thread-safe: one engine per consumer partition.
class IndicatorEngine {
 public:
  IndicatorEngine(EngineConfig config, WorkingDays working_days, PostcodeLookup postcodes);

  /// Files `record` under `person`. A record arriving again under the same evidence id replaces
  /// the earlier copy, even if identity has since moved it to another person. Returns false,
  /// keeping nothing, for kinds no indicator reads. A school census header is no person's: it
  /// joins the returns' schools whatever `person` says.
  /// Neither the record nor `evidence_id` is copied: the engine keeps `block`, which holds both,
  /// alive as long as it files the record (PersonRecords::add). With no `block`, the caller
  /// keeps both until it has removed the record or given another under the same id.
  bool add(PersonKey person, std::string_view evidence_id, canonical::RecordRef record,
           std::shared_ptr<const void> block);
  /// As above, for a record and id the caller does not keep.
  bool add(PersonKey person, std::string evidence_id, canonical::Record record);
  /// A record to file with no block: the caller keeps it and its evidence id (add()).
  struct Filing {
    PersonKey person = 0;
    std::string_view evidence_id;
    canonical::RecordRef record;
  };
  /// Files each as add() does, in order. A whole council's first evaluation files millions,
  /// each a miss in the owners' table and one in its person's state: this looks up the next
  /// ones while it files one, so the misses overlap.
  void addAll(std::span<const Filing> filings);
  /// Makes room for `records` more records before a run of adds (a whole council's, at first).
  void reserve(size_t records) { evidence_owner_.reserve(evidence_owner_.size() + records); }
  /// Forgets the record with `evidence_id` (erasure, or a record withdrawn by its source).
  bool remove(std::string_view evidence_id);
  /// For an engine whose next evaluate() is its last (a run that ends after it): lets go now of
  /// what only a later add() or remove() reads (which person each record is filed under), and has
  /// that evaluate() keep no person's outcomes, which only a later evaluate() compares with. It
  /// still returns every value and fact, and the values stay readable (values()). After it,
  /// add() and remove() throw std::logic_error, and evaluate() finds nothing to recompute.
  void finishWithNextEvaluation();
  /// Marks every person for recomputation: after a rule or reference data change.
  void touchAll();

  /// Recomputes the touched people: the cells whose numerator or denominator changed (every
  /// headline on the first call) and the people who entered or left a cohort or numerator.
  /// The same whatever EngineConfig::evaluate_threads says.
  Evaluation evaluate();

  /// Every current cell, headlines first within each indicator and period.
  std::vector<IndicatorValue> values(bool headlines_only = false) const;

  const std::vector<Period>& periods() const { return config_.periods; }
  size_t personCount() const { return persons_.size(); }
  size_t recordCount() const { return finishing_ ? records_at_finish_ : evidence_owner_.size(); }

 private:
  using CellKey = std::pair<std::string, std::string>;  // breakdown name, value; empty: headline
  /// Indexed by Breakdown; views of static text or of the postcode lookup's areas, which the
  /// engine holds unchanged for as long as it holds the labels.
  using Labels = std::array<std::string_view, 5>;

  struct Cell {
    double numerator = 0;
    double denominator = 0;
    double not_computable = 0;
    BandCounts numerator_by_band{};  // age-standardised indicators only
    bool dirty = false;
    bool published = false;
    double published_numerator = 0;
    double published_denominator = 0;
    double published_not_computable = 0;
    bool published_suppressed = false;
  };

  /// One indicator over one period.
  struct Slot {
    const IndicatorDefinition* definition = nullptr;
    const Period* period = nullptr;
    std::map<CellKey, Cell> cells;
    std::unordered_map<std::string, int> people_per_family;  // counted people, by family
  };

  struct PersonState {
    PersonRecords records;
    std::vector<std::pair<uint32_t, Outcome>> outcomes;  // by slot; the others' are empty
    std::vector<Labels> labels;                          // one per period
    std::string family_id;
    std::set<std::string> groups;  // the households and families the person is a member of
    bool touched = false;
  };

  /// add() with its evidence id's hash given.
  bool add(const KeyHash& key, PersonKey person, std::string_view evidence_id,
           canonical::RecordRef record, std::shared_ptr<const void> block);
  /// The person's state, made if there is none: the state, and whether it was made.
  std::pair<PersonState*, bool> stateOf(PersonKey person);
  PersonState& existingState(PersonKey person) { return **persons_.find(person); }
  const PersonState& existingState(PersonKey person) const { return **persons_.find(person); }
  void touch(PersonKey person, PersonState& state);
  /// Takes the record filed under `evidence_id` from `owner`'s records; the caller keeps
  /// evidence_owner_ right.
  void forget(PersonKey owner, std::string_view evidence_id);
  /// Touches the person and everyone who shares a household or family with them: their
  /// records are part of each other's views (PersonView::linked).
  void touchWithGroups(PersonKey person, PersonState& state);
  /// Brings the group index up to date with the person's memberships.
  void regroup(PersonKey person, PersonState& state);
  LinkedRecords linkedRecords(PersonKey person, const PersonView& view) const;
  /// What the rules make of a person's records now, worked out apart from the totals: many
  /// people's at once, on several threads, each reading the engine and changing nothing of it.
  struct Assessment {
    PersonKey person = 0;
    PersonState* state = nullptr;
    std::vector<std::pair<uint32_t, Outcome>> outcomes;  // by slot; the others' are empty
    std::vector<Labels> labels;                          // one per period
    std::string family_id;
  };
  void assess(Assessment& assessment) const;
  /// assess() for each, on up to EngineConfig::evaluate_threads threads.
  void assessAll(std::span<Assessment> assessments) const;
  /// Moves the totals, the facts and the person's state from what they were to `assessment`.
  void settle(Assessment& assessment, Evaluation& evaluation);
  Labels labelsFor(const PersonAttributes& attributes, const Period& period) const;
  void apply(size_t slot, const Outcome& outcome, const Labels& labels,
             const std::string& family_id, int sign);
  void bump(size_t slot, const CellKey& key, const Outcome& outcome, int sign);
  void addFacts(PersonKey person, const Slot& slot, const Outcome& before, const Outcome& after,
                std::deque<IndicatorFact>& facts) const;
  IndicatorValue valueOf(const Slot& slot, const CellKey& key, const Cell& cell) const;
  /// Every cell of the slot, headline first, as published: disclosure control applied.
  std::vector<IndicatorValue> publishedValues(const Slot& slot) const;
  const DisclosureConvention& conventionOf(const IndicatorDefinition& definition) const;

  EngineConfig config_;
  WorkingDays working_days_;
  PostcodeLookup postcodes_;
  BandCounts residents_by_band_{};
  std::vector<Slot> slots_;  // indicator-major: slot = indicator * periods + period
  /// Each person's state, by key: a flat table, where a node map cost a division and a miss
  /// before the state's own for each of millions of adds. The states stay where they are.
  FlatHashMap<PersonKey, std::unique_ptr<PersonState>> persons_;
  /// Whose each record is, by a 128-bit hash of its evidence id: the ids themselves are long, and
  /// already kept once with the records.
  KeyHashMap<PersonKey> evidence_owner_;
  bool finishing_ = false;        // finishWithNextEvaluation() was called
  size_t records_at_finish_ = 0;  // recordCount() from then on
  std::unordered_map<std::string, std::set<PersonKey>> group_members_;  // by group key
  std::vector<PersonKey> touched_;
  bool touch_all_ = false;  // every person is recomputed at the next evaluate()
  std::vector<std::pair<size_t, const CellKey*>> dirty_;
  DisclosureConvention threshold_convention_;
  /// The school census returns' school headers (no person's records): enrolments name them.
  CensusSchools census_schools_;
  /// The threads assessAll() shares people out to, beside the caller's.
  std::unique_ptr<WorkerPool> workers_;
};

}  // namespace hearth::pipelines::indicators
