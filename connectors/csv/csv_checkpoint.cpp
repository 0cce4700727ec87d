#include "connectors/csv/csv_checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace hearth::connectors::csv {
namespace {

using nlohmann::json;

constexpr int kTokenVersion = 1;

Error unreadable(const std::string& why) {
  return makeError("csv.checkpoint", "checkpoint token is unreadable: " + why);
}

std::string hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

bool readUnsigned(const json& object, const char* key, uint64_t& out) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return false;
  out = it->get<uint64_t>();
  return true;
}

bool readFile(const json& object, FileCheckpoint& state) {
  if (!object.is_object()) return false;
  const auto fingerprint = object.find("fingerprint");
  if (fingerprint == object.end() || !fingerprint->is_string()) return false;
  const auto& digits = fingerprint->get_ref<const std::string&>();
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), state.fingerprint, 16);
  if (error != std::errc() || end != digits.data() + digits.size()) return false;
  return readUnsigned(object, "device", state.device) &&
         readUnsigned(object, "inode", state.inode) &&
         readUnsigned(object, "offset", state.offset) && readUnsigned(object, "line", state.line) &&
         readUnsigned(object, "fingerprint_bytes", state.fingerprint_bytes) && state.line >= 1;
}

}  // namespace

Result<Checkpoint> Checkpoint::parse(std::string_view token) {
  Checkpoint checkpoint;
  if (token.empty()) return checkpoint;
  const json document = json::parse(token, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) return unreadable("not a JSON object");
  const auto version = document.find("version");
  if (version == document.end() || *version != kTokenVersion) {
    return unreadable("unknown version");
  }
  const auto streams = document.find("streams");
  if (streams == document.end() || !streams->is_object()) return unreadable("no streams");
  for (const auto& [stream, files] : streams->items()) {
    if (!files.is_object()) return unreadable("stream " + stream + " is not an object");
    for (const auto& [file, state] : files.items()) {
      FileCheckpoint parsed;
      if (!readFile(state, parsed)) return unreadable("bad entry for " + stream + "/" + file);
      checkpoint.streams_[stream][file] = parsed;
    }
  }
  return checkpoint;
}

std::string Checkpoint::serialize() const {
  json streams = json::object();
  for (const auto& [stream, files] : streams_) {
    json entries = json::object();
    for (const auto& [file, state] : files) {
      entries[file] = {
          {"device", state.device},
          {"inode", state.inode},
          {"offset", state.offset},
          {"line", state.line},
          {"fingerprint", hex(state.fingerprint)},
          {"fingerprint_bytes", state.fingerprint_bytes},
      };
    }
    streams[stream] = std::move(entries);
  }
  return json{{"version", kTokenVersion}, {"streams", std::move(streams)}}.dump();
}

const FileCheckpoint* Checkpoint::find(std::string_view stream, std::string_view file) const {
  const auto files = streams_.find(stream);
  if (files == streams_.end()) return nullptr;
  const auto state = files->second.find(file);
  return state == files->second.end() ? nullptr : &state->second;
}

void Checkpoint::set(std::string_view stream, std::string_view file, const FileCheckpoint& state) {
  auto files = streams_.find(stream);
  if (files == streams_.end()) files = streams_.emplace(std::string(stream), Files{}).first;
  files->second.insert_or_assign(std::string(file), state);
}

void Checkpoint::retainOnly(std::string_view stream, const std::vector<std::string>& present) {
  const auto files = streams_.find(stream);
  if (files == streams_.end()) return;
  std::erase_if(files->second, [&](const auto& entry) {
    return std::find(present.begin(), present.end(), entry.first) == present.end();
  });
}

}  // namespace hearth::connectors::csv
