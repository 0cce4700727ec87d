// The ssda903 connector's entry point: the only symbol hearth_connector_ssda903.so exports.
#include "connectors/ssda903/ssda903_connector.hpp"
#include "plugins/sdk/connector.hpp"

HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
  static const hearth_connector_plugin kPlugin = {
      .abi_major = HEARTH_CONNECTOR_ABI_MAJOR,
      .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
      .struct_size = sizeof(hearth_connector_plugin),
      .name = "ssda903",
      .version = "1.0.0",
      .description =
          "SSDA903 children-looked-after return: CSV file set and XML, with collection year",
      .config_schema = hearth::connectors::ssda903::kConfigSchema,
      .create = hearth::sdk::create<hearth::connectors::ssda903::Ssda903Connector>,
      .check = hearth::sdk::check,
      .discover = hearth::sdk::discover,
      .read = hearth::sdk::read,
      .stop = hearth::sdk::stop,
      .destroy = hearth::sdk::destroy,
  };
  return &kPlugin;
}
