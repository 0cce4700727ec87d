#pragma once

#include <expat.h>

#include <cstddef>
#include <memory>
#include <new>
#include <string>

namespace hearth::connectors::common {

/// Frees an expat parser; a stateless deleter, as for any C handle.
struct ExpatParserFree {
  void operator()(XML_Parser parser) const noexcept { XML_ParserFree(parser); }
};

/// An owned expat parser.
using ExpatParser = std::unique_ptr<XML_ParserStruct, ExpatParserFree>;

/// The most text one element may hold; a hostile file must not grow memory without limit.
inline constexpr size_t kMaxElementTextBytes = size_t{1} << 16;

/// A UTF-8 parser that calls handler.start(name), handler.end(name) and handler.characters(chars,
/// n) for a streaming reader; `handler` must outlive the parser.
template <typename Handler>
ExpatParser makeExpatParser(Handler& handler) {
  ExpatParser parser(XML_ParserCreate("UTF-8"));
  if (parser == nullptr) throw std::bad_alloc();
  XML_SetUserData(parser.get(), &handler);
  XML_SetElementHandler(
      parser.get(),
      [](void* self, const XML_Char* name, const XML_Char**) {
        static_cast<Handler*>(self)->start(name);
      },
      [](void* self, const XML_Char* name) { static_cast<Handler*>(self)->end(name); });
  XML_SetCharacterDataHandler(parser.get(), [](void* self, const XML_Char* chars, int length) {
    static_cast<Handler*>(self)->characters(chars, length);
  });
  return parser;
}

/// Appends element text unless that would pass kMaxElementTextBytes, which sets `overflowed`.
inline void appendElementText(std::string& text, bool& overflowed, const XML_Char* chars,
                              int length) {
  if (text.size() + static_cast<size_t>(length) > kMaxElementTextBytes) {
    overflowed = true;
    return;
  }
  text.append(chars, static_cast<size_t>(length));
}

}  // namespace hearth::connectors::common
