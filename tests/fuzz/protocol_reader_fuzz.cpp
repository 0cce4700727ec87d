// libFuzzer target for the reader of child-process connectors' output: the input is what a
// child writes on stdout, cut into chunks at the bytes the first byte chooses. Every line decodes
// to a message or a reason-coded problem, never a crash; no line handed out is longer than the
// cap; states collected from it give a token that reads back to the same token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/host/protocol_reader.hpp"

namespace protocol = hearth::host::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr size_t kCap = 4096;
  protocol::LineSplitter splitter(kCap);
  protocol::MessageDecoder decoder;
  decoder.setPrimaryKeys({{"people", {"id"}}, {"ns.items", {"a", "b"}}});
  protocol::StateBook states;
  auto onLine = [&](std::string_view line) {
    if (line.size() > kCap) __builtin_trap();
    if (!decoder.decode(line)) {
      if (decoder.problem().code.empty()) __builtin_trap();
      return true;
    }
    switch (decoder.type()) {
      case protocol::MessageType::kState:
        states.add(decoder.state());
        break;
      case protocol::MessageType::kCatalog:
        (void)protocol::configuredCatalog(decoder.catalog().airbyte).dump();
        break;
      default:
        break;
    }
    return true;
  };
  for (size_t at = 0; at < input.size(); at += chunk) {
    if (splitter.feed(input.substr(at, chunk), onLine) == protocol::LineSplitter::Fed::kOverflow) {
      break;
    }
  }
  onLine(splitter.takeRest().substr(0, kCap));
  const std::string token = states.token();
  protocol::StateBook again;
  if (!again.load(token) || again.token() != token) __builtin_trap();
  // Any checkpoint text is taken back, as a state list or as an in-process token.
  protocol::StateBook any;
  (void)any.load(input);
  (void)any.token();
  return 0;
}
