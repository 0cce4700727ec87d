#include "pipelines/validation/identifiers.hpp"

#include <array>

namespace hearth::pipelines::validation {
namespace {

// I, O and S are left out so that letters are not read as digits.
constexpr std::string_view kUpnAlphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }

int upnLetterValue(char c) {
  const size_t pos = kUpnAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Letters the inward code never uses, as Royal Mail avoids them for legibility.
bool isInwardLetter(char c) {
  return isUpper(c) && c != 'C' && c != 'I' && c != 'K' && c != 'M' && c != 'O' && c != 'V';
}

bool isValidOutward(std::string_view o) {
  // A9 | A99 | AA9 | AA99 | A9A | AA9A
  switch (o.size()) {
    case 2:
      return isUpper(o[0]) && isDigit(o[1]);
    case 3:
      return isUpper(o[0]) &&
             ((isDigit(o[1]) && isDigit(o[2])) || (isUpper(o[1]) && isDigit(o[2])) ||
              (isDigit(o[1]) && isUpper(o[2])));
    case 4:
      return isUpper(o[0]) && isUpper(o[1]) && isDigit(o[2]) && (isDigit(o[3]) || isUpper(o[3]));
    default:
      return false;
  }
}

}  // namespace

bool isValidNhsNumber(std::string_view text) {
  std::array<int, 10> digits{};
  size_t count = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (!isDigit(c) || count == digits.size()) return false;
    digits[count++] = c - '0';
  }
  if (count != digits.size()) return false;
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += digits[i] * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == digits[9];
}

std::optional<char> upnCheckLetter(std::string_view upn) {
  if (upn.size() != 13) return std::nullopt;
  int sum = 0;
  for (size_t p = 2; p <= 13; ++p) {
    const char c = upn[p - 1];
    int value = 0;
    if (isDigit(c)) {
      value = c - '0';
    } else if (p == 13 && upnLetterValue(c) >= 0) {
      value = upnLetterValue(c);
    } else {
      return std::nullopt;
    }
    sum += value * static_cast<int>(p);
  }
  return kUpnAlphabet[static_cast<size_t>(sum % 23)];
}

bool isValidUpn(std::string_view upn) {
  const std::optional<char> check = upnCheckLetter(upn);
  return check && *check == upn[0];
}

bool isValidUln(std::string_view text) {
  if (text.size() != 10 || text[0] == '0') return false;
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (!isDigit(text[i])) return false;
    sum += (text[i] - '0') * static_cast<int>(10 - i);
  }
  return sum % 11 == 10;
}

std::optional<std::string> normalisePostcode(std::string_view text) {
  std::string compact;
  compact.reserve(8);
  for (char c : text) {
    if (c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    compact.push_back(c);
  }
  if (compact.size() < 5 || compact.size() > 7) return std::nullopt;
  const std::string_view inward = std::string_view(compact).substr(compact.size() - 3);
  const std::string_view outward = std::string_view(compact).substr(0, compact.size() - 3);
  if (!isDigit(inward[0]) || !isInwardLetter(inward[1]) || !isInwardLetter(inward[2])) {
    return std::nullopt;
  }
  if (!isValidOutward(outward)) return std::nullopt;
  compact.insert(compact.size() - 3, 1, ' ');
  return compact;
}

bool isValidPostcode(std::string_view text) { return normalisePostcode(text).has_value(); }

}  // namespace hearth::pipelines::validation
