#pragma once

#include <filesystem>
#include <string>

namespace hearth::config {

/// An ODBC connection string whose SQLite database file (`Database=`, with a SQLite driver) is
/// made absolute against `base`; any other connection string is returned as it is.
std::string resolveConnectionStringPath(const std::filesystem::path& base, const std::string& text);

}  // namespace hearth::config
