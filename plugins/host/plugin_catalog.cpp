#include "plugins/host/plugin_catalog.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

namespace hearth::host {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The connector name a plugin file provides, or "" if the name does not follow the convention.
std::string nameOf(const fs::directory_entry& entry) {
  const std::string file = entry.path().filename().string();
  std::error_code ec;
  if (!file.starts_with(PluginCatalog::kFilePrefix) ||
      !file.ends_with(PluginCatalog::kFileSuffix) ||
      file.size() <= PluginCatalog::kFilePrefix.size() + PluginCatalog::kFileSuffix.size() ||
      !entry.is_regular_file(ec)) {
    return {};
  }
  return file.substr(
      PluginCatalog::kFilePrefix.size(),
      file.size() - PluginCatalog::kFilePrefix.size() - PluginCatalog::kFileSuffix.size());
}

// Plugin files of one directory, sorted so that a scan's outcome does not depend on the order
// the file system returns them in.
Result<std::vector<std::pair<std::string, fs::path>>> pluginFiles(const fs::path& directory) {
  std::error_code ec;
  fs::directory_iterator it(directory, ec);
  auto failed = [&] {
    return makeError("plugin.directory",
                     "cannot list plugin directory " + directory.string() + ": " + ec.message());
  };
  if (ec) return failed();
  std::vector<std::pair<std::string, fs::path>> files;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (std::string name = nameOf(*it); !name.empty()) files.emplace_back(name, it->path());
  }
  if (ec) return failed();
  std::sort(files.begin(), files.end());
  return files;
}

std::string joinPaths(const std::vector<fs::path>& paths) {
  std::string joined;
  for (const auto& path : paths) {
    if (!joined.empty()) joined += ", ";
    joined += path.string();
  }
  return joined.empty() ? "(no directories)" : joined;
}

// What a describing child writes to its parent: a tag, then length-prefixed fields.
void appendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

bool takeField(std::string_view& in, std::string& field) {
  const size_t colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  size_t size = 0;
  for (char c : in.substr(0, colon)) {
    if (c < '0' || c > '9') return false;
    size = size * 10 + static_cast<size_t>(c - '0');
    if (size > in.size()) return false;
  }
  if (in.size() - colon - 1 < size) return false;
  field.assign(in.substr(colon + 1, size));
  in.remove_prefix(colon + 1 + size);
  return true;
}

std::string encodeLoad(const Result<std::shared_ptr<PluginLibrary>>& loaded) {
  std::string out;
  if (!loaded) {
    out = "E";
    appendField(out, loaded.error().code);
    appendField(out, loaded.error().message);
    return out;
  }
  const PluginLibrary& plugin = *loaded.value();
  const std::string major = std::to_string(plugin.abiMajor());
  const std::string minor = std::to_string(plugin.abiMinor());
  out = "P";
  for (std::string_view field :
       {plugin.name(), plugin.version(), plugin.description(), plugin.configSchema(),
        std::string_view(major), std::string_view(minor)}) {
    appendField(out, field);
  }
  return out;
}

Result<PluginDescription> decodeLoad(const fs::path& path, std::string_view in) {
  auto garbled = [&] {
    return makeError("plugin.describe", "plugin " + path.string() + " could not be described");
  };
  if (in.empty()) return garbled();
  const char tag = in.front();
  in.remove_prefix(1);
  if (tag == 'E') {
    Error error;
    if (!takeField(in, error.code) || !takeField(in, error.message)) return garbled();
    return error;
  }
  PluginDescription description;
  std::string major;
  std::string minor;
  PluginInfo& info = description.info;
  if (tag != 'P' || !takeField(in, info.name) || !takeField(in, info.version) ||
      !takeField(in, info.description) || !takeField(in, description.config_schema) ||
      !takeField(in, major) || !takeField(in, minor)) {
    return garbled();
  }
  info.abi_major = static_cast<uint32_t>(std::stoul(major));
  info.abi_minor = static_cast<uint32_t>(std::stoul(minor));
  info.path = path;
  return description;
}

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    data.remove_prefix(static_cast<size_t>(written));
  }
}

// Reads the child's report until it closes the pipe or the deadline passes.
bool readReport(int fd, Clock::time_point deadline, std::string& report) {
  char buffer[4096];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd poll_fd{fd, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? false : true;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return true;
    report.append(buffer, static_cast<size_t>(got));
  }
}

// A plugin asked for by name must carry the name its file gives it, which is what the scan
// listed it under.
std::optional<Error> nameMismatch(const fs::path& path, std::string_view declared,
                                  std::string_view requested) {
  if (requested.find('/') != std::string_view::npos || declared == requested) return std::nullopt;
  return makeError("plugin.name_mismatch", "plugin " + path.string() + " is named '" +
                                               std::string(declared) + "', not '" +
                                               std::string(requested) + "' as its file name says");
}

}  // namespace

PluginCatalog PluginCatalog::scan(const std::vector<fs::path>& directories) {
  PluginCatalog catalog;
  catalog.directories_ = directories;
  for (const auto& directory : directories) {
    auto files = pluginFiles(directory);
    if (!files.ok()) {
      catalog.problems_.push_back({directory, files.error()});
      continue;
    }
    for (auto& [name, file] : *files) {
      const auto [it, inserted] = catalog.files_.emplace(name, file);
      if (!inserted) {
        catalog.problems_.push_back(
            {file, makeError("plugin.duplicate", "plugin " + file.string() +
                                                     " is another connector named '" + name +
                                                     "'; using " + it->second.string())});
      }
    }
  }
  return catalog;
}

fs::path PluginCatalog::pathOf(std::string_view name_or_path) const {
  if (name_or_path.find('/') != std::string_view::npos) return fs::path(name_or_path);
  const auto it = files_.find(name_or_path);
  return it == files_.end() ? fs::path() : it->second;
}

Error PluginCatalog::notFound(std::string_view name) const {
  std::string known;
  for (const auto& [found, path] : files_) {
    known += known.empty() ? "" : ", ";
    known += found;
  }
  return makeError("plugin.not_found", "no connector plugin named '" + std::string(name) + "' in " +
                                           joinPaths(directories_) +
                                           " (found: " + (known.empty() ? "none" : known) + ")");
}

Result<std::shared_ptr<PluginLibrary>> PluginCatalog::find(std::string_view name_or_path) const {
  const fs::path path = pathOf(name_or_path);
  if (path.empty()) return notFound(name_or_path);
  if (const auto it = loaded_.find(path); it != loaded_.end()) return it->second;
  auto plugin = loadPlugin(path);
  if (!plugin) return plugin.error();
  if (auto mismatch = nameMismatch(path, (*plugin)->name(), name_or_path)) return *mismatch;
  loaded_.emplace(path, *plugin);
  return plugin;
}

Result<PluginDescription> PluginCatalog::describe(std::string_view name_or_path,
                                                  std::chrono::milliseconds timeout) const {
  const fs::path path = pathOf(name_or_path);
  if (path.empty()) return notFound(name_or_path);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return makeError("plugin.describe",
                     std::string("cannot describe plugins: ") + std::strerror(errno));
  }
  std::fflush(nullptr);  // nothing buffered may be written twice, by parent and child
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return makeError("plugin.describe",
                     std::string("cannot describe plugins: ") + std::strerror(errno));
  }
  if (child == 0) {
    ::close(fds[0]);
    writeAll(fds[1], encodeLoad(loadPlugin(path)));
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  const bool finished = readReport(fds[0], Clock::now() + timeout, report);
  ::close(fds[0]);
  if (!finished) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string where = "plugin " + path.string();
  if (!finished) {
    return makeError("plugin.hung", where + " did not finish loading within " +
                                        std::to_string(timeout.count()) + " ms");
  }
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return makeError("plugin.crashed", where + " crashed while loading (signal " +
                                           std::to_string(signal) + ", " + ::strsignal(signal) +
                                           ")");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return makeError("plugin.crashed", where + " exited with status " +
                                           std::to_string(WEXITSTATUS(status)) + " while loading");
  }
  auto description = decodeLoad(path, report);
  if (description) {
    if (auto mismatch = nameMismatch(path, description->info.name, name_or_path)) return *mismatch;
  }
  return description;
}

PluginCatalog::Listing PluginCatalog::describeAll(std::chrono::milliseconds timeout) const {
  Listing listing;
  listing.problems = problems_;
  for (const auto& [name, path] : files_) {
    auto description = describe(name, timeout);
    if (description) {
      listing.plugins.push_back(std::move(description).value());
    } else {
      listing.problems.push_back({path, description.error()});
    }
  }
  return listing;
}

}  // namespace hearth::host
