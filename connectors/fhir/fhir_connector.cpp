#include "connectors/fhir/fhir_connector.hpp"

#include <nlohmann/json.hpp>

#include "connectors/fhir/bulk_export.hpp"
#include "connectors/fhir/directory_reader.hpp"
#include "connectors/fhir/fhir_checkpoint.hpp"
#include "connectors/fhir/fhir_session.hpp"
#include "connectors/fhir/paged_search.hpp"

namespace hearth::connectors::fhir {

FhirConnector::FhirConnector(sdk::HostApi host, std::string_view config_json)
    : Connector(host), config_(parseConfig(config_json)) {}

Result<void> FhirConnector::check() {
  if (config_.mode == Mode::kDirectory) return checkDirectory(config_);
  // The capability statement answers without side effects, and the token (if any) is tried too.
  FhirSession session(config_, host(), [this] { return stopRequested(); });
  auto response =
      session.send(HttpRequest::get(config_.base_url + "/metadata", "application/fhir+json"), true,
                   size_t{1} << 20);
  if (!response.ok()) return response.error();
  if (!response->ok()) {
    return sdk::retryLater(config_.base_url + "/metadata answered " + response->describe());
  }
  return {};
}

Result<std::string> FhirConnector::discover() {
  // Streams are resource types, known only once resources arrive; each has the same fields.
  nlohmann::json fields = nlohmann::json::array({{{"name", "resource"}, {"type", "string"}},
                                                 {{"name", "last_updated"}, {"type", "timestamp"}},
                                                 {{"name", "deleted"}, {"type", "bool"}}});
  nlohmann::json streams = nlohmann::json::array();
  for (const char* type : {"Patient", "Encounter", "Condition", "RelatedPerson"}) {
    streams.push_back({{"name", type}, {"key", {"Type/id"}}, {"fields", fields}});
  }
  return nlohmann::json{{"streams", std::move(streams)}}.dump();
}

Result<void> FhirConnector::read(std::string_view checkpoint, const sdk::Emitter& emitter) {
  auto saved = Checkpoint::parse(checkpoint);
  if (!saved.ok()) return saved.error();
  const std::function<bool()> stop_requested = [this] { return stopRequested(); };
  switch (config_.mode) {
    case Mode::kDirectory:
      return readDirectory(config_, host(), emitter, std::move(*saved), stop_requested);
    case Mode::kBulk:
      return runBulkExport(config_, host(), emitter, std::move(*saved), stop_requested);
    case Mode::kSearch:
      return runPagedSearch(config_, host(), emitter, std::move(*saved), stop_requested);
  }
  return makeError("fhir.mode", "unknown mode");
}

}  // namespace hearth::connectors::fhir
