#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::pipelines {

/// Appends `text` as a JSON string literal (quotes included), escaping what RFC 8259 requires.
/// Input is expected to be valid UTF-8 (connectors reject anything else); bytes >= 0x80 pass
/// through unchanged.
void appendJsonString(std::string& out, std::string_view text);

/// Like appendJsonString, but replaces bytes that are not valid UTF-8 with U+FFFD, for input
/// that was rejected precisely because it may be malformed.
void appendJsonStringLossy(std::string& out, std::string_view text);

/// Length of the valid UTF-8 sequence starting at text[pos], or 0 if it is not valid there.
size_t validUtf8SequenceLength(std::string_view text, size_t pos);

/// Appends a signed integer in decimal.
void appendJsonInt(std::string& out, int64_t value);

/// Appends a number in its shortest round-trip form; null for NaN and infinities, which JSON
/// cannot carry.
void appendJsonDouble(std::string& out, double value);

/// Appends an RFC 3339 UTC timestamp with milliseconds, quoted: "2024-03-31T23:59:59.123Z".
void appendJsonTimestampMs(std::string& out, int64_t unix_ms);

}  // namespace hearth::pipelines
