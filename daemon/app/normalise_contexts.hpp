#pragma once

#include <map>
#include <optional>
#include <string>

#include "daemon/config/config.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::daemon::app {

/// How a connector's records are normalised (with today's date as the limit for future dates),
/// or nullopt when they are published field by field.
std::optional<pipelines::normalise::NormaliseContext> normaliseContext(
    const config::ConnectorConfig& connector);

/// The normalise contexts of every configured connector that has one, by connector name.
std::map<std::string, pipelines::normalise::NormaliseContext> normaliseContexts(
    const config::Config& config);

}  // namespace hearth::daemon::app
