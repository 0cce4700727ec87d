#pragma once

#include <map>
#include <optional>
#include <string>

#include "daemon/config/config.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::daemon::app {

/// How a connector's records are normalised (with today's date on the source's clock as the
/// limit for future dates), or nullopt when they are published field by field. Throws
/// std::invalid_argument for a time zone the tz database lacks (validation refuses it first).
std::optional<pipelines::normalise::NormaliseContext> normaliseContext(
    const config::ConnectorConfig& connector);

/// The normalise contexts of every configured connector that has one, by connector name.
std::map<std::string, pipelines::normalise::NormaliseContext> normaliseContexts(
    const config::Config& config);

}  // namespace hearth::daemon::app
