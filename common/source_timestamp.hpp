#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/time_zone.hpp"

namespace hearth {

/// A timestamp as a source wrote it: the wall-clock time, and the offset when one was written.
struct SourceTimestamp {
  int64_t wall_ms = 0;               // from 1970-01-01 00:00 on the writer's clock
  std::optional<int64_t> offset_ms;  // Z is 0; nullopt: none written
  bool has_time = false;             // false for a date alone

  /// The instant: the written offset when there is one, else the wall clock of `zone`.
  int64_t utcMs(const TimeZone& zone) const {
    return offset_ms ? wall_ms - *offset_ms : zone.utcMsFromLocal(wall_ms);
  }
};

/// Reads "YYYY-MM-DD", ISO 8601 date-times "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]" (a
/// space may replace the T, and precede the offset as SQL Server prints it), and the UK
/// "DD/MM/YYYY" with an optional " HH:MM[:SS]"; nullopt for anything else or an impossible date or
/// time.
std::optional<SourceTimestamp> parseSourceTimestamp(std::string_view text);

/// A source timestamp as Unix epoch milliseconds. A time with an offset or Z is that instant;
/// one without, and a date alone (its midnight), is wall-clock time in `zone`, the source's
/// configured zone.
std::optional<int64_t> parseSourceTimestampMs(std::string_view text, const TimeZone& zone);

}  // namespace hearth
