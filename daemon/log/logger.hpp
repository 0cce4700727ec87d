#pragma once

// JSON-lines logging for journald: one object per line on stderr, e.g.
//   {"ts":"2024-05-01T09:30:00.123Z","level":"info","component":"scheduler",
//    "msg":"connector started","connector":"demo_csv","records":12}
// When stderr is the journal itself (systemd sets JOURNAL_STREAM), each line starts with its
// syslog priority, "<3>" for an error to "<7>" for debug, which journald takes off and keeps, so
// `journalctl -p err` finds the errors.
//
// Personal data must never be passed to a logger: no names, identifiers (NHS number, UPN, ...),
// birth dates, postcodes or record contents, in the message or in any field. Log counts, stream
// names, source keys' positions and reason codes instead; rejected records go to hearth.rejects.

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace hearth::log {

enum class Level : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

/// "debug", "info", "warn" or "error": the names used in config and in every line.
std::string_view levelName(Level level);

/// Parses a level name as written in config; nullopt for anything else.
std::optional<Level> parseLevel(std::string_view name);

/// One typed key/value of a log line. Holds views: build fields in the logging call itself.
class Field {
 public:
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) : key_(key), value_(std::string_view(value)) {}
  Field(std::string_view key, bool value) : key_(key), value_(value) {}
  Field(std::string_view key, double value) : key_(key), value_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) Field(std::string_view key, T value)
      : key_(key), value_(widen(value)) {}

  std::string_view key() const { return key_; }
  const Value& value() const { return value_; }

 private:
  template <std::integral T>
  static Value widen(T value) {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<std::int64_t>(value);
    } else {
      return static_cast<std::uint64_t>(value);
    }
  }

  std::string_view key_;
  Value value_;
};

using Fields = std::initializer_list<Field>;

/// Renders one line, newline included. Exposed so tests can pin the format down.
std::string formatLine(std::chrono::system_clock::time_point ts, Level level,
                       std::string_view component, std::string_view msg, Fields fields);

/// The syslog priority of a level: 3 error, 4 warning, 6 info, 7 debug.
int syslogPriority(Level level);

/// Whether `fd` is the stream systemd connected to the journal: JOURNAL_STREAM ("dev:inode",
/// `journal_stream`) names the same file. A child's inherited variable names another file, so
/// a redirected stderr is not taken for the journal.
bool isJournalStream(int fd, const char* journal_stream);

/// A file descriptor that receives whole lines, with a minimum level. Thread-safe.
class Sink {
 public:
  /// With `syslog_prefix`, each line starts with "<priority>" for journald.
  explicit Sink(int fd, Level level = Level::kInfo, bool syslog_prefix = false)
      : fd_(fd), level_(level), syslog_prefix_(syslog_prefix) {}

  void setLevel(Level level) { level_.store(level, std::memory_order_relaxed); }
  Level level() const { return level_.load(std::memory_order_relaxed); }
  bool enabled(Level level) const { return level >= this->level(); }

  void write(Level level, std::string_view component, std::string_view msg, Fields fields);

 private:
  int fd_;
  std::atomic<Level> level_;
  bool syslog_prefix_;
  std::mutex mutex_;  // keeps a line whole if write(2) ever returns short
};

/// The process's stderr sink, which journald collects; prefixed when stderr is the journal.
Sink& stderrSink();

/// Logs on behalf of one component ("admin", "kafka", "connector.csv").
class Logger {
 public:
  explicit Logger(std::string component, Sink& sink = stderrSink())
      : component_(std::move(component)), sink_(&sink) {}

  void debug(std::string_view msg, Fields fields = {}) const { log(Level::kDebug, msg, fields); }
  void info(std::string_view msg, Fields fields = {}) const { log(Level::kInfo, msg, fields); }
  void warn(std::string_view msg, Fields fields = {}) const { log(Level::kWarn, msg, fields); }
  void error(std::string_view msg, Fields fields = {}) const { log(Level::kError, msg, fields); }

  void log(Level level, std::string_view msg, Fields fields) const {
    if (sink_->enabled(level)) sink_->write(level, component_, msg, fields);
  }

 private:
  std::string component_;
  Sink* sink_;
};

/// Sets the minimum level of stderrSink(), from the config's log_level.
void setLevel(Level level);

// Shorthands that log to stderr as component "daemon".
void debug(std::string_view msg, Fields fields = {});
void info(std::string_view msg, Fields fields = {});
void warn(std::string_view msg, Fields fields = {});
void error(std::string_view msg, Fields fields = {});

}  // namespace hearth::log
