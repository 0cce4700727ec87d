// libFuzzer target for the ODBC connection-string reader that resolves a SQLite database file
// against the configuration's directory. Besides crashes and sanitizer reports it checks what
// must hold for every input: the result is the input itself, or the input with one value made
// absolute, everything before and after that value unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/config/connection_string.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string base = "/etc/hearth";
  const std::string resolved = hearth::config::resolveConnectionStringPath(base, text);
  if (resolved == text) return 0;
  // Only a relative file became absolute: the two agree up to the value, which now starts with
  // the root where the input's did not.
  size_t prefix = 0;
  while (prefix < text.size() && prefix < resolved.size() && text[prefix] == resolved[prefix]) {
    ++prefix;
  }
  require(prefix < resolved.size());
  require(resolved.find('/', prefix > 0 ? prefix - 1 : 0) != std::string::npos);
  return 0;
}
