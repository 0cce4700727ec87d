#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// FHIR resources as records, one stream per resourceType, from a directory of NDJSON files, a
/// Bulk Data export or a paged search.
class FhirConnector final : public sdk::Connector {
 public:
  /// Throws std::invalid_argument when the configuration is unusable.
  FhirConnector(sdk::HostApi host, std::string_view config_json);

  Result<void> check() override;
  Result<std::string> discover() override;
  Result<void> read(std::string_view checkpoint, const sdk::Emitter& emitter) override;

 private:
  FhirConfig config_;
};

}  // namespace hearth::connectors::fhir
