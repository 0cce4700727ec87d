#include "connectors/csv/csv_timestamp.hpp"

#include <gtest/gtest.h>

namespace hearth::connectors::csv {
namespace {

TEST(CsvTimestamp, ReadsIsoDatesAndDateTimes) {
  EXPECT_EQ(parseTimestampMs("1970-01-01"), 0);
  EXPECT_EQ(parseTimestampMs("2024-01-05"), 1704412800000);
  EXPECT_EQ(parseTimestampMs("2024-01-05T10:30"), 1704412800000 + 37800000);
  EXPECT_EQ(parseTimestampMs("2024-01-05 10:30:15.25"), 1704412800000 + 37815250);
  EXPECT_EQ(parseTimestampMs("2024-01-05T10:30:15Z"), 1704412800000 + 37815000);
  EXPECT_EQ(parseTimestampMs("2024-01-05T10:30:15+01:00"), 1704412800000 + 37815000 - 3600000);
  EXPECT_EQ(parseTimestampMs("2024-01-05T10:30:15-0230"), 1704412800000 + 37815000 + 9000000);
  EXPECT_EQ(parseTimestampMs("1969-12-31"), -86400000);
}

TEST(CsvTimestamp, ReadsUkDayFirstDates) {
  EXPECT_EQ(parseTimestampMs("05/01/2024"), 1704412800000);
  EXPECT_EQ(parseTimestampMs("29/02/2024 23:59"), parseTimestampMs("2024-02-29T23:59"));
}

TEST(CsvTimestamp, RefusesWhatIsNotADate) {
  for (const char* text : {"", "2024", "2024-13-01", "2023-02-29", "31/04/2024", "2024-01-05T",
                           "2024-01-05T25:00", "2024-01-05T10:60", "2024-01-05 10:30 UTC",
                           "01/05/24", "yesterday", "2024-01-05T10:30:15+1"}) {
    EXPECT_FALSE(parseTimestampMs(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace hearth::connectors::csv
