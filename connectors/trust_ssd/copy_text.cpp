#include "connectors/trust_ssd/copy_text.hpp"

#include <cstring>

namespace hearth::connectors::trust_ssd {
namespace {

int octalDigit(char c) { return c >= '0' && c <= '7' ? c - '0' : -1; }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string decodeCopyTextRow(std::string_view line, size_t columns, std::string& text,
                              std::vector<CopyField>& fields) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const size_t first_field = fields.size();
  // Fields decoded so far, the one at fault included.
  auto fail = [&](size_t field, std::string_view reason) {
    fields.resize(first_field);
    return "field " + std::to_string(field) + ": " + std::string(reason);
  };
  if (!line.empty() && std::memchr(line.data(), '\n', line.size()) != nullptr) {
    return "a raw line break inside the row";  // COPY writes one as \n
  }

  const char* at = line.data();
  const char* const end = at + line.size();
  for (;;) {
    // A field that is exactly \N is NULL; \N inside a longer field is an escaped 'N'.
    const char* field_end = at;
    while (field_end < end && *field_end != '\t') ++field_end;
    if (field_end - at == 2 && at[0] == '\\' && at[1] == 'N') {
      fields.push_back({text.size(), kNullField});
    } else {
      const size_t offset = text.size();
      while (at < field_end) {
        // Runs without a backslash are copied whole.
        const void* found = std::memchr(at, '\\', static_cast<size_t>(field_end - at));
        const char* plain_end = found != nullptr ? static_cast<const char*>(found) : field_end;
        text.append(at, plain_end);
        at = plain_end;
        if (at == field_end) break;
        if (++at == field_end) {
          // COPY escapes a tab in data as \t, so a backslash right before a separator (or
          // the end) was not written by it.
          return fail(fields.size() - first_field + 1, "ends with a lone backslash");
        }
        const char c = *at++;
        switch (c) {
          case 'b':
            text += '\b';
            break;
          case 'f':
            text += '\f';
            break;
          case 'n':
            text += '\n';
            break;
          case 'r':
            text += '\r';
            break;
          case 't':
            text += '\t';
            break;
          case 'v':
            text += '\v';
            break;
          case 'x': {
            int value = at < field_end ? hexDigit(*at) : -1;
            if (value < 0) {
              text += 'x';  // as PostgreSQL reads it: \x without a hex digit is an 'x'
              break;
            }
            ++at;
            if (at < field_end && hexDigit(*at) >= 0) value = value * 16 + hexDigit(*at++);
            text += static_cast<char>(value);
            break;
          }
          default:
            if (octalDigit(c) >= 0) {
              int value = octalDigit(c);
              for (int digits = 1; digits < 3 && at < field_end && octalDigit(*at) >= 0; ++digits) {
                value = value * 8 + octalDigit(*at++);
              }
              text += static_cast<char>(value & 0xFF);
            } else {
              text += c;  // any other escaped character stands for itself
            }
        }
      }
      fields.push_back({offset, static_cast<ptrdiff_t>(text.size() - offset)});
    }
    at = field_end;
    if (fields.size() - first_field > columns) {
      return fail(fields.size() - first_field,
                  "more fields than the " + std::to_string(columns) + " columns");
    }
    if (at == end) break;
    ++at;  // the tab
  }
  if (fields.size() - first_field != columns) {
    const size_t found = fields.size() - first_field;
    fields.resize(first_field);
    return std::to_string(found) + " fields where " + std::to_string(columns) +
           " columns were expected";
  }
  return {};
}

}  // namespace hearth::connectors::trust_ssd
