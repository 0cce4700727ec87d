#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::host::protocol {

/// Splits a child's output into lines without ever holding more than one line's worth of it:
/// a writer that sends a gigabyte without a newline costs `max_line` bytes, then an overflow.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}

  enum class Fed { kMore, kStopped, kOverflow };

  /// Appends `chunk` and hands every complete line (without its "\n" or "\r\n") to
  /// `on_line(std::string_view) -> bool`; false stops at once (kStopped). kOverflow when the
  /// unfinished line has grown past max_line.
  template <typename OnLine>
  Fed feed(std::string_view chunk, OnLine&& on_line) {
    buffer_.append(chunk);
    size_t start = 0;
    while (true) {
      const size_t newline = buffer_.find('\n', scanned_);
      if (newline == std::string::npos) break;
      std::string_view line(buffer_.data() + start, newline - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      ++lines_;
      start = scanned_ = newline + 1;
      if (!on_line(line)) {
        buffer_.erase(0, start);
        scanned_ = 0;
        return Fed::kStopped;
      }
    }
    buffer_.erase(0, start);
    scanned_ = buffer_.size();
    if (buffer_.size() > max_line_) {
      buffer_.clear();
      buffer_.shrink_to_fit();
      scanned_ = 0;
      return Fed::kOverflow;
    }
    return Fed::kMore;
  }

  /// What is left after the last newline (a final line without one), then forgotten.
  std::string takeRest() {
    std::string rest;
    rest.swap(buffer_);
    scanned_ = 0;
    if (!rest.empty()) ++lines_;
    return rest;
  }
  /// Lines handed out so far: the number of the last one.
  uint64_t lines() const { return lines_; }
  size_t maxLine() const { return max_line_; }

 private:
  size_t max_line_;
  std::string buffer_;
  size_t scanned_ = 0;  // buffer_ up to here holds no newline
  uint64_t lines_ = 0;
};

enum class MessageType {
  kRecord,
  kState,
  kLog,
  kTrace,
  kConnectionStatus,
  kCatalog,
  kSpec,
  kReject,  // Hearth's own addition: input the connector could not turn into a record
  kIgnored  // a message type this host has no use for (CONTROL, ...)
};

/// One source field of a record, as text; objects and arrays arrive as their JSON.
struct Field {
  std::string name;
  std::string value;
  bool is_null = false;
};

struct RecordMessage {
  std::string stream;
  std::string key;
  std::string location;  // empty: the host names the output line
  int64_t time_ms = 0;  // the source time (Hearth's record part); 0: unknown
  std::vector<Field> fields;
};

struct RejectMessage {
  std::string stream, key, reason_code, message, location, raw;
};

struct TraceMessage {
  enum class Kind { kError, kEstimate, kOther } kind = Kind::kOther;
  std::string message;       // of an error
  std::string failure_type;  // of an error: system_error, config_error, transient_error
  uint64_t row_estimate = 0;
};

/// Why a line is not a protocol message: a reason code for hearth.rejects and a message.
struct LineProblem {
  std::string code;
  std::string message;
};

/// The stream catalogue a connector declared, in Hearth's discover form, and each stream's
/// primary key (the fields that make a record's source key).
struct Catalog {
  nlohmann::json airbyte;  // the CATALOG message's catalog, as the connector wrote it
  std::string hearth_json;
  std::map<std::string, std::vector<std::string>, std::less<>> primary_keys;
};

/// Decodes the lines of one child's output. Keeps no state between lines but the primary keys
/// that a record's source key is built from, so one decoder serves a whole read.
class MessageDecoder {
 public:
  void setPrimaryKeys(std::map<std::string, std::vector<std::string>, std::less<>> keys) {
    primary_keys_ = std::move(keys);
  }

  /// Parses `line`; false with problem() set when it is not a protocol message.
  bool decode(std::string_view line);

  MessageType type() const { return type_; }
  const LineProblem& problem() const { return problem_; }
  /// The parts of the message decoded last, by its type.
  const RecordMessage& record() const { return record_; }
  const RejectMessage& reject() const { return reject_; }
  const TraceMessage& trace() const { return trace_; }
  /// STATE: the state message itself, as the connector wants it back.
  const nlohmann::json& state() const { return state_; }
  /// LOG: the level (DEBUG, INFO, WARN, ERROR, FATAL, TRACE) and message.
  const std::string& logLevel() const { return log_level_; }
  const std::string& text() const { return text_; }
  /// CONNECTION_STATUS: whether it succeeded (its message in text()).
  bool succeeded() const { return succeeded_; }
  /// CATALOG
  const Catalog& catalog() const { return catalog_; }
  /// SPEC: the connection specification (a JSON Schema) as JSON text.
  const std::string& specification() const { return text_; }

 private:
  bool fail(std::string code, std::string message);
  bool decodeRecord(const nlohmann::json& body);
  bool decodeState(const nlohmann::json& body);
  bool decodeTrace(const nlohmann::json& body);
  bool decodeCatalog(const nlohmann::json& body);
  bool decodeReject(const nlohmann::json& body);

  std::map<std::string, std::vector<std::string>, std::less<>> primary_keys_;
  MessageType type_ = MessageType::kIgnored;
  LineProblem problem_;
  RecordMessage record_;
  RejectMessage reject_;
  TraceMessage trace_;
  nlohmann::json state_;
  std::string log_level_;
  std::string text_;
  bool succeeded_ = false;
  Catalog catalog_;
};

/// The states a read has received, kept as the connector must be handed them again: one per
/// stream, or a single global (or legacy) one. Its token is the JSON array Airbyte's `--state`
/// file holds.
class StateBook {
 public:
  /// Starts from a token (empty: no state). A token that is not such an array is an in-process
  /// plugin's checkpoint, kept as hearth-plugin-host's global state. False when an element of
  /// the array is not a state message.
  bool load(std::string_view token);
  void add(const nlohmann::json& state_message);
  std::string token() const;
  bool empty() const { return global_.is_null() && streams_.empty(); }

 private:
  nlohmann::json global_;                          // a GLOBAL or LEGACY state, or null
  std::map<std::string, nlohmann::json> streams_;  // STREAM states by namespace/name
};

/// Turns a CATALOG's catalog into Hearth's discover form; false when it is not one.
bool toHearthCatalog(const nlohmann::json& airbyte, Catalog& out, std::string& problem);

/// The configured catalog a read is handed: every stream, incremental where the stream
/// supports it, with its declared primary key and default cursor.
nlohmann::json configuredCatalog(const nlohmann::json& airbyte);

}  // namespace hearth::host::protocol
