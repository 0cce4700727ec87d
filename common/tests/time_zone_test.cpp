#include "common/time_zone.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hearth {
namespace {

constexpr int64_t kHourMs = 3'600'000;

// Milliseconds from 1970-01-01 00:00 to a calendar time, whatever clock it is read on.
int64_t at(int year, unsigned month, unsigned day, int hour, int minute = 0) {
  const std::chrono::sys_days days{std::chrono::year{year} / month / day};
  return days.time_since_epoch().count() * 24 * kHourMs + hour * kHourMs + minute * 60'000LL;
}

TimeZone london() {
  const std::optional<TimeZone> zone = TimeZone::find("Europe/London");
  EXPECT_TRUE(zone.has_value());
  return zone.value_or(TimeZone::utc());
}

TEST(TimeZone, FindsTzDatabaseNamesAndRefusesOthers) {
  EXPECT_EQ(london().name(), "Europe/London");
  EXPECT_TRUE(TimeZone::find("UTC").has_value());
  EXPECT_TRUE(TimeZone::find("America/New_York").has_value());
  EXPECT_FALSE(TimeZone::find("Europe/Londres").has_value());
  EXPECT_FALSE(TimeZone::find("BST").has_value());
  EXPECT_FALSE(TimeZone::find("").has_value());
}

TEST(TimeZone, LondonIsAnHourAheadInSummerAndOnUtcInWinter) {
  const TimeZone zone = london();
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 7, 15, 10)), at(2024, 7, 15, 9));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 1, 15, 10)), at(2024, 1, 15, 10));
  EXPECT_EQ(zone.offsetSecondsAt(at(2024, 7, 15, 9)), 3600);
  EXPECT_EQ(zone.offsetSecondsAt(at(2024, 1, 15, 9)), 0);
  EXPECT_EQ(zone.localMsFromUtc(at(2024, 5, 1, 23, 30)), at(2024, 5, 2, 0, 30));
}

// 2024: clocks went forward at 01:00 UTC on 31 March and back at 01:00 UTC on 27 October.
TEST(TimeZone, SpringForwardReadsTheSkippedHourWithTheWinterOffset) {
  const TimeZone zone = london();
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 3, 31, 0, 59)), at(2024, 3, 31, 0, 59));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 3, 31, 1, 0)), at(2024, 3, 31, 1, 0));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 3, 31, 1, 30)), at(2024, 3, 31, 1, 30));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 3, 31, 2, 0)), at(2024, 3, 31, 1, 0));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 3, 31, 2, 30)), at(2024, 3, 31, 1, 30));
  EXPECT_EQ(zone.offsetSecondsAt(at(2024, 3, 31, 1, 0) - 1), 0);
  EXPECT_EQ(zone.offsetSecondsAt(at(2024, 3, 31, 1, 0)), 3600);
}

TEST(TimeZone, AutumnBackReadsTheRepeatedHourAsTheEarlierSummerTime) {
  const TimeZone zone = london();
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 10, 27, 0, 59)), at(2024, 10, 26, 23, 59));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 10, 27, 1, 0)), at(2024, 10, 27, 0, 0));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 10, 27, 1, 30)), at(2024, 10, 27, 0, 30));
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 10, 27, 2, 0)), at(2024, 10, 27, 2, 0));
  EXPECT_EQ(zone.localMsFromUtc(at(2024, 10, 27, 0, 30)), at(2024, 10, 27, 1, 30));
  EXPECT_EQ(zone.localMsFromUtc(at(2024, 10, 27, 1, 30)), at(2024, 10, 27, 1, 30));
}

TEST(TimeZone, EveryLocalTimeOfAYearRoundTripsOutsideTheChanges) {
  const TimeZone zone = london();
  int repeated = 0;
  for (int64_t utc = at(2025, 1, 1, 0); utc < at(2026, 1, 1, 0); utc += 15 * 60'000) {
    const int64_t local = zone.localMsFromUtc(utc);
    if (zone.utcMsFromLocal(local) != utc) {
      ++repeated;
      EXPECT_EQ(zone.utcMsFromLocal(local), utc - kHourMs);  // the second 01:xx of 26 October
    }
  }
  EXPECT_EQ(repeated, 4);
}

TEST(TimeZone, UtcHasNoChanges) {
  const TimeZone zone = TimeZone::utc();
  EXPECT_EQ(zone.utcMsFromLocal(at(2024, 7, 15, 10)), at(2024, 7, 15, 10));
  EXPECT_EQ(zone.offsetSecondsAt(at(2024, 7, 15, 10)), 0);
  EXPECT_EQ(zone.utcMsFromLocal(-1), -1);
}

TEST(TimeZone, OtherZonesKeepTheirOwnRules) {
  const std::optional<TimeZone> new_york = TimeZone::find("America/New_York");
  ASSERT_TRUE(new_york.has_value());
  EXPECT_EQ(new_york->utcMsFromLocal(at(2024, 7, 15, 10)), at(2024, 7, 15, 14));
  EXPECT_EQ(new_york->utcMsFromLocal(at(2024, 1, 15, 10)), at(2024, 1, 15, 15));
}

}  // namespace
}  // namespace hearth
