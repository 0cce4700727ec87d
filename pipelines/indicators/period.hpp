#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipelines/canonical/date.hpp"

namespace hearth::pipelines::indicators {

using canonical::Date;

/// How a reporting period was chosen; the rules read only its first and last day.
enum class PeriodKind { kFinancialYear, kSnapshot, kRolling12Months, kAcademicYear };

/// A closed range of days an indicator is reported over. "At period end" means open on `end`.
struct Period {
  PeriodKind kind = PeriodKind::kFinancialYear;
  Date start;
  Date end;
  std::string label;  // "2024-25", "2025-03-31", "12m to 2025-03-31", "AY2024-25"
  bool operator==(const Period&) const = default;
};

/// 1 April `year` to 31 March `year` + 1 (the year a statutory return calls "2024" for 2024-25).
Period financialYearStarting(int year);
/// A single day: indicators measured "at period end" become stock counts on that day.
Period snapshot(Date day);
/// The twelve months ending on `end`: from the day after the same date a year earlier.
Period rolling12MonthsTo(Date end);
/// 1 September `year` to 31 August `year` + 1.
Period academicYearStarting(int year);

std::string_view periodKindName(PeriodKind kind);

/// Days since 1970-01-01: the integer form the rules compare and subtract.
int dayNumber(Date date);
Date dateFromDayNumber(int day);

/// Adds calendar months, clamping to the end of a shorter month (29 February - 12 months =
/// 28 February), the convention "twelve months before" uses.
Date addMonthsClamped(Date date, int months);

/// Open on `day`: started on or before it and not ended on or before it.
bool openOn(std::optional<Date> start, std::optional<Date> end, Date day);
/// Open at some time in the period: started by its end and not ended before its start.
bool openDuring(std::optional<Date> start, std::optional<Date> end, const Period& period);
bool within(std::optional<Date> day, const Period& period);

}  // namespace hearth::pipelines::indicators
