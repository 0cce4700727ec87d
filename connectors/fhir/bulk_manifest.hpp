#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace hearth::connectors::fhir {

/// One file a manifest lists.
struct ManifestFile {
  std::string type;  // empty when the manifest does not say (output organised by patient)
  std::string url;
  std::optional<uint64_t> count;  // resources in the file, when the server says
};

/// A Bulk Data export's completion manifest, in any of the shapes servers send: STU3's `error`
/// or STU4's `outcome`, `extension` as an object or an array, a `link` to a next manifest.
struct Manifest {
  std::string transaction_time;
  std::string request;
  bool requires_access_token = false;
  std::vector<ManifestFile> output;
  std::vector<ManifestFile> deleted;
  std::vector<ManifestFile> errors;
  std::string next_url;  // link[relation=next]: more files in another manifest
};

/// Reads a manifest; an error names what is missing or malformed.
Result<Manifest> parseManifest(std::string_view json);

}  // namespace hearth::connectors::fhir
