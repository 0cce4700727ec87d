#include "pipelines/identity/name_folding.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace hearth::pipelines::identity {
namespace {

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Letters that Unicode does not decompose into a base letter and a mark, so stripping marks
// leaves them as they are. Case folding has already made them lower case. Spelled as the
// communities that use them write them in ASCII (a Danish "ø" is "o", "æ" is "ae").
std::string_view spelledOut(utf8proc_int32_t code_point) {
  switch (code_point) {
    case 0x00E6:  // æ
      return "ae";
    case 0x00F0:  // ð
      return "d";
    case 0x00F8:  // ø
      return "o";
    case 0x00FE:  // þ
      return "th";
    case 0x0111:  // đ
      return "d";
    case 0x0127:  // ħ
      return "h";
    case 0x0131:  // ı (dotless i)
      return "i";
    case 0x0138:  // ĸ
      return "k";
    case 0x0142:  // ł
      return "l";
    case 0x014B:  // ŋ
      return "n";
    case 0x0153:  // œ
      return "oe";
    case 0x0167:  // ŧ
      return "t";
    case 0x0180:  // ƀ
      return "b";
    case 0x0192:  // ƒ
      return "f";
    case 0x01B6:  // ƶ
      return "z";
    case 0x0254:  // ɔ (Akan, Ewe)
      return "o";
    case 0x0259:  // ə (Azerbaijani)
      return "e";
    case 0x025B:  // ɛ (Akan, Ewe)
      return "e";
    case 0x0272:  // ɲ
      return "n";
    case 0x02BB:  // ʻ (okina)
    case 0x02BC:  // ʼ (modifier apostrophe, as in Somali and Hausa names)
      return "'";
    default:
      return {};
  }
}

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// Reads bytes as Latin-1 and writes them as UTF-8: a name from a Windows-1252 export still
// folds ("Zo\xEB" -> "Zoë") instead of failing the UTF-8 check.
std::string latin1ToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (const char raw : text) {
    const auto byte = static_cast<unsigned char>(raw);
    if (byte < 0x80) {
      out.push_back(raw);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

constexpr auto kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
    UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP);

// Decomposes, strips marks and case-folds; null when `text` is not valid UTF-8.
std::unique_ptr<utf8proc_uint8_t, FreeDeleter> decompose(std::string_view text,
                                                         utf8proc_ssize_t& length) {
  utf8proc_uint8_t* mapped = nullptr;
  length = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                        static_cast<utf8proc_ssize_t>(text.size()), &mapped, kFoldOptions);
  if (length < 0) return nullptr;
  return std::unique_ptr<utf8proc_uint8_t, FreeDeleter>(mapped);
}

}  // namespace

std::string foldToAscii(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string out;
  out.reserve(text.size());
  if (ascii) {
    for (const char c : text) out.push_back(lowerAscii(c));
    return out;
  }
  utf8proc_ssize_t length = 0;
  auto mapped = decompose(text, length);
  if (!mapped) {
    const std::string utf8 = latin1ToUtf8(text);
    mapped = decompose(utf8, length);
    if (!mapped) return out;
  }
  const utf8proc_uint8_t* cursor = mapped.get();
  while (length > 0) {
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t used = utf8proc_iterate(cursor, length, &code_point);
    if (used <= 0) break;
    cursor += used;
    length -= used;
    if (code_point < 0x80) {
      out.push_back(lowerAscii(static_cast<char>(code_point)));
    } else {
      out.append(spelledOut(code_point));
    }
  }
  return out;
}

}  // namespace hearth::pipelines::identity
