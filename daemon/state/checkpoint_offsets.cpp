#include "daemon/state/checkpoint_offsets.hpp"

namespace hearth::daemon::state {
namespace {

using nlohmann::json;

// The members of a parsed token that hold per-stream positions, as the built-in connectors
// write them.
constexpr const char* kStreamMembers[] = {"streams", "tables"};

// The object of per-stream positions in `token`, or null when it has none.
json* streamPositions(json& token) {
  if (!token.is_object()) return nullptr;
  for (const char* member : kStreamMembers) {
    const auto it = token.find(member);
    if (it != token.end() && it->is_object()) return &*it;
  }
  return nullptr;
}

}  // namespace

json offsetsJson(std::string_view token) {
  json offsets = json::array();
  if (!token.empty()) {
    json parsed = json::parse(token, nullptr, /*allow_exceptions=*/false);
    if (json* streams = parsed.is_discarded() ? nullptr : streamPositions(parsed)) {
      for (auto& [stream, position] : streams->items()) {
        offsets.push_back({{"partition", {{"stream", stream}}}, {"offset", position}});
      }
    } else {
      offsets.push_back(
          {{"partition", json::object()}, {"offset", {{"token", std::string(token)}}}});
    }
  }
  return {{"offsets", std::move(offsets)}};
}

Result<std::string> withoutStream(std::string_view token, std::string_view stream) {
  if (token.empty()) return std::string();
  json parsed = json::parse(token, nullptr, /*allow_exceptions=*/false);
  json* streams = parsed.is_discarded() ? nullptr : streamPositions(parsed);
  if (streams == nullptr) {
    return makeError("state.stream_reset_unsupported",
                     "this connector's checkpoint does not keep its streams apart: reset the "
                     "whole connector (without --stream)");
  }
  if (streams->erase(std::string(stream)) == 0) return std::string(token);
  return parsed.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace hearth::daemon::state
