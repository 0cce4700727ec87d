#include "tests/synth/names.hpp"

#include <array>
#include <cmath>
#include <iterator>
#include <utility>
#include <vector>

namespace hearth::synth {
namespace {

constexpr std::string_view kFemale[] = {
    "Olivia",   "Amelia",   "Isla",      "Ava",        "Ivy",       "Freya",    "Lily",
    "Florence", "Mia",      "Willow",    "Rosie",      "Sophia",    "Isabella", "Grace",
    "Daisy",    "Sienna",   "Poppy",     "Elsie",      "Emily",     "Ella",     "Evelyn",
    "Phoebe",   "Sofia",    "Evie",      "Charlotte",  "Harper",    "Millie",   "Matilda",
    "Maya",     "Sophie",   "Alice",     "Emilia",     "Isabelle",  "Ruby",     "Luna",
    "Maisie",   "Aria",     "Penelope",  "Mila",       "Bonnie",    "Eva",      "Hallie",
    "Scarlett", "Jessica",  "Lucy",      "Chloe",      "Hannah",    "Megan",    "Lauren",
    "Rebecca",  "Katie",    "Amy",       "Bethany",    "Laura",     "Sarah",    "Emma",
    "Jade",     "Gemma",    "Rachel",    "Samantha",   "Nicola",    "Claire",   "Kelly",
    "Lisa",     "Michelle", "Joanne",    "Helen",      "Louise",    "Victoria", "Elizabeth",
    "Susan",    "Margaret", "Patricia",  "Jennifer",   "Karen",     "Julie",    "Deborah",
    "Tracey",   "Angela",   "Christine", "Jacqueline", "Catherine", "Dorothy",  "Joan",
    "Barbara",  "Jean",     "Irene",     "Aaliyah",    "Zara",      "Amira"};

constexpr std::string_view kMale[] = {
    "Muhammad", "Noah",      "Oliver",  "George",  "Leo",    "Arthur",  "Oscar",   "Theodore",
    "Theo",     "Freddie",   "Henry",   "Archie",  "Alfie",  "Charlie", "Jack",    "Harry",
    "Finley",   "Thomas",    "Isaac",   "Lucas",   "Tommy",  "Albie",   "Jacob",   "Edward",
    "Joshua",   "Alexander", "Teddy",   "Max",     "Reggie", "Rory",    "Ethan",   "Mason",
    "Jude",     "Hugo",      "Louie",   "Samuel",  "Daniel", "James",   "William", "Joseph",
    "Benjamin", "Matthew",   "Ryan",    "Liam",    "Connor", "Callum",  "Kyle",    "Jordan",
    "Luke",     "Adam",      "Nathan",  "Jamie",   "Lewis",  "Aaron",   "Dylan",   "Christopher",
    "Michael",  "David",     "Andrew",  "Richard", "Mark",   "Paul",    "Stephen", "Robert",
    "John",     "Peter",     "Anthony", "Kevin",   "Gary",   "Lee",     "Craig",   "Darren",
    "Wayne",    "Stuart",    "Ian",     "Neil",    "Simon",  "Keith",   "Brian",   "Kenneth",
    "Ronald",   "Dennis",    "Derek",   "Alan",    "Graham", "Colin",   "Ibrahim", "Yusuf",
    "Mohammed", "Kacper"};

constexpr std::string_view kSurnames[] = {
    "Smith",    "Jones",      "Taylor",    "Brown",      "Williams", "Wilson",   "Johnson",
    "Davies",   "Robinson",   "Wright",    "Thompson",   "Evans",    "Walker",   "White",
    "Roberts",  "Green",      "Hall",      "Wood",       "Jackson",  "Clarke",   "Patel",
    "Khan",     "Lewis",      "James",     "Phillips",   "Mason",    "Mitchell", "Rose",
    "Davis",    "Rodriguez",  "Cox",       "Alexander",  "Morgan",   "Moore",    "Mills",
    "King",     "Lee",        "Harris",    "Martin",     "Cooper",   "Ward",     "Morris",
    "Hughes",   "Edwards",    "Turner",    "Hill",       "Collins",  "Baker",    "Watson",
    "Parker",   "Allen",      "Young",     "Bennett",    "Scott",    "Carter",   "Harrison",
    "Clark",    "Shaw",       "Price",     "Bailey",     "Lloyd",    "Bell",     "Kelly",
    "Anderson", "Richardson", "Griffiths", "Marshall",   "Cook",     "Murphy",   "Simpson",
    "Stevens",  "Chapman",    "Ellis",     "Adams",      "Dixon",    "Gray",     "Foster",
    "Webb",     "Powell",     "Hunt",      "Holmes",     "Palmer",   "Rogers",   "Barnes",
    "Knight",   "Reynolds",   "Butler",    "Russell",    "Fisher",   "Stewart",  "Harvey",
    "Fox",      "Graham",     "Pearson",   "Gibson",     "Mann",     "Murray",   "Spencer",
    "Matthews", "Owen",       "Ali",       "Hussain",    "Begum",    "Ahmed",    "Singh",
    "Kaur",     "Nowak",      "Kowalski",  "Wisniewska", "Popescu",  "Okafor",   "Mensah",
    "Campbell", "Stone",      "Lawrence",  "Holland",    "Burton",   "Payne",    "Pratt",
    "Lamb",     "Bradley",    "Dawson",    "Fletcher",   "Hart",     "Walsh",    "O'Brien",
    "O'Connor", "McDonald",   "MacLeod",   "Dunn",       "Newman",   "Sutton",   "Barker",
    "Howard",   "Atkinson",   "Gardner",   "Hayes",      "Lowe",     "Rees",     "Sharp",
    "Warren",   "Booth",      "Jenkins",   "Porter",     "Black",    "Cole",     "Ferguson",
    "Saunders", "Elliott",    "Wells"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 30> kNicknames = {{
    {"William", "Bill"},   {"Elizabeth", "Liz"},  {"Robert", "Bob"},        {"Margaret", "Maggie"},
    {"Thomas", "Tom"},     {"Katie", "Kate"},     {"Christopher", "Chris"}, {"Rebecca", "Becky"},
    {"Matthew", "Matt"},   {"Samantha", "Sam"},   {"Samuel", "Sam"},        {"Alexander", "Alex"},
    {"Jennifer", "Jenny"}, {"Daniel", "Dan"},     {"Joseph", "Joe"},        {"Benjamin", "Ben"},
    {"Michael", "Mike"},   {"Victoria", "Vicky"}, {"Anthony", "Tony"},      {"Richard", "Rick"},
    {"James", "Jim"},      {"Nicola", "Nicky"},   {"Joshua", "Josh"},       {"Isabella", "Bella"},
    {"Edward", "Ted"},     {"Theodore", "Theo"},  {"Catherine", "Cathy"},   {"Penelope", "Penny"},
    {"Patricia", "Pat"},   {"Stephen", "Steve"},
}};

template <size_t N>
size_t zipfIndex(Rng& rng) {
  // Inverse-CDF of a Zipf(s=0.9) distribution, tabulated once per list size.
  static const std::vector<double> kCdf = [] {
    std::vector<double> cdf(N);
    double total = 0;
    for (size_t i = 0; i < N; ++i) {
      total += 1.0 / std::pow(static_cast<double>(i + 1), 0.9);
      cdf[i] = total;
    }
    for (double& c : cdf) c /= total;
    return cdf;
  }();
  const double u = rng.uniform();
  size_t lo = 0, hi = N - 1;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (kCdf[mid] < u)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace

std::string drawForename(Rng& rng, bool female) {
  return female ? std::string(kFemale[zipfIndex<std::size(kFemale)>(rng)])
                : std::string(kMale[zipfIndex<std::size(kMale)>(rng)]);
}

std::string drawSurname(Rng& rng) {
  return std::string(kSurnames[zipfIndex<std::size(kSurnames)>(rng)]);
}

std::string_view nicknameOf(std::string_view forename) {
  for (const auto& [full, nick] : kNicknames)
    if (full == forename) return nick;
  return {};
}

std::string typo(Rng& rng, std::string_view name) {
  std::string out(name);
  if (out.size() < 3) return out + "e";
  const size_t i = 1 + rng.below(out.size() - 2);
  switch (rng.below(4)) {
    case 0:
      std::swap(out[i], out[i + 1]);
      if (out == name) out.erase(i, 1);
      break;
    case 1:
      out.erase(i, 1);
      break;
    case 2:
      out.insert(i, 1, out[i]);
      break;
    default: {
      static constexpr std::string_view kLetters = "aeiourstnlm";
      char c = kLetters[rng.below(kLetters.size())];
      if (c == out[i]) c = 'y';
      out[i] = c;
    }
  }
  return out;
}

}  // namespace hearth::synth
