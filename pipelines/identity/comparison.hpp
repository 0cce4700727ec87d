#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "pipelines/identity/record_features.hpp"

namespace hearth::pipelines::identity {

/// The fields a record pair is compared on.
enum class Field : std::uint8_t {
  kGivenName,
  kFamilyName,
  kBirthDate,
  kSex,
  kPostcode,
  kNhsNumber,
  kUpn,
  kExtraId,
  kAddressLine,
  kLocality,
  kEmail,
  kPhone,
};
inline constexpr int kFieldCount = 12;

/// Every field, in enum order, for loops over a comparison vector.
inline constexpr std::array<Field, kFieldCount> kAllFields = {
    Field::kGivenName,   Field::kFamilyName, Field::kBirthDate, Field::kSex,
    Field::kPostcode,    Field::kNhsNumber,  Field::kUpn,       Field::kExtraId,
    Field::kAddressLine, Field::kLocality,   Field::kEmail,     Field::kPhone};
inline constexpr int kMaxLevels = 8;

/// Level 0 of every field: one side has no value, so the field says nothing either way.
inline constexpr int kMissingLevel = 0;

/// Name levels, best first.
namespace name_level {
inline constexpr int kExact = 1;
inline constexpr int kAlias = 2;  ///< Nickname or other spelling of the same formal name, the
                                  ///< name found in the other name field (given and family
                                  ///< swapped), one part of a double-barrelled family name, or
                                  ///< the same name after "Mac" written "Mc".
inline constexpr int kJaroWinkler92 = 3;
inline constexpr int kJaroWinkler88 = 4;
inline constexpr int kJaroWinkler70 = 5;
inline constexpr int kDifferent = 6;
}  // namespace name_level

namespace date_level {
inline constexpr int kExact = 1;
inline constexpr int kDayMonthSwapped = 2;
inline constexpr int kOneFieldDifferent = 3;  ///< Or one keying error in the eight digits.
inline constexpr int kWithinAYear = 4;
inline constexpr int kDifferent = 5;
}  // namespace date_level

namespace sex_level {
inline constexpr int kEqual = 1;
inline constexpr int kDifferent = 2;
}  // namespace sex_level

namespace postcode_level {
inline constexpr int kExact = 1;
inline constexpr int kSector = 2;
inline constexpr int kDistrict = 3;
inline constexpr int kOneKeyingError = 4;  ///< Different district, but one character apart.
inline constexpr int kDifferent = 5;
}  // namespace postcode_level

/// Shared by the NHS number, UPN and extra identifier.
namespace identifier_level {
inline constexpr int kEqual = 1;
inline constexpr int kOneKeyingError = 2;
inline constexpr int kDifferent = 3;
}  // namespace identifier_level

namespace address_level {
inline constexpr int kExact = 1;
/// The same street (equal or Jaro-Winkler >= 0.92 on its letters) and the same house number,
/// or one side has no number.
inline constexpr int kSameStreetAndNumber = 2;
inline constexpr int kSameStreet = 3;  ///< As above, but the house numbers differ.
inline constexpr int kSimilar = 4;     ///< Jaro-Winkler >= 0.80 on the whole line.
inline constexpr int kDifferent = 5;
}  // namespace address_level

namespace locality_level {
inline constexpr int kExact = 1;
inline constexpr int kSimilar = 2;         ///< Jaro-Winkler >= 0.92: a typo in the town name.
inline constexpr int kLooselySimilar = 3;  ///< Jaro-Winkler >= 0.80: two typos, or a short name.
inline constexpr int kDifferent = 4;
}  // namespace locality_level

namespace email_level {
inline constexpr int kExact = 1;
inline constexpr int kSameLocalPart = 2;  ///< The same mailbox name at another domain.
inline constexpr int kTwoEdits = 3;       ///< At most two insertions, deletions, substitutions
                                          ///< or adjacent swaps apart: a keying error.
inline constexpr int kFourEdits = 4;      ///< Three or four edits apart.
inline constexpr int kDifferent = 5;
}  // namespace email_level

/// Telephone numbers, compared on their national digits.
namespace phone_level {
inline constexpr int kExact = 1;
inline constexpr int kOneKeyingError = 2;
inline constexpr int kDifferent = 3;
}  // namespace phone_level

/// The level of every field for one pair, four bits per field.
class ComparisonVector {
 public:
  constexpr ComparisonVector() = default;
  constexpr explicit ComparisonVector(std::uint64_t packed) : packed_(packed) {}

  constexpr int level(Field field) const {
    return static_cast<int>((packed_ >> (4 * static_cast<int>(field))) & 0xfu);
  }
  constexpr void set(Field field, int level) {
    const int shift = 4 * static_cast<int>(field);
    packed_ =
        (packed_ & ~(std::uint64_t{0xf} << shift)) | (static_cast<std::uint64_t>(level) << shift);
  }
  constexpr std::uint64_t packed() const { return packed_; }
  friend constexpr bool operator==(ComparisonVector, ComparisonVector) = default;

 private:
  std::uint64_t packed_ = 0;
};

/// How many levels `field` has, the missing level included.
int levelCount(Field field);
std::string_view fieldName(Field field);
std::string_view levelName(Field field, int level);

/// Compares records `a` and `b` of `store` on every field; the extra identifier only when
/// `use_extra_id` (so a run can measure how far linkage gets without it).
ComparisonVector compareRecords(const FeatureStore& store, std::uint32_t a, std::uint32_t b,
                                bool use_extra_id);

}  // namespace hearth::pipelines::identity
