#include "connectors/cin_census/cin_connector.hpp"

#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "connectors/cin_census/cin_parser.hpp"
#include "connectors/common/whole_file.hpp"
#include "connectors/csv/csv_files.hpp"

namespace hearth::connectors::cin_census {

const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "cin_census connector",
  "description": "Reads Children in Need census XML files from one directory; a changed file is read again whole.",
  "type": "object",
  "additionalProperties": false,
  "required": ["directory"],
  "properties": {
    "directory": {
      "type": "string", "minLength": 1, "format": "path",
      "description": "Directory holding the census files; it is not searched recursively."
    },
    "pattern": {
      "type": "string", "minLength": 1, "pattern": "^[^/]+$", "default": "*.xml",
      "description": "Glob over file names, matched case-insensitively."
    }
  }
})json";

namespace {

using nlohmann::json;

constexpr int kTokenVersion = 1;
constexpr size_t kReadBytes = size_t{1} << 16;

[[noreturn]] void refuse(const std::string& what) {
  throw std::invalid_argument("cin_census connector config: " + what);
}

Result<std::vector<std::string>> listCensusFiles(const CinConfig& config) {
  auto all = csv::listMatchingFiles(config.directory, "*");
  if (!all.ok()) return all.error();
  std::vector<std::string> names;
  for (std::string& name : *all) {
    if (::fnmatch(config.pattern.c_str(), name.c_str(), FNM_PERIOD | FNM_CASEFOLD) == 0) {
      names.push_back(std::move(name));
    }
  }
  return names;
}

// Hands the parser's records and rejects to the host.
class EmittingSink final : public CinSink {
 public:
  EmittingSink(const sdk::Emitter& emitter, std::string file)
      : emitter_(emitter), file_(std::move(file)) {}

  bool onRecord(const CinRecord& record) override {
    fields_.clear();
    for (const auto& [name, value] : record.fields) {
      fields_.push_back(value ? sdk::field(name, *value) : sdk::field(name, {}, HEARTH_FIELD_NULL));
    }
    const std::string location = file_ + ":" + std::to_string(record.line);
    status_ = emitter_.record(sdk::Record{.stream = record.stream,
                                          .source_key = record.key,
                                          .source_time_ms = 0,
                                          .location = location,
                                          .fields = fields_});
    ++records_;
    return status_ == HEARTH_OK;
  }

  bool onReject(const CinReject& reject) override {
    std::string location = file_ + ":" + std::to_string(reject.line);
    if (reject.column > 0) location += ":" + std::to_string(reject.column);
    status_ = emitter_.reject(sdk::Reject{.stream = "child",
                                          .source_key = {},
                                          .reason_code = reject.reason_code,
                                          .message = reject.message,
                                          .location = location,
                                          .raw = {}});
    ++rejects_;
    return status_ == HEARTH_OK;
  }

  hearth_status status() const { return status_; }
  uint64_t records() const { return records_; }
  uint64_t rejects() const { return rejects_; }

 private:
  const sdk::Emitter& emitter_;
  std::string file_;
  std::vector<hearth_field> fields_;
  hearth_status status_ = HEARTH_OK;
  uint64_t records_ = 0;
  uint64_t rejects_ = 0;
};

Result<common::WholeFileStates> parseToken(std::string_view token) {
  if (token.empty()) return common::WholeFileStates{};
  const json document = json::parse(token, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object() ||
      document.value("version", 0) != kTokenVersion || !document.contains("files")) {
    return makeError("cin.checkpoint", "checkpoint token is unreadable");
  }
  auto states = common::parseStates(document["files"].dump());
  if (!states.ok()) {
    return makeError("cin.checkpoint", "checkpoint token is unreadable: " + states.error().message);
  }
  return states;
}

std::string serializeToken(const common::WholeFileStates& states) {
  return json{{"version", kTokenVersion}, {"files", json::parse(common::serializeStates(states))}}
      .dump();
}

}  // namespace

CinConfig parseConfig(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) refuse("must be a JSON object");
  CinConfig config;
  for (const auto& [key, value] : object.items()) {
    if (key != "directory" && key != "pattern") refuse(key + " is not a known setting");
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      refuse(key + " must be a non-empty string");
    }
  }
  if (!object.contains("directory")) refuse("directory is required");
  config.directory = object["directory"].get<std::string>();
  if (object.contains("pattern")) config.pattern = object["pattern"].get<std::string>();
  if (config.pattern.find('/') != std::string::npos) refuse("pattern must not contain '/'");
  return config;
}

CinConnector::CinConnector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {}

Result<void> CinConnector::check() {
  auto files = listCensusFiles(config_);
  if (!files.ok()) return files.error();
  return {};
}

Result<std::string> CinConnector::discover() {
  json streams = json::array();
  for (const CinStreamSpec& spec : cinStreams()) {
    json fields = json::array();
    for (const std::string_view name : spec.fields)
      fields.push_back({{"name", name}, {"type", "string"}});
    for (const char* name : {"collection_year", "ReferenceDate", "LEA"}) {
      fields.push_back({{"name", name}, {"type", "string"}});
    }
    const json key = spec.stream == "child"
                         ? json::array({"LAchildID"})
                         : json::array({"LAchildID", "CINreferralDate", "index"});
    streams.push_back({{"name", spec.stream}, {"key", key}, {"fields", std::move(fields)}});
  }
  return json{{"streams", std::move(streams)}}.dump();
}

Result<void> CinConnector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto saved = parseToken(checkpoint);
  if (!saved.ok()) return saved.error();
  auto files = listCensusFiles(config_);
  if (!files.ok()) return sdk::retryLater(files.error().message);

  common::WholeFileStates states;
  for (const std::string& name : *files) {
    if (const auto it = saved->find(name); it != saved->end()) states.insert(*it);
  }
  bool changed = states.size() != saved->size();  // files that are gone are forgotten
  std::vector<char> block(kReadBytes);

  for (const std::string& name : *files) {
    if (stopRequested()) return sdk::cancelled();
    const std::string path = config_.directory + "/" + name;
    auto fd = csv::openForReading(path);
    Result<common::WholeFileState> now =
        fd.ok() ? common::describeFile(fd->get()) : Result<common::WholeFileState>(fd.error());
    const auto previous = states.find(name);
    if (now.ok() && previous != states.end() && previous->second.sameMetadata(*now)) continue;
    Result<uint64_t> hash = now.ok() ? common::hashWholeFile(fd->get()) : now.error();
    if (!hash.ok()) {
      host().log(HEARTH_LOG_WARN,
                 "cin_census: cannot read file " + path +
                     " now; trying again at the next read: " + hash.error().message);
      host().counterAdd("files_unreadable", 1);
      continue;
    }
    now->hash = *hash;
    if (previous != states.end()) {
      if (previous->second.hash == *hash) {
        previous->second = *now;  // touched or copied, same content: nothing to read
        changed = true;
        continue;
      }
      host().log(HEARTH_LOG_INFO,
                 "cin_census: file " + path + " has changed; reading it again whole");
      host().counterAdd("files_reread", 1);
    }

    EmittingSink sink(emitter, name);
    CinParser parser(sink);
    CinParser::Status status = CinParser::Status::kOk;
    uint64_t offset = 0;
    for (bool final = false; !final && status == CinParser::Status::kOk;) {
      const ssize_t n = ::pread(fd->get(), block.data(), block.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int error = errno;
        host().log(HEARTH_LOG_WARN, "cin_census: cannot read file " + path +
                                        "; trying again at the next read: " + std::strerror(error));
        host().counterAdd("files_unreadable", 1);
        break;
      }
      final = n == 0;
      offset += static_cast<uint64_t>(n);
      status = parser.feed(std::string_view(block.data(), static_cast<size_t>(n)), final);
      emitter.progress(offset, now->size, "bytes");
      if (stopRequested() && !final && status == CinParser::Status::kOk) {
        // The file is read again whole next time; records are keyed, so repeats are harmless.
        return sdk::cancelled();
      }
    }
    if (sink.status() != HEARTH_OK) return sdk::emitterRefused(sink.status());
    if (status == CinParser::Status::kOk && offset < now->size) continue;  // read error above
    if (status == CinParser::Status::kMalformed) {
      host().log(HEARTH_LOG_WARN,
                 "cin_census: file " + path +
                     " is not well-formed XML; kept the children before the error");
      host().counterAdd("files_malformed", 1);
    }
    host().log(HEARTH_LOG_INFO,
               "cin_census: read " + std::to_string(parser.children()) + " children from " + path);
    host().counterAdd("children_read", static_cast<double>(parser.children()));
    states[name] = *now;
    if (const hearth_status saved_state = emitter.checkpoint(serializeToken(states));
        saved_state != HEARTH_OK) {
      return sdk::emitterRefused(saved_state);
    }
    changed = false;
  }
  if (changed) {
    if (const hearth_status saved_state = emitter.checkpoint(serializeToken(states));
        saved_state != HEARTH_OK) {
      return sdk::emitterRefused(saved_state);
    }
  }
  return {};
}

}  // namespace hearth::connectors::cin_census
