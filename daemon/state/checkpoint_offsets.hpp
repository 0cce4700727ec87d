#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace hearth::daemon::state {

/// A connector's stored checkpoint token as Kafka Connect's offsets API (KIP-875) shows source
/// offsets: {"offsets":[{"partition":{"stream":S},"offset":{...}}]}. A token is the connector's
/// own, but one that is a JSON object keeping each stream's position under "streams" (csv,
/// ssda903) or "tables" (trust_ssd) is shown stream by stream; any other token is one entry with
/// an empty partition and the token as {"token": "..."}. No token at all: no offsets.
nlohmann::json offsetsJson(std::string_view token);

/// The token without one stream's position, so that the connector reads that stream again from
/// its beginning and every other from where it was. The token unchanged when the stream has no
/// position in it; state.stream_reset_unsupported when the token does not keep its streams apart
/// (then only the whole checkpoint can be reset).
Result<std::string> withoutStream(std::string_view token, std::string_view stream);

}  // namespace hearth::daemon::state
