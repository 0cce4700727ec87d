// libFuzzer target for the FHIR connector's parsers. The first input byte picks what is fuzzed
// and how: the NDJSON line splitter with the resource parser (fed in chunks of a size taken from
// the second byte), the deleted-Bundle reader, or the export manifest parser. Besides crashes and
// sanitizer reports it checks what must hold for every input: chunked and whole reading give the
// same lines, no line exceeds the cap, line numbers run without gaps, every byte is accounted for,
// and a parsed resource has a type and an id.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/fhir/bulk_manifest.hpp"
#include "connectors/fhir/ndjson_reader.hpp"

namespace {

using hearth::connectors::fhir::Line;
using hearth::connectors::fhir::LineProblem;
using hearth::connectors::fhir::LineSplitter;
using hearth::connectors::fhir::parseManifest;
using hearth::connectors::fhir::ResourceParser;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

struct Seen {
  std::string text;
  uint64_t number;
  uint64_t length;
  bool too_long;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> split(std::string_view text, size_t chunk, size_t cap, ResourceParser* parser) {
  LineSplitter splitter(cap);
  std::vector<Seen> seen;
  uint64_t expected_number = 1;
  const auto on_line = [&](const Line& line) {
    require(line.number == expected_number++);
    require(line.text.size() <= cap);
    require(line.too_long == (line.length > cap));
    if (parser != nullptr && !line.too_long && parser->parse(line.text) == LineProblem::kNone) {
      require(!parser->head().resource_type.empty() && !parser->head().id.empty());
    }
    seen.push_back({std::string(line.text), line.number, line.length, line.too_long});
    return true;
  };
  for (size_t at = 0; at < text.size(); at += chunk) {
    // Each piece in a heap block of exactly its size, so that reads past it are caught.
    const std::string piece(text.substr(at, chunk));
    splitter.feed(piece, on_line);
  }
  splitter.finish(on_line);
  require(splitter.consumedBytes() == text.size());
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0] % 3;
  const size_t chunk = 1 + data[1] % 64;
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (mode == 0) {
    ResourceParser parser;
    const size_t cap = 64 + data[1] % 200;
    const std::vector<Seen> whole = split(text, text.size() + 1, cap, &parser);
    require(split(text, chunk, cap, nullptr) == whole);
  } else if (mode == 1) {
    ResourceParser parser;
    for (const std::string& reference : parser.deletedReferences(text)) {
      require(reference.find('/') != std::string::npos);
    }
  } else {
    auto manifest = parseManifest(text);
    if (manifest.ok()) {
      for (const auto& file : manifest->output) require(!file.url.empty());
    }
  }
  return 0;
}
