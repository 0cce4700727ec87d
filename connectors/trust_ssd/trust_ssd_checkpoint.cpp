#include "connectors/trust_ssd/trust_ssd_checkpoint.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace hearth::connectors::trust_ssd {
namespace {

constexpr int kVersion = 1;

Error badToken(const std::string& why) {
  return makeError("ssd.bad_checkpoint", "checkpoint token is unusable: " + why);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

// The inverse of daysFromCivil.
void civilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2);
}

bool digits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

Result<Checkpoint> Checkpoint::parse(std::string_view token) {
  Checkpoint checkpoint;
  if (token.empty()) return checkpoint;
  const nlohmann::json json = nlohmann::json::parse(token, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return badToken("not a JSON object");
  if (json.value("version", 0) != kVersion) return badToken("unknown version");
  const auto tables = json.find("tables");
  if (tables == json.end() || !tables->is_object()) return badToken("no tables");
  for (const auto& [name, entry] : tables->items()) {
    if (!entry.is_object()) return badToken("table " + name + " is not an object");
    TableCursor cursor;
    if (const auto ts = entry.find("ts"); ts != entry.end()) {
      if (!ts->is_string()) return badToken("table " + name + ": ts is not a string");
      cursor.timestamp = ts->get<std::string>();
    }
    if (const auto id = entry.find("id"); id != entry.end()) {
      if (id->is_string()) {
        cursor.id = id->get<std::string>();
      } else if (!id->is_null()) {
        return badToken("table " + name + ": id is not a string");
      }
    }
    if (const auto done = entry.find("done_ms"); done != entry.end()) {
      if (!done->is_number_integer())
        return badToken("table " + name + ": done_ms is not a number");
      cursor.full_read_done_ms = done->get<int64_t>();
    }
    checkpoint.tables_.emplace(name, std::move(cursor));
  }
  return checkpoint;
}

std::string Checkpoint::serialize() const {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& [name, cursor] : tables_) {
    nlohmann::json entry = nlohmann::json::object();
    if (cursor.timestamp) {
      entry["ts"] = *cursor.timestamp;
      entry["id"] = cursor.id ? nlohmann::json(*cursor.id) : nlohmann::json(nullptr);
    } else if (cursor.id) {
      entry["id"] = *cursor.id;
    }
    if (cursor.full_read_done_ms != 0) entry["done_ms"] = cursor.full_read_done_ms;
    tables[name] = std::move(entry);
  }
  return nlohmann::json{{"version", kVersion}, {"tables", std::move(tables)}}.dump();
}

TableCursor& Checkpoint::cursor(std::string_view table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), TableCursor{}).first;
  return it->second;
}

const TableCursor* Checkpoint::find(std::string_view table) const {
  const auto it = tables_.find(table);
  return it == tables_.end() ? nullptr : &it->second;
}

namespace {

// Milliseconds from 1970-01-01 00:00 on the source's own clock to "YYYY-MM-DD",
// "YYYY-MM-DD HH:MM:SS[.fff]" or the same with 'T'; nullopt for anything else.
std::optional<int64_t> wallClockMs(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !digits(text, 5, 2, month) || !digits(text, 8, 2, day) || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return std::nullopt;
  }
  int64_t ms =
      daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86'400'000;
  if (text.size() == 10) return ms;
  int hour = 0, minute = 0, second = 0;
  if ((text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, hour) || text.size() < 19 ||
      text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
      !digits(text, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  ms += (hour * 3600 + minute * 60 + second) * int64_t{1000};
  if (text.size() > 20 && text[19] == '.') {
    int scale = 100;
    for (size_t i = 20; i < text.size() && text[i] >= '0' && text[i] <= '9' && scale > 0; ++i) {
      ms += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  return ms;
}

}  // namespace

std::optional<std::string> subtractSeconds(std::string_view timestamp, int64_t seconds) {
  const std::optional<int64_t> ms = wallClockMs(timestamp);
  if (!ms) return std::nullopt;
  const int64_t total = *ms / 1000 - seconds;
  int64_t days = total / 86400;
  int64_t rest = total % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civilFromDays(days, year, month, day);
  // Wide enough for any year an int64_t day count can reach, so nothing is ever cut off.
  char text[96];
  std::snprintf(text, sizeof(text), "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                static_cast<long long>(year), month, day, static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  return std::string(text);
}

}  // namespace hearth::connectors::trust_ssd
