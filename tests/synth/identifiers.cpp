#include "tests/synth/identifiers.hpp"

#include <cctype>
#include <cstdio>

namespace hearth::synth {

int nhsCheckDigit(std::string_view first_nine) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += (first_nine[i] - '0') * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  return check == 10 ? -1 : check;
}

bool isValidNhsNumber(std::string_view digits) {
  if (digits.size() != 10) return false;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  const int check = nhsCheckDigit(digits.substr(0, 9));
  return check >= 0 && check == digits[9] - '0';
}

std::string makeNhsNumber(Rng& rng) {
  static constexpr char kLeading[] = {'4', '6', '7'};
  for (;;) {
    std::string n(1, kLeading[rng.below(3)]);
    for (int i = 0; i < 8; ++i) n.push_back(static_cast<char>('0' + rng.below(10)));
    const int check = nhsCheckDigit(n);
    if (check < 0) continue;
    n.push_back(static_cast<char>('0' + check));
    return n;
  }
}

static int upnValue(char c) {
  if (std::isdigit(static_cast<unsigned char>(c))) return c - '0';
  const size_t pos = kUpnAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

char upnCheckLetter(std::string_view last_twelve) {
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += upnValue(last_twelve[i]) * static_cast<int>(i + 2);
  return kUpnAlphabet[static_cast<size_t>(sum % 23)];
}

bool isValidUpn(std::string_view upn) {
  if (upn.size() != 13) return false;
  for (size_t i = 1; i < 12; ++i)
    if (!std::isdigit(static_cast<unsigned char>(upn[i]))) return false;
  if (upnValue(upn[12]) < 0) return false;
  return upn[0] == upnCheckLetter(upn.substr(1));
}

std::string makeUpn(int la_number, int estab, int year, int serial) {
  char body[48];
  std::snprintf(body, sizeof body, "%03u%04u%02u%03u", static_cast<unsigned>(la_number) % 1000,
                static_cast<unsigned>(estab) % 10000, static_cast<unsigned>(year) % 100,
                static_cast<unsigned>(serial) % 1000);
  return std::string(1, upnCheckLetter(body)) + body;
}

bool isValidUln(std::string_view uln) {
  if (uln.size() != 10 || uln[0] == '0') return false;
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(uln[i]))) return false;
    sum += (uln[i] - '0') * static_cast<int>(10 - i);
  }
  return sum % 11 == 10;
}

std::string makeUln(Rng& rng) {
  for (;;) {
    std::string n(1, static_cast<char>('1' + rng.below(9)));
    for (int i = 0; i < 8; ++i) n.push_back(static_cast<char>('0' + rng.below(10)));
    int sum = 0;
    for (size_t i = 0; i < 9; ++i) sum += (n[i] - '0') * static_cast<int>(10 - i);
    const int last = ((10 - sum) % 11 + 11) % 11;
    if (last == 10) continue;
    n.push_back(static_cast<char>('0' + last));
    return n;
  }
}

bool isValidPostcode(std::string_view pc) {
  const size_t space = pc.find(' ');
  if (space == std::string_view::npos || pc.size() - space != 4) return false;
  const std::string_view out = pc.substr(0, space);
  const std::string_view in = pc.substr(space + 1);
  auto alpha = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  static constexpr std::string_view kNeverInward = "CIKMOV";
  if (!digit(in[0]) || !alpha(in[1]) || !alpha(in[2])) return false;
  if (kNeverInward.find(in[1]) != std::string_view::npos ||
      kNeverInward.find(in[2]) != std::string_view::npos)
    return false;
  // A9, A99, AA9, AA99, A9A, AA9A
  std::string shape;
  for (char c : out) shape.push_back(alpha(c) ? 'A' : digit(c) ? '9' : '?');
  return shape == "A9" || shape == "A99" || shape == "AA9" || shape == "AA99" || shape == "A9A" ||
         shape == "AA9A";
}

}  // namespace hearth::synth
