// libFuzzer target for the trust_ssd connector's reader of PostgreSQL's COPY text rows. The
// first byte gives the number of columns, the rest is the row. Any row decodes or is refused
// without a crash; a refusal leaves no fields behind; a decoded row's fields lie inside the text,
// and writing them back in COPY's own form decodes to the same values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/trust_ssd/copy_text.hpp"

namespace {

using hearth::connectors::trust_ssd::CopyField;
using hearth::connectors::trust_ssd::decodeCopyTextRow;
using hearth::connectors::trust_ssd::kNullField;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// A value as COPY TO writes it.
std::string encoded(std::string_view value) {
  std::string out;
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t columns = 1 + data[0] % 16;
  const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string text = "kept";
  std::vector<CopyField> fields(1);  // what the caller already held stays as it was
  const std::string problem = decodeCopyTextRow(line, columns, text, fields);
  if (!problem.empty()) {
    require(fields.size() == 1);
    return 0;
  }
  require(fields.size() == 1 + columns);
  require(text.compare(0, 4, "kept") == 0);
  std::string row;
  std::vector<std::string_view> values;
  for (size_t i = 1; i < fields.size(); ++i) {
    const CopyField& field = fields[i];
    if (i > 1) row += '\t';
    if (field.length == kNullField) {
      row += "\\N";
      values.emplace_back();
      continue;
    }
    require(field.length >= 0 && field.offset + static_cast<size_t>(field.length) <= text.size());
    const std::string_view value(text.data() + field.offset, static_cast<size_t>(field.length));
    row += encoded(value);
    values.push_back(value);
  }
  row += '\n';
  std::string again_text;
  std::vector<CopyField> again;
  require(decodeCopyTextRow(row, columns, again_text, again).empty());
  require(again.size() == columns);
  for (size_t i = 0; i < columns; ++i) {
    require((again[i].length == kNullField) == (fields[i + 1].length == kNullField));
    if (again[i].length == kNullField) continue;
    require(std::string_view(again_text.data() + again[i].offset,
                             static_cast<size_t>(again[i].length)) == values[i]);
  }
  return 0;
}
