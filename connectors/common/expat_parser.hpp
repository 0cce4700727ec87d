#pragma once

#include <expat.h>

#include <memory>

namespace hearth::connectors::common {

/// Frees an expat parser; a stateless deleter, as for any C handle.
struct ExpatParserFree {
  void operator()(XML_Parser parser) const noexcept { XML_ParserFree(parser); }
};

/// An owned expat parser.
using ExpatParser = std::unique_ptr<XML_ParserStruct, ExpatParserFree>;

}  // namespace hearth::connectors::common
