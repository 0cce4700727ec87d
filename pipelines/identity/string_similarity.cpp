#include "pipelines/identity/string_similarity.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pipelines/identity/name_folding.hpp"

namespace hearth::pipelines::identity {
namespace {

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const std::size_t window =
      std::max(a.size(), b.size()) / 2 >= 1 ? std::max(a.size(), b.size()) / 2 - 1 : 0;
  // Names are short; a fixed buffer keeps the hot path free of allocation.
  std::array<bool, 64> small_a{};
  std::array<bool, 64> small_b{};
  std::vector<bool> large_a;
  std::vector<bool> large_b;
  const bool small = a.size() <= 64 && b.size() <= 64;
  if (!small) {
    large_a.assign(a.size(), false);
    large_b.assign(b.size(), false);
  }
  auto matched_a = [&](std::size_t i) -> bool { return small ? small_a[i] : large_a[i]; };
  auto matched_b = [&](std::size_t j) -> bool { return small ? small_b[j] : large_b[j]; };
  auto mark = [&](std::size_t i, std::size_t j) {
    if (small) {
      small_a[i] = true;
      small_b[j] = true;
    } else {
      large_a[i] = true;
      large_b[j] = true;
    }
  };

  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(b.size(), i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!matched_b(j) && a[i] == b[j]) {
        mark(i, j);
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;

  std::size_t half_transpositions = 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!matched_a(i)) continue;
    while (!matched_b(k)) ++k;
    if (a[i] != b[k]) ++half_transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) /
         3.0;
}

char soundexDigit(char c) {
  switch (c) {
    case 'b':
    case 'f':
    case 'p':
    case 'v':
      return '1';
    case 'c':
    case 'g':
    case 'j':
    case 'k':
    case 'q':
    case 's':
    case 'x':
    case 'z':
      return '2';
    case 'd':
    case 't':
      return '3';
    case 'l':
      return '4';
    case 'm':
    case 'n':
      return '5';
    case 'r':
      return '6';
    case 'h':
    case 'w':
      return 'h';  // Transparent: equal codes either side still merge.
    default:
      return '0';  // Vowels separate equal codes.
  }
}

const std::unordered_map<std::string_view, std::string_view>& nicknames() {
  // The common English diminutives seen in council and NHS records; each maps to one formal
  // name so that "bill" and "will" also agree with each other.
  static const std::unordered_map<std::string_view, std::string_view> table = {
      {"bill", "william"},
      {"billy", "william"},
      {"will", "william"},
      {"willy", "william"},
      {"liam", "william"},
      {"liz", "elizabeth"},
      {"lizzie", "elizabeth"},
      {"lizzy", "elizabeth"},
      {"beth", "elizabeth"},
      {"betty", "elizabeth"},
      {"bet", "elizabeth"},
      {"eliza", "elizabeth"},
      {"elisabeth", "elizabeth"},
      {"bob", "robert"},
      {"bobby", "robert"},
      {"rob", "robert"},
      {"robbie", "robert"},
      {"bert", "robert"},
      {"kate", "katherine"},
      {"katie", "katherine"},
      {"kathy", "katherine"},
      {"kath", "katherine"},
      {"cathy", "katherine"},
      {"catherine", "katherine"},
      {"kathryn", "katherine"},
      {"katharine", "katherine"},
      {"kit", "katherine"},
      {"jim", "james"},
      {"jimmy", "james"},
      {"jamie", "james"},
      {"mike", "michael"},
      {"mick", "michael"},
      {"mickey", "michael"},
      {"dave", "david"},
      {"davy", "david"},
      {"tom", "thomas"},
      {"tommy", "thomas"},
      {"dick", "richard"},
      {"rick", "richard"},
      {"ricky", "richard"},
      {"rich", "richard"},
      {"chris", "christopher"},
      {"sam", "samuel"},
      {"sammy", "samuel"},
      {"alex", "alexander"},
      {"sandy", "alexander"},
      {"ben", "benjamin"},
      {"benny", "benjamin"},
      {"dan", "daniel"},
      {"danny", "daniel"},
      {"joe", "joseph"},
      {"joey", "joseph"},
      {"jack", "john"},
      {"johnny", "john"},
      {"jon", "john"},
      {"peggy", "margaret"},
      {"maggie", "margaret"},
      {"meg", "margaret"},
      {"madge", "margaret"},
      {"jenny", "jennifer"},
      {"jen", "jennifer"},
      {"sue", "susan"},
      {"susie", "susan"},
      {"ted", "edward"},
      {"ed", "edward"},
      {"eddie", "edward"},
      {"ned", "edward"},
      {"tony", "anthony"},
      {"andy", "andrew"},
      {"drew", "andrew"},
      {"matt", "matthew"},
      {"nick", "nicholas"},
      {"nicky", "nicholas"},
      {"steve", "stephen"},
      {"steven", "stephen"},
      {"fred", "frederick"},
      {"freddie", "frederick"},
      {"harry", "henry"},
      {"hal", "henry"},
      {"debbie", "deborah"},
      {"debra", "deborah"},
      {"vicky", "victoria"},
      {"becky", "rebecca"},
      {"abby", "abigail"},
      {"jo", "joanne"},
      {"charlie", "charles"},
      {"chuck", "charles"},
      {"greg", "gregory"},
      {"josh", "joshua"},
      {"ollie", "oliver"},
      {"zach", "zachary"},
      {"sophie", "sophia"},
      {"gill", "gillian"},
      {"jill", "gillian"},
      {"pam", "pamela"},
      {"val", "valerie"},
      {"wendy", "gwendoline"},
      {"polly", "mary"},
      {"molly", "mary"},
      {"nan", "ann"},
      {"annie", "ann"},
      {"anne", "ann"},
      {"anna", "ann"},
      {"tim", "timothy"},
      {"pete", "peter"},
      {"phil", "philip"},
      {"ron", "ronald"},
      {"ronnie", "ronald"},
      {"don", "donald"},
      {"ken", "kenneth"},
      {"kenny", "kenneth"},
      {"len", "leonard"},
      {"lenny", "leonard"},
      {"tilly", "matilda"},
      {"ellie", "eleanor"},
      {"nell", "eleanor"},
      {"fran", "frances"},
      {"frankie", "frances"},
      {"hattie", "harriet"},
      {"izzy", "isabel"},
      {"bella", "isabel"},
      {"isabella", "isabel"},
      {"isabelle", "isabel"},
      {"lottie", "charlotte"},
      // Spellings of one name: transliterations from Arabic, Urdu or Somali script (Somali
      // writes "x" for the Arabic h and "c" for the ayn), and English spellings of an Irish name.
      {"mohammed", "muhammad"},
      {"mohammad", "muhammad"},
      {"mohamed", "muhammad"},
      {"mohamad", "muhammad"},
      {"muhammed", "muhammad"},
      {"mohammod", "muhammad"},
      {"muhamed", "muhammad"},
      {"maxamed", "muhammad"},
      {"mahamed", "muhammad"},
      {"ahmad", "ahmed"},
      {"axmed", "ahmed"},
      {"hussein", "hussain"},
      {"husain", "hussain"},
      {"husein", "hussain"},
      {"xuseen", "hussain"},
      {"hasan", "hassan"},
      {"xasan", "hassan"},
      {"yousef", "yusuf"},
      {"yousuf", "yusuf"},
      {"yusef", "yusuf"},
      {"yuusuf", "yusuf"},
      {"abdallah", "abdullah"},
      {"abdullahi", "abdullah"},
      {"cabdullahi", "abdullah"},
      {"abdulahi", "abdullah"},
      {"umar", "omar"},
      {"cumar", "omar"},
      {"ebrahim", "ibrahim"},
      {"ibraahim", "ibrahim"},
      {"fatimah", "fatima"},
      {"faadumo", "fatima"},
      {"khadijah", "khadija"},
      {"khadeeja", "khadija"},
      {"khadiijo", "khadija"},
      {"ayesha", "aisha"},
      {"aysha", "aisha"},
      {"ayeesha", "aisha"},
      {"caasha", "aisha"},
      {"cali", "ali"},
      {"shaun", "sean"},
      {"shawn", "sean"},
      {"shaune", "sean"},
  };
  return table;
}

}  // namespace

double jaroWinkler(std::string_view a, std::string_view b) {
  const double j = jaro(a, b);
  std::size_t prefix = 0;
  const std::size_t limit = std::min<std::size_t>({4, a.size(), b.size()});
  while (prefix < limit && a[prefix] == b[prefix]) ++prefix;
  return j + static_cast<double>(prefix) * 0.1 * (1.0 - j);
}

std::string normaliseName(std::string_view name) {
  // Names outside ASCII are folded first, so "Zoë" and "Zoe" are one name; ASCII names (nearly
  // all of them) skip the Unicode tables.
  std::string folded;
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    folded = foldToAscii(name);
    name = folded;
  }
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c >= 'a' && c <= 'z') {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    }
  }
  return out;
}

std::string_view formalGivenName(std::string_view normalised) {
  const auto& table = nicknames();
  const auto it = table.find(normalised);
  return it == table.end() ? normalised : it->second;
}

std::uint32_t soundexCode(std::string_view name) {
  const std::string letters = normaliseName(name);
  if (letters.empty()) return 0;
  std::array<char, 4> code{static_cast<char>(letters[0] - 'a' + 'A'), '0', '0', '0'};
  std::size_t filled = 1;
  char previous = soundexDigit(letters[0]);
  for (std::size_t i = 1; i < letters.size() && filled < 4; ++i) {
    const char digit = soundexDigit(letters[i]);
    if (digit == 'h') continue;
    if (digit != '0' && digit != previous) code[filled++] = digit;
    previous = digit;
  }
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(code[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(code[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(code[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(code[3]));
}

std::string soundexText(std::string_view name) {
  const std::uint32_t code = soundexCode(name);
  if (code == 0) return {};
  return {static_cast<char>(code >> 24), static_cast<char>((code >> 16) & 0xff),
          static_cast<char>((code >> 8) & 0xff), static_cast<char>(code & 0xff)};
}

std::size_t boundedEditDistance(std::string_view a, std::string_view b, std::size_t bound) {
  const std::size_t over = bound + 1;
  const std::size_t gap = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (gap > bound) return over;
  // Three rolling rows: the one before last is needed for the adjacent swap.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    std::size_t row_best = current[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        value = std::min(value, before[j - 2] + 1);
      }
      current[j] = value;
      row_best = std::min(row_best, value);
    }
    if (row_best > bound) return over;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[b.size()], over);
}

bool isOneKeyingErrorApart(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a == b) return false;
  std::size_t first = 0;
  while (a[first] == b[first]) ++first;
  std::size_t last = a.size() - 1;
  while (a[last] == b[last]) --last;
  if (first == last) return true;
  return last == first + 1 && a[first] == b[last] && a[last] == b[first];
}

}  // namespace hearth::pipelines::identity
