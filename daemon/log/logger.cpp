#include "daemon/log/logger.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace hearth::log {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 4> kReservedKeys = {"ts", "level", "component", "msg"};
constexpr std::string_view kDaemonComponent = "daemon";

// Length of the well-formed UTF-8 sequence at s[i], or 0 if there is none, so that a stray byte
// from a source system cannot make the line invalid JSON.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  std::uint32_t code_point = 0;
  if (lead < 0x80) {
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  constexpr std::array<std::uint32_t, 5> kSmallest = {0, 0, 0x80, 0x800, 0x10000};
  const bool overlong = code_point < kSmallest[length];
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (overlong || surrogate || code_point > 0x10FFFF) return 0;
  return length;
}

void appendString(std::string& out, std::string_view s) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else if (c >= 0x80) {
      const size_t length = utf8SequenceLength(s, i);
      if (length == 0) {
        out += "\\ufffd";
        ++i;
        continue;
      }
      out.append(s.substr(i, length));
      i += length;
      continue;
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

template <typename Number>
void appendNumber(std::string& out, Number value) {
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), ec == std::errc() ? end : buffer.data());
}

void appendValue(std::string& out, const Field::Value& value) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    appendString(out, *s);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    appendNumber(out, *i);
  } else if (const auto* u = std::get_if<std::uint64_t>(&value)) {
    appendNumber(out, *u);
  } else if (const auto* d = std::get_if<double>(&value)) {
    // JSON has no NaN or infinity.
    if (std::isfinite(*d)) {
      appendNumber(out, *d);
    } else {
      out += "null";
    }
  } else {
    out += std::get<bool>(value) ? "true" : "false";
  }
}

void appendTimestamp(std::string& out, std::chrono::system_clock::time_point ts) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(ts);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(ms);
  const auto millis = ms.time_since_epoch().count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> buffer{};
  const size_t n = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  out += '"';
  out.append(buffer.data(), n);
  out += '.';
  const auto positive = static_cast<int>(millis < 0 ? millis + 1000 : millis);
  out += static_cast<char>('0' + positive / 100);
  out += static_cast<char>('0' + positive / 10 % 10);
  out += static_cast<char>('0' + positive % 10);
  out += "Z\"";
}

bool isReserved(std::string_view key) {
  for (auto reserved : kReservedKeys) {
    if (key == reserved) return true;
  }
  return false;
}

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing log stream
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

std::string_view levelName(Level level) { return kLevelNames.at(static_cast<size_t>(level)); }

std::optional<Level> parseLevel(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return std::nullopt;
}

std::string formatLine(std::chrono::system_clock::time_point ts, Level level,
                       std::string_view component, std::string_view msg, Fields fields) {
  std::string out;
  out.reserve(128 + msg.size());
  out += "{\"ts\":";
  appendTimestamp(out, ts);
  out += ",\"level\":";
  appendString(out, levelName(level));
  out += ",\"component\":";
  appendString(out, component);
  out += ",\"msg\":";
  appendString(out, msg);
  for (const Field& field : fields) {
    out += ',';
    // A field may not shadow the fixed keys: consumers rely on them being unique.
    if (isReserved(field.key())) {
      appendString(out, std::string(field.key()) + "_");
    } else {
      appendString(out, field.key());
    }
    out += ':';
    appendValue(out, field.value());
  }
  out += "}\n";
  return out;
}

int syslogPriority(Level level) {
  constexpr std::array<int, 4> kPriorities = {7, 6, 4, 3};
  return kPriorities.at(static_cast<size_t>(level));
}

bool isJournalStream(int fd, const char* journal_stream) {
  if (journal_stream == nullptr) return false;
  const std::string_view text(journal_stream);
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  const char* end = text.data() + text.size();
  if (std::from_chars(text.data(), text.data() + colon, device).ec != std::errc() ||
      std::from_chars(text.data() + colon + 1, end, inode).ptr != end) {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return static_cast<std::uint64_t>(st.st_dev) == device &&
         static_cast<std::uint64_t>(st.st_ino) == inode;
}

void Sink::write(Level level, std::string_view component, std::string_view msg, Fields fields) {
  if (!enabled(level)) return;
  std::string line;
  if (syslog_prefix_) {
    line = "<" + std::to_string(syslogPriority(level)) + ">";
  }
  line += formatLine(std::chrono::system_clock::now(), level, component, msg, fields);
  std::lock_guard lock(mutex_);
  writeAll(fd_, line);
}

Sink& stderrSink() {
  static Sink sink(STDERR_FILENO, Level::kInfo,
                   isJournalStream(STDERR_FILENO, std::getenv("JOURNAL_STREAM")));
  return sink;
}

void setLevel(Level level) { stderrSink().setLevel(level); }

void debug(std::string_view msg, Fields fields) {
  stderrSink().write(Level::kDebug, kDaemonComponent, msg, fields);
}
void info(std::string_view msg, Fields fields) {
  stderrSink().write(Level::kInfo, kDaemonComponent, msg, fields);
}
void warn(std::string_view msg, Fields fields) {
  stderrSink().write(Level::kWarn, kDaemonComponent, msg, fields);
}
void error(std::string_view msg, Fields fields) {
  stderrSink().write(Level::kError, kDaemonComponent, msg, fields);
}

}  // namespace hearth::log
