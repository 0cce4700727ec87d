// The csv connector's entry point: the only symbol hearth_connector_csv.so exports.
#include "connectors/csv/csv_config.hpp"
#include "connectors/csv/csv_connector.hpp"
#include "plugins/sdk/connector.hpp"

HEARTH_CONNECTOR_EXPORT const hearth_connector_plugin* hearth_connector_plugin_v1() {
  static const hearth_connector_plugin kPlugin = {
      .abi_major = HEARTH_CONNECTOR_ABI_MAJOR,
      .abi_minor = HEARTH_CONNECTOR_ABI_MINOR,
      .struct_size = sizeof(hearth_connector_plugin),
      .name = "csv",
      .version = "1.0.0",
      .description = "CSV files (RFC 4180, UTF-8) in a directory, read incrementally",
      .config_schema = hearth::connectors::csv::kConfigSchema,
      .create = hearth::sdk::create<hearth::connectors::csv::CsvConnector>,
      .check = hearth::sdk::check,
      .discover = hearth::sdk::discover,
      .read = hearth::sdk::read,
      .stop = hearth::sdk::stop,
      .destroy = hearth::sdk::destroy,
  };
  return &kPlugin;
}
