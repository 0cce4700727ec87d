#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace hearth::config {

/// One of the JSON Schemas of the published events (config/schemas), compiled into the binary.
struct EventSchema {
  std::string_view name;  // the file name, as `dataschema` ends: "hearth.record.v1.json"
  std::string_view text;
};

/// The CloudEvents envelope schema and every event type's data schema, by name.
std::span<const EventSchema> eventSchemas();

/// The text of the schema of that file name, if there is one.
inline std::optional<std::string_view> eventSchemaText(std::string_view name) {
  for (const EventSchema& schema : eventSchemas()) {
    if (schema.name == name) return schema.text;
  }
  return std::nullopt;
}

}  // namespace hearth::config
