#pragma once

#include <functional>

#include "common/result.hpp"
#include "connectors/fhir/fhir_checkpoint.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// One pass of paged search, for servers without bulk export: each configured type is searched
/// in _lastUpdated windows of search.window_days from where the checkpoint left it up to now,
/// following Bundle.link[next] verbatim; a paging link that expired restarts its window.
Result<void> runPagedSearch(const FhirConfig& config, const sdk::HostApi& host,
                            const sdk::Emitter& emitter, Checkpoint checkpoint,
                            const std::function<bool()>& stop_requested);

}  // namespace hearth::connectors::fhir
