// libFuzzer target for the offsets view of checkpoint tokens. The first byte splits the input
// into a stream name and a token. Any token gives offsets or a refusal, never a crash; a stream
// reset leaves no position for that stream, and resetting it again changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/state/checkpoint_offsets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = std::min<size_t>(data[0] % 16, input.size());
  const std::string_view stream = input.substr(0, split);
  const std::string_view token = input.substr(split);
  (void)hearth::daemon::state::offsetsJson(token);
  const auto reset = hearth::daemon::state::withoutStream(token, stream);
  if (reset.ok() && !stream.empty()) {
    const auto again = hearth::daemon::state::withoutStream(reset.value(), stream);
    if (!again.ok() || again.value() != reset.value()) __builtin_trap();
  }
  return 0;
}
