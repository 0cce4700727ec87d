#include "pipelines/indicators/engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "pipelines/indicators/breakdowns.hpp"
#include "pipelines/indicators/registry.hpp"

namespace hearth::pipelines::indicators {
namespace {

const std::pair<std::string, std::string> kHeadline{};
const std::pair<std::string, std::string> kFamilies{"count_of", "families"};
constexpr std::string_view kLocalArea = "local_area";
constexpr double kPer10000 = 10000.0;
constexpr double kPercent = 100.0;

// A group is named by its source system and its reference there (a homelessness case's
// household, a family, a mother and her children).
std::string groupKey(const canonical::HouseholdMember& membership) {
  std::string key(membership.subject.system);
  key.push_back('/');
  key.append(membership.group);
  return key;
}

// Whether `records` are those of the mother in the mother's group `child` is a member of.
bool isMotherIn(const PersonRecords& records, const canonical::HouseholdMember& child) {
  if (!child.group.starts_with("mother/")) return false;
  return std::any_of(records.memberships.begin(), records.memberships.end(), [&](const auto& m) {
    return m.record->relationship == "Mother" && m.record->group == child.group &&
           m.record->subject.system == child.subject.system;
  });
}

// The kinds of record that a person's group mates read too (linkedRecords): a homelessness
// case's duties and placements, a mother's adult social care and admissions, and memberships.
bool readByGroupMates(canonical::RecordRef record) {
  return record.holds<canonical::HomelessnessDuty>() ||
         record.holds<canonical::TemporaryAccommodation>() ||
         record.holds<canonical::AdultCareEvent>() ||
         record.holds<canonical::HospitalAdmission>() || record.holds<canonical::Diagnosis>() ||
         record.holds<canonical::HouseholdMember>();
}

// An evidence id may name one of several records behind one event, as "<event key>#<which>"
// (the daemon's ids do; an event key has no '#', and <which> may be any bytes): what an outcome
// keeps, and a fact cites, is each event once, in the order first met. A person's outcomes are
// held between evaluations, and a pupil's attendance over a year is many records of one event
// key: the ids whole, each copied, cost a council's first evaluation some 200 MB at its peak.
// An id without '#' is cited whole.
void citeEventsOnce(std::vector<std::string>& evidence) {
  size_t kept = 0;
  for (std::string& id : evidence) {
    const size_t length = std::min(id.find('#'), id.size());
    const std::string_view event(id.data(), length);
    const auto cited = evidence.begin() + static_cast<std::ptrdiff_t>(kept);
    if (std::find(evidence.begin(), cited, event) != cited) continue;  // an event cited already
    if (length < id.size()) {
      id.resize(length);
      id.shrink_to_fit();
    }
    if (&*cited != &id) *cited = std::move(id);
    ++kept;
  }
  evidence.resize(kept);
  evidence.shrink_to_fit();
}

// A person's outcome in a slot they do not count in.
const Outcome kNothing{};

}  // namespace

IndicatorEngine::IndicatorEngine(EngineConfig config, WorkingDays working_days,
                                 PostcodeLookup postcodes)
    : config_(std::move(config)),
      working_days_(std::move(working_days)),
      postcodes_(std::move(postcodes)),
      workers_(std::make_unique<WorkerPool>(std::max(1u, config_.evaluate_threads) - 1)) {
  if (config_.periods.empty()) throw std::invalid_argument("indicator engine: no periods");
  if (config_.suppression_threshold < 0) {
    throw std::invalid_argument("indicator engine: negative suppression threshold");
  }
  threshold_convention_.suppress_below = config_.suppression_threshold;
  for (const auto& [family, disclosure] : config_.disclosure) {
    if (disclosure.suppress_below < 0 || disclosure.round_to < 0) {
      throw std::invalid_argument("indicator engine: disclosure of " + family +
                                  ": threshold below 0 or rounding below 1");
    }
  }
  residents_by_band_ = residentsByBand(config_.population_by_age);
  for (const IndicatorDefinition& definition : indicatorRegistry()) {
    for (const Period& period : config_.periods) {
      slots_.push_back(Slot{&definition, &period, {}, {}});
    }
  }
  // Every headline is published on the first evaluation, zero or not.
  for (size_t s = 0; s < slots_.size(); ++s) {
    auto [it, inserted] = slots_[s].cells.try_emplace(kHeadline);
    it->second.dirty = true;
    dirty_.emplace_back(s, &it->first);
  }
}

bool IndicatorEngine::add(PersonKey person, std::string evidence_id, canonical::Record record) {
  const auto owned =
      std::make_shared<const OwnedRecord>(OwnedRecord{std::move(record), std::move(evidence_id)});
  return add(person, owned->evidence_id, owned->record, owned);
}

bool IndicatorEngine::add(PersonKey person, std::string_view evidence_id,
                          canonical::RecordRef record, std::shared_ptr<const void> block) {
  return add(keyHash(evidence_id), person, evidence_id, record, std::move(block));
}

void IndicatorEngine::addAll(std::span<const Filing> filings) {
  if (finishing_) throw std::logic_error("add() to an indicator engine that has finished");
  // In three stages, each two filings behind the one before: a filing's hash and the prefetch of
  // its two slots; the prefetch of its person's state through the slot, now at hand; the add.
  constexpr size_t kAhead = 2;
  std::array<KeyHash, 2 * kAhead + 1> keys{};
  const auto slotOf = [&](size_t n) -> KeyHash& { return keys[n % keys.size()]; };
  const size_t count = filings.size();
  for (size_t n = 0; n < count + 2 * kAhead; ++n) {
    if (n < count) {
      slotOf(n) = keyHash(filings[n].evidence_id);
      evidence_owner_.prefetch(slotOf(n));
      persons_.prefetch(filings[n].person);
    }
    if (n >= kAhead && n - kAhead < count) {
      if (const auto* state = persons_.find(filings[n - kAhead].person)) {
        __builtin_prefetch(state->get());
      }
    }
    if (n >= 2 * kAhead && n - 2 * kAhead < count) {
      const Filing& filing = filings[n - 2 * kAhead];
      add(slotOf(n - 2 * kAhead), filing.person, filing.evidence_id, filing.record, nullptr);
    }
  }
}

std::pair<IndicatorEngine::PersonState*, bool> IndicatorEngine::stateOf(PersonKey person) {
  const auto [state, made] = persons_.tryEmplace(person);
  if (made) *state = std::make_unique<PersonState>();
  return {state->get(), made};
}

bool IndicatorEngine::add(const KeyHash& key, PersonKey person, std::string_view evidence_id,
                          canonical::RecordRef record, std::shared_ptr<const void> block) {
  if (finishing_) throw std::logic_error("add() to an indicator engine that has finished");
  if (const auto* school = record.get_if<canonical::CensusSchool>()) {
    // Every pupil of the return may change school, phase or judgement with it.
    if (census_schools_.add(std::string(evidence_id), *school)) touchAll();
    return true;
  }
  if (census_schools_.remove(evidence_id)) touchAll();
  // One probe of the owners finds an earlier copy and files this one: a whole council's
  // records are millions of adds.
  const auto [owner, first_copy] = evidence_owner_.tryEmplace(key, person);
  if (!first_copy) {
    forget(*owner, evidence_id);
    *owner = person;
  }
  const bool membership = record.holds<canonical::HouseholdMember>();
  const bool shared = readByGroupMates(record);
  const auto [found, created] = stateOf(person);
  PersonState& state = *found;
  if (!state.records.add(evidence_id, record, block)) {
    if (created) persons_.erase(person);
    evidence_owner_.erase(key);
    return false;
  }
  if (membership) regroup(person, state);
  if (shared) {
    touchWithGroups(person, state);
  } else {
    touch(person, state);
  }
  return true;
}

void IndicatorEngine::finishWithNextEvaluation() {
  if (finishing_) return;
  finishing_ = true;
  records_at_finish_ = evidence_owner_.size();
  // A whole council's records are millions: the index is a hundred megabytes.
  evidence_owner_ = KeyHashMap<PersonKey>();
}

bool IndicatorEngine::remove(std::string_view evidence_id) {
  if (finishing_) throw std::logic_error("remove() on an indicator engine that has finished");
  if (census_schools_.remove(evidence_id)) {
    touchAll();
    return true;
  }
  const KeyHash key = keyHash(evidence_id);
  const PersonKey* owner = evidence_owner_.find(key);
  if (owner == nullptr) return false;
  forget(*owner, evidence_id);
  evidence_owner_.erase(key);
  return true;
}

void IndicatorEngine::forget(PersonKey owner, std::string_view evidence_id) {
  PersonState& state = existingState(owner);
  // Those who shared a group with the person saw the record too, even if it was a membership.
  touchWithGroups(owner, state);
  const size_t memberships = state.records.memberships.size();
  state.records.remove(evidence_id);
  if (state.records.memberships.size() != memberships) regroup(owner, state);
}

void IndicatorEngine::touchWithGroups(PersonKey person, PersonState& state) {
  touch(person, state);
  for (const std::string& group : state.groups) {
    for (const PersonKey mate : group_members_.at(group)) {
      if (mate != person) touch(mate, existingState(mate));
    }
  }
}

void IndicatorEngine::regroup(PersonKey person, PersonState& state) {
  std::set<std::string> groups;
  for (const auto& membership : state.records.memberships) {
    if (!membership.record->group.empty()) groups.insert(groupKey(*membership.record));
  }
  for (const std::string& left : state.groups) {
    if (groups.count(left) != 0) continue;
    auto& members = group_members_.at(left);
    members.erase(person);
    if (members.empty()) group_members_.erase(left);
  }
  for (const std::string& joined : groups) group_members_[joined].insert(person);
  state.groups = std::move(groups);
  touchWithGroups(person, state);
}

// A homelessness case's duties and placements are filed under its main applicant and name the
// case, which is the household group of its People section.
LinkedRecords IndicatorEngine::linkedRecords(PersonKey person, const PersonView& view) const {
  LinkedRecords linked;
  std::set<std::string> seen;
  for (const auto& membership : view.memberships) {
    const std::string key = groupKey(membership.record);
    const auto group = group_members_.find(key);
    if (group == group_members_.end() || !seen.insert(key).second) continue;
    // Only the two kinds a household shares are read: not the mate's whole view.
    for (const PersonKey mate : group->second) {
      if (mate == person) continue;
      const PersonRecords& records = existingState(mate).records;
      addCaseRecords(records, membership.record.group, linked);
      if (membership.record.relationship == "Child" && isMotherIn(records, membership.record)) {
        addMotherRecords(records, linked);
      }
    }
  }
  return linked;
}

// Deferred to evaluate(): a census return's school headers arrive one by one among its pupils,
// and walking every person for each of them made a whole council's derive quadratic.
void IndicatorEngine::touchAll() { touch_all_ = true; }

void IndicatorEngine::touch(PersonKey person, PersonState& state) {
  if (state.touched) return;
  state.touched = true;
  touched_.push_back(person);
}

Evaluation IndicatorEngine::evaluate() {
  Evaluation evaluation;
  if (touch_all_) {
    touch_all_ = false;
    persons_.forEach(
        [&](PersonKey person, std::unique_ptr<PersonState>& state) { touch(person, *state); });
  }
  std::sort(touched_.begin(), touched_.end());
  // In batches: what the rules make of each person's records is worked out for a batch at once
  // (on several threads), then the totals and facts move person by person, in order. A batch
  // holds its people's outcomes only, not their views.
  constexpr size_t kBatch = 1024;
  std::vector<Assessment> batch;
  batch.reserve(std::min(kBatch, touched_.size()));
  for (size_t begin = 0; begin < touched_.size(); begin += kBatch) {
    const size_t end = std::min(touched_.size(), begin + kBatch);
    batch.clear();
    for (size_t i = begin; i < end; ++i) {
      auto* found = persons_.find(touched_[i]);
      if (found == nullptr) continue;
      Assessment& assessment = batch.emplace_back();
      assessment.person = touched_[i];
      assessment.state = found->get();
    }
    assessAll(batch);
    for (Assessment& assessment : batch) {
      settle(assessment, evaluation);
      if (assessment.state->records.empty()) persons_.erase(assessment.person);
    }
  }
  evaluation.persons_recomputed = touched_.size();
  touched_.clear();

  // A change to one cell can hide or show others of its slot (secondary suppression), so each
  // slot with a change is disclosed whole, and a cell is published when its numbers or its
  // suppression changed.
  std::vector<size_t> changed_slots;
  for (const auto& [s, key] : dirty_) {
    slots_[s].cells.at(*key).dirty = false;
    changed_slots.push_back(s);
  }
  std::sort(changed_slots.begin(), changed_slots.end());
  changed_slots.erase(std::unique(changed_slots.begin(), changed_slots.end()), changed_slots.end());
  for (const size_t s : changed_slots) {
    Slot& slot = slots_[s];
    std::vector<IndicatorValue> published = publishedValues(slot);
    size_t at = 0;
    for (auto& [key, cell] : slot.cells) {
      IndicatorValue& value = published[at++];
      if (cell.published && cell.numerator == cell.published_numerator &&
          cell.denominator == cell.published_denominator &&
          cell.not_computable == cell.published_not_computable &&
          value.suppressed == cell.published_suppressed) {
        continue;
      }
      cell.published = true;
      cell.published_numerator = cell.numerator;
      cell.published_denominator = cell.denominator;
      cell.published_not_computable = cell.not_computable;
      cell.published_suppressed = value.suppressed;
      evaluation.values.push_back(std::move(value));
    }
  }
  dirty_.clear();
  return evaluation;
}

void IndicatorEngine::assess(Assessment& assessment) const {
  const PersonState& state = *assessment.state;
  PersonView view = buildPersonView(state.records);
  view.linked = linkedRecords(assessment.person, view);
  const RuleContext context{working_days_, postcodes_, &config_.schools, &census_schools_};
  for (const Period& period : config_.periods) {
    assessment.labels.push_back(labelsFor(view.attributes, period));
  }
  // Most people count in few of the slots: only their outcomes are kept, in slot order.
  for (size_t s = 0; s < slots_.size(); ++s) {
    const Slot& slot = slots_[s];
    Outcome outcome = slot.definition->assess(view, *slot.period, context);
    if (outcome == kNothing) continue;
    citeEventsOnce(outcome.cohort_evidence);
    citeEventsOnce(outcome.numerator_evidence);
    assessment.outcomes.emplace_back(static_cast<uint32_t>(s), std::move(outcome));
  }
  assessment.family_id = view.attributes.family_id;
}

void IndicatorEngine::assessAll(std::span<Assessment> assessments) const {
  // Below this many, a thread costs more than it saves.
  constexpr size_t kPerThread = 64;
  const size_t threads = std::clamp<size_t>(assessments.size() / kPerThread, 1,
                                            std::max(1u, config_.evaluate_threads));
  if (threads == 1) {
    for (Assessment& assessment : assessments) assess(assessment);
    return;
  }
  // Each thread takes a share; this one the first. The pool rethrows what a share threw once
  // they have all finished.
  const size_t share = (assessments.size() + threads - 1) / threads;
  workers_->run(threads, [&](size_t t) {
    const size_t begin = t * share;
    const size_t end = std::min(assessments.size(), begin + share);
    for (size_t i = begin; i < end; ++i) assess(assessments[i]);
  });
}

void IndicatorEngine::settle(Assessment& assessment, Evaluation& evaluation) {
  PersonState& state = *assessment.state;
  state.touched = false;
  if (state.labels.empty()) state.labels = assessment.labels;
  const size_t periods = config_.periods.size();
  const bool family_moved = assessment.family_id != state.family_id;
  // The slots the person counted in before and counts in now, in slot order: a slot in neither
  // moves no total and makes no fact.
  const auto& was = state.outcomes;
  const auto& now = assessment.outcomes;
  for (size_t i = 0, j = 0; i < was.size() || j < now.size();) {
    const uint32_t s = j == now.size() || (i < was.size() && was[i].first < now[j].first)
                           ? was[i].first
                           : now[j].first;
    const Outcome& before = i < was.size() && was[i].first == s ? was[i++].second : kNothing;
    const Outcome& after = j < now.size() && now[j].first == s ? now[j++].second : kNothing;
    const size_t p = s % periods;
    if (after != before || assessment.labels[p] != state.labels[p] || family_moved) {
      apply(s, before, state.labels[p], state.family_id, -1);
      apply(s, after, assessment.labels[p], assessment.family_id, +1);
      addFacts(assessment.person, slots_[s], before, after, evaluation.facts);
    }
  }
  if (finishing_) {
    // No evaluation follows to compare with them: each batch's outcomes go with the batch, where
    // a council's would all be held at once (the height of its derive).
    std::vector<std::pair<uint32_t, Outcome>>().swap(state.outcomes);
    std::vector<Labels>().swap(state.labels);
    return;
  }
  state.outcomes = std::move(assessment.outcomes);
  state.labels = std::move(assessment.labels);
  state.family_id = std::move(assessment.family_id);
}

IndicatorEngine::Labels IndicatorEngine::labelsFor(const PersonAttributes& attributes,
                                                   const Period& period) const {
  Labels labels;
  labels[static_cast<size_t>(Breakdown::kAgeBand)] = ageBand(attributes.birth_date, period.end);
  labels[static_cast<size_t>(Breakdown::kSex)] = sexLabel(attributes.sex);
  labels[static_cast<size_t>(Breakdown::kEthnicityGroup)] = ethnicityGroup(attributes.ethnicity);
  labels[static_cast<size_t>(Breakdown::kLocalArea)] = localArea(attributes.postcode, postcodes_);
  labels[static_cast<size_t>(Breakdown::kAdultAgeBand)] =
      adultAgeBand(attributes.birth_date, period.end);
  return labels;
}

void IndicatorEngine::apply(size_t s, const Outcome& outcome, const Labels& labels,
                            const std::string& family_id, int sign) {
  const bool counted = outcome.cohort != 0 || outcome.numerator != 0 || outcome.not_computable != 0;
  // A person may count only in the rule's own breakdown (a pupil whose school is unknown).
  if (!counted && outcome.parts.empty()) return;
  Slot& slot = slots_[s];
  if (counted) {
    bump(s, kHeadline, outcome, sign);
    for (const Breakdown breakdown : slot.definition->breakdowns) {
      bump(s,
           {std::string(breakdownName(breakdown)),
            std::string(labels[static_cast<size_t>(breakdown)])},
           outcome, sign);
    }
  }
  for (const OutcomePart& part : outcome.parts) {
    Outcome piece;
    piece.cohort = part.cohort;
    piece.numerator = part.numerator;
    bump(s, {std::string(slot.definition->parts_breakdown), part.value}, piece, sign);
  }
  if (!slot.definition->counts_families || outcome.numerator == 0 || family_id.empty()) return;
  // A family is counted while any of its people is.
  int& people = slot.people_per_family[family_id];
  const bool was_counted = people > 0;
  people += sign;
  if (was_counted != (people > 0)) {
    Outcome one;
    one.numerator = 1;
    bump(s, kFamilies, one, people > 0 ? +1 : -1);
  }
  if (people == 0) slot.people_per_family.erase(family_id);
}

void IndicatorEngine::bump(size_t s, const CellKey& key, const Outcome& outcome, int sign) {
  auto [it, inserted] = slots_[s].cells.try_emplace(key);
  Cell& cell = it->second;
  cell.numerator += sign * outcome.numerator;
  cell.denominator += sign * outcome.cohort;
  cell.not_computable += sign * outcome.not_computable;
  for (const uint8_t band : outcome.numerator_age_bands) cell.numerator_by_band[band] += sign;
  if (!cell.dirty) {
    cell.dirty = true;
    dirty_.emplace_back(s, &it->first);
  }
}

void IndicatorEngine::addFacts(PersonKey person, const Slot& slot, const Outcome& before,
                               const Outcome& after, std::deque<IndicatorFact>& facts) const {
  const auto record = [&](FactSet set, bool was, bool is, const std::optional<Date>& date_before,
                          const std::optional<Date>& date_after,
                          const std::vector<std::string>& evidence_before,
                          const std::vector<std::string>& evidence_after) {
    if (was == is) return;
    IndicatorFact fact;
    fact.person = person;
    fact.indicator_id = slot.definition->id;
    fact.indicator_version = slot.definition->version;
    fact.period = *slot.period;
    fact.change = is ? FactChange::kEntered : FactChange::kLeft;
    fact.set = set;
    fact.date = is ? date_after : date_before;
    fact.evidence_ids = is ? evidence_after : evidence_before;
    facts.push_back(std::move(fact));
  };
  // Counts have no person-level cohort: only the numerator is a fact about the person.
  if (slot.definition->denominator_kind == DenominatorKind::kCohort) {
    record(FactSet::kCohort, before.cohort > 0, after.cohort > 0, before.cohort_date,
           after.cohort_date, before.cohort_evidence, after.cohort_evidence);
  }
  record(FactSet::kNumerator, before.numerator > 0, after.numerator > 0, before.numerator_date,
         after.numerator_date, before.numerator_evidence, after.numerator_evidence);
}

const DisclosureConvention& IndicatorEngine::conventionOf(
    const IndicatorDefinition& definition) const {
  if (const auto it = config_.disclosure.find(definition.family); it != config_.disclosure.end()) {
    return it->second;
  }
  // Housing publishes council counts as they are; a family whose publisher rounds or suppresses
  // differently (health) says so in configuration (indicators.disclosure).
  static const DisclosureConvention kHousing = *disclosureConvention("housing");
  if (definition.family == "housing") return kHousing;
  return threshold_convention_;
}

std::vector<IndicatorValue> IndicatorEngine::publishedValues(const Slot& slot) const {
  std::vector<IndicatorValue> values;
  values.reserve(slot.cells.size());
  for (const auto& [key, cell] : slot.cells) values.push_back(valueOf(slot, key, cell));
  applyDisclosure(std::span<IndicatorValue>(values), conventionOf(*slot.definition));
  return values;
}

IndicatorValue IndicatorEngine::valueOf(const Slot& slot, const CellKey& key,
                                        const Cell& cell) const {
  const IndicatorDefinition& definition = *slot.definition;
  IndicatorValue v;
  v.indicator_id = std::string(definition.id);
  v.indicator_version = definition.version;
  v.period = *slot.period;
  v.area = key.first == kLocalArea ? key.second : config_.area_code;
  v.breakdown_name = key.first;
  v.breakdown_value = key.second;
  const double snapshots = definition.averaged_over;
  v.numerator = cell.numerator / snapshots;
  v.value = v.numerator;
  v.unit = "count";
  const bool headline = key == kHeadline;
  if (definition.denominator_kind == DenominatorKind::kCohort && key != kFamilies) {
    v.denominator = cell.denominator / snapshots;
    v.value = cell.denominator > 0 ? cell.numerator / cell.denominator * kPercent : 0.0;
    v.unit = std::string(definition.unit);
  } else if (definition.denominator_kind == DenominatorKind::kPopulation && headline &&
             config_.population_0_17 > 0) {
    // Breakdown cells have no population of their own, so only the headline is a rate.
    v.denominator = config_.population_0_17;
    v.value = cell.numerator * kPer10000 / config_.population_0_17;
    v.unit = std::string(definition.unit);
  } else if (definition.denominator_kind == DenominatorKind::kStandardPopulation && headline &&
             !config_.population_by_age.empty()) {
    const int first = standardBand(definition.standardised_from_age);
    const std::optional<double> rate =
        directlyStandardisedRate(cell.numerator_by_band, residents_by_band_, first);
    if (rate) {
      double residents = 0;
      for (int b = first; b < kStandardBands; ++b) {
        residents += residents_by_band_[static_cast<size_t>(b)];
      }
      v.denominator = residents;
      v.value = *rate;
      v.unit = std::string(definition.unit);
    }
  }
  if (definition.counts_not_computable) v.not_computable = cell.not_computable;
  return v;
}

std::vector<IndicatorValue> IndicatorEngine::values(bool headlines_only) const {
  std::vector<IndicatorValue> out;
  for (const Slot& slot : slots_) {
    for (IndicatorValue& value : publishedValues(slot)) {
      if (headlines_only && !value.breakdown_name.empty()) continue;
      out.push_back(std::move(value));
    }
  }
  return out;
}

}  // namespace hearth::pipelines::indicators
