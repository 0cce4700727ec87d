#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth {

/// A source's civil clock: its offsets from UTC and when they change, read once from the
/// operating system's tz database, then converted without further look-ups (safe to share
/// between threads).
///
/// Local times that the clock skips or repeats are read by one rule, everywhere in Hearth:
/// - skipped (spring forward, 01:00-02:00 in London): the offset in force before the change,
///   so 01:30 is read as 02:30 summer time, the instant a clock that had not yet changed showed;
/// - repeated (autumn back, 01:00-02:00 twice in London): the earlier instant, in summer time,
///   because a record written in the second hour cannot be told from one written in the first and
///   the earlier reading never moves a time past its true instant by more than the repeat.
/// Changes are known from 1900 to the end of the tz database's table (2037); outside it the
/// nearest known offset applies.
class TimeZone {
 public:
  static constexpr std::string_view kDefaultName = "Europe/London";

  /// The tz database zone called `name` ("Europe/London", "UTC"); nullopt when unknown.
  static std::optional<TimeZone> find(std::string_view name);
  /// Coordinated Universal Time: no offset, no changes.
  static TimeZone utc();

  const std::string& name() const { return name_; }

  /// The offset from UTC in force at the instant `utc_ms`, in seconds.
  int32_t offsetSecondsAt(int64_t utc_ms) const;
  /// The instant of a wall-clock time, given as milliseconds from 1970-01-01 00:00 local time
  /// (skipped and repeated times as the class comment says).
  int64_t utcMsFromLocal(int64_t local_ms) const;
  /// The wall-clock time at the instant `utc_ms`, as milliseconds from 1970-01-01 00:00 local.
  int64_t localMsFromUtc(int64_t utc_ms) const { return utc_ms + offsetSecondsAt(utc_ms) * 1000LL; }

 private:
  // From `from_utc_s` on (until the next change) the clock is `offset_s` ahead of UTC.
  struct Change {
    int64_t from_utc_s;
    int32_t offset_s;
  };
  TimeZone(std::string name, std::shared_ptr<const std::vector<Change>> changes)
      : name_(std::move(name)), changes_(std::move(changes)) {}
  size_t periodAt(int64_t utc_s) const;

  std::string name_;
  std::shared_ptr<const std::vector<Change>> changes_;  // never empty; first from the far past
};

}  // namespace hearth
