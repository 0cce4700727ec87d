# Writes OUTPUT, a C++ source whose eventSchemas() lists the event schemas in DIR (every
# cloudevent.*.json and hearth.*.json but the config schema) with their text, so that the admin
# server serves them without schema files on disk.
# Usage: cmake -DDIR=<config/schemas> -DOUTPUT=<file.cpp> -P embed_event_schemas.cmake
file(GLOB schemas RELATIVE "${DIR}" "${DIR}/cloudevent.*.json" "${DIR}/hearth.*.json")
list(REMOVE_ITEM schemas hearthd.config.schema.json)
list(SORT schemas)
set(entries "")
foreach(name IN LISTS schemas)
  file(READ "${DIR}/${name}" text)
  string(FIND "${text}" ")hearth_schema\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${DIR}/${name} contains the raw string delimiter )hearth_schema\"")
  endif()
  string(APPEND entries "    {\"${name}\", R\"hearth_schema(${text})hearth_schema\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${DIR} by embed_event_schemas.cmake; do not edit.
#include \"daemon/config/event_schemas.hpp\"

namespace hearth::config {

std::span<const EventSchema> eventSchemas() {
  static constexpr EventSchema kSchemas[] = {
${entries}  };
  return kSchemas;
}

}  // namespace hearth::config
")
# Rewritten only when it changes, so that an unrelated reconfigure recompiles nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
