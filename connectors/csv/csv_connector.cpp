#include "connectors/csv/csv_connector.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/source_timestamp.hpp"
#include "connectors/csv/csv_checkpoint.hpp"
#include "connectors/csv/csv_files.hpp"
#include "connectors/csv/csv_reader.hpp"

namespace hearth::connectors::csv {
namespace {

// How much of a rejected row a reject carries.
constexpr size_t kMaxRawBytes = 4096;
// Rows between two looks at stop() and host cancellation.
constexpr uint64_t kStopCheckRows = 4096;

CsvOptions readerOptions(const CsvConfig& config, const StreamConfig& stream) {
  return CsvOptions{.delimiter = stream.delimiter,
                    .max_row_bytes = config.max_row_bytes,
                    .max_raw_bytes = kMaxRawBytes};
}

std::string pathOf(const CsvConfig& config, const std::string& file) {
  return config.directory + "/" + file;
}

// A prefix of at most `limit` bytes that does not end inside a UTF-8 sequence.
std::string_view truncateText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t length = limit;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return text.substr(0, length);
}

// The index of `column` in `columns`, if it is there.
std::optional<size_t> indexOf(const std::vector<std::string>& columns, const std::string& column) {
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) return std::nullopt;
  return static_cast<size_t>(it - columns.begin());
}

// One file while a ReadPass reads it.
struct OpenFile {
  const StreamConfig* stream = nullptr;
  CsvOptions options;
  std::string name;
  UniqueFd fd;
  FileIdentity identity;
  FileCheckpoint state;                 // what the next checkpoint records for this file
  std::optional<FileCheckpoint> saved;  // what the checkpoint held when the pass began
  uint64_t first_offset = 0;            // where this pass began in the file, for progress
  std::vector<std::string> columns;
  std::vector<hearth_field> fields;  // names set once per file; values per row
  std::vector<size_t> key_columns;
  std::optional<size_t> timestamp_column;
  std::string location_prefix;  // "<file name>:"
  uint64_t unparsed_timestamps = 0;
};

// The work of one read(): every stream's files in turn, from the checkpoint on.
class ReadPass {
 public:
  ReadPass(const CsvConfig& config, const sdk::HostApi& host, const sdk::Emitter& emitter,
           Checkpoint checkpoint, std::function<bool()> stop_requested)
      : config_(config),
        host_(host),
        emitter_(emitter),
        checkpoint_(std::move(checkpoint)),
        stop_requested_(std::move(stop_requested)),
        buffer_size_(FileScanner::bufferBytes(config.max_row_bytes)),
        buffer_(new char[buffer_size_]) {}

  Result<void> run() {
    std::vector<std::vector<std::string>> files_by_stream;
    for (const StreamConfig& stream : config_.streams) {
      auto files = listMatchingFiles(config_.directory, stream.pattern);
      if (!files.ok()) return sdk::retryLater(files.error().message);
      checkpoint_.retainOnly(stream.name, *files);
      for (const std::string& name : *files) planProgress(stream, name);
      files_by_stream.push_back(std::move(*files));
    }
    for (size_t i = 0; i < config_.streams.size(); ++i) {
      for (const std::string& name : files_by_stream[i]) {
        if (stop_requested_()) return sdk::cancelled();
        if (Result<void> read = readFile(config_.streams[i], name); !read.ok()) return read;
      }
    }
    return {};
  }

 private:
  // Adds what is left of a file to the total that progress reports count towards.
  void planProgress(const StreamConfig& stream, const std::string& name) {
    struct stat info;
    if (::stat(pathOf(config_, name).c_str(), &info) != 0) return;
    const auto size = static_cast<uint64_t>(info.st_size);
    const FileCheckpoint* saved = checkpoint_.find(stream.name, name);
    const bool continues = saved != nullptr && saved->inode == static_cast<uint64_t>(info.st_ino) &&
                           saved->offset <= size;
    bytes_total_ += continues ? size - saved->offset : size;
  }

  Result<void> readFile(const StreamConfig& stream, const std::string& name) {
    OpenFile file;
    file.stream = &stream;
    file.options = readerOptions(config_, stream);
    file.name = name;
    file.location_prefix = name + ":";

    auto fd = openForReading(pathOf(config_, name));
    if (!fd.ok()) return skipFile(file, fd.error());
    file.fd = std::move(*fd);
    auto identity = identify(file.fd.get());
    if (!identity.ok()) return skipFile(file, identity.error());
    file.identity = *identity;
    if (const FileCheckpoint* saved = checkpoint_.find(stream.name, name)) file.saved = *saved;

    auto start = startPosition(file);
    if (!start.ok()) return skipFile(file, start.error());
    if (file.saved && start->offset == file.saved->offset &&
        file.saved->offset == file.identity.size) {
      return {};  // nothing new
    }
    const size_t fingerprint_bytes =
        static_cast<size_t>(std::min<uint64_t>(kFingerprintBytes, file.identity.size));
    auto fingerprinted = fingerprint(file.fd.get(), fingerprint_bytes);
    if (!fingerprinted.ok()) return skipFile(file, fingerprinted.error());
    file.state = {.device = file.identity.device,
                  .inode = file.identity.inode,
                  .offset = start->offset,
                  .line = start->line,
                  .fingerprint = *fingerprinted,
                  .fingerprint_bytes = fingerprint_bytes};
    file.first_offset = start->offset;

    const std::span<char> buffer(buffer_.get(), buffer_size_);
    FileScanner scanner(file.fd.get(), buffer, file.options, Position{}, config_.settle_ms);
    auto header = scanner.next();
    if (!header.ok()) return skipFile(file, header.error());
    if (*header == ReadStatus::kNeedMore) return {};  // the header line is still being written
    if (*header == ReadStatus::kEnd) return finishFile(file, scanner.resumePosition());
    if (Result<void> usable = useHeader(file, scanner.row()); !usable.ok()) {
      return rejectFile(file, scanner.row(), usable.error().message);
    }

    const Position data_start = scanner.resumePosition();
    if (start->offset > data_start.offset) {
      scanner = FileScanner(file.fd.get(), buffer, file.options, *start, config_.settle_ms);
    }
    return readRows(file, scanner);
  }

  // Where to continue in a file, given what the checkpoint says about it.
  Result<Position> startPosition(const OpenFile& file) {
    if (!file.saved) return Position{};
    const FileCheckpoint& saved = *file.saved;
    if (saved.device != file.identity.device || saved.inode != file.identity.inode) {
      noteRestart(file, HEARTH_LOG_INFO, "was replaced by a new file (rotated)", "files_rotated");
      return Position{};
    }
    if (file.identity.size < std::max(saved.offset, saved.fingerprint_bytes)) {
      noteRestart(file, HEARTH_LOG_WARN, "is shorter than when it was last read (truncated)",
                  "files_truncated");
      return Position{};
    }
    auto now = fingerprint(file.fd.get(), static_cast<size_t>(saved.fingerprint_bytes));
    if (!now.ok()) return now.error();
    if (*now != saved.fingerprint) {
      noteRestart(file, HEARTH_LOG_INFO, "has new content at its start (rotated)", "files_rotated");
      return Position{};
    }
    return Position{saved.offset, saved.line};
  }

  void noteRestart(const OpenFile& file, hearth_log_level level, std::string_view what,
                   std::string_view counter) {
    host_.log(level, "csv: file " + pathOf(config_, file.name) + " " + std::string(what) +
                         "; reading it again from the start");
    host_.counterAdd(counter, 1);
  }

  // A file that cannot be read now is left for the next read(); the others carry on.
  Result<void> skipFile(const OpenFile& file, const Error& error) {
    warnUnreadable(file, error);
    return {};
  }

  void warnUnreadable(const OpenFile& file, const Error& error) {
    host_.log(HEARTH_LOG_WARN, "csv: cannot read file " + pathOf(config_, file.name) +
                                   " now; trying again at the next read: " + error.message);
    host_.counterAdd("files_unreadable", 1);
  }

  Result<void> useHeader(OpenFile& file, const Row& header) {
    if (header.error != RowError::kNone) {
      return makeError("csv.bad_header",
                       "header row is unreadable: " + describe(header, file.options));
    }
    file.columns.clear();
    for (const Field& field : header.fields) file.columns.emplace_back(field.value);
    for (const std::string& key : file.stream->key) {
      const auto index = indexOf(file.columns, key);
      if (!index) return makeError("csv.bad_header", "header has no key column '" + key + "'");
      file.key_columns.push_back(*index);
    }
    if (!file.stream->timestamp_column.empty()) {
      file.timestamp_column = indexOf(file.columns, file.stream->timestamp_column);
      if (!file.timestamp_column) {
        return makeError("csv.bad_header",
                         "header has no timestamp column '" + file.stream->timestamp_column + "'");
      }
    }
    file.fields.clear();
    for (const std::string& column : file.columns) {
      file.fields.push_back({sdk::toStr(column), {}, HEARTH_FIELD_STRING});
    }
    return {};
  }

  // Without a usable header no row of the file can be read: one reject says so and covers the
  // file as it is now; rows appended later get a reject of their own.
  Result<void> rejectFile(OpenFile& file, const Row& header, const std::string& why) {
    const std::string message = why + "; rows up to byte " + std::to_string(file.identity.size) +
                                " of the file are skipped";
    const std::string location = file.location_prefix + "1";
    const hearth_status status = emitter_.reject({.stream = file.stream->name,
                                                  .source_key = {},
                                                  .reason_code = "csv.bad_header",
                                                  .message = message,
                                                  .location = location,
                                                  .raw = truncateText(header.raw, kMaxRawBytes)});
    if (status != HEARTH_OK) return sdk::emitterRefused(status);
    host_.log(HEARTH_LOG_WARN, "csv: file " + pathOf(config_, file.name) + ": " + why);
    return finishFile(file, Position{file.identity.size, 1});
  }

  Result<void> readRows(OpenFile& file, FileScanner& scanner) {
    for (;;) {
      auto status = scanner.next();
      if (!status.ok()) {
        warnUnreadable(file, status.error());  // keep what was read; continue there next time
        break;
      }
      if (*status != ReadStatus::kRow) break;
      if (const hearth_status emitted = emitRow(file, scanner.row()); emitted != HEARTH_OK) {
        return sdk::emitterRefused(emitted);
      }
      if (++rows_since_checkpoint_ >= config_.checkpoint_every) {
        if (const hearth_status saved = checkpointFile(file, scanner.resumePosition());
            saved != HEARTH_OK) {
          return sdk::emitterRefused(saved);
        }
      }
      if (++rows_since_stop_check_ >= kStopCheckRows) {
        rows_since_stop_check_ = 0;
        if (stop_requested_()) {
          // What was read so far is worth keeping; the host may decline it, which is fine.
          checkpointFile(file, scanner.resumePosition());
          return sdk::cancelled();
        }
      }
    }
    return finishFile(file, scanner.resumePosition());
  }

  hearth_status emitRow(OpenFile& file, const Row& row) {
    location_.assign(file.location_prefix);
    char digits[24];
    const auto written = std::to_chars(digits, digits + sizeof(digits), row.start.line);
    location_.append(digits, written.ptr);

    if (row.error != RowError::kNone) {
      return reject(file, row, reasonCode(row.error), describe(row, file.options));
    }
    if (row.fields.size() != file.columns.size()) {
      return reject(file, row, "csv.column_count",
                    "expected " + std::to_string(file.columns.size()) + " columns, found " +
                        std::to_string(row.fields.size()));
    }
    if (const std::optional<size_t> empty = buildKey(file, row.fields)) {
      return reject(file, row, "csv.missing_key",
                    "key column '" + file.columns[*empty] + "' is empty");
    }
    for (size_t i = 0; i < row.fields.size(); ++i) {
      const Field& field = row.fields[i];
      file.fields[i].value = sdk::toStr(field.value);
      file.fields[i].type =
          field.value.empty() && !field.quoted ? HEARTH_FIELD_NULL : HEARTH_FIELD_STRING;
    }
    const hearth_record record = {
        .stream = sdk::toStr(file.stream->name),
        .source_key = sdk::toStr(key_),
        .source_time_ms = sourceTime(file, row.fields),
        .location = sdk::toStr(location_),
        .fields = file.fields.data(),
        .field_count = file.fields.size(),
    };
    return emitter_.record(record);
  }

  // Joins the key columns into key_; returns the first key column that is empty, if any.
  std::optional<size_t> buildKey(const OpenFile& file, std::span<const Field> fields) {
    key_.clear();
    for (size_t i = 0; i < file.key_columns.size(); ++i) {
      const size_t column = file.key_columns[i];
      if (column >= fields.size() || fields[column].value.empty()) return column;
      if (i > 0) key_ += '|';
      key_ += fields[column].value;
    }
    return std::nullopt;
  }

  int64_t sourceTime(OpenFile& file, std::span<const Field> fields) {
    if (!file.timestamp_column) return 0;
    const std::string_view text = fields[*file.timestamp_column].value;
    if (text.empty()) return 0;
    if (const std::optional<int64_t> ms = parseSourceTimestampMs(text, config_.time_zone)) {
      return *ms;
    }
    ++file.unparsed_timestamps;
    return 0;
  }

  hearth_status reject(OpenFile& file, const Row& row, std::string_view reason,
                       const std::string& message) {
    // A key goes with the reject only when it could be read whole and is valid text.
    const bool key_readable = !buildKey(file, row.fields) && isValidUtf8(key_);
    return emitter_.reject(
        {.stream = file.stream->name,
         .source_key = key_readable ? std::string_view(key_) : std::string_view(),
         .reason_code = reason,
         .message = message,
         .location = location_,
         .raw = truncateText(row.raw, kMaxRawBytes)});
  }

  hearth_status checkpointFile(OpenFile& file, Position at) {
    file.state.offset = at.offset;
    file.state.line = at.line;
    checkpoint_.set(file.stream->name, file.name, file.state);
    rows_since_checkpoint_ = 0;
    const uint64_t done = bytes_done_ + (at.offset - file.first_offset);
    emitter_.progress(done, std::max(done, bytes_total_), "bytes");
    return emitter_.checkpoint(checkpoint_.serialize());
  }

  Result<void> finishFile(OpenFile& file, Position at) {
    if (file.unparsed_timestamps > 0) {
      host_.log(HEARTH_LOG_WARN, "csv: file " + pathOf(config_, file.name) + ": " +
                                     std::to_string(file.unparsed_timestamps) +
                                     " values of column " + file.stream->timestamp_column +
                                     " are not timestamps; those records carry no source time");
      host_.counterAdd("timestamps_unparsed", static_cast<double>(file.unparsed_timestamps));
      file.unparsed_timestamps = 0;
    }
    file.state.offset = at.offset;
    file.state.line = at.line;
    if (file.saved && *file.saved == file.state) return {};  // nothing to record
    if (const hearth_status status = checkpointFile(file, at); status != HEARTH_OK) {
      return sdk::emitterRefused(status);
    }
    bytes_done_ += at.offset - file.first_offset;
    return {};
  }

  const CsvConfig& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Checkpoint checkpoint_;
  std::function<bool()> stop_requested_;
  size_t buffer_size_;
  std::unique_ptr<char[]> buffer_;
  std::string key_;       // reused for every row
  std::string location_;  // reused for every row
  uint64_t rows_since_checkpoint_ = 0;
  uint64_t rows_since_stop_check_ = 0;
  uint64_t bytes_done_ = 0;
  uint64_t bytes_total_ = 0;
};

}  // namespace

CsvConnector::CsvConnector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {}

Result<void> CsvConnector::check() {
  struct stat info;
  if (::stat(config_.directory.c_str(), &info) != 0) {
    const int error = errno;
    return makeError("csv.directory", "directory " + config_.directory +
                                          " is not accessible: " + std::strerror(error));
  }
  if (!S_ISDIR(info.st_mode)) {
    return makeError("csv.directory", config_.directory + " is not a directory");
  }
  if (::access(config_.directory.c_str(), R_OK | X_OK) != 0) {
    const int error = errno;
    return makeError("csv.directory", "directory " + config_.directory +
                                          " is not readable: " + std::strerror(error));
  }
  for (const StreamConfig& stream : config_.streams) {
    auto files = listMatchingFiles(config_.directory, stream.pattern);
    if (!files.ok()) return files.error();
  }
  return {};
}

Result<std::string> CsvConnector::discover() {
  nlohmann::json streams = nlohmann::json::array();
  std::vector<char> buffer(FileScanner::bufferBytes(config_.max_row_bytes));
  for (const StreamConfig& stream : config_.streams) {
    auto files = listMatchingFiles(config_.directory, stream.pattern);
    if (!files.ok()) return files.error();
    nlohmann::json fields = nlohmann::json::array();
    if (!files->empty()) {
      // The first file by name stands for the stream.
      const std::string path = pathOf(config_, files->front());
      auto fd = openForReading(path);
      if (!fd.ok()) return fd.error();
      FileScanner scanner(fd->get(), buffer, readerOptions(config_, stream), Position{}, 0);
      auto header = scanner.next();
      if (!header.ok()) return makeError("csv.io", path + ": " + header.error().message);
      if (*header == ReadStatus::kRow) {
        if (scanner.row().error != RowError::kNone) {
          return makeError("csv.bad_header",
                           path + ": header row is unreadable: " +
                               describe(scanner.row(), readerOptions(config_, stream)));
        }
        for (const Field& field : scanner.row().fields) {
          fields.push_back({{"name", field.value}, {"type", "string"}});
        }
      }
    }
    streams.push_back({{"name", stream.name}, {"key", stream.key}, {"fields", std::move(fields)}});
  }
  return nlohmann::json{{"streams", std::move(streams)}}.dump();
}

Result<void> CsvConnector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto saved = Checkpoint::parse(checkpoint);
  if (!saved.ok()) return saved.error();
  ReadPass pass(config_, host(), emitter, std::move(*saved), [this] { return stopRequested(); });
  return pass.run();
}

}  // namespace hearth::connectors::csv
