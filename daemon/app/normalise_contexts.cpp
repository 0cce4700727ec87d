#include "daemon/app/normalise_contexts.hpp"

#include <chrono>

namespace hearth::daemon::app {

std::optional<pipelines::normalise::NormaliseContext> normaliseContext(
    const config::ConnectorConfig& connector) {
  if (connector.normalise.kind.empty()) return std::nullopt;
  const auto kind = pipelines::normalise::connectorKindFromName(connector.normalise.kind);
  if (!kind) return std::nullopt;
  pipelines::normalise::NormaliseContext context;
  context.kind = *kind;
  context.connector = connector.name;
  context.source_system = connector.normalise.source_system;
  context.today = pipelines::canonical::todayUtc();
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
