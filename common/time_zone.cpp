#include "common/time_zone.hpp"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace hearth {
namespace {

constexpr int64_t kFarPast = std::numeric_limits<int64_t>::min() / 2;

int64_t floorDiv(int64_t value, int64_t divisor) {
  return value / divisor - (value % divisor < 0 ? 1 : 0);
}

}  // namespace

std::optional<TimeZone> TimeZone::find(std::string_view name) {
  if (name.empty()) return std::nullopt;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(name);
  } catch (const std::exception&) {
    return std::nullopt;  // unknown name, or no tz database on this machine
  }
  using std::chrono::seconds;
  const date::sys_seconds first{date::sys_days{date::year{1900} / 1 / 1}};
  const date::sys_seconds last{date::sys_days{date::year{2100} / 1 / 1}};
  auto changes = std::make_shared<std::vector<Change>>();
  date::sys_info info = zone->get_info(first);
  changes->push_back({kFarPast, static_cast<int32_t>(info.offset.count())});
  while (info.end < last) {
    const date::sys_seconds from = info.end;
    info = zone->get_info(from);
    if (info.begin != from) break;  // the table's end: its offset holds from here on
    // Changes of abbreviation alone keep the offset; they are not changes of the clock.
    if (info.offset.count() != changes->back().offset_s) {
      changes->push_back(
          {from.time_since_epoch().count(), static_cast<int32_t>(info.offset.count())});
    }
  }
  return TimeZone(std::string(name), std::move(changes));
}

TimeZone TimeZone::utc() {
  static const auto kNoChanges =
      std::make_shared<const std::vector<Change>>(std::vector<Change>{{kFarPast, 0}});
  return TimeZone("UTC", kNoChanges);
}

size_t TimeZone::periodAt(int64_t utc_s) const {
  const auto& changes = *changes_;
  const auto after = std::upper_bound(
      changes.begin() + 1, changes.end(), utc_s,
      [](int64_t value, const Change& change) { return value < change.from_utc_s; });
  return static_cast<size_t>(after - changes.begin()) - 1;
}

int32_t TimeZone::offsetSecondsAt(int64_t utc_ms) const {
  return (*changes_)[periodAt(floorDiv(utc_ms, 1000))].offset_s;
}

int64_t TimeZone::utcMsFromLocal(int64_t local_ms) const {
  const auto& changes = *changes_;
  if (changes.size() == 1) return local_ms - changes[0].offset_s * 1000LL;
  const int64_t local_s = floorDiv(local_ms, 1000);
  // Offsets never exceed a day and changes are months apart, so the period this wall-clock time
  // belongs to is the one holding it read as UTC, or a neighbour.
  const size_t guess = periodAt(local_s);
  const size_t low = guess == 0 ? 0 : guess - 1;
  const size_t high = std::min(guess + 1, changes.size() - 1);
  for (size_t i = low; i <= high; ++i) {
    // Period i shows local times from its start plus its offset up to the next start plus it.
    const int64_t offset = changes[i].offset_s;
    const bool after_start = i == 0 || local_s >= changes[i].from_utc_s + offset;
    const bool before_end = i + 1 == changes.size() || local_s < changes[i + 1].from_utc_s + offset;
    // The first period that shows it gives the earlier instant when the time is repeated.
    if (after_start && before_end) return local_ms - offset * 1000LL;
    // Skipped: past this period's last local time but before the next one's first.
    if (!before_end && local_s < changes[i + 1].from_utc_s + changes[i + 1].offset_s) {
      return local_ms - offset * 1000LL;
    }
  }
  return local_ms - changes[guess].offset_s * 1000LL;
}

}  // namespace hearth
