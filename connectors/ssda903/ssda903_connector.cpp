#include "connectors/ssda903/ssda903_connector.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include "connectors/common/whole_file.hpp"
#include "connectors/csv/csv_checkpoint.hpp"
#include "connectors/csv/csv_files.hpp"
#include "connectors/csv/csv_reader.hpp"
#include "connectors/ssda903/ssda903_tables.hpp"
#include "connectors/ssda903/ssda903_xml.hpp"
#include "connectors/ssda903/ssda903_year.hpp"

namespace hearth::connectors::ssda903 {

const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "ssda903 connector",
  "description": "Reads an SSDA903 children-looked-after return (CSV file set and/or XML) from one directory.",
  "type": "object",
  "additionalProperties": false,
  "required": ["directory"],
  "properties": {
    "directory": {"type": "string", "minLength": 1, "format": "path",
                  "description": "Directory holding the return's files; not searched recursively."},
    "collection_year": {"type": "integer", "minimum": 1990, "maximum": 2100,
                        "description": "Year the collection starts in (2024 means 2024/25); detected from file and directory names when absent."},
    "files": {"type": "object",
              "propertyNames": {"enum": ["header", "episodes", "uasc", "reviews", "oc2", "oc3", "ad1",
                                         "placed_for_adoption", "previous_permanence", "missing",
                                         "sw_episodes", "dolo"]},
              "additionalProperties": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
              "description": "Stream name to a glob over file names (case-insensitive), replacing the default <stream>.csv / *_<stream>.csv."},
    "xml_pattern": {"type": "string", "minLength": 1, "pattern": "^[^/]+$", "default": "*.xml",
                    "description": "Glob over the names of XML returns (case-insensitive)."},
    "checkpoint_every": {"type": "integer", "minimum": 1, "default": 10000,
                         "description": "CSV rows between checkpoints inside a file."},
    "settle_ms": {"type": "integer", "minimum": 0, "default": 1000,
                  "description": "A last CSV row without a line break is read once the file has not changed for this long."},
    "max_row_bytes": {"type": "integer", "minimum": 1024, "maximum": 268435456, "default": 786432,
                      "description": "Longer CSV rows are rejected as csv.row_too_long."}
  }
})json";

namespace {

using nlohmann::json;

constexpr int kTokenVersion = 1;
constexpr size_t kMaxRawBytes = 4096;
constexpr uint64_t kStopCheckRows = 4096;
constexpr size_t kXmlReadBytes = size_t{1} << 16;
constexpr std::string_view kYearField = "collection_year";

[[noreturn]] void refuse(const std::string& what) {
  throw std::invalid_argument("ssda903 connector config: " + what);
}

template <typename Integer>
Integer optionalInteger(const json& object, const char* key, Integer fallback, int64_t minimum,
                        int64_t maximum) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (!it->is_number_integer()) refuse(std::string(key) + " must be an integer");
  const auto value = it->get<int64_t>();
  if (value < minimum || value > maximum) {
    refuse(std::string(key) + " must be between " + std::to_string(minimum) + " and " +
           std::to_string(maximum));
  }
  return static_cast<Integer>(value);
}

std::string requireString(const json& value, const std::string& where) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    refuse(where + " must be a non-empty string");
  }
  const std::string text = value.get<std::string>();
  if (text.find('/') != std::string::npos && where != "directory") {
    refuse(where + " must match file names only, without '/'");
  }
  return text;
}

bool matches(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD | FNM_CASEFOLD) == 0;
}

std::string_view truncateText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t length = limit;
  while (length > 0 && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) --length;
  return text.substr(0, length);
}

// The files of the directory, sorted out: CSV files by table, and XML returns.
struct FileSet {
  std::vector<std::pair<const TableSpec*, std::string>> csv;
  std::vector<std::string> xml;
};

Result<FileSet> listReturnFiles(const Ssda903Config& config) {
  auto names = csv::listMatchingFiles(config.directory, "*");
  if (!names.ok()) return names.error();
  FileSet set;
  for (const std::string& name : *names) {
    const TableSpec* table = nullptr;
    for (const auto& [stream, pattern] : config.files) {
      if (matches(pattern, name)) table = findTable(stream);
    }
    if (table == nullptr) {
      table = tableForFileName(name);
      if (table != nullptr && config.files.contains(std::string(table->stream))) table = nullptr;
    }
    if (table != nullptr) {
      set.csv.emplace_back(table, name);
    } else if (matches(config.xml_pattern, name)) {
      set.xml.push_back(name);
    }
  }
  return set;
}

// The checkpoint token: the csv connector's per-file offsets for the CSV files under
// "streams", and the whole-file states of the XML returns under "xml".
struct Token {
  csv::Checkpoint csv;
  common::WholeFileStates xml;

  static Result<Token> parse(std::string_view text) {
    Token token;
    if (text.empty()) return token;
    auto checkpoint = csv::Checkpoint::parse(text);
    if (!checkpoint.ok()) return checkpoint.error();
    token.csv = std::move(*checkpoint);
    const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.contains("xml")) {
      auto states = common::parseStates(document["xml"].dump());
      if (!states.ok()) {
        return makeError("ssda903.checkpoint",
                         "checkpoint token is unreadable: " + states.error().message);
      }
      token.xml = std::move(*states);
    }
    return token;
  }

  std::string serialize() const {
    json document = json::parse(csv.serialize());
    document["xml"] = json::parse(common::serializeStates(xml));
    return document.dump();
  }
};

// One CSV file while it is read.
struct CsvFile {
  const TableSpec* table = nullptr;
  std::string name;
  csv::UniqueFd fd;
  csv::FileIdentity identity;
  csv::FileCheckpoint state;
  std::optional<csv::FileCheckpoint> saved;
  std::vector<std::string> extra_columns;  // header columns the table does not know
  std::vector<size_t> source_index;        // per emitted field but the year: its header column
  std::vector<size_t> key_index;           // per key column: its header column
  size_t header_columns = 0;
  std::vector<hearth_field> fields;
  std::string year;
};

constexpr size_t kAbsent = static_cast<size_t>(-1);

// The work of one read().
class ReadPass {
 public:
  ReadPass(const Ssda903Config& config, const sdk::HostApi& host, const sdk::Emitter& emitter,
           Token token, std::function<bool()> stop_requested)
      : config_(config),
        host_(host),
        emitter_(emitter),
        token_(std::move(token)),
        stop_requested_(std::move(stop_requested)),
        options_{
            .delimiter = ',', .max_row_bytes = config.max_row_bytes, .max_raw_bytes = kMaxRawBytes},
        buffer_(csv::FileScanner::bufferBytes(config.max_row_bytes)) {}

  Result<void> run() {
    auto files = listReturnFiles(config_);
    if (!files.ok()) return sdk::retryLater(files.error().message);
    for (const TableSpec& table : tables()) {
      std::vector<std::string> present;
      for (const auto& [file_table, name] : files->csv) {
        if (file_table == &table) present.push_back(name);
      }
      token_.csv.retainOnly(table.stream, present);
    }
    const size_t xml_before = token_.xml.size();
    std::erase_if(token_.xml, [&](const auto& entry) {
      return std::find(files->xml.begin(), files->xml.end(), entry.first) == files->xml.end();
    });
    forgotten_ = token_.xml.size() != xml_before;

    for (const auto& [table, name] : files->csv) {
      if (stop_requested_()) return sdk::cancelled();
      if (Result<void> read = readCsv(*table, name); !read.ok()) return read;
    }
    for (const std::string& name : files->xml) {
      if (stop_requested_()) return sdk::cancelled();
      if (Result<void> read = readXml(name); !read.ok()) return read;
    }
    if (forgotten_) return saveCheckpoint();
    return {};
  }

 private:
  std::string pathOf(const std::string& name) const { return config_.directory + "/" + name; }

  // The collection year of a file, said once per file in the log.
  std::string yearOf(const std::string& name) {
    const auto year = detectCollectionYear(config_.collection_year, config_.directory, name);
    if (!year) {
      host_.log(HEARTH_LOG_WARN, "ssda903: no collection year for " + name +
                                     " (none configured, none in its file or directory name); "
                                     "its records carry an empty collection_year");
      host_.counterAdd("collection_year_unknown", 1);
      return {};
    }
    host_.log(HEARTH_LOG_INFO, "ssda903: collection year " + year->year + " (from " + year->source +
                                   ") applied to " + name);
    return year->year;
  }

  void warnUnreadable(const std::string& name, const Error& error) {
    host_.log(HEARTH_LOG_WARN, "ssda903: cannot read file " + pathOf(name) +
                                   " now; trying again at the next read: " + error.message);
    host_.counterAdd("files_unreadable", 1);
  }

  Result<void> saveCheckpoint() {
    forgotten_ = false;
    if (const hearth_status status = emitter_.checkpoint(token_.serialize()); status != HEARTH_OK) {
      return sdk::emitterRefused(status);
    }
    return {};
  }

  // ---- CSV files: continued from their checkpoint, as the csv connector does.

  Result<void> readCsv(const TableSpec& table, const std::string& name) {
    CsvFile file;
    file.table = &table;
    file.name = name;
    auto fd = csv::openForReading(pathOf(name));
    if (!fd.ok()) return warnUnreadable(name, fd.error()), Result<void>();
    file.fd = std::move(*fd);
    auto identity = csv::identify(file.fd.get());
    if (!identity.ok()) return warnUnreadable(name, identity.error()), Result<void>();
    file.identity = *identity;
    if (const csv::FileCheckpoint* saved = token_.csv.find(table.stream, name)) file.saved = *saved;

    csv::Position start;
    if (file.saved) {
      const csv::FileCheckpoint& saved = *file.saved;
      const bool same_file = saved.device == file.identity.device &&
                             saved.inode == file.identity.inode &&
                             file.identity.size >= std::max(saved.offset, saved.fingerprint_bytes);
      auto now = same_file ? csv::fingerprint(file.fd.get(), saved.fingerprint_bytes)
                           : Result<uint64_t>(uint64_t{0});
      if (!now.ok()) return warnUnreadable(name, now.error()), Result<void>();
      if (same_file && *now == saved.fingerprint) {
        if (saved.offset == file.identity.size) return {};  // nothing new
        start = csv::Position{saved.offset, saved.line};
      } else {
        host_.log(HEARTH_LOG_INFO,
                  "ssda903: file " + pathOf(name) +
                      " was replaced or rewritten; reading it again from the start");
        host_.counterAdd("files_rotated", 1);
      }
    }
    const size_t fingerprint_bytes =
        static_cast<size_t>(std::min<uint64_t>(csv::kFingerprintBytes, file.identity.size));
    auto fingerprinted = csv::fingerprint(file.fd.get(), fingerprint_bytes);
    if (!fingerprinted.ok()) return warnUnreadable(name, fingerprinted.error()), Result<void>();
    file.state = {.device = file.identity.device,
                  .inode = file.identity.inode,
                  .offset = start.offset,
                  .line = start.line,
                  .fingerprint = *fingerprinted,
                  .fingerprint_bytes = fingerprint_bytes};

    const std::span<char> buffer(buffer_.data(), buffer_.size());
    csv::FileScanner scanner(file.fd.get(), buffer, options_, csv::Position{}, config_.settle_ms);
    auto header = scanner.next();
    if (!header.ok()) return warnUnreadable(name, header.error()), Result<void>();
    if (*header == csv::ReadStatus::kNeedMore) return {};
    if (*header == csv::ReadStatus::kEnd) return finishCsv(file, scanner.resumePosition());
    file.year = yearOf(name);
    if (auto usable = useHeader(file, scanner.row()); !usable.empty()) {
      return rejectCsvFile(file, scanner.row(), usable);
    }
    if (start.offset > scanner.resumePosition().offset) {
      scanner = csv::FileScanner(file.fd.get(), buffer, options_, start, config_.settle_ms);
    }
    for (;;) {
      auto status = scanner.next();
      if (!status.ok()) {
        warnUnreadable(name, status.error());
        break;
      }
      if (*status != csv::ReadStatus::kRow) break;
      if (const hearth_status emitted = emitRow(file, scanner.row()); emitted != HEARTH_OK) {
        return sdk::emitterRefused(emitted);
      }
      if (++rows_since_checkpoint_ >= config_.checkpoint_every) {
        if (Result<void> saved = checkpointCsv(file, scanner.resumePosition()); !saved.ok()) {
          return saved;
        }
      }
      if (++rows_since_stop_check_ >= kStopCheckRows) {
        rows_since_stop_check_ = 0;
        if (stop_requested_()) {
          (void)checkpointCsv(file, scanner.resumePosition());  // the host may decline it
          return sdk::cancelled();
        }
      }
    }
    return finishCsv(file, scanner.resumePosition());
  }

  // Lays out the file's fields: the table's columns in its order, then columns it does not
  // know, then the collection year. Returns why the header is unusable, or nothing.
  std::string useHeader(CsvFile& file, const csv::Row& header) {
    if (header.error != csv::RowError::kNone) {
      return "header row is unreadable: " + csv::describe(header, options_);
    }
    std::vector<std::string> columns;
    for (const csv::Field& field : header.fields) columns.emplace_back(field.value);
    file.header_columns = columns.size();
    auto indexOf = [&](std::string_view column) {
      const auto it = std::find(columns.begin(), columns.end(), column);
      return it == columns.end() ? kAbsent : static_cast<size_t>(it - columns.begin());
    };
    for (const std::string_view key : file.table->key) {
      const size_t index = indexOf(key);
      if (index == kAbsent) return "header has no key column '" + std::string(key) + "'";
      file.key_index.push_back(index);
    }
    for (const std::string_view column : file.table->columns) {
      file.source_index.push_back(indexOf(column));
      file.fields.push_back(sdk::field(column, {}, HEARTH_FIELD_NULL));
    }
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto& known = file.table->columns;
      if (std::find(known.begin(), known.end(), columns[i]) == known.end()) {
        file.extra_columns.push_back(columns[i]);
        file.source_index.push_back(i);
      }
    }
    // extra_columns is complete now, so views into it stay valid.
    for (const std::string& column : file.extra_columns) {
      file.fields.push_back(sdk::field(column, {}, HEARTH_FIELD_NULL));
    }
    file.fields.push_back(file.year.empty() ? sdk::field(kYearField, {}, HEARTH_FIELD_NULL)
                                            : sdk::field(kYearField, file.year));
    return {};
  }

  Result<void> rejectCsvFile(CsvFile& file, const csv::Row& header, const std::string& why) {
    const std::string message = why + "; rows up to byte " + std::to_string(file.identity.size) +
                                " of the file are skipped";
    const std::string location = file.name + ":1";
    const hearth_status status = emitter_.reject({.stream = file.table->stream,
                                                  .source_key = {},
                                                  .reason_code = "csv.bad_header",
                                                  .message = message,
                                                  .location = location,
                                                  .raw = truncateText(header.raw, kMaxRawBytes)});
    if (status != HEARTH_OK) return sdk::emitterRefused(status);
    host_.log(HEARTH_LOG_WARN, "ssda903: file " + pathOf(file.name) + ": " + why);
    return finishCsv(file, csv::Position{file.identity.size, 1});
  }

  hearth_status emitRow(CsvFile& file, const csv::Row& row) {
    location_ = file.name + ":";
    char digits[24];
    location_.append(digits, std::to_chars(digits, digits + sizeof(digits), row.start.line).ptr);
    if (row.error != csv::RowError::kNone) {
      return rejectRow(file, row, csv::reasonCode(row.error), csv::describe(row, options_));
    }
    if (row.fields.size() != file.header_columns) {
      return rejectRow(file, row, "csv.column_count",
                       "expected " + std::to_string(file.header_columns) + " columns, found " +
                           std::to_string(row.fields.size()));
    }
    if (const auto empty = buildKey(file, row)) {
      return rejectRow(file, row, "csv.missing_key",
                       "key column '" + std::string(file.table->key[*empty]) + "' is empty");
    }
    for (size_t i = 0; i < file.source_index.size(); ++i) {
      const size_t source = file.source_index[i];
      const std::string_view value =
          source == kAbsent ? std::string_view() : row.fields[source].value;
      file.fields[i].value = sdk::toStr(value);
      // Empty is absent, quoted or not, so that CSV and XML give the same records.
      file.fields[i].type = value.empty() ? HEARTH_FIELD_NULL : HEARTH_FIELD_STRING;
    }
    return emitter_.record(sdk::Record{.stream = file.table->stream,
                                       .source_key = key_,
                                       .source_time_ms = 0,
                                       .location = location_,
                                       .fields = file.fields});
  }

  // Joins the key columns into key_; returns the first key column that is empty, if any.
  std::optional<size_t> buildKey(const CsvFile& file, const csv::Row& row) {
    key_.clear();
    for (size_t i = 0; i < file.key_index.size(); ++i) {
      const size_t column = file.key_index[i];
      if (column >= row.fields.size() || row.fields[column].value.empty()) return i;
      if (i > 0) key_ += '|';
      key_ += row.fields[column].value;
    }
    return std::nullopt;
  }

  hearth_status rejectRow(CsvFile& file, const csv::Row& row, std::string_view reason,
                          const std::string& message) {
    const bool key_readable = !buildKey(file, row) && csv::isValidUtf8(key_);
    return emitter_.reject(
        {.stream = file.table->stream,
         .source_key = key_readable ? std::string_view(key_) : std::string_view(),
         .reason_code = reason,
         .message = message,
         .location = location_,
         .raw = truncateText(row.raw, kMaxRawBytes)});
  }

  Result<void> checkpointCsv(CsvFile& file, csv::Position at) {
    file.state.offset = at.offset;
    file.state.line = at.line;
    token_.csv.set(file.table->stream, file.name, file.state);
    rows_since_checkpoint_ = 0;
    return saveCheckpoint();
  }

  Result<void> finishCsv(CsvFile& file, csv::Position at) {
    file.state.offset = at.offset;
    file.state.line = at.line;
    if (file.saved && *file.saved == file.state) return {};
    return checkpointCsv(file, at);
  }

  // ---- XML returns: read again whole whenever their content changes.

  class EmittingSink final : public XmlSink {
   public:
    EmittingSink(const sdk::Emitter& emitter, const std::string& file, const std::string& year)
        : emitter_(emitter), file_(file), year_(year) {}

    bool onRecord(const XmlRecord& record) override {
      fields_.clear();
      for (const auto& [name, value] : record.fields) {
        fields_.push_back(value ? sdk::field(name, *value)
                                : sdk::field(name, {}, HEARTH_FIELD_NULL));
      }
      fields_.push_back(year_.empty() ? sdk::field(kYearField, {}, HEARTH_FIELD_NULL)
                                      : sdk::field(kYearField, year_));
      const std::string location = file_ + ":" + std::to_string(record.line);
      status_ = emitter_.record(sdk::Record{.stream = record.table->stream,
                                            .source_key = record.key,
                                            .source_time_ms = 0,
                                            .location = location,
                                            .fields = fields_});
      return status_ == HEARTH_OK;
    }

    bool onReject(const XmlReject& reject) override {
      std::string location = file_ + ":" + std::to_string(reject.line);
      if (reject.column > 0) location += ":" + std::to_string(reject.column);
      status_ = emitter_.reject(sdk::Reject{
          .stream = reject.table == nullptr ? std::string_view("header") : reject.table->stream,
          .source_key = {},
          .reason_code = reject.reason_code,
          .message = reject.message,
          .location = location,
          .raw = {}});
      return status_ == HEARTH_OK;
    }

    hearth_status status() const { return status_; }

   private:
    const sdk::Emitter& emitter_;
    const std::string& file_;
    const std::string& year_;
    std::vector<hearth_field> fields_;
    hearth_status status_ = HEARTH_OK;
  };

  Result<void> readXml(const std::string& name) {
    auto fd = csv::openForReading(pathOf(name));
    if (!fd.ok()) return warnUnreadable(name, fd.error()), Result<void>();
    auto now = common::describeFile(fd->get());
    if (!now.ok()) return warnUnreadable(name, now.error()), Result<void>();
    const auto previous = token_.xml.find(name);
    if (previous != token_.xml.end() && previous->second.sameMetadata(*now)) return {};
    auto hash = common::hashWholeFile(fd->get());
    if (!hash.ok()) return warnUnreadable(name, hash.error()), Result<void>();
    now->hash = *hash;
    if (previous != token_.xml.end()) {
      if (previous->second.hash == *hash) {
        previous->second = *now;
        return saveCheckpoint();
      }
      host_.log(HEARTH_LOG_INFO,
                "ssda903: XML return " + pathOf(name) + " has changed; reading it again whole");
      host_.counterAdd("files_reread", 1);
    }

    const std::string year = yearOf(name);
    EmittingSink sink(emitter_, name, year);
    XmlReturnParser parser(sink);
    XmlReturnParser::Status status = XmlReturnParser::Status::kOk;
    std::vector<char> block(kXmlReadBytes);
    uint64_t offset = 0;
    for (bool final = false; !final && status == XmlReturnParser::Status::kOk;) {
      const ssize_t n = ::pread(fd->get(), block.data(), block.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int error = errno;
        warnUnreadable(name, makeError("ssda903.io", std::strerror(error)));
        return {};
      }
      final = n == 0;
      offset += static_cast<uint64_t>(n);
      status = parser.feed(std::string_view(block.data(), static_cast<size_t>(n)), final);
      if (!final && status == XmlReturnParser::Status::kOk && stop_requested_()) {
        return sdk::cancelled();  // read again whole next time; keyed records make that harmless
      }
    }
    if (sink.status() != HEARTH_OK) return sdk::emitterRefused(sink.status());
    if (status == XmlReturnParser::Status::kUnexpectedRoot) {
      host_.log(HEARTH_LOG_WARN, "ssda903: " + pathOf(name) +
                                     " is not an SSDA903 XML return (its root is not EXPSSDA903)");
      host_.counterAdd("files_not_a_return", 1);
    } else if (status == XmlReturnParser::Status::kMalformed) {
      host_.log(HEARTH_LOG_WARN, "ssda903: XML return " + pathOf(name) +
                                     " is not well-formed; kept the children before the error");
      host_.counterAdd("files_malformed", 1);
    }
    token_.xml[name] = *now;
    return saveCheckpoint();
  }

  const Ssda903Config& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Token token_;
  std::function<bool()> stop_requested_;
  csv::CsvOptions options_;
  std::vector<char> buffer_;
  std::string key_;
  std::string location_;
  uint64_t rows_since_checkpoint_ = 0;
  uint64_t rows_since_stop_check_ = 0;
  bool forgotten_ = false;
};

}  // namespace

Ssda903Config parseConfig(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) refuse("must be a JSON object");
  for (const auto& [key, value] : object.items()) {
    static constexpr std::string_view kKnown[] = {"directory",    "collection_year",  "files",
                                                  "xml_pattern",  "checkpoint_every", "settle_ms",
                                                  "max_row_bytes"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      refuse(key + " is not a known setting");
    }
  }
  Ssda903Config config;
  if (!object.contains("directory")) refuse("directory is required");
  config.directory = requireString(object["directory"], "directory");
  if (object.contains("collection_year")) {
    config.collection_year =
        std::to_string(optionalInteger<int>(object, "collection_year", 0, 1990, 2100));
  }
  if (object.contains("files")) {
    const json& files = object["files"];
    if (!files.is_object()) refuse("files must be an object");
    for (const auto& [stream, pattern] : files.items()) {
      if (findTable(stream) == nullptr)
        refuse("files." + stream + " is not a stream of the return");
      config.files[stream] = requireString(pattern, "files." + stream);
    }
  }
  if (object.contains("xml_pattern")) {
    config.xml_pattern = requireString(object["xml_pattern"], "xml_pattern");
  }
  config.checkpoint_every =
      optionalInteger<uint64_t>(object, "checkpoint_every", 10000, 1, int64_t{1} << 40);
  config.settle_ms = optionalInteger<int64_t>(object, "settle_ms", 1000, 0, int64_t{1} << 40);
  config.max_row_bytes = optionalInteger<size_t>(
      object, "max_row_bytes", Ssda903Config{}.max_row_bytes, 1024, int64_t{1} << 28);
  return config;
}

Ssda903Connector::Ssda903Connector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {}

Result<void> Ssda903Connector::check() {
  auto files = listReturnFiles(config_);
  if (!files.ok()) return files.error();
  return {};
}

Result<std::string> Ssda903Connector::discover() {
  json streams = json::array();
  for (const TableSpec& table : tables()) {
    json fields = json::array();
    for (const std::string_view column : table.columns) {
      fields.push_back({{"name", column}, {"type", "string"}});
    }
    fields.push_back({{"name", kYearField}, {"type", "string"}});
    streams.push_back({{"name", table.stream}, {"key", table.key}, {"fields", std::move(fields)}});
  }
  return json{{"streams", std::move(streams)}}.dump();
}

Result<void> Ssda903Connector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto token = Token::parse(checkpoint);
  if (!token.ok()) return token.error();
  ReadPass pass(config_, host(), emitter, std::move(*token), [this] { return stopRequested(); });
  return pass.run();
}

}  // namespace hearth::connectors::ssda903
