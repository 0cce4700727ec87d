#pragma once

#include <functional>

#include "common/result.hpp"
#include "connectors/fhir/fhir_checkpoint.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// Reads the NDJSON files of a directory (how many trusts hand exports over) in name order, each
/// from where the checkpoint left it; a file replaced or cut shorter is read again from its start.
Result<void> readDirectory(const FhirConfig& config, const sdk::HostApi& host,
                           const sdk::Emitter& emitter, Checkpoint checkpoint,
                           const std::function<bool()>& stop_requested);

/// Can the directory be listed?
Result<void> checkDirectory(const FhirConfig& config);

}  // namespace hearth::connectors::fhir
