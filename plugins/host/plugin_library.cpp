#include "plugins/host/plugin_library.hpp"

#include <dlfcn.h>

#include <cstddef>
#include <string>
#include <system_error>
#include <utility>

namespace hearth::host {
namespace {

// The size of a 1.0 table: a plugin built against any 1.x header has at least this much.
constexpr size_t kMinimumTableSize =
    offsetof(hearth_connector_plugin, destroy) + sizeof(hearth_connector_plugin::destroy);

std::string versionText(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

Error refusal(const char* code, const std::filesystem::path& path, std::string_view why) {
  return makeError(code, "plugin " + path.string() + " " + std::string(why));
}

// The first required member the table lacks, or null if it is complete.
const char* missingMember(const hearth_connector_plugin& table) {
  if (table.name == nullptr || table.name[0] == '\0') return "name";
  if (table.version == nullptr) return "version";
  if (table.config_schema == nullptr) return "config_schema";
  if (table.create == nullptr) return "create";
  if (table.check == nullptr) return "check";
  if (table.discover == nullptr) return "discover";
  if (table.read == nullptr) return "read";
  if (table.destroy == nullptr) return "destroy";
  return nullptr;
}

Result<void> validateTable(const std::filesystem::path& path,
                           const hearth_connector_plugin& table) {
  const std::string theirs = versionText(table.abi_major, table.abi_minor);
  const std::string ours = versionText(kAbiMajor, kAbiMinor);
  if (table.abi_major != kAbiMajor) {
    return refusal("plugin.abi_major", path,
                   "was built for connector ABI " + theirs + "; this hearthd supports " + ours +
                       " (major versions must match)");
  }
  if (table.abi_minor > kAbiMinor) {
    return refusal("plugin.abi_minor", path,
                   "was built for connector ABI " + theirs + "; this hearthd supports " + ours +
                       " (a newer minor version needs a newer hearthd)");
  }
  if (table.struct_size < kMinimumTableSize) {
    return refusal("plugin.table_size", path,
                   "declares a connector table of " + std::to_string(table.struct_size) +
                       " bytes; connector ABI " + theirs + " needs at least " +
                       std::to_string(kMinimumTableSize));
  }
  if (const char* member = missingMember(table)) {
    return refusal(
        "plugin.incomplete", path,
        "has no " + std::string(member) + " in its connector table (ABI " + theirs + ")");
  }
  return {};
}

}  // namespace

void PluginLibrary::DlCloser::operator()(void* handle) const noexcept { ::dlclose(handle); }

std::string_view PluginLibrary::description() const {
  return table_->description == nullptr ? std::string_view() : table_->description;
}

PluginInfo PluginLibrary::info() const {
  return PluginInfo{
      .name = std::string(name()),
      .version = std::string(version()),
      .description = std::string(description()),
      .abi_major = abiMajor(),
      .abi_minor = abiMinor(),
      .path = path_,
  };
}

Result<std::shared_ptr<PluginLibrary>> loadPlugin(const std::filesystem::path& path) {
  // dlopen() searches the library path for a bare name; an absolute path loads exactly this file
  // and makes every message below say which file it was.
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  absolute = absolute.lexically_normal();

  ::dlerror();
  PluginLibrary::Handle handle(::dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return refusal("plugin.load_failed", absolute,
                   std::string("could not be loaded: ") + (why != nullptr ? why : "unknown error"));
  }

  ::dlerror();
  void* symbol = ::dlsym(handle.get(), HEARTH_CONNECTOR_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    return refusal("plugin.missing_entry", absolute,
                   "does not export " HEARTH_CONNECTOR_ENTRY_SYMBOL
                   ", the entry point of connector ABI " +
                       std::to_string(kAbiMajor) + ".x (is it a Hearth connector?)");
  }
  auto entry = reinterpret_cast<hearth_connector_entry_fn>(symbol);
  const hearth_connector_plugin* table = entry();
  if (table == nullptr) {
    return refusal("plugin.null_table", absolute,
                   "returned no connector table from " HEARTH_CONNECTOR_ENTRY_SYMBOL);
  }
  if (Result<void> valid = validateTable(absolute, *table); !valid.ok()) return valid.error();

  return std::shared_ptr<PluginLibrary>(
      new PluginLibrary(std::move(absolute), std::move(handle), table));
}

}  // namespace hearth::host
