#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "daemon/config/config.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::daemon::app {

/// A digest of what derived events follow from besides the stored records and the identity
/// decisions: the configuration file, the reference files the indicators read and the hearthd
/// binary (each by size and modification time), and each connector's today (the limit for future
/// dates, and the day ages are counted to). Never 0.
uint64_t deriveSettingsDigest(
    const config::Config& config,
    const std::map<std::string, pipelines::normalise::NormaliseContext>& contexts);

}  // namespace hearth::daemon::app
