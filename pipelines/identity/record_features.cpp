#include "pipelines/identity/record_features.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <utility>

#include "pipelines/common/parallel_sort.hpp"
#include "pipelines/identity/name_folding.hpp"
#include "pipelines/identity/string_similarity.hpp"
#include "pipelines/validation/identifiers.hpp"

namespace hearth::pipelines::identity {
namespace {

std::string digitsOf(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits;
}

std::string trimUpper(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

// UK postcodes split at the space; any other code (FEBRL's Australian four digits) is treated as
// a hierarchy read left to right.
void postcodeParts(std::string_view postcode, std::string& sector, std::string& district) {
  const std::size_t space = postcode.find(' ');
  if (space != std::string_view::npos && space + 1 < postcode.size()) {
    sector = std::string(postcode.substr(0, space + 2));
    district = std::string(postcode.substr(0, space));
    return;
  }
  sector = postcode.size() > 1 ? std::string(postcode.substr(0, postcode.size() - 1)) : "";
  district = postcode.size() > 2 ? std::string(postcode.substr(0, postcode.size() - 2)) : "";
}

void fillBirth(const PersonRecord& record, RecordFeatures& out) {
  if (!record.birth_date) return;
  const canonical::Date& date = *record.birth_date;
  out.has_birth = true;
  out.birth_year = static_cast<std::int16_t>(static_cast<int>(date.year()));
  out.birth_month = static_cast<std::uint8_t>(static_cast<unsigned>(date.month()));
  out.birth_day = static_cast<std::uint8_t>(static_cast<unsigned>(date.day()));
  if (date.ok()) {
    out.birth_is_real_date = true;
    out.birth_serial =
        static_cast<std::int32_t>(std::chrono::sys_days{date}.time_since_epoch().count());
  }
}

void fillIdentifiers(const PersonRecord& record, StringPool& identifiers, RecordFeatures& out) {
  const std::string nhs = digitsOf(record.nhs_number);
  if (nhs.size() == 10) {
    out.nhs_present = true;
    out.nhs = std::stoull(nhs);
    out.nhs_valid = validation::isValidNhsNumber(nhs);
    out.nhs_verified = out.nhs_valid && record.nhs_verified;
  }
  const std::string upn = trimUpper(record.upn);
  if (!upn.empty()) {
    out.upn = identifiers.intern("upn:" + upn);
    out.upn_valid = validation::isValidUpn(upn);
  }
  const std::string former = trimUpper(record.former_upn);
  if (!former.empty()) {
    out.former_upn = identifiers.intern("upn:" + former);
    out.former_upn_valid = validation::isValidUpn(former);
  }
  const std::string uln = trimUpper(record.uln);
  if (!uln.empty()) {
    out.uln = identifiers.intern("uln:" + uln);
    out.uln_valid = validation::isValidUln(uln);
  }
  const std::string extra = trimUpper(record.extra_id);
  if (!extra.empty()) out.extra_id = identifiers.intern("x:" + extra);
  if (!record.local_id.empty()) {
    const std::hash<std::string_view> hash;
    out.local_key = mixKey(hash(record.source_system), hash(record.local_id));
  }
}

// Letters and digits of `text`, folded to lower-case ASCII; blanks and punctuation dropped.
std::string compactPlace(std::string_view text, std::string* letters, std::string* digits) {
  std::string compact;
  for (const char c : foldToAscii(text)) {
    if (c >= 'a' && c <= 'z') {
      compact.push_back(c);
      if (letters != nullptr) letters->push_back(c);
    } else if (c >= '0' && c <= '9') {
      compact.push_back(c);
      if (digits != nullptr) digits->push_back(c);
    }
  }
  return compact;
}

// Addresses are keyed with blanks and punctuation dropped: FEBRL-style keying errors and real
// sources ("12a High St." / "12A HIGH ST") differ in spacing far more than in letters.
void fillPlaces(const PersonRecord& record, StringPool& places, RecordFeatures& out) {
  std::string letters;
  std::string digits;
  out.address = places.intern(compactPlace(record.address_line, &letters, &digits));
  out.street = places.intern(letters);
  out.house_number = places.intern(digits);
  out.locality = places.intern(compactPlace(record.locality, nullptr, nullptr));
}

// A UK number written "+44 7700 900123", "0044 7700 900123" or "07700 900123" is one number:
// the country code becomes the trunk 0. Other numbers keep their digits.
std::string phoneDigits(std::string_view text) {
  std::string digits = digitsOf(text);
  const std::size_t plus = text.find_first_not_of(" \t(");
  const bool international = plus != std::string_view::npos && text[plus] == '+';
  std::size_t country = 0;
  if (digits.starts_with("0044")) {
    country = 4;
  } else if (international && digits.starts_with("44")) {
    country = 2;
  }
  if (country != 0) {
    digits.erase(0, country);
    // "+44 (0)7700 ..." keeps its trunk 0 in brackets.
    if (!digits.starts_with('0')) digits.insert(0, 1, '0');
  }
  return digits.size() >= 6 ? digits : std::string();
}

void fillContacts(const PersonRecord& record, StringPool& contacts, RecordFeatures& out) {
  std::string email;
  for (const char c : foldToAscii(record.email)) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') email.push_back(c);
  }
  // "-", "none@none" and the like are placeholders, not addresses.
  if (email.size() >= 3) {
    out.email = contacts.intern("e:" + email);
    const std::size_t at = email.find('@');
    if (at != std::string::npos && at >= 2) {
      out.email_local = contacts.intern("l:" + email.substr(0, at));
    }
  }
  const std::string phone = phoneDigits(record.phone);
  if (!phone.empty()) out.phone = contacts.intern("t:" + phone);
}

}  // namespace

namespace {
std::uint64_t nextPoolSerial() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}
}  // namespace

StringPool::StringPool() : serial_(nextPoolSerial()), texts_{std::string()}, hashes_{0} {}

StringPool::StringPool(const StringPool& other)
    : serial_(nextPoolSerial()),
      texts_(other.texts_),
      hashes_(other.hashes_),
      slots_(other.slots_) {}

StringPool& StringPool::operator=(const StringPool& other) {
  if (this != &other) {
    serial_ = nextPoolSerial();
    texts_ = other.texts_;
    hashes_ = other.hashes_;
    slots_ = other.slots_;
  }
  return *this;
}

// The moved-from pool starts again empty, under a serial of its own.
StringPool::StringPool(StringPool&& other) noexcept
    : serial_(std::exchange(other.serial_, nextPoolSerial())),
      texts_(std::exchange(other.texts_, {std::string()})),
      hashes_(std::exchange(other.hashes_, {0})),
      slots_(std::exchange(other.slots_, {})) {}

StringPool& StringPool::operator=(StringPool&& other) noexcept {
  if (this != &other) {
    serial_ = std::exchange(other.serial_, nextPoolSerial());
    texts_ = std::exchange(other.texts_, {std::string()});
    hashes_ = std::exchange(other.hashes_, {0});
    slots_ = std::exchange(other.slots_, {});
  }
  return *this;
}

std::uint32_t StringPool::intern(std::string_view text) {
  if (text.empty()) return 0;
  // At most seven slots in ten taken, counting the one this text may take: probes stay short.
  if (texts_.size() * 10 >= slots_.size() * 7) growSlots();
  const std::uint64_t hash = mixKey(text.size(), std::hash<std::string_view>{}(text));
  const std::size_t slot = slotOf(text, hash);
  if (slots_[slot] != 0) return slots_[slot];
  const auto id = static_cast<std::uint32_t>(texts_.size());
  texts_.emplace_back(text);
  hashes_.push_back(hash);
  slots_[slot] = id;
  return id;
}

std::size_t StringPool::slotOf(std::string_view text, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t id = slots_[slot];
    if (id == 0 || (hashes_[id] == hash && texts_[id] == text)) return slot;
  }
}

void StringPool::growSlots() {
  std::vector<std::uint32_t> slots(std::max<std::size_t>(16, slots_.size() * 2), 0);
  const std::size_t mask = slots.size() - 1;
  for (std::uint32_t id = 1; id < texts_.size(); ++id) {
    std::size_t slot = hashes_[id] & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = id;
  }
  slots_.swap(slots);
}

std::uint64_t mixKey(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return z == 0 ? 1 : z;
}

std::uint64_t contentKey(const FeatureStore& store, std::uint32_t record) {
  const RecordFeatures& f = store[record];
  std::uint64_t key = 0;
  auto text = [&key](const StringPool& pool, std::uint32_t id) {
    key = mixKey(key, pool.textHash(id));
  };
  text(store.names(), f.given);
  text(store.names(), f.family);
  text(store.postcodes(), f.postcode);
  text(store.identifiers(), f.upn);
  text(store.identifiers(), f.extra_id);
  text(store.identifiers(), f.former_upn);
  text(store.identifiers(), f.uln);
  text(store.places(), f.address);
  text(store.places(), f.locality);
  text(store.contacts(), f.email);
  text(store.contacts(), f.phone);
  key = mixKey(key, f.nhs);
  key = mixKey(key, f.local_key);
  key = mixKey(key, (static_cast<std::uint64_t>(static_cast<std::uint16_t>(f.birth_year)) << 16) |
                        (static_cast<std::uint64_t>(f.birth_month) << 8) | f.birth_day);
  key = mixKey(key, static_cast<std::uint64_t>(static_cast<unsigned char>(f.sex)) |
                        (static_cast<std::uint64_t>(f.has_birth) << 8) |
                        (static_cast<std::uint64_t>(f.nhs_verified) << 9));
  return key;
}

std::vector<std::uint64_t> contentKeys(const FeatureStore& store) {
  std::vector<std::uint64_t> keys(store.size());
  // Half on another thread, for a council's hundreds of thousands of records.
  forHalvesInParallel(keys.size(), 100'000, [&](std::size_t from, std::size_t to) {
    for (std::size_t r = from; r < to; ++r)
      keys[r] = contentKey(store, static_cast<std::uint32_t>(r));
  });
  return keys;
}

std::vector<std::uint32_t> inContentOrder(const FeatureStore& store, std::uint32_t first,
                                          std::uint32_t end) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  keyed.reserve(end - first);
  for (std::uint32_t r = first; r < end; ++r) keyed.emplace_back(contentKey(store, r), r);
  std::sort(keyed.begin(), keyed.end());  // equal keys (equal records) by index: deterministic
  std::vector<std::uint32_t> order;
  order.reserve(keyed.size());
  for (const auto& [key, record] : keyed) order.push_back(record);
  return order;
}

void FeatureStore::countName(std::vector<std::uint32_t>& counts, std::uint32_t id) {
  if (id == 0) return;
  if (counts.size() <= id) counts.resize(names_.size(), 0);
  ++counts[id];
}

std::uint32_t FeatureStore::add(const PersonRecord& record) {
  RecordFeatures out;
  const std::string given = normaliseName(record.given_name);
  const std::string family = normaliseName(record.family_name);
  out.given = names_.intern(given);
  out.given_formal = names_.intern(formalGivenName(given));
  out.family = names_.intern(family);
  out.given_soundex = soundexCode(formalGivenName(given));
  out.family_soundex = soundexCode(family);
  countName(given_counts_, out.given);
  countName(family_counts_, out.family);

  const std::string postcode = trimUpper(record.postcode).empty() ? std::string() : [&] {
    // Keep the single space of a normalised UK postcode; drop any other blanks.
    std::string upper;
    for (const char c : record.postcode) {
      upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    const auto first = upper.find_first_not_of(' ');
    const auto last = upper.find_last_not_of(' ');
    return upper.substr(first, last - first + 1);
  }();
  if (!postcode.empty()) {
    std::string sector;
    std::string district;
    postcodeParts(postcode, sector, district);
    out.postcode = postcodes_.intern(postcode);
    out.sector = postcodes_.intern(sector);
    out.district = postcodes_.intern(district);
  }

  fillBirth(record, out);
  fillIdentifiers(record, identifiers_, out);
  fillPlaces(record, places_, out);
  fillContacts(record, contacts_, out);
  if (record.sex == Sex::kMale || record.sex == Sex::kFemale)
    out.sex = static_cast<char>(record.sex);

  features_.push_back(out);
  return static_cast<std::uint32_t>(features_.size() - 1);
}

}  // namespace hearth::pipelines::identity
