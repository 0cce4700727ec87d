#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hearth::connectors::ssda903 {

/// The collection year applied to a file's records, and where it came from (for the log).
struct CollectionYear {
  std::string year;    // the year the collection starts in: "2024" for 2024/25
  std::string source;  // "configuration", "file name SSDA903_2020_header.csv", "directory 2024_25"
};

/// The collection year of `file_name` in `directory`: the configured year if there is one;
/// else the first four-digit year (19xx or 20xx, not part of a longer number) in the file name;
/// else the nearest directory on the path named like "2024", "2024_25", "2024-25" or "2024-2025".
std::optional<CollectionYear> detectCollectionYear(std::string_view configured,
                                                   std::string_view directory,
                                                   std::string_view file_name);

}  // namespace hearth::connectors::ssda903
