#pragma once

#include <functional>

#include "common/result.hpp"
#include "connectors/fhir/fhir_checkpoint.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// One pass of the Bulk Data export client: kick off an export (or resume the one whose status
/// URL the checkpoint holds), poll it to completion, download every file of its manifest (at
/// most parallel_downloads at once, each resuming after its last emitted line), and delete the
/// job; the next export asks for what changed since this one's transactionTime.
Result<void> runBulkExport(const FhirConfig& config, const sdk::HostApi& host,
                           const sdk::Emitter& emitter, Checkpoint checkpoint,
                           const std::function<bool()>& stop_requested);

}  // namespace hearth::connectors::fhir
