#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace hearth::config {

/// The content of a regular file of at most `max_bytes`. A directory, FIFO, socket or device is
/// refused without reading from it (a FIFO would block for ever), as is a larger file; the
/// message names the path and the reason, never any content.
Result<std::string> readRegularFile(const std::filesystem::path& path, std::size_t max_bytes);

/// Checks that this process can create files in `directory`, by creating (and removing) one, or,
/// when it does not exist yet, that it can be created. The error gives the real reason (not a
/// directory, permission denied, read-only file system) rather than whatever fails later.
Result<void> checkWritableDirectory(const std::filesystem::path& directory);

}  // namespace hearth::config
