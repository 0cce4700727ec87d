#include "common/source_timestamp.hpp"

#include <gtest/gtest.h>

namespace hearth {
namespace {

constexpr int64_t kHourMs = 3'600'000;

TimeZone london() { return TimeZone::find("Europe/London").value_or(TimeZone::utc()); }

std::optional<int64_t> utc(std::string_view text) {
  return parseSourceTimestampMs(text, TimeZone::utc());
}

TEST(SourceTimestamp, ReadsIsoDatesAndDateTimes) {
  EXPECT_EQ(utc("1970-01-01"), 0);
  EXPECT_EQ(utc("2024-01-05"), 1704412800000);
  EXPECT_EQ(utc("2024-01-05T10:30"), 1704412800000 + 37800000);
  EXPECT_EQ(utc("2024-01-05 10:30:15.25"), 1704412800000 + 37815250);
  EXPECT_EQ(utc("2024-01-05T10:30:15Z"), 1704412800000 + 37815000);
  EXPECT_EQ(utc("2024-01-05T10:30:15+01:00"), 1704412800000 + 37815000 - 3600000);
  EXPECT_EQ(utc("2024-01-05T10:30:15-0230"), 1704412800000 + 37815000 + 9000000);
  EXPECT_EQ(utc("1969-12-31"), -86400000);
}

TEST(SourceTimestamp, ReadsUkDayFirstDates) {
  EXPECT_EQ(utc("05/01/2024"), 1704412800000);
  EXPECT_EQ(utc("29/02/2024 23:59"), utc("2024-02-29T23:59"));
}

TEST(SourceTimestamp, RefusesWhatIsNotADate) {
  for (const char* text : {"", "2024", "2024-13-01", "2023-02-29", "31/04/2024", "2024-01-05T",
                           "2024-01-05T25:00", "2024-01-05T10:60", "2024-01-05 10:30 UTC",
                           "01/05/24", "yesterday", "2024-01-05T10:30:15+1"}) {
    EXPECT_FALSE(parseSourceTimestampMs(text, london()).has_value()) << text;
  }
}

// A council's case system writes London wall-clock time: 10:00 in July is 09:00 UTC.
TEST(SourceTimestamp, ReadsTimesWithoutAnOffsetAsTheSourcesWallClock) {
  const TimeZone zone = london();
  EXPECT_EQ(parseSourceTimestampMs("2024-07-15T10:00:00", zone), *utc("2024-07-15T09:00:00"));
  EXPECT_EQ(parseSourceTimestampMs("15/07/2024 10:00", zone), *utc("2024-07-15T09:00:00"));
  EXPECT_EQ(parseSourceTimestampMs("2024-01-15 10:00:00", zone), *utc("2024-01-15T10:00:00"));
  EXPECT_EQ(parseSourceTimestampMs("2024-07-15", zone), *utc("2024-07-14T23:00:00"));
}

TEST(SourceTimestamp, KeepsAnExplicitOffsetWhateverTheZone) {
  const TimeZone zone = london();
  EXPECT_EQ(parseSourceTimestampMs("2024-07-15T10:00:00Z", zone), *utc("2024-07-15T10:00:00"));
  EXPECT_EQ(parseSourceTimestampMs("2024-07-15T10:00:00+01:00", zone), *utc("2024-07-15T09:00"));
  EXPECT_EQ(parseSourceTimestampMs("2024-01-15T10:00:00-05:00", zone), *utc("2024-01-15T15:00"));
  EXPECT_EQ(parseSourceTimestampMs("2024-07-15 10:00:00.0000000 +01:00", zone),
            *utc("2024-07-15T09:00"));
}

TEST(SourceTimestamp, ReadsBothClockChangesOfAYearByTheDocumentedRule) {
  const TimeZone zone = london();
  // 30 March 2025: 01:00-02:00 never happened; it is read with the winter offset.
  EXPECT_EQ(parseSourceTimestampMs("2025-03-30 00:30:00", zone), *utc("2025-03-30T00:30"));
  EXPECT_EQ(parseSourceTimestampMs("2025-03-30 01:30:00", zone), *utc("2025-03-30T01:30"));
  EXPECT_EQ(parseSourceTimestampMs("2025-03-30 02:30:00", zone), *utc("2025-03-30T01:30"));
  // 26 October 2025: 01:00-02:00 happened twice; the earlier, summer-time one is taken.
  EXPECT_EQ(parseSourceTimestampMs("2025-10-26 00:30:00", zone), *utc("2025-10-25T23:30"));
  EXPECT_EQ(parseSourceTimestampMs("2025-10-26 01:30:00", zone), *utc("2025-10-26T00:30"));
  EXPECT_EQ(parseSourceTimestampMs("2025-10-26 02:30:00", zone), *utc("2025-10-26T02:30"));
  EXPECT_EQ(*parseSourceTimestampMs("2025-10-26 02:30:00", zone) -
                *parseSourceTimestampMs("2025-10-26 00:30:00", zone),
            3 * kHourMs);
}

}  // namespace
}  // namespace hearth
