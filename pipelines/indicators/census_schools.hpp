#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "pipelines/canonical/education.hpp"

namespace hearth::pipelines::indicators {

/// The schools of the school census returns received: each return's header rows, by census day
/// and table id, which is what a pupil's enrolment names. Kept apart from the people, as
/// reference data that arrives through a stream.
class CensusSchools {
 public:
  /// Files the header under `evidence_id`, replacing what that id gave before. False when the
  /// return already had this school as it stands (nothing changed).
  bool add(std::string evidence_id, const canonical::CensusSchool& school);
  /// Forgets the header `evidence_id` gave; false when it gave none.
  bool remove(std::string_view evidence_id);

  /// The school of the enrolment's return; null when its header has not arrived (the school is
  /// unknown).
  const canonical::CensusSchool* schoolOf(const canonical::Enrolment& enrolment) const;

  size_t size() const { return by_return_.size(); }

 private:
  using ReturnKey = std::pair<int, std::string>;  // census day number (0: none), table id
  static ReturnKey keyOf(const std::optional<canonical::Date>& census, const std::string& id);

  std::map<ReturnKey, canonical::CensusSchool> by_return_;
  std::map<std::string, ReturnKey, std::less<>> key_of_evidence_;
};

}  // namespace hearth::pipelines::indicators
