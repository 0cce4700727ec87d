#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/time_zone.hpp"

namespace hearth::pipelines::canonical {

/// A calendar date without time zone: social care returns record days, not instants.
using Date = std::chrono::year_month_day;

/// Parses the statutory returns' DD/MM/YYYY form; nullopt for anything else or an impossible day.
std::optional<Date> parseUkDate(std::string_view text);

/// Parses YYYY-MM-DD, ignoring a trailing time ("T10:00:00", " 10:00:00.000") as SQL exports add.
std::optional<Date> parseIsoDate(std::string_view text);

/// Parses YYYY-MM-DD with an optional time as parseIsoDate does, giving the calendar date in
/// `zone`, the source's zone: a time written with Z or an offset is an instant, whose date there
/// may differ (23:30Z on 1 May is 2 May in London); one without is already local.
std::optional<Date> parseIsoDate(std::string_view text, const TimeZone& zone);

/// Parses the school census blade exports' YYYY-Mon-DD ("2015-Jul-26"), ignoring a trailing
/// time (" 00:00:00"); month names in English, any case.
std::optional<Date> parseBladeDate(std::string_view text);

/// YYYY-MM-DD.
std::string formatIsoDate(Date date);
/// Appends YYYY-MM-DD to `out` (a year outside 0-9999 as printf's %04d would write it).
void appendIsoDate(std::string& out, Date date);

/// Today's date in UTC, from the system clock: for callers at the edge (the daemon), never for
/// rules, which take their reference date as an argument so that runs can be repeated.
Date todayUtc();
/// Today's date on the clock of `zone`, from the system clock (for callers at the edge, likewise).
Date todayIn(const TimeZone& zone);

/// Whole days from `from` to `to` (negative when `to` is earlier).
int daysBetween(Date from, Date to);

/// Completed years of age on `on` for someone born on `birth` (29 February birthdays fall on
/// 1 March in common years, as the DfE validator counts them).
int ageInYears(Date birth, Date on);

/// The collection period of a return whose collection year is `year` ("2024" = 2024/25).
Date collectionStart(int year);
Date collectionEnd(int year);

}  // namespace hearth::pipelines::canonical
