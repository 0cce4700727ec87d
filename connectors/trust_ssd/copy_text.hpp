#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::connectors::trust_ssd {

/// Where a decoded field lies in the text it was decoded into; NULL has length kNullField.
struct CopyField {
  size_t offset = 0;
  ptrdiff_t length = 0;
};
inline constexpr ptrdiff_t kNullField = -1;

/// Decodes one data row of PostgreSQL's COPY text format (tab-separated, one row per line,
/// backslash escapes, \N for NULL) with exactly `columns` fields. The decoded text of each field
/// is appended to `text` and its place to `fields`. On a malformed row it returns what is wrong
/// (with the 1-based field it was found in) and leaves `fields` as it found it; `text` may have
/// grown. An empty return means success.
std::string decodeCopyTextRow(std::string_view line, size_t columns, std::string& text,
                              std::vector<CopyField>& fields);

}  // namespace hearth::connectors::trust_ssd
