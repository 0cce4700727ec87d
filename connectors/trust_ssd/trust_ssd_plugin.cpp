// The trust_ssd connector's entry point: the only symbol hearth_connector_trust_ssd.so exports.
#include "connectors/trust_ssd/trust_ssd_config.hpp"
#include "connectors/trust_ssd/trust_ssd_connector.hpp"
#include "plugins/sdk/connector.hpp"

HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
  static const hearth_connector_plugin kPlugin = {
      .abi_major = HEARTH_CONNECTOR_ABI_MAJOR,
      .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
      .struct_size = sizeof(hearth_connector_plugin),
      .name = "trust_ssd",
      .version = "1.0.0",
      .description =
          "The children's trust's Standard Safeguarding Dataset tables over ODBC, read "
          "incrementally",
      .config_schema = hearth::connectors::trust_ssd::kConfigSchema,
      .create = hearth::sdk::create<hearth::connectors::trust_ssd::TrustSsdConnector>,
      .check = hearth::sdk::check,
      .discover = hearth::sdk::discover,
      .read = hearth::sdk::read,
      .stop = hearth::sdk::stop,
      .destroy = hearth::sdk::destroy,
  };
  return &kPlugin;
}
