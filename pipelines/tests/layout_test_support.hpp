#pragma once

#include <string>
#include <vector>

#include "pipelines/canonical/json.hpp"
#include "pipelines/normalise/normaliser.hpp"

/// What the layout tests compare: a record as JSON without provenance, and the finding codes.
namespace hearth::pipelines::normalise::testing {

inline std::string json(const canonical::Record& record) {
  return canonical::toJson(record, {.include_provenance = false});
}

inline std::vector<std::string> codes(const NormaliseOutput& out) {
  std::vector<std::string> list;
  for (const auto& f : out.findings) list.push_back(f.code);
  return list;
}

}  // namespace hearth::pipelines::normalise::testing
