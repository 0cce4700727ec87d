#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "pipelines/events/key_hash_map.hpp"
#include "pipelines/identity/record_features.hpp"

namespace hearth::pipelines::identity {

/// Blocking rules: two records become a candidate pair when they share the key of any rule.
/// The union is meant to cover the true pairs. Each rule also has a refinement key: in a block
/// grown past BlockingIndex's refinement size (common names in a big population) only records
/// that also share the refinement key are paired, so pair counts stay near linear while small
/// data sets keep the broad rules. Order matters only for de-duplication: a pair is produced by
/// the first rule that holds.
enum class BlockingRule : std::uint8_t {
  kNhsNumber,                  ///< Refined by birth date.
  kUpn,                        ///< Refined by birth date.
  kExtraId,                    ///< Refined by birth date.
  kBirthDate,                  ///< Refined by family name initial.
  kFamilySoundexBirthYear,     ///< Refined by given name initial.
  kGivenPrefixPostcodeSector,  ///< First three letters of the formal given name; refined by
                               ///< family name initial.
  kPostcodeBirthYear,          ///< Refined by family name initial.
  kPostcodeFamilySoundex,      ///< Refined by given name initial.
  kNameSoundexes,      ///< Given and family soundex in either order, so swapped names still meet;
                       ///< refined by birth month.
  kHouseNumberStreet,  ///< House number and the first four letters of the street: a household,
                       ///< found even when names, birth date and postcode are all mistyped;
                       ///< refined by family name initial.
  kStreetPostcode,     ///< First four letters of the street and the postcode, for addresses
                       ///< without a house number; refined by family name initial.
  kStreetLocality,     ///< First four letters of the street and the locality, for a mistyped
                       ///< postcode as well; refined by family name initial.
  // For records without postcode, address or identifier (housing applicants, adult social care
  // contacts): each holds only when the record has the fields, so a record missing the usual
  // keys still meets its duplicates through whichever fields it does carry.
  kEmail,                  ///< The whole e-mail address; refined by given name initial.
  kEmailLocalPart,         ///< The mailbox name, for a mistyped or changed domain; refined by
                           ///< given name initial.
  kPhone,                  ///< Telephone number; refined by given name initial.
  kBirthDateGivenPrefix,   ///< Birth date and the first two letters of the formal given name, for
                           ///< a family name missing or changed (marriage, a typo in its first
                           ///< letter) in a population where birth date blocks are refined.
  kFamilySoundexLocality,  ///< Family soundex and town; refined by given name initial.
  kGivenPrefixLocality,    ///< First three letters of the formal given name and the town, for a
                           ///< family name and birth date both missing or mistyped; refined by
                           ///< family name initial.
};
inline constexpr int kBlockingRuleCount = 18;

/// Each rule's key for one record (0 when the record lacks a field the rule needs) and its
/// refinement key.
struct BlockingKeys {
  std::array<std::uint64_t, kBlockingRuleCount> key{};
  std::array<std::uint32_t, kBlockingRuleCount> refinement{};
};

/// One record in a block, with its refinement key at hand so big blocks are split without
/// touching every member's features.
struct BlockMember {
  std::uint32_t record;
  std::uint32_t refinement;
};
using Block = std::vector<BlockMember>;

/// How the records sharing one key are paired.
enum class BlockPairing : std::uint8_t {
  kNone,     ///< No such block, a single record, or too big even to refine.
  kWhole,    ///< Every pair in the block.
  kRefined,  ///< Only pairs that share the refinement key too.
};

std::string_view ruleName(BlockingRule rule);

/// False for the rules keyed on what a household shares (e-mail, telephone) or on a name within
/// a town: their pairs are mostly relatives and neighbours (siblings on a parent's e-mail, a
/// family name common in one town), and EM fed with them learns "same family, same contact" as
/// the mark of one person. Their pairs are scored with the model the other rules' pairs taught.
bool trainsModel(int rule);

BlockingKeys blockingKeys(const FeatureStore& store, std::uint32_t record, bool use_extra_id);

/// Records grouped by blocking key, rule by rule; members of a block are kept in insertion
/// (record index) order. Blocks over `refine_above` records are paired by refinement key;
/// blocks over `max_block_size` are not paired at all: a key that common (a default date, a
/// placeholder postcode) is not evidence, and the other rules still cover the pairs that matter.
class BlockingIndex {
 public:
  explicit BlockingIndex(std::size_t max_block_size = 5000, std::size_t refine_above = 48)
      : max_block_size_(max_block_size), refine_above_(refine_above) {}

  void insert(std::uint32_t record, const BlockingKeys& keys);
  /// Files `record` under its key of one rule only. Calls for different rules touch nothing in
  /// common: each rule may be filed by a thread of its own.
  void insertRule(int rule, std::uint32_t record, const BlockingKeys& keys);
  const Block* block(int rule, std::uint64_t key) const;

  BlockPairing pairing(int rule, std::uint64_t key) const;
  BlockPairing pairingForSize(std::size_t members) const;

  /// The blocks of `rule` that are paired at all, in key order (for a deterministic batch).
  std::vector<const Block*> pairedBlocks(int rule) const;
  /// How many blocks of any rule are over the size limit.
  std::size_t oversizedBlocks() const;

 private:
  std::size_t max_block_size_;
  std::size_t refine_above_;
  // One rule's blocks: a flat table from key to the block's place in a list, where a node map
  // cost each of a council's millions of keys an allocation and a division per lookup, and
  // every candidate pair looks up the blocks of the rules before its own.
  struct RuleBlocks {
    FlatHashMap<std::uint64_t, std::uint32_t> place;
    std::vector<std::uint64_t> keys;  // by place
    std::vector<Block> blocks;        // by place
  };
  std::array<RuleBlocks, kBlockingRuleCount> rules_;
};

/// True when a pair found under `rule` was already produced by an earlier rule.
bool producedByEarlierRule(const BlockingIndex& index, int rule, const BlockingKeys& a,
                           const BlockingKeys& b);

}  // namespace hearth::pipelines::identity
