#include "pipelines/identity/identity_index.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <map>

#include "pipelines/common/parallel_sort.hpp"
#include "pipelines/identity/run_parallel.hpp"

namespace hearth::pipelines::identity {
namespace {

// Household pairs per record above which the data is taken to hold families (see
// MatchModel::households_present).
constexpr double kHouseholdShare = 0.005;

// Enough pairs per chunk that thread hand-off is cheap, few enough that two threads balance.
constexpr std::uint64_t kPairsPerChunk = 250'000;

std::uint64_t pairKey(std::uint32_t a, std::uint32_t b) {
  if (a > b) std::swap(a, b);
  return (std::uint64_t{a} << 32) | b;
}

std::uint64_t birthCode(const RecordFeatures& f) {
  return (static_cast<std::uint64_t>(static_cast<std::uint16_t>(f.birth_year)) << 16) |
         (static_cast<std::uint64_t>(f.birth_month) << 8) | f.birth_day;
}

// Links strongest first; links of equal weight (common: the same pattern of agreements) in the
// order of what their records say, so the union a cannot-link refuses is the same in whatever
// order the records came. `content` holds each record's content key.
struct StrongerFirst {
  const std::vector<std::uint64_t>& content;

  std::pair<std::uint64_t, std::uint64_t> contentOf(const ScoredPair& pair) const {
    return std::minmax(content[pair.a], content[pair.b]);
  }
  bool operator()(const ScoredPair& x, const ScoredPair& y) const {
    if (x.match_weight != y.match_weight) return x.match_weight > y.match_weight;
    const auto cx = contentOf(x);
    const auto cy = contentOf(y);
    if (cx != cy) return cx < cy;
    return pairKey(x.a, x.b) < pairKey(y.a, y.b);
  }
};

// Two members of one household: the same family name and the same address line, e-mail or
// telephone, other given names and birth dates. A postcode or town alone does not count: it
// holds many families of one name.
bool looksLikeHousehold(ComparisonVector comparison) {
  if (comparison.level(Field::kFamilyName) != name_level::kExact ||
      comparison.level(Field::kGivenName) != name_level::kDifferent ||
      comparison.level(Field::kBirthDate) != date_level::kDifferent) {
    return false;
  }
  return comparison.level(Field::kAddressLine) == address_level::kExact ||
         comparison.level(Field::kEmail) == email_level::kExact ||
         comparison.level(Field::kPhone) == phone_level::kExact;
}

// Relatives share a family name, a home, often the family's e-mail and, for twins, the birth
// date: the fields are not independent for them, so the model, which adds their weights, would
// link them. Where the data holds households, clearly different given names (Jaro-Winkler under
// 0.88, and no nickname, swap or typo explains them) on a pair that agrees on the family name
// hold it for review at most, whatever the other fields say.
bool looksLikeRelatives(ComparisonVector comparison) {
  const int family = comparison.level(Field::kFamilyName);
  return comparison.level(Field::kGivenName) >= name_level::kJaroWinkler70 &&
         family >= name_level::kExact && family <= name_level::kJaroWinkler88;
}

}  // namespace

std::string_view tierName(LinkTier tier) {
  switch (tier) {
    case LinkTier::kNhsAndBirthDate:
      return "nhs_number+birth_date";
    case LinkTier::kUpnAndBirthDate:
      return "upn+birth_date";
    case LinkTier::kLocalId:
      return "local_id";
    case LinkTier::kProbabilistic:
      return "probabilistic";
    case LinkTier::kReviewer:
      return "reviewer";
    case LinkTier::kFormerUpnAndBirthDate:
      return "former_upn+birth_date";
    case LinkTier::kUlnAndBirthDate:
      return "uln+birth_date";
  }
  return "";
}

IdentityIndex::IdentityIndex(LinkageConfig config)
    : config_(config), blocks_(config.max_block_size, config.refine_block_above) {}

void IdentityIndex::releaseForAdding() {
  blocks_ = BlockingIndex(config_.max_block_size, config_.refine_block_above);
  for (auto& keys : first_with_key_) keys = FlatHashMap<std::uint64_t, std::uint32_t>();
  deterministic_pairs_ = PairSet();
  std::vector<std::pair<std::uint32_t, std::uint32_t>>().swap(candidate_pairs_);
  std::vector<ScoredPair>().swap(links_);
  std::vector<ScoredPair>().swap(reviews_);
  std::vector<ReviewerDecision>().swap(decisions_);
  released_for_adding_ = true;
}

void IdentityIndex::reset() {
  released_for_adding_ = false;
  store_ = FeatureStore();
  blocks_ = BlockingIndex(config_.max_block_size, config_.refine_block_above);
  for (auto& keys : first_with_key_) keys.clear();
  deterministic_pairs_.clear();
  links_.clear();
  reviews_.clear();
  candidate_pairs_.clear();
  given_adjustment_.clear();
  family_adjustment_.clear();
  stats_ = LinkageStats();
}

void IdentityIndex::ingest(std::vector<PersonRecord>& records) {
  store_.reserve(store_.size() + records.size());
  const auto first = static_cast<std::uint32_t>(store_.size());
  for (const PersonRecord& record : records) store_.add(record);
  // The features hold all the engine needs; free the strings before pairing starts.
  std::vector<PersonRecord>().swap(records);
  fileIngested(first);
}

void IdentityIndex::fileIngested(std::uint32_t first) {
  stats_.records = store_.size();
  // The new records join their identifiers' groups in the order of what they say, not of their
  // indices: a group's first record, which the others link to, is then the same in whatever
  // order the records came.
  for (const std::uint32_t index :
       inContentOrder(store_, first, static_cast<std::uint32_t>(store_.size()))) {
    addDeterministicLinks(index);
  }

  // Into the blocks, each rule's by one thread: a rule's blocks are a map of their own, and the
  // features are only read now. A block lists its records in index order, as one thread would.
  // A council's first build files hundreds of thousands of records under 18 rules.
  const auto end = static_cast<std::uint32_t>(store_.size());
  constexpr std::uint32_t kWorthThreads = 20'000;
  const unsigned threads = end - first >= kWorthThreads ? std::max(config_.threads, 1u) : 1u;
  runParallel(threads, threads, [&](std::size_t part) {
    for (std::uint32_t index = first; index < end; ++index) {
      const BlockingKeys keys = blockingKeys(store_, index, config_.use_extra_id);
      for (auto rule = static_cast<int>(part); rule < kBlockingRuleCount;
           rule += static_cast<int>(threads)) {
        blocks_.insertRule(rule, index, keys);
      }
    }
  });
}

void IdentityIndex::addDeterministicLinks(std::uint32_t record) {
  const RecordFeatures& f = store_[record];
  const auto withBirth = [&](bool valid, std::uint64_t id) {
    return valid && f.has_birth ? mixKey(id, birthCode(f)) : 0;
  };
  // A former UPN shares the UPNs' keys (both are "upn:" ids): whichever of the two records
  // arrives first, the other finds it.
  struct Key {
    LinkTier tier;
    std::size_t holders;  // index into first_with_key_
    std::uint64_t key;
  };
  const std::array<Key, 5> keys = {{
      {LinkTier::kNhsAndBirthDate, 0, withBirth(f.nhs_verified, f.nhs)},
      {LinkTier::kUpnAndBirthDate, 1, withBirth(f.upn_valid, f.upn)},
      {LinkTier::kFormerUpnAndBirthDate, 1,
       f.former_upn == f.upn ? 0 : withBirth(f.former_upn_valid, f.former_upn)},
      {LinkTier::kUlnAndBirthDate, 3, withBirth(f.uln_valid, f.uln)},
      {LinkTier::kLocalId, 2, f.local_key},
  }};
  for (const Key& k : keys) {
    if (k.key == 0) continue;
    const auto [first, inserted] = first_with_key_[k.holders].tryEmplace(k.key, record);
    if (inserted || *first == record) continue;
    // The identifiers a pupil's records add (former UPN, ULN) mostly confirm a pair the UPN
    // already linked: no second link for it.
    const bool confirming =
        k.tier == LinkTier::kFormerUpnAndBirthDate || k.tier == LinkTier::kUlnAndBirthDate;
    if (confirming && deterministic_pairs_.contains(pairKey(*first, record))) continue;
    // Star links to the group's first record (first in content order within one ingest, see
    // ingest()): one link per record.
    ScoredPair link;
    link.a = std::min(*first, record);
    link.b = std::max(*first, record);
    link.tier = k.tier;
    link.comparison = compareRecords(store_, link.a, link.b, config_.use_extra_id);
    link.match_weight = 0.0;
    link.match_probability = 1.0;
    links_.push_back(link);
    deterministic_pairs_.insert(pairKey(link.a, link.b));
    ++stats_.deterministic_links;
  }
}

IdentityIndex::BlockPlan IdentityIndex::planBlocks() const {
  BlockPlan plan;
  plan.chunk_starts.push_back(0);
  std::uint64_t pairs_in_chunk = 0;
  for (int rule = 0; rule < kBlockingRuleCount; ++rule) {
    for (const auto* members : blocks_.pairedBlocks(rule)) {
      plan.work.push_back({rule, members});
      const std::uint64_t n = members->size();
      pairs_in_chunk += n * (n - 1) / 2;
      if (pairs_in_chunk >= kPairsPerChunk) {
        plan.chunk_starts.push_back(plan.work.size());
        plan.chunk_block_pairs.push_back(pairs_in_chunk);
        pairs_in_chunk = 0;
      }
    }
  }
  if (plan.chunk_starts.back() != plan.work.size()) {
    plan.chunk_starts.push_back(plan.work.size());
    plan.chunk_block_pairs.push_back(pairs_in_chunk);
  }
  return plan;
}

template <typename Visit>
void IdentityIndex::visitChunk(const BlockPlan& plan, std::size_t chunk, Visit visit) const {
  std::vector<BlockMember> group;
  std::vector<BlockingKeys> keys;
  for (std::size_t w = plan.chunk_starts[chunk]; w < plan.chunk_starts[chunk + 1]; ++w) {
    const Block& members = *plan.work[w].members;
    const int rule = plan.work[w].rule;
    // A big block is paired only within runs of equal refinement key; a stable sort keeps
    // record order inside each run.
    group.assign(members.begin(), members.end());
    const bool refined = blocks_.pairingForSize(members.size()) == BlockPairing::kRefined;
    if (refined) {
      std::stable_sort(group.begin(), group.end(), [](const BlockMember& x, const BlockMember& y) {
        return x.refinement < y.refinement;
      });
    }
    keys.resize(group.size());
    for (std::size_t i = 0; i < group.size(); ++i) {
      keys[i] = blockingKeys(store_, group[i].record, config_.use_extra_id);
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      for (std::size_t j = i + 1; j < group.size(); ++j) {
        if (refined && group[j].refinement != group[i].refinement) break;
        if (producedByEarlierRule(blocks_, rule, keys[i], keys[j])) continue;
        visit(rule, group[i].record, group[j].record,
              compareRecords(store_, group[i].record, group[j].record, config_.use_extra_id));
      }
    }
  }
}

// Each record's group of the records its identifiers link (the links made so far are theirs),
// numbered by the group's smallest record index.
std::vector<std::uint32_t> IdentityIndex::identifierGroups() const {
  ConstrainedClusters groups;
  groups.reset(store_.size());
  for (const ScoredPair& link : links_) groups.link(link.a, link.b);
  std::vector<std::uint32_t> group(store_.size());
  for (std::uint32_t r = 0; r < group.size(); ++r) group[r] = groups.personOf(r);
  return group;
}

// EM needs the shape of the candidate pairs, not all of them: it reads every k-th chunk (a fixed
// choice, so results stay deterministic) and scales the match count up to all the blocks. The
// scoring pass then compares again rather than holding tens of millions of pairs in memory.
void IdentityIndex::estimateFromCandidates(const BlockPlan& plan) {
  std::uint64_t all_block_pairs = 0;
  for (const std::uint64_t pairs : plan.chunk_block_pairs) all_block_pairs += pairs;
  const std::size_t stride =
      std::max<std::size_t>(1, all_block_pairs / std::max<std::size_t>(config_.em_pairs, 1));
  std::vector<std::size_t> sampled;
  std::uint64_t sampled_block_pairs = 0;
  for (std::size_t c = 0; c < plan.chunks(); c += stride) {
    sampled.push_back(c);
    sampled_block_pairs += plan.chunk_block_pairs[c];
  }
  std::vector<std::unordered_map<std::uint64_t, std::uint64_t>> counted(sampled.size());
  std::vector<std::uint64_t> households(sampled.size(), 0);
  runParallel(sampled.size(), config_.threads, [&](std::size_t s) {
    visitChunk(plan, sampled[s],
               [&](int rule, std::uint32_t, std::uint32_t, ComparisonVector comparison) {
                 if (trainsModel(rule)) ++counted[s][comparison.packed()];
                 if (looksLikeHousehold(comparison)) ++households[s];
               });
  });
  std::map<std::uint64_t, std::uint64_t> merged;  // Ordered: EM sums in a fixed order.
  for (const auto& chunk : counted) {
    for (const auto& [packed, count] : chunk) merged[packed] += count;
  }
  std::vector<PatternCount> patterns;
  patterns.reserve(merged.size());
  for (const auto& [packed, count] : merged) patterns.push_back({ComparisonVector(packed), count});

  // Where identifiers link records, a value counts once per group of them: the model's fallback
  // when EM's matches do not fit the random pairs. Without such links (FEBRL, a file of names
  // and birth dates) there is nothing to fall back on, and the model stays as EM has it.
  FieldProbabilities u_by_group{};
  const std::vector<std::uint32_t> groups =
      links_.empty() ? std::vector<std::uint32_t>{} : identifierGroups();
  FieldProbabilities* const by_group = groups.empty() ? nullptr : &u_by_group;
  const FieldProbabilities random_u =
      estimateRandomPairU(store_, config_.u_samples, config_.seed, config_.use_extra_id, groups,
                          by_group, config_.threads);
  const double n = static_cast<double>(store_.size());
  const double scale = sampled_block_pairs == 0 ? 1.0
                                                : static_cast<double>(all_block_pairs) /
                                                      static_cast<double>(sampled_block_pairs);
  model_ = estimateModel(patterns, random_u, n * (n - 1) / 2 / scale, config_.em, by_group);
  setTermFrequencies(model_, store_);
  double household_pairs = 0.0;
  for (const std::uint64_t count : households) household_pairs += static_cast<double>(count);
  model_.household_pairs = household_pairs * scale;
  model_.households_present = model_.household_pairs >= kHouseholdShare * n;
}

void IdentityIndex::prepareScoring() {
  for (const Field field : kAllFields) {
    for (int level = 0; level < kMaxLevels; ++level) {
      level_weights_[static_cast<int>(field)][level] =
          level < levelCount(field) ? model_.levelWeight(field, level) : 0.0;
    }
  }
  prior_weight_ = model_.priorWeight();
  given_adjustment_.clear();
  family_adjustment_.clear();
  extendTermAdjustments();
}

void IdentityIndex::extendTermAdjustments() {
  const StringPool& names = store_.names();
  for (std::uint32_t id = static_cast<std::uint32_t>(given_adjustment_.size()); id < names.size();
       ++id) {
    given_adjustment_.push_back(model_.termAdjustment(Field::kGivenName, names.text(id)));
    family_adjustment_.push_back(model_.termAdjustment(Field::kFamilyName, names.text(id)));
  }
}

IdentityIndex::FieldWeights IdentityIndex::fieldWeights(std::uint32_t a,
                                                        ComparisonVector comparison) const {
  FieldWeights weights{};
  for (const Field field : kAllFields) {
    weights[static_cast<int>(field)] =
        level_weights_[static_cast<int>(field)][comparison.level(field)];
  }
  if (comparison.level(Field::kGivenName) == name_level::kExact) {
    weights[static_cast<int>(Field::kGivenName)] += given_adjustment_[store_[a].given];
  }
  if (comparison.level(Field::kFamilyName) == name_level::kExact) {
    weights[static_cast<int>(Field::kFamilyName)] += family_adjustment_[store_[a].family];
  }
  // Postcode, address line and locality describe one place: two different people at the same
  // address (a household, a care home) share all three, so agreement on them is not independent
  // evidence. Only the strongest agreement counts; the others' agreement is already implied by
  // it. Disagreements still count in full.
  // Where the data holds households, a shared e-mail or telephone is the household's as often
  // as the person's, so it joins the group.
  constexpr std::array<Field, 5> kHouseholdFields = {
      Field::kPostcode, Field::kAddressLine, Field::kLocality, Field::kEmail, Field::kPhone};
  const std::size_t grouped = model_.households_present ? 5 : 3;
  int strongest = -1;
  for (std::size_t i = 0; i < grouped; ++i) {
    const int f = static_cast<int>(kHouseholdFields[i]);
    if (weights[f] > 0.0 && (strongest < 0 || weights[f] > weights[strongest])) strongest = f;
  }
  for (std::size_t i = 0; i < grouped; ++i) {
    const int f = static_cast<int>(kHouseholdFields[i]);
    if (f != strongest && weights[f] > 0.0) weights[f] = 0.0;
  }
  return weights;
}

double IdentityIndex::linkProbability(ComparisonVector comparison, double weight) const {
  const double probability = matchProbability(weight);
  if (!model_.households_present || probability < config_.link_threshold ||
      !looksLikeRelatives(comparison)) {
    return probability;
  }
  // Just under the link threshold: a review item, never an automatic link.
  return std::nextafter(config_.link_threshold, 0.0);
}

double IdentityIndex::weightOf(std::uint32_t a, std::uint32_t /*b*/,
                               ComparisonVector comparison) const {
  double weight = prior_weight_;
  for (const double field_weight : fieldWeights(a, comparison)) weight += field_weight;
  return weight;
}

ScoredPair IdentityIndex::score(std::uint32_t a, std::uint32_t b) const {
  ScoredPair pair;
  pair.a = std::min(a, b);
  pair.b = std::max(a, b);
  pair.comparison = compareRecords(store_, pair.a, pair.b, config_.use_extra_id);
  pair.match_weight = weightOf(pair.a, pair.b, pair.comparison);
  pair.match_probability = linkProbability(pair.comparison, pair.match_weight);
  return pair;
}

void IdentityIndex::keepScored(const ScoredPair& pair) {
  if (pair.match_probability >= config_.link_threshold) {
    links_.push_back(pair);
    ++stats_.probabilistic_links;
  } else {
    reviews_.push_back(pair);
    ++stats_.review_pairs;
  }
}

void IdentityIndex::scoreCandidates(const BlockPlan& plan) {
  struct ChunkResult {
    std::vector<ScoredPair> kept;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> candidates;
    std::size_t count = 0;
  };
  std::vector<ChunkResult> results(plan.chunks());
  runParallel(plan.chunks(), config_.threads, [&](std::size_t c) {
    ChunkResult& out = results[c];
    visitChunk(plan, c, [&](int, std::uint32_t a, std::uint32_t b, ComparisonVector comparison) {
      ++out.count;
      if (config_.keep_candidate_pairs) out.candidates.emplace_back(a, b);
      const double weight = weightOf(a, b, comparison);
      const double probability = linkProbability(comparison, weight);
      if (probability < config_.review_threshold) return;
      if (deterministic_pairs_.contains(pairKey(a, b))) return;
      out.kept.push_back({a, b, LinkTier::kProbabilistic, comparison, weight, probability});
    });
  });
  // Room for the kept pairs at once: a whole council keeps a million, and a list grown by
  // doubling would hold up to twice their room for as long as the index lives.
  std::size_t kept_links = 0;
  std::size_t kept_reviews = 0;
  for (const ChunkResult& result : results) {
    for (const ScoredPair& pair : result.kept) {
      ++(pair.match_probability >= config_.link_threshold ? kept_links : kept_reviews);
    }
  }
  links_.reserve(links_.size() + kept_links);
  reviews_.reserve(reviews_.size() + kept_reviews);
  for (ChunkResult& result : results) {
    stats_.candidate_pairs += result.count;
    candidate_pairs_.insert(candidate_pairs_.end(), result.candidates.begin(),
                            result.candidates.end());
    for (const ScoredPair& pair : result.kept) keepScored(pair);
  }
}

void IdentityIndex::build(std::vector<PersonRecord> records) {
  const auto start = Clock::now();
  reset();
  ingest(records);
  linkIngested(start);
}

void IdentityIndex::build(const RecordSource& next, std::size_t expected_records) {
  const auto start = Clock::now();
  reset();
  store_.reserve(expected_records);
  {
    std::vector<PersonRecord> part;
    while (next(part)) {
      for (const PersonRecord& record : part) store_.add(record);
    }
  }
  fileIngested(0);
  linkIngested(start);
}

void IdentityIndex::build(std::vector<PersonRecord> records, MatchModel model) {
  const auto start = Clock::now();
  reset();
  model_ = std::move(model);
  ingest(records);
  const BlockPlan plan = planBlocks();
  prepareScoring();
  scoreCandidates(plan);
  finishBuild();
  stats_.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

void IdentityIndex::linkIngested(Clock::time_point start) {
  const BlockPlan plan = planBlocks();
  estimateFromCandidates(plan);
  prepareScoring();
  scoreCandidates(plan);
  finishBuild();
  stats_.build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
}

void IdentityIndex::finishBuild() {
  stats_.oversized_blocks = blocks_.oversizedBlocks();
  recluster();
}

AddSummary IdentityIndex::add(std::vector<PersonRecord> records) {
  assert(!released_for_adding_);
  AddSummary summary;
  summary.first_index = static_cast<std::uint32_t>(store_.size());
  summary.records = records.size();
  if (store_.size() == 0 && given_adjustment_.empty()) {
    // Nothing to learn from yet: the first batch estimates the model.
    build(std::move(records));
    summary.candidate_pairs = stats_.candidate_pairs;
    summary.links = links_.size();
    summary.reviews = reviews_.size();
    return summary;
  }
  const std::size_t links_before = links_.size();
  const std::size_t reviews_before = reviews_.size();
  ingest(records);
  extendTermAdjustments();
  clusters_.grow(store_.size());

  std::vector<ScoredPair> new_links;
  for (std::uint32_t record = summary.first_index; record < store_.size(); ++record) {
    const BlockingKeys keys = blockingKeys(store_, record, config_.use_extra_id);
    for (int rule = 0; rule < kBlockingRuleCount; ++rule) {
      const BlockPairing pairing = blocks_.pairing(rule, keys.key[rule]);
      if (pairing == BlockPairing::kNone) continue;
      // Pair only with earlier records: a later new record pairs with this one in its own turn.
      for (const BlockMember& member : *blocks_.block(rule, keys.key[rule])) {
        const std::uint32_t other = member.record;
        if (other >= record) break;
        if (pairing == BlockPairing::kRefined && member.refinement != keys.refinement[rule]) {
          continue;
        }
        const BlockingKeys other_keys = blockingKeys(store_, other, config_.use_extra_id);
        if (producedByEarlierRule(blocks_, rule, other_keys, keys)) continue;
        ++summary.candidate_pairs;
        if (config_.keep_candidate_pairs) candidate_pairs_.emplace_back(other, record);
        const ScoredPair pair = score(other, record);
        if (pair.match_probability < config_.review_threshold) continue;
        if (!deterministic_pairs_.contains(pairKey(other, record))) keepScored(pair);
      }
    }
  }
  stats_.candidate_pairs += summary.candidate_pairs;

  keepRelativesApart(reviews_before, latestDecisions());
  // Deterministic links first, then probabilistic ones strongest first, as in a batch.
  for (std::size_t i = links_before; i < links_.size(); ++i) {
    if (links_[i].tier != LinkTier::kProbabilistic) clusters_.link(links_[i].a, links_[i].b);
  }
  for (std::size_t i = links_before; i < links_.size(); ++i) {
    if (links_[i].tier == LinkTier::kProbabilistic) new_links.push_back(links_[i]);
  }
  const std::vector<std::uint64_t> content = contentKeys(store_);
  std::sort(new_links.begin(), new_links.end(), StrongerFirst{content});
  for (const ScoredPair& link : new_links) clusters_.link(link.a, link.b);

  summary.links = links_.size() - links_before;
  summary.reviews = reviews_.size() - reviews_before;
  return summary;
}

void IdentityIndex::applyDecisions(std::span<const ReviewerDecision> decisions) {
  assert(!released_for_adding_);
  decisions_.insert(decisions_.end(), decisions.begin(), decisions.end());
  recluster();
}

void IdentityIndex::keepRelativesApart(
    std::size_t first_review, const std::map<std::uint64_t, ReviewerDecision::Kind>& decided) {
  if (!model_.households_present) return;
  for (std::size_t i = first_review; i < reviews_.size(); ++i) {
    const ScoredPair& pair = reviews_[i];
    const std::uint64_t key = pairKey(pair.a, pair.b);
    if (!looksLikeRelatives(pair.comparison) || decided.contains(key) ||
        deterministic_pairs_.contains(key)) {
      continue;
    }
    // A record linked to both relatives (one without a given name, say) must not join them.
    if (!clusters_.sameCluster(pair.a, pair.b)) clusters_.forbid(pair.a, pair.b);
  }
}

std::map<std::uint64_t, ReviewerDecision::Kind> IdentityIndex::latestDecisions() const {
  std::map<std::uint64_t, ReviewerDecision::Kind> latest;  // Ordered: deterministic replay.
  for (const ReviewerDecision& decision : decisions_) {
    if (decision.a == decision.b || decision.a >= store_.size() || decision.b >= store_.size()) {
      continue;
    }
    latest[pairKey(decision.a, decision.b)] = decision.kind;
  }
  return latest;
}

void IdentityIndex::recluster() {
  clusters_.reset(store_.size());
  const auto latest = latestDecisions();
  for (const auto& [key, kind] : latest) {
    if (kind == ReviewerDecision::Kind::kCannotLink) {
      clusters_.forbid(static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key));
    }
  }
  keepRelativesApart(0, latest);
  for (const auto& [key, kind] : latest) {
    if (kind == ReviewerDecision::Kind::kForceLink) {
      clusters_.link(static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key));
    }
  }
  std::vector<const ScoredPair*> probabilistic;
  for (const ScoredPair& link : links_) {
    if (link.tier == LinkTier::kProbabilistic) {
      probabilistic.push_back(&link);
    } else {
      clusters_.link(link.a, link.b);
    }
  }
  // A council's first build has hundreds of thousands of links to order: each half of them on a
  // thread of its own. StrongerFirst is a total order, so they come out as one sort puts them.
  const std::vector<std::uint64_t> content = contentKeys(store_);
  pipelines::sortInParallel(
      probabilistic.begin(), probabilistic.end(),
      [stronger = StrongerFirst{content}](const ScoredPair* x, const ScoredPair* y) {
        return stronger(*x, *y);
      });
  for (const ScoredPair* link : probabilistic) clusters_.link(link->a, link->b);
}

std::vector<std::uint32_t> IdentityIndex::personIds() const {
  std::vector<std::uint32_t> ids(store_.size());
  for (std::uint32_t record = 0; record < ids.size(); ++record) ids[record] = personOf(record);
  return ids;
}

std::vector<ScoredPair> IdentityIndex::pendingReviews() const {
  std::unordered_set<std::uint64_t> decided;
  for (const ReviewerDecision& decision : decisions_)
    decided.insert(pairKey(decision.a, decision.b));
  std::vector<ScoredPair> open;
  for (const ScoredPair& pair : reviews_) {
    if (clusters_.sameCluster(pair.a, pair.b)) continue;
    if (decided.contains(pairKey(pair.a, pair.b))) continue;
    open.push_back(pair);
  }
  return open;
}

std::vector<ComparisonReason> IdentityIndex::explain(const ScoredPair& pair) const {
  std::vector<ComparisonReason> reasons;
  const FieldWeights weights = fieldWeights(pair.a, pair.comparison);
  for (const Field field : kAllFields) {
    const int level = pair.comparison.level(field);
    reasons.push_back({field, levelName(field, level), weights[static_cast<int>(field)]});
  }
  return reasons;
}

}  // namespace hearth::pipelines::identity
