#include "pipelines/indicators/breakdowns.hpp"

namespace hearth::pipelines::indicators {

std::string_view ageBand(const std::optional<Date>& birth, Date day) {
  if (!birth || *birth > day) return "unknown";
  const int age = canonical::ageInYears(*birth, day);
  if (age < 1) return "under 1";
  if (age <= 4) return "1-4";
  if (age <= 9) return "5-9";
  if (age <= 15) return "10-15";
  if (age <= 17) return "16-17";
  return "18+";
}

std::string_view adultAgeBand(const std::optional<Date>& birth, Date day) {
  if (!birth || *birth > day) return "unknown";
  const int age = canonical::ageInYears(*birth, day);
  if (age < 18) return "under 18";
  return age < 65 ? "18-64" : "65+";
}

std::string_view sexLabel(canonical::Sex sex) {
  switch (sex) {
    case canonical::Sex::kMale:
      return "male";
    case canonical::Sex::kFemale:
      return "female";
    default:
      return "not known";
  }
}

std::string_view ethnicityGroup(const std::string& code) {
  if (code == "REFU" || code == "NOBT") return "Refused or not obtained";
  if (code == "CHNE" || code == "OOTH") return "Other";
  if (code.empty()) return "unknown";
  switch (code.front()) {
    case 'W':
      return "White";
    case 'M':
      return "Mixed";
    case 'A':
      return "Asian";
    case 'B':
      return "Black";
    default:
      return "unknown";
  }
}

std::string_view localArea(const std::string& postcode, const PostcodeLookup& postcodes) {
  const PostcodeLocation* location = postcodes.find(postcode);
  if (location == nullptr || location->area.empty()) return "unknown";
  return location->area;
}

}  // namespace hearth::pipelines::indicators
