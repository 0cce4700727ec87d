#pragma once

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

/// What kind of school an establishment is, for the SEND and inspection measures.
enum class SchoolKind {
  kMainstream,  // primary, secondary, middle and all-through schools
  kSpecial,     // special schools, maintained, academy or non-maintained
  kOther,       // pupil referral units, alternative provision, colleges, nurseries, ...
};

std::string_view schoolKindLabel(SchoolKind kind);  // "mainstream", "special", "other"

/// Ofsted's framework the judgement was made under. Report cards (from 10 November 2025) give
/// no overall effectiveness grade and are not comparable with the graded judgements before them.
enum class OfstedFramework { kGraded, kReportCard };

/// A school's or provider's latest inspection outcome.
struct OfstedJudgement {
  Date inspected;
  OfstedFramework framework = OfstedFramework::kGraded;
  std::optional<int> overall;  // 1 outstanding ... 4 inadequate; graded framework only
};

/// An establishment of the Get Information About Schools register.
struct Establishment {
  std::string urn;
  std::string ukprn;
  SchoolKind kind = SchoolKind::kOther;
};

/// Reference data about schools and settings: the GIAS register and the Ofsted management
/// information (state-funded schools, early years providers), read from their CSV downloads.
class SchoolRegister {
 public:
  /// Reads a GIAS extract: URN, UKPRN, TypeOfEstablishment (name), PhaseOfEducation (name).
  /// Throws std::runtime_error naming the file when a column is missing.
  void addGias(std::istream& in, std::string_view source);
  /// Reads an Ofsted MI file, of either framework: the state-funded schools file (URN,
  /// Inspection start date, Overall effectiveness), the early years providers file (Provider
  /// URN, Most recent full: ...), or a report card file without an overall grade. A school's
  /// latest inspection wins whichever file gave it. Throws on a file without URN or dates.
  void addOfsted(std::istream& in, std::string_view source);

  const Establishment* byUrn(std::string_view urn) const;
  const Establishment* byUkprn(std::string_view ukprn) const;
  const OfstedJudgement* latestJudgement(std::string_view urn) const;

  size_t establishments() const { return by_urn_.size(); }
  size_t judgements() const { return judgements_.size(); }

 private:
  std::map<std::string, Establishment, std::less<>> by_urn_;
  std::map<std::string, std::string, std::less<>> urn_of_ukprn_;
  std::map<std::string, OfstedJudgement, std::less<>> judgements_;
};

/// The first day of Ofsted's report card framework.
inline constexpr Date kReportCardsFrom{std::chrono::year{2025}, std::chrono::November,
                                       std::chrono::day{10}};

}  // namespace hearth::pipelines::indicators
