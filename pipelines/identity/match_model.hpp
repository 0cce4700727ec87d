#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pipelines/identity/comparison.hpp"
#include "pipelines/identity/record_features.hpp"

namespace hearth::pipelines::identity {

/// Per-level probabilities of one field, indexed by level (index 0, missing, is unused).
using LevelProbabilities = std::array<double, kMaxLevels>;
using FieldProbabilities = std::array<LevelProbabilities, kFieldCount>;

/// A Fellegi-Sunter model: m (level given match), u (level given non-match) and the prior that a
/// random pair of records is a match, plus name frequencies for term-frequency adjustment.
struct MatchModel {
  FieldProbabilities m{};
  FieldProbabilities u{};
  double prior = 1e-6;
  /// Share of records carrying each normalised name.
  std::unordered_map<std::string, double> given_frequency;
  std::unordered_map<std::string, double> family_frequency;
  /// Frequency assumed for a name the model has never seen (one record's share).
  double unseen_frequency = 1.0;
  int em_iterations = 0;
  bool em_converged = false;
  /// Candidate pairs that look like two members of one household (same family name and home or
  /// e-mail, other given name and birth date), scaled to all candidates.
  double household_pairs = 0.0;
  /// Set when household pairs are common (one per 200 records or more). Then siblings, twins and
  /// parents are among the records: a pair with the same family name but clearly different
  /// given names is held for review instead of linked, and a shared e-mail or telephone counts
  /// as household evidence, grouped with postcode, address and locality. Data without
  /// households (FEBRL, where a duplicate's given name is often replaced outright) keeps the
  /// plain model.
  bool households_present = false;
  /// Set when EM's estimate of the matches was more than the value frequencies allow (more
  /// matching pairs agreeing on a level than pairs agreeing on it at all), so u was not taken as
  /// the random pairs less those matches but from the values of the groups that identifiers link.
  bool u_from_linked_groups = false;

  /// log2(m/u) of `level`; 0 for the missing level, so a missing value is neutral.
  double levelWeight(Field field, int level) const;
  /// log2(prior / (1 - prior)).
  double priorWeight() const;
  /// Extra weight for exact agreement on `name`: log2(average share / this name's share), so a
  /// rare family name counts for more than "smith". Only for the two name fields.
  double termAdjustment(Field field, std::string_view name) const;
};

/// How many candidate pairs showed one comparison vector.
struct PatternCount {
  ComparisonVector vector;
  std::uint64_t count = 0;
};

struct EmOptions {
  int max_iterations = 200;
  double tolerance = 1e-7;  ///< Largest change of any m, u or the candidate match share.
};

/// u estimated from the whole population: exact-agreement levels from value frequencies (exact
/// sums of squares), the other levels from `samples` random record pairs drawn with `seed` from
/// the records in content order (so the same records in another order draw the same pairs).
/// With `group_of` (a group number for every record: the records identifiers link share one),
/// also writes `by_group`: the same u with each value of the exact levels counted once per
/// group, so that a person's own records, where identifiers tell, do not count as people who
/// share a value. The pairs are compared on up to `threads` threads, with the same result.
FieldProbabilities estimateRandomPairU(const FeatureStore& store, std::size_t samples,
                                       std::uint64_t seed, bool use_extra_id,
                                       std::span<const std::uint32_t> group_of = {},
                                       FieldProbabilities* by_group = nullptr,
                                       unsigned threads = 1);

/// Estimates m by expectation-maximisation over the candidate pairs' comparison vectors, with u
/// starting from `random_u`. Inside the candidate set, u is re-estimated too (blocking makes
/// candidates agree far more often than random pairs); the returned model keeps the candidate m,
/// takes u from the population (random pairs less the estimated matches among them) and turns
/// the estimated number of matches into a population prior over `total_pairs` record pairs.
/// When those matches are more than `random_u` allows (at some level, more matching pairs
/// agreeing than pairs agreeing at all), taking them out would leave u at its floor and weigh a
/// birth date like an NHS number: u is then `u_by_group` as it stands (if given), and the model
/// says so (u_from_linked_groups).
MatchModel estimateModel(std::span<const PatternCount> candidates,
                         const FieldProbabilities& random_u, double total_pairs,
                         const EmOptions& options = {},
                         const FieldProbabilities* u_by_group = nullptr);

/// Fills the model's name frequency tables from the records in `store`.
void setTermFrequencies(MatchModel& model, const FeatureStore& store);

/// 2^w / (1 + 2^w).
double matchProbability(double match_weight);

}  // namespace hearth::pipelines::identity
