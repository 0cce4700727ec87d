#include "connectors/fhir/fhir_checkpoint.hpp"

#include <nlohmann/json.hpp>

namespace hearth::connectors::fhir {

using nlohmann::json;

std::string Checkpoint::serialize() const {
  json out = json::object();
  if (!files.empty()) {
    json& list = out["files"] = json::object();
    for (const auto& [name, file] : files) {
      list[name] = {{"device", file.device},
                    {"inode", file.inode},
                    {"offset", file.offset},
                    {"line", file.line}};
    }
  }
  if (bulk != BulkState{}) {
    json state = {{"since", bulk.since},
                  {"status_url", bulk.status_url},
                  {"kicked_off_ms", bulk.kicked_off_ms},
                  {"transaction_time", bulk.transaction_time}};
    json& downloads = state["files"] = json::object();
    for (const auto& [url, file] : bulk.files) {
      downloads[url] = {{"next_line", file.next_line}, {"done", file.done}};
    }
    out["bulk"] = std::move(state);
  }
  if (!search.empty()) {
    json& types = out["search"] = json::object();
    for (const auto& [type, state] : search) {
      types[type] = {{"window_start", state.window_start}, {"next_url", state.next_url}};
    }
  }
  return out.dump();
}

Result<Checkpoint> Checkpoint::parse(std::string_view text) {
  Checkpoint checkpoint;
  if (text.empty()) return checkpoint;
  const json in = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) {
    return makeError("fhir.checkpoint", "the checkpoint is not a JSON object");
  }
  try {
    if (const auto files = in.find("files"); files != in.end()) {
      for (const auto& [name, file] : files->items()) {
        checkpoint.files[name] = {
            file.at("device").get<uint64_t>(), file.at("inode").get<uint64_t>(),
            file.at("offset").get<uint64_t>(), file.at("line").get<uint64_t>()};
      }
    }
    if (const auto bulk = in.find("bulk"); bulk != in.end()) {
      BulkState& state = checkpoint.bulk;
      state.since = bulk->at("since").get<std::string>();
      state.status_url = bulk->at("status_url").get<std::string>();
      state.kicked_off_ms = bulk->at("kicked_off_ms").get<int64_t>();
      state.transaction_time = bulk->at("transaction_time").get<std::string>();
      for (const auto& [url, file] : bulk->at("files").items()) {
        state.files[url] = {file.at("next_line").get<uint64_t>(), file.at("done").get<bool>()};
      }
    }
    if (const auto search = in.find("search"); search != in.end()) {
      for (const auto& [type, state] : search->items()) {
        checkpoint.search[type] = {state.at("window_start").get<std::string>(),
                                   state.at("next_url").get<std::string>()};
      }
    }
  } catch (const json::exception& e) {
    return makeError("fhir.checkpoint", std::string("the checkpoint is malformed: ") + e.what());
  }
  return checkpoint;
}

}  // namespace hearth::connectors::fhir
