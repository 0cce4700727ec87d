#include "pipelines/indicators/census_schools.hpp"

#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

CensusSchools::ReturnKey CensusSchools::keyOf(const std::optional<canonical::Date>& census,
                                              const std::string& id) {
  return {census ? dayNumber(*census) : 0, id};
}

bool CensusSchools::add(std::string evidence_id, const canonical::CensusSchool& school) {
  const ReturnKey key = keyOf(school.census, school.census_return);
  const auto same = by_return_.find(key);
  const bool unchanged = same != by_return_.end() && same->second.urn == school.urn &&
                         same->second.phase == school.phase &&
                         same->second.laestab == school.laestab;
  remove(evidence_id);
  by_return_.insert_or_assign(key, school);
  key_of_evidence_.insert_or_assign(std::move(evidence_id), key);
  return !unchanged;
}

bool CensusSchools::remove(std::string_view evidence_id) {
  const auto it = key_of_evidence_.find(evidence_id);
  if (it == key_of_evidence_.end()) return false;
  const ReturnKey key = it->second;
  key_of_evidence_.erase(it);
  // Another copy of the same header (a file read again under a new key) keeps the school.
  for (const auto& [evidence, other] : key_of_evidence_) {
    if (other == key) return true;
  }
  by_return_.erase(key);
  return true;
}

const canonical::CensusSchool* CensusSchools::schoolOf(const canonical::Enrolment& e) const {
  if (e.census_return.empty()) return nullptr;
  const auto it = by_return_.find(keyOf(e.census, e.census_return));
  return it == by_return_.end() ? nullptr : &it->second;
}

}  // namespace hearth::pipelines::indicators
