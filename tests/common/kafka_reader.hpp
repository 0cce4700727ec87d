#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace hearth::testing {

/// Reads every message of `topic` from the beginning of each partition to its current end,
/// calling `visit` for each; returns the number read. Throws on timeout or a broker error.
size_t consumeAll(const std::string& bootstrap, const std::string& topic,
                  const std::function<void(std::string_view key, std::string_view payload)>& visit,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The value of `"field":"..."` (first occurrence) in a flat JSON text, or "" if absent; quick
/// enough to scan a million events.
std::string_view jsonStringField(std::string_view json, std::string_view field);

}  // namespace hearth::testing
