#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hearth::connectors::csv {

/// Reads a source timestamp as Unix epoch milliseconds. Accepted: "YYYY-MM-DD", ISO 8601
/// date-times "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]" (a space may replace the T), and
/// the UK "DD/MM/YYYY" with an optional " HH:MM[:SS]". Times without an offset are taken as UTC.
std::optional<int64_t> parseTimestampMs(std::string_view text);

}  // namespace hearth::connectors::csv
