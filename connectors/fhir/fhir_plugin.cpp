// The fhir connector's entry point: the only symbol hearth_connector_fhir.so exports.
#include "connectors/fhir/fhir_config.hpp"
#include "connectors/fhir/fhir_connector.hpp"
#include "plugins/sdk/connector.hpp"

HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
  static const hearth_connector_plugin kPlugin = {
      .abi_major = HEARTH_CONNECTOR_ABI_MAJOR,
      .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
      .struct_size = sizeof(hearth_connector_plugin),
      .name = "fhir",
      .version = "1.0.0",
      .description = "FHIR resources (NDJSON) from a directory, a Bulk Data export or paged search",
      .config_schema = hearth::connectors::fhir::kConfigSchema,
      .create = hearth::sdk::create<hearth::connectors::fhir::FhirConnector>,
      .check = hearth::sdk::check,
      .discover = hearth::sdk::discover,
      .read = hearth::sdk::read,
      .stop = hearth::sdk::stop,
      .destroy = hearth::sdk::destroy,
  };
  return &kPlugin;
}
