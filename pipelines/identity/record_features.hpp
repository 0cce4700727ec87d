#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/identity/person_record.hpp"

namespace hearth::pipelines::identity {

/// Interned strings: each distinct text gets a small dense id, 0 standing for "missing".
class StringPool {
 public:
  StringPool();
  /// A copy holds the same ids but may grow apart from its original: it is another pool.
  StringPool(const StringPool& other);
  StringPool& operator=(const StringPool& other);
  StringPool(StringPool&& other) noexcept;
  StringPool& operator=(StringPool&& other) noexcept;
  ~StringPool() = default;

  /// The id of `text`, adding it when new; 0 for an empty text.
  std::uint32_t intern(std::string_view text);
  const std::string& text(std::uint32_t id) const { return texts_[id]; }
  /// A hash of the text of `id`, 0 for id 0: what a key made of it needs to be the same whatever
  /// order the texts were interned in (ids follow that order).
  std::uint64_t textHash(std::uint32_t id) const { return hashes_[id]; }
  std::size_t size() const { return texts_.size(); }
  /// Names this pool among all of the process's, never 0: what is remembered about its ids
  /// (comparison results) is remembered under it.
  std::uint64_t serial() const { return serial_; }

 private:
  /// The place of `text` (whose hash is `hash`) in `slots_`: the slot holding its id, or the
  /// empty slot where its id goes.
  std::size_t slotOf(std::string_view text, std::uint64_t hash) const;
  /// Twice the slots (16 at first), every id in its place again.
  void growSlots();

  std::uint64_t serial_;
  std::vector<std::string> texts_;
  std::vector<std::uint64_t> hashes_;
  // The ids by their texts' hashes, in open addressing (linear probing; 0 is an empty slot, as
  // id 0 is never looked up): four bytes a text. A node-based map held its own copy of each
  // text besides, some seventy bytes a text, and a council's pools hold over a million texts.
  std::vector<std::uint32_t> slots_;
};

/// What the comparisons and blocking rules need from one record, in about 100 bytes: names and
/// codes are pool ids, so a million records cost tens of megabytes rather than hundreds.
struct RecordFeatures {
  std::uint32_t given = 0;         ///< Normalised given name (names pool).
  std::uint32_t given_formal = 0;  ///< The formal name a nickname stands for (names pool).
  std::uint32_t family = 0;        ///< Normalised family name (names pool).
  std::uint32_t given_soundex = 0;
  std::uint32_t family_soundex = 0;
  std::uint32_t postcode = 0;  ///< Full postcode (postcodes pool).
  std::uint32_t sector = 0;    ///< "LS6 2" for "LS6 2AB"; all but the last character otherwise.
  std::uint32_t district = 0;  ///< "LS6"; all but the last two characters otherwise.
  std::uint32_t upn = 0;       ///< Identifiers pool.
  std::uint32_t extra_id = 0;  ///< Identifiers pool.
  /// Address line as lower-case letters and digits with blanks dropped, so a stray or missing
  /// space ("bayly p lace") does not make two addresses differ (places pool).
  std::uint32_t address = 0;
  std::uint32_t street = 0;        ///< The letters of the address line only (places pool).
  std::uint32_t house_number = 0;  ///< The digits of the address line only (places pool).
  std::uint32_t locality = 0;      ///< Letters and digits, blanks dropped (places pool).
  std::uint32_t email = 0;         ///< Lower case, blanks dropped (contacts pool).
  std::uint32_t email_local = 0;   ///< The part before the "@" (contacts pool).
  std::uint32_t phone = 0;         ///< National digits, "+44" read as "0" (contacts pool).
  std::uint64_t nhs = 0;           ///< The ten digits as a number when nhs_present.
  std::uint64_t local_key = 0;     ///< Hash of (source system, local id); 0 when there is no id.
  std::int32_t birth_serial = 0;   ///< Days since 1970 when the birth date is a real date.
  std::int16_t birth_year = 0;
  std::uint8_t birth_month = 0;
  std::uint8_t birth_day = 0;
  bool has_birth = false;
  bool birth_is_real_date = false;
  bool nhs_present = false;
  bool nhs_valid = false;
  bool nhs_verified = false;  ///< Valid, and not marked untraced by its source.
  bool upn_valid = false;
  bool former_upn_valid = false;
  bool uln_valid = false;
  std::uint32_t former_upn = 0;  ///< Identifiers pool, as a UPN ("upn:..."): equal to its holder's.
  std::uint32_t uln = 0;         ///< Identifiers pool.
  char sex = 0;                  ///< 'M', 'F' or 0 when missing or unknown.
};

/// The features of every record in an index, with the pools and name counts they refer to.
class FeatureStore {
 public:
  /// Appends the features of `record`; returns its index.
  std::uint32_t add(const PersonRecord& record);
  void reserve(std::size_t records) { features_.reserve(records); }

  const RecordFeatures& operator[](std::uint32_t index) const { return features_[index]; }
  std::size_t size() const { return features_.size(); }

  const StringPool& names() const { return names_; }
  const StringPool& postcodes() const { return postcodes_; }
  const StringPool& identifiers() const { return identifiers_; }
  const StringPool& places() const { return places_; }
  const StringPool& contacts() const { return contacts_; }
  /// How many records carry each given / family name id (indexed by names-pool id).
  const std::vector<std::uint32_t>& givenCounts() const { return given_counts_; }
  const std::vector<std::uint32_t>& familyCounts() const { return family_counts_; }

 private:
  void countName(std::vector<std::uint32_t>& counts, std::uint32_t id);

  std::vector<RecordFeatures> features_;
  StringPool names_;
  StringPool postcodes_;
  StringPool identifiers_;
  StringPool places_;
  StringPool contacts_;
  std::vector<std::uint32_t> given_counts_;
  std::vector<std::uint32_t> family_counts_;
};

/// A 64-bit mix of two values (splitmix64 finaliser); never returns 0 so 0 can mean "no key".
std::uint64_t mixKey(std::uint64_t a, std::uint64_t b);

/// What record `record` says, as a number: the texts and values of its features, not their pool
/// ids or its index (both follow the order the records arrived in).
std::uint64_t contentKey(const FeatureStore& store, std::uint32_t record);

/// The content key of every record of `store`, by index.
std::vector<std::uint64_t> contentKeys(const FeatureStore& store);

/// Records first..end-1 in the order of their content keys. Records that say the same compare
/// the same with any other, so which of them a tie puts first changes nothing: whatever takes
/// records in this order takes the same records the same way, in whatever order they came.
std::vector<std::uint32_t> inContentOrder(const FeatureStore& store, std::uint32_t first,
                                          std::uint32_t end);

}  // namespace hearth::pipelines::identity
