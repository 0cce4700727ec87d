#include "pipelines/identity/comparison.hpp"

#include <cstdlib>
#include <memory>
#include <string>

#include "pipelines/identity/string_similarity.hpp"

namespace hearth::pipelines::identity {
namespace {

constexpr std::array<std::string_view, kMaxLevels> kNameLevels = {
    "missing",   "exact", "alias", "jaro-winkler>=0.92", "jaro-winkler>=0.88", "jaro-winkler>=0.70",
    "different", ""};
constexpr std::array<std::string_view, kMaxLevels> kDateLevels = {"missing",
                                                                  "exact",
                                                                  "day/month swapped",
                                                                  "one field or digit different",
                                                                  "within a year",
                                                                  "different",
                                                                  "",
                                                                  ""};
constexpr std::array<std::string_view, kMaxLevels> kSexLevels = {
    "missing", "equal", "different", "", "", "", "", ""};
constexpr std::array<std::string_view, kMaxLevels> kPostcodeLevels = {
    "missing", "exact", "sector", "district", "one keying error", "different", "", ""};
constexpr std::array<std::string_view, kMaxLevels> kIdentifierLevels = {
    "missing", "equal", "one keying error", "different", "", "", "", ""};
constexpr std::array<std::string_view, kMaxLevels> kAddressLevels = {"missing",
                                                                     "exact",
                                                                     "same street and number",
                                                                     "same street, other number",
                                                                     "jaro-winkler>=0.80",
                                                                     "different",
                                                                     "",
                                                                     ""};
constexpr std::array<std::string_view, kMaxLevels> kLocalityLevels = {
    "missing", "exact", "jaro-winkler>=0.92", "jaro-winkler>=0.80", "different", "", "", ""};
constexpr std::array<std::string_view, kMaxLevels> kEmailLevels = {
    "missing", "exact", "same local part", "at most two edits", "three or four edits", "different",
    "",        ""};

// Jaro-Winkler of two texts of a pool. Scoring meets the same pairs of texts again and again
// (a block holds many records with a few names), so each thread keeps the last pair to fall in
// each slot of a small table, by pool and ids.
double pooledJaroWinkler(const StringPool& pool, std::uint32_t a, std::uint32_t b) {
  struct Slot {
    std::uint64_t pool = 0;  // pool serials start at 1: 0 is an empty slot
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    double similarity = 0.0;
  };
  static constexpr std::size_t kSlots = std::size_t{1} << 14;
  thread_local const std::unique_ptr<Slot[]> slots = std::make_unique<Slot[]>(kSlots);
  Slot& slot = slots[mixKey(a, b) & (kSlots - 1)];
  if (slot.pool != pool.serial() || slot.a != a || slot.b != b) {
    slot = {pool.serial(), a, b, jaroWinkler(pool.text(a), pool.text(b))};
  }
  return slot.similarity;
}

int similarityLevel(const StringPool& pool, std::uint32_t a, std::uint32_t b) {
  const double similarity = pooledJaroWinkler(pool, a, b);
  if (similarity >= 0.92) return name_level::kJaroWinkler92;
  if (similarity >= 0.88) return name_level::kJaroWinkler88;
  if (similarity >= 0.70) return name_level::kJaroWinkler70;
  return name_level::kDifferent;
}

// A double-barrelled family name against one of its parts: "smithjones" / "jones".
bool isNamePart(std::string_view whole, std::string_view part) {
  return part.size() >= 3 && whole.size() > part.size() &&
         (whole.starts_with(part) || whole.ends_with(part));
}

// "macdonald" / "mcdonald": the Gaelic prefix is written both ways.
bool sameAfterMacPrefix(std::string_view x, std::string_view y) {
  if (x.starts_with("mc") && y.starts_with("mac")) std::swap(x, y);
  return x.starts_with("mac") && y.starts_with("mc") && x.size() >= 6 && x.substr(3) == y.substr(2);
}

// Swapped given and family names are a common keying error: a name that (nearly) equals the
// other record's other name field counts as an alias, never as exact, so term frequencies of
// one field are not applied to the other.
bool crossMatches(const FeatureStore& store, std::uint32_t name, std::uint32_t other_field) {
  if (name == 0 || other_field == 0) return false;
  if (name == other_field) return true;
  return pooledJaroWinkler(store.names(), name, other_field) >= 0.92;
}

// How a pair's names sit in each other's other field: "Noah Watson" / "Watson Noah" is a full
// swap, "Quilliam Ashleigh" / "Maddison Quilliam" one name moved (and the other replaced).
struct CrossedNames {
  bool full_swap = false;  ///< Both names moved, or one moved and the other pair has a gap.
  bool any = false;        ///< At least one name found in the other record's other field.
};

CrossedNames crossedNames(const FeatureStore& store, const RecordFeatures& a,
                          const RecordFeatures& b) {
  const bool given_moved = crossMatches(store, a.given, b.family);
  const bool family_moved = crossMatches(store, a.family, b.given);
  const bool given_pair_missing = a.given == 0 || b.family == 0;
  const bool family_pair_missing = a.family == 0 || b.given == 0;
  CrossedNames out;
  out.any = given_moved || family_moved;
  out.full_swap = (given_moved && (family_moved || family_pair_missing)) ||
                  (family_moved && given_pair_missing);
  return out;
}

int givenLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.given == 0 || b.given == 0) return kMissingLevel;
  if (a.given == b.given) return name_level::kExact;
  if (a.given_formal == b.given_formal) return name_level::kAlias;
  const int direct = similarityLevel(store.names(), a.given, b.given);
  // One moved name counts once, for the family field, so that a single shared name ("Jack
  // Wilson" / "Wilson Arjun") is not counted in both fields.
  if (direct > name_level::kJaroWinkler92 && crossedNames(store, a, b).full_swap) {
    return name_level::kAlias;
  }
  return direct;
}

int familyLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.family == 0 || b.family == 0) return kMissingLevel;
  if (a.family == b.family) return name_level::kExact;
  const std::string& x = store.names().text(a.family);
  const std::string& y = store.names().text(b.family);
  if (isNamePart(x, y) || isNamePart(y, x) || sameAfterMacPrefix(x, y)) {
    return name_level::kAlias;
  }
  const int direct = similarityLevel(store.names(), a.family, b.family);
  if (direct > name_level::kJaroWinkler92 && crossedNames(store, a, b).any) {
    return name_level::kAlias;
  }
  return direct;
}

// The date as its eight YYYYMMDD digits, for the single keying error test.
std::array<char, 8> dateDigits(const RecordFeatures& f) {
  std::array<char, 8> digits{};
  unsigned value = static_cast<unsigned>(std::abs(f.birth_year)) % 10000 * 10000 +
                   f.birth_month % 100 * 100 + f.birth_day % 100;
  for (int i = 7; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return digits;
}

int birthLevel(const RecordFeatures& a, const RecordFeatures& b) {
  if (!a.has_birth || !b.has_birth) return kMissingLevel;
  const bool same_year = a.birth_year == b.birth_year;
  const bool same_month = a.birth_month == b.birth_month;
  const bool same_day = a.birth_day == b.birth_day;
  if (same_year && same_month && same_day) return date_level::kExact;
  if (same_year && a.birth_day == b.birth_month && a.birth_month == b.birth_day) {
    return date_level::kDayMonthSwapped;
  }
  if (static_cast<int>(same_year) + static_cast<int>(same_month) + static_cast<int>(same_day) ==
      2) {
    return date_level::kOneFieldDifferent;
  }
  const auto x = dateDigits(a);
  const auto y = dateDigits(b);
  if (isOneKeyingErrorApart(std::string_view(x.data(), x.size()),
                            std::string_view(y.data(), y.size()))) {
    return date_level::kOneFieldDifferent;
  }
  if (a.birth_is_real_date && b.birth_is_real_date &&
      std::abs(a.birth_serial - b.birth_serial) <= 365) {
    return date_level::kWithinAYear;
  }
  return date_level::kDifferent;
}

int postcodeLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.postcode == 0 || b.postcode == 0) return kMissingLevel;
  if (a.postcode == b.postcode) return postcode_level::kExact;
  if (a.sector != 0 && a.sector == b.sector) return postcode_level::kSector;
  if (a.district != 0 && a.district == b.district) return postcode_level::kDistrict;
  if (isOneKeyingErrorApart(store.postcodes().text(a.postcode),
                            store.postcodes().text(b.postcode))) {
    return postcode_level::kOneKeyingError;
  }
  return postcode_level::kDifferent;
}

int pooledIdentifierLevel(const FeatureStore& store, std::uint32_t a, std::uint32_t b) {
  if (a == 0 || b == 0) return kMissingLevel;
  if (a == b) return identifier_level::kEqual;
  return isOneKeyingErrorApart(store.identifiers().text(a), store.identifiers().text(b))
             ? identifier_level::kOneKeyingError
             : identifier_level::kDifferent;
}

int nhsLevel(const RecordFeatures& a, const RecordFeatures& b) {
  // A number failing its check digit is a keying error, not evidence: treat it as missing.
  if (!a.nhs_valid || !b.nhs_valid) return kMissingLevel;
  if (a.nhs == b.nhs) return identifier_level::kEqual;
  // Ten digits each: compare as text for the single keying error test.
  char x[11];
  char y[11];
  std::uint64_t p = a.nhs;
  std::uint64_t q = b.nhs;
  for (int i = 9; i >= 0; --i) {
    x[i] = static_cast<char>('0' + p % 10);
    y[i] = static_cast<char>('0' + q % 10);
    p /= 10;
    q /= 10;
  }
  return isOneKeyingErrorApart(std::string_view(x, 10), std::string_view(y, 10))
             ? identifier_level::kOneKeyingError
             : identifier_level::kDifferent;
}

int addressLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.address == 0 || b.address == 0) return kMissingLevel;
  if (a.address == b.address) return address_level::kExact;
  const StringPool& places = store.places();
  const bool same_street =
      a.street != 0 && b.street != 0 &&
      (a.street == b.street || pooledJaroWinkler(places, a.street, b.street) >= 0.92);
  if (same_street) {
    // A missing number is usual (a dropped field, "Rose Cottage"); it neither confirms nor
    // contradicts, so it counts with the agreeing numbers.
    const bool numbers_agree =
        a.house_number == 0 || b.house_number == 0 || a.house_number == b.house_number;
    return numbers_agree ? address_level::kSameStreetAndNumber : address_level::kSameStreet;
  }
  return pooledJaroWinkler(places, a.address, b.address) >= 0.80 ? address_level::kSimilar
                                                                 : address_level::kDifferent;
}

int localityLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.locality == 0 || b.locality == 0) return kMissingLevel;
  if (a.locality == b.locality) return locality_level::kExact;
  const double similarity = pooledJaroWinkler(store.places(), a.locality, b.locality);
  if (similarity >= 0.92) return locality_level::kSimilar;
  return similarity >= 0.80 ? locality_level::kLooselySimilar : locality_level::kDifferent;
}

int emailLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.email == 0 || b.email == 0) return kMissingLevel;
  if (a.email == b.email) return email_level::kExact;
  if (a.email_local != 0 && a.email_local == b.email_local) return email_level::kSameLocalPart;
  const std::size_t edits =
      boundedEditDistance(store.contacts().text(a.email), store.contacts().text(b.email), 4);
  if (edits <= 2) return email_level::kTwoEdits;
  return edits <= 4 ? email_level::kFourEdits : email_level::kDifferent;
}

int phoneLevel(const FeatureStore& store, const RecordFeatures& a, const RecordFeatures& b) {
  if (a.phone == 0 || b.phone == 0) return kMissingLevel;
  if (a.phone == b.phone) return phone_level::kExact;
  return isOneKeyingErrorApart(store.contacts().text(a.phone), store.contacts().text(b.phone))
             ? phone_level::kOneKeyingError
             : phone_level::kDifferent;
}

}  // namespace

int levelCount(Field field) {
  switch (field) {
    case Field::kGivenName:
    case Field::kFamilyName:
      return 7;
    case Field::kBirthDate:
      return 6;
    case Field::kSex:
      return 3;
    case Field::kPostcode:
      return 6;
    case Field::kNhsNumber:
    case Field::kUpn:
    case Field::kExtraId:
      return 4;
    case Field::kAddressLine:
      return 6;
    case Field::kLocality:
      return 5;
    case Field::kEmail:
      return 6;
    case Field::kPhone:
      return 4;
  }
  return 0;
}

std::string_view fieldName(Field field) {
  switch (field) {
    case Field::kGivenName:
      return "given_name";
    case Field::kFamilyName:
      return "family_name";
    case Field::kBirthDate:
      return "birth_date";
    case Field::kSex:
      return "sex";
    case Field::kPostcode:
      return "postcode";
    case Field::kNhsNumber:
      return "nhs_number";
    case Field::kUpn:
      return "upn";
    case Field::kExtraId:
      return "extra_id";
    case Field::kAddressLine:
      return "address_line";
    case Field::kLocality:
      return "locality";
    case Field::kEmail:
      return "email";
    case Field::kPhone:
      return "phone";
  }
  return "";
}

std::string_view levelName(Field field, int level) {
  if (level < 0 || level >= levelCount(field)) return "";
  switch (field) {
    case Field::kGivenName:
    case Field::kFamilyName:
      return kNameLevels[level];
    case Field::kBirthDate:
      return kDateLevels[level];
    case Field::kSex:
      return kSexLevels[level];
    case Field::kPostcode:
      return kPostcodeLevels[level];
    case Field::kNhsNumber:
    case Field::kUpn:
    case Field::kExtraId:
      return kIdentifierLevels[level];
    case Field::kAddressLine:
      return kAddressLevels[level];
    case Field::kLocality:
      return kLocalityLevels[level];
    case Field::kEmail:
      return kEmailLevels[level];
    case Field::kPhone:
      return kIdentifierLevels[level];
  }
  return "";
}

ComparisonVector compareRecords(const FeatureStore& store, std::uint32_t a, std::uint32_t b,
                                bool use_extra_id) {
  const RecordFeatures& x = store[a];
  const RecordFeatures& y = store[b];
  ComparisonVector out;
  out.set(Field::kGivenName, givenLevel(store, x, y));
  out.set(Field::kFamilyName, familyLevel(store, x, y));
  out.set(Field::kBirthDate, birthLevel(x, y));
  if (x.sex != 0 && y.sex != 0) {
    out.set(Field::kSex, x.sex == y.sex ? sex_level::kEqual : sex_level::kDifferent);
  }
  out.set(Field::kPostcode, postcodeLevel(store, x, y));
  out.set(Field::kNhsNumber, nhsLevel(x, y));
  out.set(Field::kUpn, pooledIdentifierLevel(store, x.upn, y.upn));
  if (use_extra_id) out.set(Field::kExtraId, pooledIdentifierLevel(store, x.extra_id, y.extra_id));
  out.set(Field::kAddressLine, addressLevel(store, x, y));
  out.set(Field::kLocality, localityLevel(store, x, y));
  out.set(Field::kEmail, emailLevel(store, x, y));
  out.set(Field::kPhone, phoneLevel(store, x, y));
  return out;
}

}  // namespace hearth::pipelines::identity
