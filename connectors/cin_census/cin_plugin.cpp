// The cin_census connector's entry point: the only symbol hearth_connector_cin_census.so exports.
#include "connectors/cin_census/cin_connector.hpp"
#include "plugins/sdk/connector.hpp"

HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
  static const hearth_connector_plugin kPlugin = {
      .abi_major = HEARTH_CONNECTOR_ABI_MAJOR,
      .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
      .struct_size = sizeof(hearth_connector_plugin),
      .name = "cin_census",
      .version = "1.0.0",
      .description = "Children in Need census XML, streamed one child at a time",
      .config_schema = hearth::connectors::cin_census::kConfigSchema,
      .create = hearth::sdk::create<hearth::connectors::cin_census::CinConnector>,
      .check = hearth::sdk::check,
      .discover = hearth::sdk::discover,
      .read = hearth::sdk::read,
      .stop = hearth::sdk::stop,
      .destroy = hearth::sdk::destroy,
  };
  return &kPlugin;
}
