#include "connectors/ssda903/ssda903_year.hpp"

#include <cctype>
#include <filesystem>

namespace hearth::connectors::ssda903 {
namespace {

bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

bool plausibleYear(std::string_view digits) {
  return digits.size() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
}

// The first run of exactly four digits that reads as a year.
std::optional<std::string> yearInFileName(std::string_view name) {
  size_t i = 0;
  while (i < name.size()) {
    if (!isDigit(name[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < name.size() && isDigit(name[end])) ++end;
    const std::string_view run = name.substr(i, end - i);
    if (plausibleYear(run)) return std::string(run);
    i = end;
  }
  return std::nullopt;
}

// "2024", "2024_25", "2024-25", "2024_2025", "2024-2025": a directory named after a year.
std::optional<std::string> yearOfDirectory(std::string_view name) {
  if (name.size() < 4 || !plausibleYear(name.substr(0, 4))) return std::nullopt;
  for (char c : name.substr(0, 4)) {
    if (!isDigit(c)) return std::nullopt;
  }
  const std::string_view rest = name.substr(4);
  if (rest.empty()) return std::string(name.substr(0, 4));
  if (rest[0] != '_' && rest[0] != '-') return std::nullopt;
  const std::string_view second = rest.substr(1);
  if (second.size() != 2 && second.size() != 4) return std::nullopt;
  for (char c : second) {
    if (!isDigit(c)) return std::nullopt;
  }
  return std::string(name.substr(0, 4));
}

}  // namespace

std::optional<CollectionYear> detectCollectionYear(std::string_view configured,
                                                   std::string_view directory,
                                                   std::string_view file_name) {
  if (!configured.empty()) return CollectionYear{std::string(configured), "configuration"};
  if (auto year = yearInFileName(file_name)) {
    return CollectionYear{*year, "file name " + std::string(file_name)};
  }
  std::filesystem::path path = std::filesystem::path(directory).lexically_normal();
  while (!path.empty()) {
    std::string name = path.filename().string();
    if (name.empty()) {  // a trailing separator
      path = path.parent_path();
      name = path.filename().string();
    }
    if (auto year = yearOfDirectory(name)) return CollectionYear{*year, "directory " + name};
    if (path == path.parent_path()) break;
    path = path.parent_path();
  }
  return std::nullopt;
}

}  // namespace hearth::connectors::ssda903
