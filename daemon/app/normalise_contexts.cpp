#include "daemon/app/normalise_contexts.hpp"

#include <chrono>
#include <stdexcept>

#include "daemon/config/mapping_config.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/mapping.hpp"

namespace hearth::daemon::app {

std::optional<pipelines::normalise::NormaliseContext> normaliseContext(
    const config::ConnectorConfig& connector) {
  if (connector.normalise.kind.empty()) return std::nullopt;
  pipelines::normalise::NormaliseContext context;
  if (connector.normalise.kind == config::kMappingKind) {
    // Loading the configuration checked the mapping, so it builds.
    context.mapped_layout = pipelines::normalise::mappedLayout(
        config::mappingFromJson(connector.normalise.mapping, "/mapping"),
        std::string(config::kMappingKind));
  } else if (pipelines::normalise::findLayout(connector.normalise.kind) == nullptr) {
    return std::nullopt;
  }
  context.layout = connector.normalise.kind;
  context.connector = connector.name;
  context.source_system = connector.normalise.source_system;
  // The config schema has already refused names the tz database lacks.
  std::optional<TimeZone> zone = TimeZone::find(connector.normalise.time_zone);
  if (!zone) {
    throw std::invalid_argument(connector.key + ".normalise.time_zone: unknown time zone \"" +
                                connector.normalise.time_zone + "\"");
  }
  context.time_zone = std::move(*zone);
  // A record written today on the source's clock is not in the future, whatever UTC says.
  context.today = pipelines::canonical::todayIn(context.time_zone);
  context.default_collection_year = connector.normalise.collection_year;
  return context;
}

std::map<std::string, pipelines::normalise::NormaliseContext> normaliseContexts(
    const config::Config& config) {
  std::map<std::string, pipelines::normalise::NormaliseContext> contexts;
  for (const auto& connector : config.connectors) {
    if (auto context = normaliseContext(connector)) contexts.emplace(connector.name, *context);
  }
  return contexts;
}

}  // namespace hearth::daemon::app
