#include "connectors/common/whole_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

namespace hearth::connectors::common {
namespace {

using nlohmann::json;

Error ioError(const std::string& what, int error) {
  return makeError("file.io", what + ": " + std::strerror(error));
}

std::string hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

template <typename Integer>
bool readInteger(const json& object, const char* key, Integer& out) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return false;
  out = it->get<Integer>();
  return true;
}

}  // namespace

std::string serializeStates(const WholeFileStates& states) {
  json files = json::object();
  for (const auto& [name, state] : states) {
    files[name] = {{"device", state.device},
                   {"inode", state.inode},
                   {"size", state.size},
                   {"modified_ms", state.modified_ms},
                   {"hash", hex(state.hash)}};
  }
  return files.dump();
}

Result<WholeFileStates> parseStates(std::string_view text) {
  WholeFileStates states;
  if (text.empty()) return states;
  const json files = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (files.is_discarded() || !files.is_object()) {
    return makeError("file.checkpoint", "file states are not a JSON object");
  }
  for (const auto& [name, entry] : files.items()) {
    WholeFileState state;
    const auto hash = entry.is_object() ? entry.find("hash") : entry.end();
    bool ok = entry.is_object() && hash != entry.end() && hash->is_string() &&
              readInteger(entry, "device", state.device) &&
              readInteger(entry, "inode", state.inode) && readInteger(entry, "size", state.size) &&
              readInteger(entry, "modified_ms", state.modified_ms);
    if (ok) {
      const auto& digits = hash->get_ref<const std::string&>();
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), state.hash, 16);
      ok = error == std::errc() && end == digits.data() + digits.size();
    }
    if (!ok) return makeError("file.checkpoint", "bad file state for " + name);
    states.emplace(name, state);
  }
  return states;
}

Result<WholeFileState> describeFile(int fd) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return ioError("cannot stat", errno);
  return WholeFileState{
      .device = static_cast<uint64_t>(info.st_dev),
      .inode = static_cast<uint64_t>(info.st_ino),
      .size = static_cast<uint64_t>(info.st_size),
      .modified_ms = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 +
                     static_cast<int64_t>(info.st_mtim.tv_nsec) / 1'000'000,
      .hash = 0,
  };
}

Result<uint64_t> hashWholeFile(int fd) {
  std::vector<char> block(size_t{1} << 16);
  uint64_t hash = kFnvOffset;
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, block.data(), block.size(), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("cannot read", errno);
    if (n == 0) return hash;
    hash = fnv1a(hash, std::string_view(block.data(), static_cast<size_t>(n)));
    offset += n;
  }
}

}  // namespace hearth::connectors::common
