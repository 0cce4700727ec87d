#include "connectors/fhir/directory_reader.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "connectors/fhir/ndjson_reader.hpp"
#include "connectors/fhir/resource_emitter.hpp"

namespace hearth::connectors::fhir {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 20;
constexpr uint64_t kStopCheckLines = 4096;

struct FdCloser {
  void operator()(const int* fd) const {
    ::close(*fd);
    delete fd;
  }
};
using UniqueFd = std::unique_ptr<int, FdCloser>;

Result<std::vector<std::string>> matchingFiles(const FhirConfig& config) {
  std::error_code error;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(config.directory, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.') || !it->is_regular_file()) continue;
    if (::fnmatch(config.pattern.c_str(), name.c_str(), FNM_PERIOD) == 0) names.push_back(name);
  }
  if (error) {
    return makeError("fhir.directory",
                     "cannot list directory " + config.directory + ": " + error.message());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class DirectoryPass {
 public:
  DirectoryPass(const FhirConfig& config, const sdk::HostApi& host, const sdk::Emitter& emitter,
                Checkpoint checkpoint, const std::function<bool()>& stop_requested)
      : config_(config),
        host_(host),
        emitter_(emitter),
        checkpoint_(std::move(checkpoint)),
        stop_requested_(stop_requested),
        resources_(host, emitter, config.max_line_bytes),
        block_(new char[kBlockBytes]) {}

  Result<void> run() {
    auto names = matchingFiles(config_);
    if (!names.ok()) return sdk::retryLater(names.error().message);
    // Files gone from the directory leave the checkpoint.
    std::erase_if(checkpoint_.files, [&](const auto& entry) {
      return !std::binary_search(names->begin(), names->end(), entry.first);
    });
    for (const std::string& name : *names) {
      if (stop_requested_()) return sdk::cancelled();
      if (Result<void> read = readFile(name); !read.ok()) return read;
    }
    return {};
  }

 private:
  Result<void> readFile(const std::string& name) {
    const std::string path = config_.directory + "/" + name;
    const int raw_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (raw_fd < 0) return skipFile(path, std::strerror(errno));
    const UniqueFd fd(new int(raw_fd));
    struct stat info;
    if (::fstat(raw_fd, &info) != 0) return skipFile(path, std::strerror(errno));

    FileProgress progress{static_cast<uint64_t>(info.st_dev), static_cast<uint64_t>(info.st_ino), 0,
                          1};
    const auto saved = checkpoint_.files.find(name);
    if (saved != checkpoint_.files.end()) {
      const FileProgress& before = saved->second;
      const bool same_file = before.device == progress.device && before.inode == progress.inode;
      if (same_file && before.offset <= static_cast<uint64_t>(info.st_size)) {
        if (before.offset == static_cast<uint64_t>(info.st_size)) return {};  // nothing new
        progress = before;
      } else {
        host_.log(
            HEARTH_LOG_INFO,
            "fhir: file " + path + " was replaced or cut shorter; reading it again from the start");
        host_.counterAdd("files_restarted", 1);
      }
    }
    if (::lseek(raw_fd, static_cast<off_t>(progress.offset), SEEK_SET) < 0) {
      return skipFile(path, std::strerror(errno));
    }

    LineSplitter lines(config_.max_line_bytes, progress.line, progress.offset);
    hearth_status status = HEARTH_OK;
    bool stopped = false;
    uint64_t since_checkpoint = 0;
    const auto on_line = [&](const Line& line) {
      status = resources_.resourceLine(line, name);
      if (status != HEARTH_OK) return false;
      if (++since_checkpoint >= config_.checkpoint_every) {
        since_checkpoint = 0;
        progress.offset = lines.consumedBytes();
        progress.line = lines.nextLine();
        status = save(name, progress, info.st_size);
        if (status != HEARTH_OK) return false;
      }
      if (++lines_since_stop_check_ >= kStopCheckLines) {
        lines_since_stop_check_ = 0;
        if (stop_requested_()) {
          stopped = true;
          return false;
        }
      }
      return true;
    };
    for (;;) {
      const ssize_t got = ::read(raw_fd, block_.get(), kBlockBytes);
      if (got < 0) {
        if (errno == EINTR) continue;
        return skipFile(path, std::strerror(errno));  // what was read stays read
      }
      if (got == 0) break;
      if (!lines.feed(std::string_view(block_.get(), static_cast<size_t>(got)), on_line)) break;
    }
    if (status == HEARTH_OK && !stopped) lines.finish(on_line);
    if (stopped) {
      save(name, {progress.device, progress.inode, lines.consumedBytes(), lines.nextLine()},
           info.st_size);
      return sdk::cancelled();
    }
    if (status != HEARTH_OK) return sdk::emitterRefused(status);
    progress.offset = lines.consumedBytes();
    progress.line = lines.nextLine();
    if (const hearth_status saved_status = save(name, progress, info.st_size);
        saved_status != HEARTH_OK) {
      return sdk::emitterRefused(saved_status);
    }
    return {};
  }

  hearth_status save(const std::string& name, const FileProgress& progress, uint64_t size) {
    checkpoint_.files[name] = progress;
    emitter_.progress(progress.offset, size, "bytes");
    return emitter_.checkpoint(checkpoint_.serialize());
  }

  Result<void> skipFile(const std::string& path, const std::string& why) {
    host_.log(HEARTH_LOG_WARN,
              "fhir: cannot read file " + path + " now; trying again at the next read: " + why);
    host_.counterAdd("files_unreadable", 1);
    return {};
  }

  const FhirConfig& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Checkpoint checkpoint_;
  const std::function<bool()>& stop_requested_;
  ResourceEmitter resources_;
  std::unique_ptr<char[]> block_;
  uint64_t lines_since_stop_check_ = 0;
};

}  // namespace

Result<void> readDirectory(const FhirConfig& config, const sdk::HostApi& host,
                           const sdk::Emitter& emitter, Checkpoint checkpoint,
                           const std::function<bool()>& stop_requested) {
  DirectoryPass pass(config, host, emitter, std::move(checkpoint), stop_requested);
  return pass.run();
}

Result<void> checkDirectory(const FhirConfig& config) {
  auto names = matchingFiles(config);
  if (!names.ok()) return names.error();
  return {};
}

}  // namespace hearth::connectors::fhir
