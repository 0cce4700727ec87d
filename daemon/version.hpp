#pragma once

#include <string_view>

namespace hearth::daemon {

/// The daemon's version, from the project version in CMake.
inline constexpr std::string_view kVersion = HEARTH_VERSION;

}  // namespace hearth::daemon
