// libFuzzer target for the SSDA903 XML return mapping. The first input byte picks the chunk
// size; the rest is the document. Besides crashes and sanitizer reports it checks what must hold
// for any input: a malformed document ends with exactly one xml.malformed reject, every record
// has a key, and feeding the document in chunks gives exactly what feeding it whole gives.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/ssda903/ssda903_xml.hpp"

namespace {

using hearth::connectors::ssda903::XmlRecord;
using hearth::connectors::ssda903::XmlReject;
using hearth::connectors::ssda903::XmlReturnParser;
using hearth::connectors::ssda903::XmlSink;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

class Collector final : public XmlSink {
 public:
  bool onRecord(const XmlRecord& record) override {
    require(!record.key.empty());
    std::string line = std::string(record.table->stream) + " " + record.key;
    for (const auto& [name, value] : record.fields) line += ";" + name + "=" + value.value_or("-");
    seen.push_back(std::move(line));
    return true;
  }
  bool onReject(const XmlReject& reject) override {
    seen.push_back(std::string(reject.reason_code) + " " + std::to_string(reject.line));
    if (reject.reason_code == "xml.malformed") ++malformed;
    return true;
  }
  std::vector<std::string> seen;
  int malformed = 0;
};

XmlReturnParser::Status parse(std::string_view text, size_t chunk, Collector& collector) {
  XmlReturnParser parser(collector);
  XmlReturnParser::Status status;
  size_t at = 0;
  do {
    const size_t take = std::min(chunk, text.size() - at);
    status = parser.feed(text.substr(at, take), at + take == text.size());
    at += take;
  } while (at < text.size() && status == XmlReturnParser::Status::kOk);
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Collector whole;
  Collector chunked;
  const XmlReturnParser::Status whole_status = parse(text, text.size() + 1, whole);
  const XmlReturnParser::Status chunked_status = parse(text, chunk, chunked);
  require(whole_status == chunked_status);
  require(whole.seen == chunked.seen);
  require(whole.malformed == (whole_status == XmlReturnParser::Status::kMalformed ? 1 : 0));
  return 0;
}
