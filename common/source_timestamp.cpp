#include "common/source_timestamp.hpp"

#include <chrono>

namespace hearth {
namespace {

// Reads exactly `digits` decimal digits at `at`, moving past them.
bool number(std::string_view text, size_t& at, size_t digits, int& out) {
  if (text.size() - at < digits) return false;
  out = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  at += digits;
  return true;
}

bool literal(std::string_view text, size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

std::optional<int64_t> daysSinceEpoch(int year, int month, int day) {
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date).time_since_epoch().count();
}

// "HH:MM[:SS[.fraction]]" at `at`; milliseconds into the day.
bool timeOfDay(std::string_view text, size_t& at, int64_t& ms) {
  int hour;
  int minute;
  int second = 0;
  int64_t millis = 0;
  if (!number(text, at, 2, hour) || !literal(text, at, ':') || !number(text, at, 2, minute)) {
    return false;
  }
  if (literal(text, at, ':')) {
    if (!number(text, at, 2, second)) return false;
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
      ++at;
      const size_t first = at;
      int64_t scale = 100;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
        millis += (text[at] - '0') * scale;
        scale /= 10;
        ++at;
      }
      if (at == first) return false;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  ms = ((hour * 60 + minute) * 60 + second) * int64_t{1000} + millis;
  return true;
}

// "Z", "+HH:MM", "+HHMM", "+HH" (or '-', perhaps after a space) at `at`, to the end; the offset to
// subtract, or nullopt when the text ends without one.
bool offset(std::string_view text, size_t& at, std::optional<int64_t>& offset_ms) {
  offset_ms.reset();
  if (at == text.size()) return true;
  offset_ms = 0;
  if (literal(text, at, 'Z')) return at == text.size();
  // SQL Server prints datetimeoffset values with a space before the offset.
  if (text[at] == ' ' && at + 1 < text.size() && (text[at + 1] == '+' || text[at + 1] == '-')) {
    ++at;
  }
  const char sign = text[at];
  if (sign != '+' && sign != '-') return false;
  ++at;
  int hours;
  int minutes = 0;
  if (!number(text, at, 2, hours)) return false;
  if (at < text.size()) {
    literal(text, at, ':');
    if (!number(text, at, 2, minutes)) return false;
  }
  if (at != text.size() || hours > 23 || minutes > 59) return false;
  *offset_ms = (hours * 60 + minutes) * int64_t{60000} * (sign == '-' ? -1 : 1);
  return true;
}

}  // namespace

std::optional<SourceTimestamp> parseSourceTimestamp(std::string_view text) {
  size_t at = 0;
  int year;
  int month;
  int day;
  if (text.size() >= 10 && text[4] == '-') {
    if (!number(text, at, 4, year) || !literal(text, at, '-') || !number(text, at, 2, month) ||
        !literal(text, at, '-') || !number(text, at, 2, day)) {
      return std::nullopt;
    }
  } else if (text.size() >= 10 && text[2] == '/') {
    if (!number(text, at, 2, day) || !literal(text, at, '/') || !number(text, at, 2, month) ||
        !literal(text, at, '/') || !number(text, at, 4, year)) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  const std::optional<int64_t> days = daysSinceEpoch(year, month, day);
  if (!days) return std::nullopt;

  SourceTimestamp timestamp;
  int64_t ms = 0;
  if (at < text.size()) {
    if (text[at] != 'T' && text[at] != ' ') return std::nullopt;
    ++at;
    if (!timeOfDay(text, at, ms) || !offset(text, at, timestamp.offset_ms)) return std::nullopt;
    timestamp.has_time = true;
  }
  timestamp.wall_ms = *days * int64_t{86'400'000} + ms;
  return timestamp;
}

std::optional<int64_t> parseSourceTimestampMs(std::string_view text, const TimeZone& zone) {
  const std::optional<SourceTimestamp> timestamp = parseSourceTimestamp(text);
  if (!timestamp) return std::nullopt;
  return timestamp->utcMs(zone);
}

}  // namespace hearth
