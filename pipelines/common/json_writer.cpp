#include "pipelines/common/json_writer.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

namespace hearth::pipelines {
namespace {

// Bytes that need escaping inside a JSON string: control characters, quote and backslash.
constexpr bool needsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// The JSON escape of a byte needsEscape() picks.
void appendEscaped(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    case '\b':
      out.append("\\b");
      return;
    case '\f':
      out.append("\\f");
      return;
    default: {
      const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
}

void appendTwoDigits(std::string& out, unsigned value) {
  out.push_back(static_cast<char>('0' + value / 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

}  // namespace

// True if any of the eight bytes in `word` is a control character, '"' or '\\' (SWAR: the
// classic "has a zero byte" test applied to the word XOR each special byte, and a "less than
// 0x20" test on the bytes themselves). Values never need escaping in the common case, so the
// scan checks eight bytes per step.
bool anyNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t has_quote = (quote - kOnes) & ~quote;
  const uint64_t has_backslash = (backslash - kOnes) & ~backslash;
  const uint64_t below_space = (word - kOnes * 0x20) & ~word;
  return ((has_quote | has_backslash | below_space) & kHigh) != 0;
}

void appendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  const char* run_start = text.data();
  const char* const end = text.data() + text.size();
  const char* p = run_start;
  while (p != end) {
    // Eight clean bytes at a time; a word with a special byte, or the last few bytes, byte by
    // byte, and then eight at a time again: a value with a quote near its start (a free-text
    // note) is otherwise read a byte at a time to its end.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if (!anyNeedsEscape(word)) {
        p += 8;
        continue;
      }
    }
    const char* const stop = p + std::min<ptrdiff_t>(8, end - p);
    for (; p != stop; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (!needsEscape(c)) continue;
      out.append(run_start, p);
      appendEscaped(out, c);
      run_start = p + 1;
    }
  }
  out.append(run_start, end);
  out.push_back('"');
}

size_t validUtf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length]) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  if (code_point > 0x10FFFF) return 0;
  return length;
}

void appendJsonStringLossy(std::string& out, std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = validUtf8SequenceLength(text, pos);
    if (length == 0) {
      clean.append("\xEF\xBF\xBD");
      ++pos;
    } else {
      clean.append(text.substr(pos, length));
      pos += length;
    }
  }
  appendJsonString(out, clean);
}

void appendJsonInt(std::string& out, int64_t value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void appendJsonDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void appendJsonTimestampMs(std::string& out, int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{unix_ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  out.push_back('"');
  appendJsonInt(out, static_cast<int>(ymd.year()));
  out.push_back('-');
  appendTwoDigits(out, static_cast<unsigned>(ymd.month()));
  out.push_back('-');
  appendTwoDigits(out, static_cast<unsigned>(ymd.day()));
  out.push_back('T');
  appendTwoDigits(out, static_cast<unsigned>(hms.hours().count()));
  out.push_back(':');
  appendTwoDigits(out, static_cast<unsigned>(hms.minutes().count()));
  out.push_back(':');
  appendTwoDigits(out, static_cast<unsigned>(hms.seconds().count()));
  out.push_back('.');
  const auto ms = static_cast<unsigned>(hms.subseconds().count());
  out.push_back(static_cast<char>('0' + ms / 100));
  appendTwoDigits(out, ms % 100);
  out.append("Z\"");
}

}  // namespace hearth::pipelines
