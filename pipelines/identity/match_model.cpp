#include "pipelines/identity/match_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "pipelines/identity/run_parallel.hpp"

namespace hearth::pipelines::identity {
namespace {

constexpr double kProbabilityFloor = 1e-9;
// No agreement is treated as impossible between different people: a mistyped NHS number can
// still collide, so even an equal identifier weighs at most log2(1 / 1e-7), about 23 bits.
constexpr double kNonMatchFloor = 1e-7;
constexpr double kMaxTermAdjustment = 10.0;

int fieldIndex(Field field) { return static_cast<int>(field); }

// Chance that two different records, drawn at random, share a value: sum of c(c-1) / n(n-1).
// (Sum of squared shares would count each record paired with itself.)
double sameValueChance(double same_value_pairs, double records) {
  return records < 2.0 ? 0.0 : same_value_pairs / (records * (records - 1.0));
}

double sameValueChance(const std::vector<std::uint64_t>& counts) {
  double records = 0.0;
  double pairs = 0.0;
  for (const std::uint64_t count : counts) {
    const double c = static_cast<double>(count);
    records += c;
    pairs += c * (c - 1.0);
  }
  return sameValueChance(pairs, records);
}

// How many groups carry each value, for values numbered densely (a pool's ids, 0 for none).
// Records are met group by group, so a value met again in the group of its last meeting is the
// same group's and is not counted twice.
class GroupCounts {
 public:
  explicit GroupCounts(std::size_t ids) : counts_(ids, 0), last_group_(ids, kNoGroup) {}
  void add(std::uint32_t id, std::uint32_t group) {
    if (id == 0 || last_group_[id] == group) return;
    last_group_[id] = group;
    ++counts_[id];
  }
  double sameValueChance() const { return identity::sameValueChance(counts_); }

 private:
  static constexpr std::uint32_t kNoGroup = UINT32_MAX;
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint32_t> last_group_;
};

// The same for values that are not numbered densely (a birth date's code, an NHS number).
template <typename Key>
class SparseGroupCounts {
 public:
  void add(Key key, std::uint32_t group) {
    const auto [it, added] = counts_.try_emplace(key, Count{0, group});
    if (!added && it->second.last_group == group) return;
    it->second.last_group = group;
    ++it->second.groups;
  }
  double sameValueChance() const {
    double records = 0.0;
    double pairs = 0.0;
    for (const auto& [key, count] : counts_) {
      const double c = static_cast<double>(count.groups);
      records += c;
      pairs += c * (c - 1.0);
    }
    return identity::sameValueChance(pairs, records);
  }

 private:
  struct Count {
    std::uint64_t groups;
    std::uint32_t last_group;
  };
  std::unordered_map<Key, Count> counts_;
};

// Chance that two random records agree exactly, field by field and level by level, where a value
// frequency gives it exactly (a sample would see a 1-in-30,000 birth date agreement too rarely).
struct ExactAgreement {
  std::array<std::array<double, kMaxLevels>, kFieldCount> value{};
  std::array<std::array<bool, kMaxLevels>, kFieldCount> known{};

  void set(Field field, int level, double probability) {
    value[fieldIndex(field)][level] = probability;
    known[fieldIndex(field)][level] = true;
  }
};

// The exact levels' chances over groups of records: `group_of` gives each record's group (none:
// every record is a group of its own), and a value counts once per group.
ExactAgreement exactAgreement(const FeatureStore& store, bool use_extra_id,
                              std::span<const std::uint32_t> group_of) {
  GroupCounts given(store.names().size());
  GroupCounts family(store.names().size());
  GroupCounts postcode(store.postcodes().size());
  GroupCounts sector(store.postcodes().size());
  GroupCounts district(store.postcodes().size());
  GroupCounts upn(store.identifiers().size());
  GroupCounts extra(store.identifiers().size());
  GroupCounts address(store.places().size());
  GroupCounts locality(store.places().size());
  GroupCounts email(store.contacts().size());
  GroupCounts phone(store.contacts().size());
  SparseGroupCounts<std::uint32_t> birth;
  SparseGroupCounts<std::uint64_t> nhs;
  // The records group by group: a counting sort of the records by group, in record order within
  // each.
  const auto records = static_cast<std::uint32_t>(store.size());
  std::vector<std::uint32_t> in_groups(records);
  if (group_of.empty()) {
    for (std::uint32_t i = 0; i < records; ++i) in_groups[i] = i;
  } else {
    std::vector<std::uint32_t> start(records + 1, 0);
    for (std::uint32_t i = 0; i < records; ++i) ++start[group_of[i] + 1];
    for (std::uint32_t g = 0; g < records; ++g) start[g + 1] += start[g];
    for (std::uint32_t i = 0; i < records; ++i) in_groups[start[group_of[i]]++] = i;
  }
  for (const std::uint32_t i : in_groups) {
    const RecordFeatures& f = store[i];
    const std::uint32_t group = group_of.empty() ? i : group_of[i];
    given.add(f.given, group);
    family.add(f.family, group);
    if (f.postcode != 0) {
      postcode.add(f.postcode, group);
      sector.add(f.sector, group);
      district.add(f.district, group);
    }
    upn.add(f.upn, group);
    extra.add(f.extra_id, group);
    address.add(f.address, group);
    locality.add(f.locality, group);
    email.add(f.email, group);
    phone.add(f.phone, group);
    if (f.has_birth) {
      birth.add((static_cast<std::uint32_t>(static_cast<std::uint16_t>(f.birth_year)) << 16) |
                    (static_cast<std::uint32_t>(f.birth_month) << 8) | f.birth_day,
                group);
    }
    if (f.nhs_present) nhs.add(f.nhs, group);
  }
  ExactAgreement out;
  out.set(Field::kGivenName, name_level::kExact, given.sameValueChance());
  out.set(Field::kFamilyName, name_level::kExact, family.sameValueChance());
  out.set(Field::kBirthDate, date_level::kExact, birth.sameValueChance());
  const double same_postcode = postcode.sameValueChance();
  const double same_sector = sector.sameValueChance();
  const double same_district = district.sameValueChance();
  out.set(Field::kPostcode, postcode_level::kExact, same_postcode);
  out.set(Field::kPostcode, postcode_level::kSector, std::max(0.0, same_sector - same_postcode));
  out.set(Field::kPostcode, postcode_level::kDistrict, std::max(0.0, same_district - same_sector));
  out.set(Field::kNhsNumber, identifier_level::kEqual, nhs.sameValueChance());
  out.set(Field::kUpn, identifier_level::kEqual, upn.sameValueChance());
  if (use_extra_id) out.set(Field::kExtraId, identifier_level::kEqual, extra.sameValueChance());
  out.set(Field::kAddressLine, address_level::kExact, address.sameValueChance());
  out.set(Field::kLocality, locality_level::kExact, locality.sameValueChance());
  out.set(Field::kEmail, email_level::kExact, email.sameValueChance());
  out.set(Field::kPhone, phone_level::kExact, phone.sameValueChance());
  return out;
}

// Blends the exactly known levels with the sampled shares of the others, so each field's
// non-missing levels sum to one and no level is zero.
FieldProbabilities blend(
    const ExactAgreement& exact,
    const std::array<std::array<std::uint64_t, kMaxLevels>, kFieldCount>& seen) {
  FieldProbabilities u{};
  for (const Field field : kAllFields) {
    const int f = fieldIndex(field);
    const int levels = levelCount(field);
    double known_total = 0.0;
    double sampled_total = 0.0;
    for (int l = 1; l < levels; ++l) {
      if (exact.known[f][l]) {
        known_total += exact.value[f][l];
      } else {
        sampled_total += static_cast<double>(seen[f][l]) + 0.5;
      }
    }
    const double rest = std::max(1.0 - known_total, 1e-6);
    for (int l = 1; l < levels; ++l) {
      u[f][l] = exact.known[f][l] ? exact.value[f][l]
                                  : rest * (static_cast<double>(seen[f][l]) + 0.5) / sampled_total;
      u[f][l] = std::max(u[f][l], kProbabilityFloor);
    }
  }
  return u;
}

// Starting m: most matches agree exactly; the rest spread over the weaker levels.
FieldProbabilities startingM() {
  FieldProbabilities m{};
  for (const Field field : kAllFields) {
    const int f = fieldIndex(field);
    const int levels = levelCount(field);
    m[f][1] = 0.85;
    for (int l = 2; l < levels; ++l) m[f][l] = 0.15 / static_cast<double>(levels - 2);
  }
  return m;
}

struct EmState {
  FieldProbabilities m{};
  FieldProbabilities u{};
  double match_share = 0.1;
};

// One expectation-maximisation step; returns the largest parameter change.
double emStep(std::span<const PatternCount> candidates, EmState& state) {
  FieldProbabilities m_sum{};
  FieldProbabilities u_sum{};
  double match_total = 0.0;
  double all_total = 0.0;
  const double prior_odds = state.match_share / (1.0 - state.match_share);
  for (const PatternCount& pattern : candidates) {
    double log_ratio = 0.0;
    for (const Field field : kAllFields) {
      const int l = pattern.vector.level(field);
      if (l == kMissingLevel) continue;
      const int f = fieldIndex(field);
      log_ratio += std::log(state.m[f][l]) - std::log(state.u[f][l]);
    }
    const double odds = prior_odds * std::exp(std::min(log_ratio, 700.0));
    const double posterior = std::isinf(odds) ? 1.0 : odds / (1.0 + odds);
    const double count = static_cast<double>(pattern.count);
    match_total += count * posterior;
    all_total += count;
    for (const Field field : kAllFields) {
      const int l = pattern.vector.level(field);
      if (l == kMissingLevel) continue;
      const int f = fieldIndex(field);
      m_sum[f][l] += count * posterior;
      u_sum[f][l] += count * (1.0 - posterior);
    }
  }

  double change = 0.0;
  const double share = std::clamp(match_total / std::max(all_total, 1.0), 1e-9, 1.0 - 1e-9);
  change = std::max(change, std::abs(share - state.match_share));
  state.match_share = share;
  for (const Field field : kAllFields) {
    const int f = fieldIndex(field);
    const int levels = levelCount(field);
    double m_total = 0.0;
    double u_total = 0.0;
    for (int l = 1; l < levels; ++l) {
      m_total += m_sum[f][l];
      u_total += u_sum[f][l];
    }
    if (m_total <= 0.0 || u_total <= 0.0) continue;  // Field never observed: keep start values.
    for (int l = 1; l < levels; ++l) {
      const double m = std::max(m_sum[f][l] / m_total, kProbabilityFloor);
      const double u = std::max(u_sum[f][l] / u_total, kProbabilityFloor);
      change = std::max({change, std::abs(m - state.m[f][l]), std::abs(u - state.u[f][l])});
      state.m[f][l] = m;
      state.u[f][l] = u;
    }
  }
  return change;
}

}  // namespace

double MatchModel::levelWeight(Field field, int level) const {
  if (level == kMissingLevel) return 0.0;
  const int f = fieldIndex(field);
  return std::log2(std::max(m[f][level], kProbabilityFloor) /
                   std::max(u[f][level], kProbabilityFloor));
}

double MatchModel::priorWeight() const { return std::log2(prior / (1.0 - prior)); }

double MatchModel::termAdjustment(Field field, std::string_view name) const {
  const bool given = field == Field::kGivenName;
  if (!given && field != Field::kFamilyName) return 0.0;
  const auto& table = given ? given_frequency : family_frequency;
  // Exact agreement on a name with share f: m/f instead of m/u, so the adjustment is log2(u/f).
  const double average = u[fieldIndex(field)][name_level::kExact];
  const auto it = table.find(std::string(name));
  const double share = it == table.end() ? unseen_frequency : it->second;
  return std::clamp(std::log2(average / share), -kMaxTermAdjustment, kMaxTermAdjustment);
}

FieldProbabilities estimateRandomPairU(const FeatureStore& store, std::size_t samples,
                                       std::uint64_t seed, bool use_extra_id,
                                       std::span<const std::uint32_t> group_of,
                                       FieldProbabilities* by_group, unsigned threads) {
  using LevelCounts = std::array<std::array<std::uint64_t, kMaxLevels>, kFieldCount>;
  LevelCounts seen{};
  const auto records = static_cast<std::uint32_t>(store.size());
  if (records >= 2) {
    // The pairs are drawn from the records in the order of what they say, so the same records
    // given in any order draw the same pairs (and the model, the links and the persons follow).
    // They are all drawn first, in the generator's order, and then compared a slice at a time
    // on as many threads: the counts are sums, the same in whatever order the slices finish.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    {
      const std::vector<std::uint32_t> by_content = inContentOrder(store, 0, records);
      std::mt19937_64 random(seed);
      std::uniform_int_distribution<std::uint32_t> pick(0, records - 1);
      pairs.reserve(samples);
      for (std::size_t s = 0; s < samples; ++s) {
        const std::uint32_t a = by_content[pick(random)];
        const std::uint32_t b = by_content[pick(random)];
        if (a != b) pairs.emplace_back(a, b);
      }
    }
    constexpr std::size_t kSlice = 32'768;
    std::vector<LevelCounts> seen_in_slice((pairs.size() + kSlice - 1) / kSlice);
    runParallel(seen_in_slice.size(), threads, [&](std::size_t slice) {
      LevelCounts& counts = seen_in_slice[slice];  // zero, as the list was made
      const std::size_t end = std::min(pairs.size(), (slice + 1) * kSlice);
      for (std::size_t i = slice * kSlice; i < end; ++i) {
        const ComparisonVector vector =
            compareRecords(store, pairs[i].first, pairs[i].second, use_extra_id);
        for (const Field field : kAllFields) ++counts[fieldIndex(field)][vector.level(field)];
      }
    });
    for (const LevelCounts& counts : seen_in_slice) {
      for (std::size_t f = 0; f < seen.size(); ++f) {
        for (std::size_t l = 0; l < seen[f].size(); ++l) seen[f][l] += counts[f][l];
      }
    }
  }
  // The values' frequencies over records and, when asked, over groups: one on each thread.
  const bool grouped = by_group != nullptr && group_of.size() == store.size();
  std::array<ExactAgreement, 2> exact;
  runParallel(grouped ? 2 : 1, threads, [&](std::size_t which) {
    exact[which] = exactAgreement(store, use_extra_id,
                                  which == 0 ? std::span<const std::uint32_t>() : group_of);
  });
  if (grouped) *by_group = blend(exact[1], seen);
  return blend(exact[0], seen);
}

MatchModel estimateModel(std::span<const PatternCount> candidates,
                         const FieldProbabilities& random_u, double total_pairs,
                         const EmOptions& options, const FieldProbabilities* u_by_group) {
  EmState state;
  state.m = startingM();
  state.u = random_u;
  MatchModel model;
  for (model.em_iterations = 0; model.em_iterations < options.max_iterations;) {
    ++model.em_iterations;
    if (emStep(candidates, state) < options.tolerance) {
      model.em_converged = true;
      break;
    }
  }
  double candidate_pairs = 0.0;
  for (const PatternCount& pattern : candidates) {
    candidate_pairs += static_cast<double>(pattern.count);
  }
  model.m = state.m;
  const double expected_matches = state.match_share * candidate_pairs;
  // Random pairs include the true matches; take their share out so u describes non-matches.
  // That needs the matches to fit the random pairs: at no level may more matching pairs agree
  // than pairs agree at all. EM's share of a sample of the blocks, scaled to all pairs, can
  // break that (a council's blocks hold households and namesakes far more densely than the
  // sample suggests); taken out, it would leave a birth date or postcode at u's floor, as strong
  // as an NHS number. Then u comes from the values of the groups identifiers link instead.
  const double pairs = std::max(total_pairs, expected_matches + 1.0);
  bool matches_fit = true;
  for (const Field field : kAllFields) {
    const int f = fieldIndex(field);
    for (int l = 1; l < levelCount(field); ++l) {
      if (model.m[f][l] * expected_matches > random_u[f][l] * pairs) matches_fit = false;
    }
  }
  model.u_from_linked_groups = !matches_fit && u_by_group != nullptr;
  for (const Field field : kAllFields) {
    const int f = fieldIndex(field);
    for (int l = 1; l < levelCount(field); ++l) {
      const double non_match = model.u_from_linked_groups
                                   ? (*u_by_group)[f][l]
                                   : (random_u[f][l] * pairs - model.m[f][l] * expected_matches) /
                                         (pairs - expected_matches);
      model.u[f][l] = std::max(non_match, kNonMatchFloor);
    }
  }
  // A field no candidate pair carried (no addresses in this source, say) taught EM nothing: its
  // m is still the starting guess, which against a floored u would make a first agreement on it
  // worth 20-odd bits. Such a field stays neutral (m = u) until a model is estimated with it.
  std::array<bool, kFieldCount> observed{};
  for (const PatternCount& pattern : candidates) {
    for (const Field field : kAllFields) {
      if (pattern.vector.level(field) != kMissingLevel) observed[fieldIndex(field)] = true;
    }
  }
  for (const Field field : kAllFields) {
    if (!observed[fieldIndex(field)]) model.m[fieldIndex(field)] = model.u[fieldIndex(field)];
  }
  model.prior = std::clamp(expected_matches / std::max(total_pairs, 1.0), 1e-12, 0.5);
  return model;
}

void setTermFrequencies(MatchModel& model, const FeatureStore& store) {
  auto fill = [&](const std::vector<std::uint32_t>& counts,
                  std::unordered_map<std::string, double>& table) {
    double total = 0.0;
    for (const std::uint32_t count : counts) total += count;
    table.clear();
    for (std::uint32_t id = 1; id < counts.size(); ++id) {
      if (counts[id] != 0) table.emplace(store.names().text(id), counts[id] / total);
    }
    return total;
  };
  const double given_total = fill(store.givenCounts(), model.given_frequency);
  const double family_total = fill(store.familyCounts(), model.family_frequency);
  model.unseen_frequency = 1.0 / std::max({given_total, family_total, 1.0});
}

double matchProbability(double match_weight) {
  const double odds = std::exp2(std::clamp(match_weight, -200.0, 200.0));
  return odds / (1.0 + odds);
}

}  // namespace hearth::pipelines::identity
