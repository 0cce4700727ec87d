#include "pipelines/indicators/period.hpp"

#include <algorithm>
#include <chrono>

namespace hearth::pipelines::indicators {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

std::string twoYearLabel(int first_year) {
  const int next = (first_year + 1) % 100;
  return std::to_string(first_year) + "-" + (next < 10 ? "0" : "") + std::to_string(next);
}

}  // namespace

Period financialYearStarting(int first_year) {
  return {PeriodKind::kFinancialYear, Date{year{first_year}, month{4}, day{1}},
          Date{year{first_year + 1}, month{3}, day{31}}, twoYearLabel(first_year)};
}

Period snapshot(Date on) { return {PeriodKind::kSnapshot, on, on, canonical::formatIsoDate(on)}; }

Period rolling12MonthsTo(Date end) {
  const Date start = dateFromDayNumber(dayNumber(addMonthsClamped(end, -12)) + 1);
  return {PeriodKind::kRolling12Months, start, end, "12m to " + canonical::formatIsoDate(end)};
}

Period academicYearStarting(int first_year) {
  return {PeriodKind::kAcademicYear, Date{year{first_year}, month{9}, day{1}},
          Date{year{first_year + 1}, month{8}, day{31}}, "AY" + twoYearLabel(first_year)};
}

std::string_view periodKindName(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kFinancialYear:
      return "financial_year";
    case PeriodKind::kSnapshot:
      return "snapshot";
    case PeriodKind::kRolling12Months:
      return "rolling_12_months";
    case PeriodKind::kAcademicYear:
      return "academic_year";
  }
  return "financial_year";
}

int dayNumber(Date date) {
  return static_cast<int>(std::chrono::sys_days{date}.time_since_epoch().count());
}

Date dateFromDayNumber(int number) {
  return Date{std::chrono::sys_days{std::chrono::days{number}}};
}

Date addMonthsClamped(Date date, int months) {
  const std::chrono::year_month shifted =
      std::chrono::year_month{date.year(), date.month()} + std::chrono::months{months};
  const std::chrono::day last = std::chrono::year_month_day_last{
      shifted.year(),
      std::chrono::month_day_last{
          shifted.month()}}.day();
  return Date{shifted.year(), shifted.month(), std::min(date.day(), last)};
}

bool openOn(std::optional<Date> start, std::optional<Date> end, Date on) {
  return start && *start <= on && (!end || *end > on);
}

bool openDuring(std::optional<Date> start, std::optional<Date> end, const Period& period) {
  return start && *start <= period.end && (!end || *end >= period.start);
}

bool within(std::optional<Date> on, const Period& period) {
  return on && *on >= period.start && *on <= period.end;
}

}  // namespace hearth::pipelines::indicators
