#include "pipelines/canonical/date.hpp"

#include <cstdio>

#include "common/source_timestamp.hpp"

namespace hearth::pipelines::canonical {
namespace {

bool digitsAt(std::string_view text, size_t pos, size_t count, int& out) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

std::optional<Date> makeDate(int year, int month, int day) {
  const Date date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace

std::optional<Date> parseUkDate(std::string_view text) {
  int day = 0;
  int month = 0;
  int year = 0;
  if (text.size() != 10 || text[2] != '/' || text[5] != '/') return std::nullopt;
  if (!digitsAt(text, 0, 2, day) || !digitsAt(text, 3, 2, month) || !digitsAt(text, 6, 4, year)) {
    return std::nullopt;
  }
  return makeDate(year, month, day);
}

std::optional<Date> parseIsoDate(std::string_view text) {
  int day = 0;
  int month = 0;
  int year = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return std::nullopt;
  if (!digitsAt(text, 0, 4, year) || !digitsAt(text, 5, 2, month) || !digitsAt(text, 8, 2, day)) {
    return std::nullopt;
  }
  return makeDate(year, month, day);
}

std::optional<Date> parseIsoDate(std::string_view text, const TimeZone& zone) {
  const std::optional<Date> date = parseIsoDate(text);
  if (!date || text.size() <= 10) return date;
  const std::optional<SourceTimestamp> timestamp = parseSourceTimestamp(text);
  // Without an offset the date is the source's own; a time it cannot read strictly is
  // ignored, as parseIsoDate ignores it.
  if (!timestamp || !timestamp->offset_ms) return date;
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t local_ms = zone.localMsFromUtc(timestamp->utcMs(zone));
  const int64_t day = local_ms / kDayMs - (local_ms % kDayMs < 0 ? 1 : 0);
  return Date{std::chrono::sys_days{std::chrono::days{day}}};
}

std::optional<Date> parseBladeDate(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  int year = 0;
  int day = 0;
  if (text.size() < 11 || text[4] != '-' || text[8] != '-') return std::nullopt;
  if (text.size() > 11 && text[11] != ' ' && text[11] != 'T') return std::nullopt;
  if (!digitsAt(text, 0, 4, year) || !digitsAt(text, 9, 2, day)) return std::nullopt;
  char name[3];
  for (size_t i = 0; i < 3; ++i) {
    const char c = text[5 + i];
    name[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  for (int month = 1; month <= 12; ++month) {
    if (std::string_view(name, 3) == kMonths[month - 1]) return makeDate(year, month, day);
  }
  return std::nullopt;
}

Date todayUtc() {
  return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

Date todayIn(const TimeZone& zone) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return Date{
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>{
          std::chrono::milliseconds{zone.localMsFromUtc(now_ms)}})};
}

void appendIsoDate(std::string& out, Date date) {
  const int year = static_cast<int>(date.year());
  const unsigned month = static_cast<unsigned>(date.month());
  const unsigned day = static_cast<unsigned>(date.day());
  if (year < 0 || year > 9999 || month > 99 || day > 99) {
    char buffer[32];
    const int length = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year, month, day);
    out.append(buffer, static_cast<size_t>(length));
    return;
  }
  // Every record of a council carries dates, each written into its event: no printf.
  const auto two_digits = [&out](unsigned n) {
    out.push_back(static_cast<char>('0' + n / 10));
    out.push_back(static_cast<char>('0' + n % 10));
  };
  two_digits(static_cast<unsigned>(year) / 100);
  two_digits(static_cast<unsigned>(year) % 100);
  out.push_back('-');
  two_digits(month);
  out.push_back('-');
  two_digits(day);
}

std::string formatIsoDate(Date date) {
  std::string out;
  appendIsoDate(out, date);
  return out;
}

int daysBetween(Date from, Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}

int ageInYears(Date birth, Date on) {
  int age = static_cast<int>(on.year()) - static_cast<int>(birth.year());
  const unsigned birth_month = static_cast<unsigned>(birth.month());
  const unsigned on_month = static_cast<unsigned>(on.month());
  if (on_month < birth_month ||
      (on_month == birth_month &&
       static_cast<unsigned>(on.day()) < static_cast<unsigned>(birth.day()))) {
    --age;
  }
  return age;
}

Date collectionStart(int year) {
  return Date{std::chrono::year{year}, std::chrono::April, std::chrono::day{1}};
}

Date collectionEnd(int year) {
  return Date{std::chrono::year{year + 1}, std::chrono::March, std::chrono::day{31}};
}

}  // namespace hearth::pipelines::canonical
