#pragma once

#include <optional>
#include <string>

#include "pipelines/canonical/model.hpp"

namespace hearth::daemon::derive {

/// The person view's education flags on a day, gathered record by record.
class EducationFlags {
 public:
  explicit EducationFlags(pipelines::canonical::Date as_of);

  /// Takes in what the record says; records of other kinds are ignored.
  void note(const pipelines::canonical::Record& record);
  /// Appends the flags as `,"name":bool` members of the flags object.
  void appendJson(std::string& out) const;

 private:
  pipelines::canonical::Date as_of_;
  pipelines::canonical::Date year_ago_;             // attendance of returns since then counts
  pipelines::canonical::Date academic_year_start_;  // 1 September on or before as_of
  std::optional<pipelines::canonical::Date> latest_nccis_;
  bool neet_or_not_known_ = false;
  double possible_sessions_ = 0;
  double missed_sessions_ = 0;
  bool excluded_ = false;
  bool missing_education_ = false;
};

}  // namespace hearth::daemon::derive
