# Writes OUTPUT, a C++ source whose configSchemaText() returns the text of INPUT, so that the
# installed daemon validates its config without a schema file on disk.
# Usage: cmake -DINPUT=<schema.json> -DOUTPUT=<file.cpp> -P embed_schema.cmake
file(READ "${INPUT}" schema)
string(FIND "${schema}" ")hearth_schema\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter )hearth_schema\"")
endif()
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by embed_schema.cmake; do not edit.
#include \"daemon/config/config.hpp\"

namespace hearth::config {

std::string_view configSchemaText() {
  return R\"hearth_schema(${schema})hearth_schema\";
}

}  // namespace hearth::config
")
