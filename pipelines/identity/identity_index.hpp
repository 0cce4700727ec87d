#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pipelines/events/key_hash_map.hpp"
#include "pipelines/identity/blocking.hpp"
#include "pipelines/identity/clustering.hpp"
#include "pipelines/identity/comparison.hpp"
#include "pipelines/identity/match_model.hpp"
#include "pipelines/identity/person_record.hpp"
#include "pipelines/identity/record_features.hpp"

namespace hearth::pipelines::identity {

/// Settings of one identity index.
struct LinkageConfig {
  double link_threshold = 0.95;         ///< Match probability at or above which a pair is linked.
  double review_threshold = 0.85;       ///< Lower edge of the review band (held, not linked).
  bool use_extra_id = true;             ///< Compare and block on PersonRecord::extra_id.
  std::size_t max_block_size = 5000;    ///< Larger blocks are not paired at all.
  std::size_t refine_block_above = 48;  ///< Larger blocks are paired by refinement key.
  unsigned threads = 2;
  std::size_t u_samples = 1'000'000;  ///< Random pairs drawn to estimate u.
  std::size_t em_pairs = 2'000'000;   ///< About this many candidate pairs feed EM (a fixed
                                      ///< subset of the blocks when there are more).
  std::uint64_t seed = 0x4865617274685fULL;
  EmOptions em;
  bool keep_candidate_pairs = false;  ///< Keep every candidate pair, to measure blocking recall.
};

/// Why two records were linked.
enum class LinkTier : std::uint8_t {
  kNhsAndBirthDate,  ///< Valid NHS number (mod 11) and the same birth date.
  kUpnAndBirthDate,  ///< Valid UPN (check letter) and the same birth date.
  kLocalId,          ///< The same local id within one source system.
  kProbabilistic,    ///< Fellegi-Sunter match probability at or above the link threshold.
  kReviewer,         ///< A reviewer's force-link.
  /// A valid former UPN equal to another record's UPN (or former UPN) and the same birth date.
  kFormerUpnAndBirthDate,
  kUlnAndBirthDate,  ///< Valid ULN (mod 11) and the same birth date.
};
std::string_view tierName(LinkTier tier);

/// A scored record pair: an accepted link or a review item. a < b.
struct ScoredPair {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  LinkTier tier = LinkTier::kProbabilistic;
  ComparisonVector comparison;
  double match_weight = 0.0;       ///< log2 odds, prior included.
  double match_probability = 0.0;  ///< 1 for deterministic and reviewer links.
};

/// One field's part in a pair's score, for audit ("why were these two linked?").
struct ComparisonReason {
  Field field;
  std::string_view level;
  double weight = 0.0;  ///< log2(m/u) plus any term-frequency adjustment; 0 when missing, and 0
                        ///< for a location field whose agreement a stronger one already counts.
};

/// A reviewer's decision about two records. A later decision about the same pair replaces an
/// earlier one, which is how a merge or an unmerge is reversed.
struct ReviewerDecision {
  enum class Kind : std::uint8_t { kForceLink, kCannotLink };
  Kind kind = Kind::kForceLink;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
};

struct LinkageStats {
  std::size_t records = 0;
  std::size_t candidate_pairs = 0;  ///< Distinct blocked pairs scored (batch and additions).
  std::size_t oversized_blocks = 0;
  std::size_t deterministic_links = 0;
  std::size_t probabilistic_links = 0;
  std::size_t review_pairs = 0;
  double build_seconds = 0.0;
};

/// What one call to IdentityIndex::add did.
struct AddSummary {
  std::uint32_t first_index = 0;
  std::size_t records = 0;
  std::size_t candidate_pairs = 0;
  std::size_t links = 0;
  std::size_t reviews = 0;
};

/// A set of record pairs, each as pairKey() gives it (the smaller index in the high half), in one
/// flat table: scoring asks of every pair above the review threshold whether identifiers have
/// linked it already.
class PairSet {
 public:
  bool insert(std::uint64_t pair) { return set_.tryEmplace(spread(pair)).second; }
  bool contains(std::uint64_t pair) const { return set_.contains(spread(pair)); }
  void clear() { set_.clear(); }

 private:
  struct Nothing {};
  // The table takes a key's low bits as its slot, and a pair's low half is a record index: the
  // pairs of one record would crowd together. A bijection that mixes every bit into the low ones
  // (MurmurHash3's 64-bit finaliser) spreads them, and distinct pairs stay distinct.
  static std::uint64_t spread(std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  }
  FlatHashMap<std::uint64_t, Nothing> set_;
};

/// The identity-resolution engine: deterministic tiers, then Fellegi-Sunter over blocked pairs,
/// then clustering that honours reviewer decisions. Pure computation: the daemon feeds records
/// and decisions in and publishes the links, review items and person ids it reads out.
class IdentityIndex {
 public:
  explicit IdentityIndex(LinkageConfig config = {});

  /// Batch: replaces the contents with `records` (indices assigned 0..n-1 in order) and estimates
  /// the model by EM from these records. Same input, same result.
  void build(std::vector<PersonRecord> records);
  /// Fills `part` with the next records (whatever it held before goes) and returns true, or
  /// returns false when there are no more.
  using RecordSource = std::function<bool(std::vector<PersonRecord>& part)>;
  /// As above, the records asked for a part at a time, indices following the order they come in.
  /// Only their features stay, so a caller that makes a council's (hundreds of thousands of
  /// 472-byte records) need never hold them all: it fills the same list again and again.
  /// `expected_records` is room to take at once, a hint.
  void build(const RecordSource& next, std::size_t expected_records = 0);
  /// Batch with a model estimated earlier (as a rebuild or a comparison with streaming needs).
  void build(std::vector<PersonRecord> records, MatchModel model);

  /// Streaming: appends `records` (indices continue from size()), scores only their candidate
  /// pairs with the current model and joins them into the existing clusters.
  AddSummary add(std::vector<PersonRecord> records);

  /// Records reviewer decisions and re-clusters from the kept links.
  void applyDecisions(std::span<const ReviewerDecision> decisions);

  /// Lets go of what only add() and applyDecisions() build on, and of the pairs it found: the
  /// blocking index, the first record holding each identifier, the deterministic pairs, the
  /// links and the review band (a council's come to some 250 MB). For an index that takes
  /// nothing more and whose links and reviews were read, as the last of a one-shot run:
  /// explain(), score() and personOf() still answer; links() and pendingReviews() are empty. A
  /// caller with more records or decisions builds a new index instead.
  void releaseForAdding();
  /// Whether releaseForAdding() was called: add() and applyDecisions() may not be.
  bool releasedForAdding() const { return released_for_adding_; }

  std::size_t size() const { return store_.size(); }
  /// The person id of `record`: the smallest record index in its cluster.
  std::uint32_t personOf(std::uint32_t record) const { return clusters_.personOf(record); }
  std::vector<std::uint32_t> personIds() const;

  /// Accepted links (deterministic, probabilistic and reviewer), each with its score.
  const std::vector<ScoredPair>& links() const { return links_; }
  /// Review-band pairs still open: in different clusters and not decided by a reviewer.
  std::vector<ScoredPair> pendingReviews() const;
  /// Every pair that fell in the review band, decided or not.
  const std::vector<ScoredPair>& reviewBand() const { return reviews_; }

  /// Field-by-field weights behind a pair's score.
  std::vector<ComparisonReason> explain(const ScoredPair& pair) const;
  /// Asks the processor for what explain(pair) reads of the pair's records: a loop explaining
  /// many pairs asks a few pairs ahead, so that the misses of a big index overlap.
  void prefetchExplanation(const ScoredPair& pair) const {
    if (pair.a < store_.size()) __builtin_prefetch(&store_[pair.a]);
  }
  /// Scores any two records of the index with the current model.
  ScoredPair score(std::uint32_t a, std::uint32_t b) const;

  const MatchModel& model() const { return model_; }
  const LinkageStats& stats() const { return stats_; }
  const LinkageConfig& config() const { return config_; }
  /// All candidate pairs (a < b), when config().keep_candidate_pairs.
  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& candidatePairs() const {
    return candidate_pairs_;
  }

 private:
  struct BlockWork {
    int rule;
    const Block* members;
  };
  /// The paired blocks in a fixed order, cut into chunks of similar pair counts.
  struct BlockPlan {
    std::vector<BlockWork> work;
    std::vector<std::size_t> chunk_starts;
    std::vector<std::uint64_t> chunk_block_pairs;  ///< Pairs in each chunk before de-duplication.
    std::size_t chunks() const { return chunk_starts.size() - 1; }
  };

  using Clock = std::chrono::steady_clock;
  void reset();
  /// Stores the features of `records` (freeing them) and files them: fileIngested.
  void ingest(std::vector<PersonRecord>& records);
  /// What ingesting ends with, once the features of records first..size()-1 are stored: their
  /// deterministic links and their places in the blocks.
  void fileIngested(std::uint32_t first);
  /// What a batch build does once every record is ingested; `start` is when it began.
  void linkIngested(Clock::time_point start);
  void addDeterministicLinks(std::uint32_t record);
  BlockPlan planBlocks() const;
  template <typename Visit>
  void visitChunk(const BlockPlan& plan, std::size_t chunk, Visit visit) const;
  /// Each record's group of the records identifiers have linked (as a group number).
  std::vector<std::uint32_t> identifierGroups() const;
  void estimateFromCandidates(const BlockPlan& plan);
  void prepareScoring();
  void extendTermAdjustments();
  using FieldWeights = std::array<double, kFieldCount>;
  /// Each field's part of a pair's weight (term adjustments and location grouping applied).
  FieldWeights fieldWeights(std::uint32_t a, ComparisonVector comparison) const;
  double weightOf(std::uint32_t a, std::uint32_t b, ComparisonVector comparison) const;
  /// The match probability of `weight`, held under the link threshold for a pair that looks
  /// like two relatives rather than one person (see MatchModel::households_present).
  double linkProbability(ComparisonVector comparison, double weight) const;
  void scoreCandidates(const BlockPlan& plan);
  void keepScored(const ScoredPair& pair);
  void finishBuild();
  void recluster();
  /// The last reviewer decision about each pair, by pair key.
  std::map<std::uint64_t, ReviewerDecision::Kind> latestDecisions() const;
  /// Keeps the two records of each review pair from `first_review` on that looks like two
  /// relatives apart (when the data holds households), unless a reviewer or a deterministic
  /// tier joined them.
  void keepRelativesApart(std::size_t first_review,
                          const std::map<std::uint64_t, ReviewerDecision::Kind>& decided);

  LinkageConfig config_;
  FeatureStore store_;
  BlockingIndex blocks_;
  MatchModel model_;
  std::array<std::array<double, kMaxLevels>, kFieldCount> level_weights_{};
  double prior_weight_ = 0.0;
  std::vector<double> given_adjustment_;  ///< Term-frequency weight by names-pool id.
  std::vector<double> family_adjustment_;
  /// The first record holding each key: NHS number, UPN (current or former), local id, ULN.
  std::array<FlatHashMap<std::uint64_t, std::uint32_t>, 4> first_with_key_;
  PairSet deterministic_pairs_;
  std::vector<ScoredPair> links_;
  std::vector<ScoredPair> reviews_;
  std::vector<ReviewerDecision> decisions_;
  ConstrainedClusters clusters_;
  LinkageStats stats_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> candidate_pairs_;
  bool released_for_adding_ = false;
};

}  // namespace hearth::pipelines::identity
