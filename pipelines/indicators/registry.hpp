#pragma once

#include <span>
#include <string_view>

#include "pipelines/indicators/indicator.hpp"

namespace hearth::pipelines::indicators {

/// Every built-in indicator, in publication order. The one place indicators are listed.
std::span<const IndicatorDefinition> indicatorRegistry();

/// The registry entry with `id`, or nullptr.
const IndicatorDefinition* findIndicator(std::string_view id);

}  // namespace hearth::pipelines::indicators
