#pragma once

#include <string_view>

namespace hearth::pipelines::validation {

/// The statutory code sets Hearth checks. Each may change between collection years.
enum class CodeSet {
  k903Sex,
  k903Ethnicity,
  k903UpnUnknown,
  k903ReasonNewEpisode,
  k903LegalStatus,
  k903CategoryOfNeed,
  k903Placement,
  k903PlacementProvider,
  k903ReasonCeased,
  k903ReasonPlaceChange,
  k903InTouch,
  k903Activity,
  k903Accommodation,
  k903MissingType,
  kCinGenderCurrent,
  kCinSex,
  kCinReferralSource,
  kCinPrimaryNeed,
  kCinReasonForClosure,
  kCinCategoryOfAbuse,
  kCinPreProceedingsOutcome,
};

/// The outcome of looking a code up, with the version of the list that was applied so that a
/// reject can say "not a valid PLACE code in the list for 2024/25".
struct CodeCheck {
  bool valid = false;
  int year_applied = 0;  // first collection year of the version used; 0 = the oldest we hold
};

/// Checks `code` against the version of `set` in force for `collection_year` (2024 = 2024/25).
CodeCheck checkCode(CodeSet set, int collection_year, std::string_view code);

/// The field name the set belongs to, for messages ("PLACE").
std::string_view codeSetField(CodeSet set);

}  // namespace hearth::pipelines::validation
