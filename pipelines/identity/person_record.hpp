#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pipelines/canonical/date.hpp"

namespace hearth::pipelines::identity {

/// Recorded sex; kMissing when the source has no field, kUnknown when it says "not known".
enum class Sex : char { kMissing = 0, kMale = 'M', kFemale = 'F', kUnknown = 'U' };

/// The linkable view of one source record: only the fields identity resolution compares.
struct PersonRecord {
  std::uint32_t index = 0;    ///< Dense position in the identity index; assigned on insert.
  std::string source_system;  ///< e.g. "trust_cms", "school_census", "febrl".
  std::string local_id;       ///< Unique only within source_system.
  std::string given_name;
  std::string family_name;
  /// May hold a date that is not ok() (a 31 November copied from a source with typos): the
  /// comparisons look at year, month and day separately, so such a date still carries evidence.
  std::optional<canonical::Date> birth_date;
  Sex sex = Sex::kMissing;
  std::string postcode;    ///< Normalised "AA9 9AA"; other shapes are compared as plain codes.
  std::string nhs_number;  ///< Ten digits; spaces are ignored.
  /// False when the source says the number was not traced (a UK Core verification status other
  /// than 01): it is still compared by the model but is not a deterministic key.
  bool nhs_verified = true;
  std::string upn;       ///< Thirteen characters.
  std::string extra_id;  ///< Any further shared identifier (FEBRL's soc_sec_id).
  /// First line of the address: house number or name and street ("12 Herschell Circuit").
  /// Optional; an empty value is compared as missing and costs nothing.
  std::string address_line;
  /// Town, village or suburb ("Lawrence"). Optional, like address_line.
  std::string locality;
  /// E-mail address as the source gave it. Optional; compared without regard to case or blanks.
  std::string email;
  /// Telephone number in any layout ("+44 7700 900123", "07700900123"). Optional.
  std::string phone;
  /// A UPN the pupil was known by before (the school census's former UPN): a deterministic key
  /// alongside `upn`, so that a pupil whose UPN changed links to the records of the old one.
  std::string former_upn;
  /// Unique Learner Number, ten digits (16+ learners: NCCIS, KS4, SEN2, the school census).
  std::string uln;
};

}  // namespace hearth::pipelines::identity
