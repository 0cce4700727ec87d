#include "pipelines/identity/blocking.hpp"

#include <algorithm>
#include <utility>

namespace hearth::pipelines::identity {
namespace {

std::uint64_t birthDateCode(const RecordFeatures& f) {
  return (static_cast<std::uint64_t>(static_cast<std::uint16_t>(f.birth_year)) << 16) |
         (static_cast<std::uint64_t>(f.birth_month) << 8) | f.birth_day;
}

// The first `length` characters of `text` packed into a number (at most eight).
std::uint64_t prefixCode(const std::string& text, std::size_t length) {
  std::uint64_t prefix = 0;
  for (std::size_t i = 0; i < length && i < text.size(); ++i) {
    prefix = (prefix << 8) | static_cast<unsigned char>(text[i]);
  }
  return prefix;
}

// The first letters of the formal given name, so "bill" and "william" share a block.
std::uint64_t givenPrefix(const FeatureStore& store, const RecordFeatures& f, std::size_t length) {
  return prefixCode(store.names().text(f.given_formal), length);
}

// The first four letters of the street (blanks already dropped), so a typo further along the
// name, a stray space or a missing house number still lands in the same block.
std::uint64_t streetPrefix(const FeatureStore& store, const RecordFeatures& f) {
  return prefixCode(store.places().text(f.street), 4);
}

}  // namespace

std::string_view ruleName(BlockingRule rule) {
  switch (rule) {
    case BlockingRule::kNhsNumber:
      return "nhs_number";
    case BlockingRule::kUpn:
      return "upn";
    case BlockingRule::kExtraId:
      return "extra_id";
    case BlockingRule::kBirthDate:
      return "birth_date";
    case BlockingRule::kFamilySoundexBirthYear:
      return "family_soundex+given_initial+birth_year";
    case BlockingRule::kGivenPrefixPostcodeSector:
      return "given_prefix+family_initial+postcode_sector";
    case BlockingRule::kPostcodeBirthYear:
      return "postcode+birth_year";
    case BlockingRule::kPostcodeFamilySoundex:
      return "postcode+family_soundex";
    case BlockingRule::kNameSoundexes:
      return "name_soundexes+birth_month";
    case BlockingRule::kHouseNumberStreet:
      return "house_number+street_prefix";
    case BlockingRule::kStreetPostcode:
      return "street_prefix+postcode";
    case BlockingRule::kStreetLocality:
      return "street_prefix+locality";
    case BlockingRule::kEmail:
      return "email";
    case BlockingRule::kEmailLocalPart:
      return "email_local_part";
    case BlockingRule::kPhone:
      return "phone";
    case BlockingRule::kBirthDateGivenPrefix:
      return "birth_date+given_prefix";
    case BlockingRule::kFamilySoundexLocality:
      return "family_soundex+locality";
    case BlockingRule::kGivenPrefixLocality:
      return "given_prefix+locality";
  }
  return "";
}

bool trainsModel(int rule) {
  switch (static_cast<BlockingRule>(rule)) {
    case BlockingRule::kEmail:
    case BlockingRule::kEmailLocalPart:
    case BlockingRule::kPhone:
    case BlockingRule::kFamilySoundexLocality:
    case BlockingRule::kGivenPrefixLocality:
      return false;
    default:
      return true;
  }
}

BlockingKeys blockingKeys(const FeatureStore& store, std::uint32_t record, bool use_extra_id) {
  const RecordFeatures& f = store[record];
  BlockingKeys keys;
  auto set = [&](BlockingRule rule, std::uint64_t value, std::uint64_t refinement) {
    keys.key[static_cast<int>(rule)] = mixKey(static_cast<std::uint64_t>(rule) + 1, value);
    keys.refinement[static_cast<int>(rule)] = static_cast<std::uint32_t>(refinement);
  };
  const std::string& given = store.names().text(f.given_formal);
  const std::string& family = store.names().text(f.family);
  const std::uint64_t given_initial = given.empty() ? 0 : static_cast<unsigned char>(given[0]);
  const std::uint64_t family_initial = family.empty() ? 0 : static_cast<unsigned char>(family[0]);
  const std::uint64_t birth = f.has_birth ? birthDateCode(f) : 0;
  // Keys are made of the texts' hashes, not their pool ids: ids follow the order the records
  // came in, and so would the order of the blocks (which EM samples by) with them.
  const std::uint64_t upn = store.identifiers().textHash(f.upn);
  const std::uint64_t extra_id = store.identifiers().textHash(f.extra_id);
  const std::uint64_t postcode = store.postcodes().textHash(f.postcode);
  const std::uint64_t sector = store.postcodes().textHash(f.sector);
  const std::uint64_t house_number = store.places().textHash(f.house_number);
  const std::uint64_t locality = store.places().textHash(f.locality);

  if (f.nhs_valid) set(BlockingRule::kNhsNumber, f.nhs, birth);
  if (f.upn != 0) set(BlockingRule::kUpn, upn, birth);
  if (use_extra_id && f.extra_id != 0) set(BlockingRule::kExtraId, extra_id, birth);
  if (f.has_birth) {
    const auto year = static_cast<std::uint64_t>(static_cast<std::uint16_t>(f.birth_year));
    set(BlockingRule::kBirthDate, birth, family_initial);
    if (f.family_soundex != 0) {
      set(BlockingRule::kFamilySoundexBirthYear, (std::uint64_t{f.family_soundex} << 16) | year,
          given_initial);
    }
    if (f.postcode != 0) {
      set(BlockingRule::kPostcodeBirthYear, mixKey(postcode, year), family_initial);
    }
  }
  if (f.given_formal != 0 && f.sector != 0) {
    set(BlockingRule::kGivenPrefixPostcodeSector, mixKey(givenPrefix(store, f, 3), sector),
        family_initial);
  }
  if (f.postcode != 0 && f.family_soundex != 0) {
    set(BlockingRule::kPostcodeFamilySoundex, mixKey(postcode, f.family_soundex), given_initial);
  }
  if (f.given_soundex != 0 && f.family_soundex != 0) {
    const std::uint64_t low = std::min(f.given_soundex, f.family_soundex);
    const std::uint64_t high = std::max(f.given_soundex, f.family_soundex);
    set(BlockingRule::kNameSoundexes, (high << 32) | low, f.has_birth ? f.birth_month : 0);
  }
  if (f.street != 0) {
    const std::uint64_t street = streetPrefix(store, f);
    if (f.house_number != 0) {
      set(BlockingRule::kHouseNumberStreet, mixKey(house_number, street), family_initial);
    }
    if (f.postcode != 0) {
      set(BlockingRule::kStreetPostcode, mixKey(postcode, street), family_initial);
    }
    if (f.locality != 0) {
      set(BlockingRule::kStreetLocality, mixKey(locality, street), family_initial);
    }
  }
  if (f.email != 0) set(BlockingRule::kEmail, store.contacts().textHash(f.email), given_initial);
  if (f.email_local != 0) {
    set(BlockingRule::kEmailLocalPart, store.contacts().textHash(f.email_local), given_initial);
  }
  if (f.phone != 0) set(BlockingRule::kPhone, store.contacts().textHash(f.phone), given_initial);
  if (f.has_birth && f.given_formal != 0) {
    set(BlockingRule::kBirthDateGivenPrefix, mixKey(birth, givenPrefix(store, f, 2)), 0);
  }
  if (f.locality != 0) {
    if (f.family_soundex != 0) {
      set(BlockingRule::kFamilySoundexLocality, mixKey(f.family_soundex, locality), given_initial);
    }
    if (f.given_formal != 0) {
      set(BlockingRule::kGivenPrefixLocality, mixKey(givenPrefix(store, f, 3), locality),
          family_initial);
    }
  }
  return keys;
}

void BlockingIndex::insert(std::uint32_t record, const BlockingKeys& keys) {
  for (int rule = 0; rule < kBlockingRuleCount; ++rule) insertRule(rule, record, keys);
}

void BlockingIndex::insertRule(int rule, std::uint32_t record, const BlockingKeys& keys) {
  const std::uint64_t key = keys.key[rule];
  if (key == 0) return;
  RuleBlocks& blocks = rules_[rule];
  const auto [place, added] =
      blocks.place.tryEmplace(key, static_cast<std::uint32_t>(blocks.blocks.size()));
  if (added) {
    blocks.keys.push_back(key);
    blocks.blocks.emplace_back();
  }
  blocks.blocks[*place].push_back({record, keys.refinement[rule]});
}

const Block* BlockingIndex::block(int rule, std::uint64_t key) const {
  const RuleBlocks& blocks = rules_[rule];
  const std::uint32_t* place = blocks.place.find(key);
  return place == nullptr ? nullptr : &blocks.blocks[*place];
}

BlockPairing BlockingIndex::pairingForSize(std::size_t members) const {
  if (members < 2 || members > max_block_size_) return BlockPairing::kNone;
  return members > refine_above_ ? BlockPairing::kRefined : BlockPairing::kWhole;
}

BlockPairing BlockingIndex::pairing(int rule, std::uint64_t key) const {
  if (key == 0) return BlockPairing::kNone;
  const auto* members = block(rule, key);
  return members == nullptr ? BlockPairing::kNone : pairingForSize(members->size());
}

std::vector<const Block*> BlockingIndex::pairedBlocks(int rule) const {
  const RuleBlocks& blocks = rules_[rule];
  std::vector<std::pair<std::uint64_t, const Block*>> keyed;
  for (std::size_t place = 0; place < blocks.blocks.size(); ++place) {
    const Block& members = blocks.blocks[place];
    if (pairingForSize(members.size()) != BlockPairing::kNone) {
      keyed.emplace_back(blocks.keys[place], &members);
    }
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<const Block*> out;
  out.reserve(keyed.size());
  for (const auto& entry : keyed) out.push_back(entry.second);
  return out;
}

std::size_t BlockingIndex::oversizedBlocks() const {
  std::size_t count = 0;
  for (const RuleBlocks& blocks : rules_) {
    for (const Block& members : blocks.blocks) {
      if (members.size() > max_block_size_) ++count;
    }
  }
  return count;
}

bool producedByEarlierRule(const BlockingIndex& index, int rule, const BlockingKeys& a,
                           const BlockingKeys& b) {
  for (int earlier = 0; earlier < rule; ++earlier) {
    if (a.key[earlier] == 0 || a.key[earlier] != b.key[earlier]) continue;
    const BlockPairing pairing = index.pairing(earlier, a.key[earlier]);
    if (pairing == BlockPairing::kWhole) return true;
    if (pairing == BlockPairing::kRefined && a.refinement[earlier] == b.refinement[earlier]) {
      return true;
    }
  }
  return false;
}

}  // namespace hearth::pipelines::identity
