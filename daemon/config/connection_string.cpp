#include "daemon/config/connection_string.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace hearth::config {

std::string resolveConnectionStringPath(const std::filesystem::path& base,
                                        const std::string& text) {
  // Attributes are `name=value;`; a value may be braced to hold ';' ({...}). Names are
  // case-insensitive.
  struct Attribute {
    std::string name;
    size_t value_at = 0;
    size_t value_length = 0;
  };
  std::vector<Attribute> attributes;
  for (size_t at = 0; at < text.size();) {
    const size_t equals = text.find('=', at);
    if (equals == std::string::npos) break;
    Attribute attribute;
    for (size_t i = at; i < equals; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (!std::isspace(c)) attribute.name.push_back(static_cast<char>(std::tolower(c)));
    }
    size_t start = equals + 1;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
    size_t end = 0;
    if (start < text.size() && text[start] == '{') {
      const size_t close = text.find('}', start + 1);
      if (close == std::string::npos) return text;  // malformed: the driver manager says so
      attribute.value_at = start + 1;
      attribute.value_length = close - attribute.value_at;
      end = text.find(';', close);
    } else {
      end = text.find(';', start);
      size_t stop = end == std::string::npos ? text.size() : end;
      while (stop > start && std::isspace(static_cast<unsigned char>(text[stop - 1]))) --stop;
      attribute.value_at = start;
      attribute.value_length = stop - start;
    }
    attributes.push_back(std::move(attribute));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  // Only SQLite's drivers take a file for Database; elsewhere it names a database on a server.
  bool sqlite = false;
  const Attribute* database = nullptr;
  for (const Attribute& attribute : attributes) {
    std::string value = text.substr(attribute.value_at, attribute.value_length);
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (attribute.name == "driver" && value.find("sqlite") != std::string::npos) sqlite = true;
    if (attribute.name == "database") database = &attribute;
  }
  if (!sqlite || database == nullptr || database->value_length == 0) return text;
  const std::string file = text.substr(database->value_at, database->value_length);
  if (std::filesystem::path(file).is_absolute() || file == ":memory:" || file.starts_with("file:"))
    return text;
  return text.substr(0, database->value_at) + (base / file).lexically_normal().string() +
         text.substr(database->value_at + database->value_length);
}

}  // namespace hearth::config
