#include "connectors/fhir/bulk_manifest.hpp"

#include <nlohmann/json.hpp>

namespace hearth::connectors::fhir {
namespace {

using nlohmann::json;

Error malformed(const std::string& what) {
  return makeError("fhir.bad_manifest", "the export manifest " + what);
}

Result<std::vector<ManifestFile>> readFiles(const json& manifest, const char* key) {
  std::vector<ManifestFile> files;
  const auto list = manifest.find(key);
  if (list == manifest.end()) return files;
  if (!list->is_array())
    return malformed(std::string("has ") + key + " that is not a list");
  for (const json& entry : *list) {
    if (!entry.is_object() || !entry.contains("url") || !entry["url"].is_string() ||
        entry["url"].get_ref<const std::string&>().empty()) {
      return malformed(std::string("lists in ") + key + " an entry without a url");
    }
    ManifestFile file;
    file.url = entry["url"].get<std::string>();
    if (const auto type = entry.find("type"); type != entry.end()) {
      if (!type->is_string())
        return malformed(std::string("has a ") + key + " type that is not text");
      file.type = type->get<std::string>();
    }
    if (const auto count = entry.find("count"); count != entry.end()) {
      if (!count->is_number_unsigned()) {
        return malformed(std::string("lists in ") + key + " a count that is not a count");
      }
      file.count = count->get<uint64_t>();
    }
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace

Result<Manifest> parseManifest(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return malformed("is not JSON");
  if (!document.is_object()) return malformed("is not a JSON object");
  Manifest manifest;
  const auto time = document.find("transactionTime");
  if (time == document.end() || !time->is_string()) return malformed("has no transactionTime");
  manifest.transaction_time = time->get<std::string>();
  if (const auto request = document.find("request"); request != document.end()) {
    if (!request->is_string()) return malformed("has a request that is not text");
    manifest.request = request->get<std::string>();
  }
  if (const auto requires_token = document.find("requiresAccessToken");
      requires_token != document.end()) {
    if (!requires_token->is_boolean())
      return malformed("has a requiresAccessToken that is not true or false");
    manifest.requires_access_token = requires_token->get<bool>();
  }
  if (!document.contains("output")) return malformed("has no output list");
  auto output = readFiles(document, "output");
  if (!output.ok()) return output.error();
  manifest.output = std::move(*output);
  auto deleted = readFiles(document, "deleted");
  if (!deleted.ok()) return deleted.error();
  manifest.deleted = std::move(*deleted);
  // STU3 servers call the error files `error`, Bulk Data 2.0 ones `outcome`.
  for (const char* key : {"error", "outcome"}) {
    auto errors = readFiles(document, key);
    if (!errors.ok()) return errors.error();
    manifest.errors.insert(manifest.errors.end(), errors->begin(), errors->end());
  }
  if (const auto extension = document.find("extension"); extension != document.end()) {
    if (!extension->is_object() && !extension->is_array()) {
      return malformed("has an extension that is neither an object nor a list");
    }
  }
  if (const auto links = document.find("link"); links != document.end()) {
    if (!links->is_array()) return malformed("has a link that is not a list");
    for (const json& link : *links) {
      if (link.is_object() && link.value("relation", "") == "next" && link.contains("url") &&
          link["url"].is_string()) {
        manifest.next_url = link["url"].get<std::string>();
      }
    }
  }
  return manifest;
}

}  // namespace hearth::connectors::fhir
