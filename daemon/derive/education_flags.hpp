#pragma once

#include <optional>
#include <string>

#include "pipelines/canonical/model.hpp"
#include "pipelines/canonical/packed_records.hpp"
#include "pipelines/indicators/person_records.hpp"
#include "pipelines/indicators/school_register.hpp"

namespace hearth::daemon::derive {

/// The person view's education flags on a day, gathered record by record.
class EducationFlags {
 public:
  /// `schools` (may be null) says what kind of school an EHC plan's placement is.
  explicit EducationFlags(pipelines::canonical::Date as_of,
                          const pipelines::indicators::SchoolRegister* schools = nullptr);

  /// Takes in what the record says; records of other kinds are ignored.
  void note(pipelines::canonical::RecordRef record);
  /// Appends the flags as `,"name":value` members of the flags object.
  void appendJson(std::string& out) const;

 private:
  pipelines::canonical::Date as_of_;
  const pipelines::indicators::SchoolRegister* schools_;
  pipelines::canonical::Date year_ago_;             // attendance of returns since then counts
  pipelines::canonical::Date academic_year_start_;  // 1 September on or before as_of
  std::optional<pipelines::canonical::Date> latest_nccis_;
  bool neet_or_not_known_ = false;
  std::optional<int> nccis_academic_age_;  // on the latest snapshot
  double possible_sessions_ = 0;
  double missed_sessions_ = 0;
  bool excluded_ = false;
  bool missing_education_ = false;
  bool funded_two_year_old_ = false;
  std::optional<pipelines::canonical::Date> latest_sen_census_;  // the latest in the last year
  bool sen_support_ = false;                   // K on that census (at any of the pupil's schools)
  pipelines::indicators::PersonRecords sen2_;  // the SEN2 rows, joined into plans at the end
};

}  // namespace hearth::daemon::derive
