#include "connectors/fhir/fhir_connector.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "connectors/fhir/directory_reader.hpp"
#include "connectors/fhir/fhir_checkpoint.hpp"

namespace hearth::connectors::fhir {

FhirConnector::FhirConnector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {
  if (config_.mode != Mode::kDirectory) {
    throw std::invalid_argument("fhir connector config: mode bulk and search are not built yet");
  }
}

Result<void> FhirConnector::check() { return checkDirectory(config_); }

Result<std::string> FhirConnector::discover() {
  // Streams are resource types, known only once resources arrive; each has the same fields.
  nlohmann::json fields = nlohmann::json::array({{{"name", "resource"}, {"type", "string"}},
                                                 {{"name", "last_updated"}, {"type", "timestamp"}},
                                                 {{"name", "deleted"}, {"type", "bool"}}});
  nlohmann::json streams = nlohmann::json::array();
  for (const char* type : {"Patient", "Encounter", "Condition"}) {
    streams.push_back({{"name", type}, {"key", {"Type/id"}}, {"fields", fields}});
  }
  return nlohmann::json{{"streams", std::move(streams)}}.dump();
}

Result<void> FhirConnector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto saved = Checkpoint::parse(checkpoint);
  if (!saved.ok()) return saved.error();
  const std::function<bool()> stop_requested = [this] { return stopRequested(); };
  return readDirectory(config_, host(), emitter, std::move(*saved), stop_requested);
}

}  // namespace hearth::connectors::fhir
