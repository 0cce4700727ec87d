#include "pipelines/identity/tests/synthetic_population.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

#include "pipelines/identity/string_similarity.hpp"
#include "pipelines/validation/identifiers.hpp"

namespace hearth::pipelines::identity::testing {
namespace {

constexpr std::array<const char*, 96> kGivenNames = {
    "oliver",  "george",   "harry",    "jack",     "jacob",    "noah",     "charlie",
    "thomas",  "william",  "james",    "robert",   "michael",  "david",    "richard",
    "joseph",  "daniel",   "samuel",   "benjamin", "alexander", "edward",  "christopher",
    "matthew", "andrew",   "anthony",  "nicholas", "stephen",  "peter",    "paul",
    "mark",    "john",     "henry",    "frederick", "joshua",  "liam",     "ethan",
    "mohammed", "muhammad", "ali",     "omar",     "arjun",    "kai",      "leo",
    "oscar",   "archie",   "alfie",    "freddie",  "theo",     "isaac",    "olivia",
    "amelia",  "isla",     "ava",      "emily",    "sophia",   "grace",    "lily",
    "mia",     "ella",     "elizabeth", "katherine", "margaret", "jennifer", "susan",
    "rebecca", "victoria", "deborah",  "abigail",  "charlotte", "eleanor", "isabel",
    "mary",    "ann",      "sarah",    "emma",     "jessica",  "hannah",   "lucy",
    "chloe",   "megan",    "amy",      "laura",    "rachel",   "zara",     "aisha",
    "fatima",  "priya",    "maya",     "freya",    "poppy",    "ruby",     "evie",
    "daisy",   "matilda",  "harriet",  "frances",  "gillian"};

constexpr std::array<const char*, 40> kNicknames = {
    "bill",  "bob",   "mike",  "dave",  "rick",  "joe",   "dan",   "sam",  "ben",  "alex",
    "ted",   "chris", "matt",  "andy",  "tony",  "nick",  "steve", "pete", "jack", "harry",
    "fred",  "josh",  "liz",   "beth",  "kate",  "katie", "peggy", "jenny", "sue", "becky",
    "vicky", "debbie", "abby", "lottie", "ellie", "izzy", "polly", "annie", "tilly", "fran"};

constexpr std::array<const char*, 40> kFamilyNames = {
    "smith",  "jones",   "taylor",   "brown",   "williams", "wilson",   "johnson", "davies",
    "robinson", "wright", "thompson", "evans",  "walker",   "white",    "roberts", "green",
    "hall",   "wood",    "jackson",  "clarke",  "patel",    "khan",     "lewis",   "james",
    "phillips", "mason", "mitchell", "rose",    "davis",    "rodriguez", "cox",    "alexander",
    "hussain", "begum",  "ahmed",    "ali",     "singh",    "kaur",     "shah",    "akhtar"};

constexpr std::array<const char*, 48> kSyllablesA = {
    "ash", "brad", "carr", "dun", "elling", "fair", "grim", "hart", "ing", "kent", "lang", "mar",
    "north", "oak", "pen", "quin", "rad", "shel", "thorn", "up", "wal", "yar", "bar", "cal",
    "dor", "fen", "gar", "hol", "kir", "lin", "mor", "nor", "os", "pres", "ros", "sta",
    "tod", "wick", "brom", "craw", "dew", "ever", "ford", "gos", "hed", "ken", "lud", "mel"};

constexpr std::array<const char*, 40> kSyllablesB = {
    "ton",  "ley",  "field", "worth", "by",   "well", "wood", "ham",  "bury", "stone",
    "croft", "more", "dale",  "ford",  "cott", "wick", "ridge", "land", "brook", "shaw",
    "den",  "hurst", "ing",  "man",   "son",  "er",   "ell",  "low",  "mere", "combe",
    "thwaite", "gate", "holme", "lock", "ney", "ridge", "stead", "tree", "wing", "yard"};

constexpr std::array<const char*, 30> kGivenSyllablesA = {
    "al", "bri", "ca", "da", "el", "fa", "ga", "ha", "i", "ja", "ka", "la", "ma", "na", "o",
    "pa", "ra", "sa", "ta", "va", "za", "ro", "lu", "mi", "ne", "ti", "ke", "be", "so", "yu"};

constexpr std::array<const char*, 30> kGivenSyllablesB = {
    "na", "lia", "ron", "den", "mir", "ssa", "rin", "lan", "vin", "ria", "nna", "tan", "len",
    "ya", "mon", "dra", "rus", "tha", "ley", "nie", "ric", "lo", "sha", "nor", "bel", "dan",
    "fer", "gan", "hi", "kin"};

// Letters allowed in the inward code of a postcode.
constexpr std::string_view kInwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

struct Person {
  std::uint32_t given;
  std::uint32_t family;
  int year;
  unsigned month;
  unsigned day;
  char sex;
  std::uint32_t postcode;
  std::uint64_t nhs;
  std::string upn;
};

// Names with Zipf-like shares: a few very common, a long tail of rare ones.
class NameList {
 public:
  NameList(std::vector<std::string> names, double offset) : names_(std::move(names)) {
    std::vector<double> weights;
    for (std::size_t k = 0; k < names_.size(); ++k) {
      weights.push_back(1.0 / (static_cast<double>(k) + offset));
    }
    pick_ = std::discrete_distribution<std::uint32_t>(weights.begin(), weights.end());
  }
  std::uint32_t draw(std::mt19937_64& random) { return pick_(random); }
  const std::string& name(std::uint32_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  std::discrete_distribution<std::uint32_t> pick_;
};

std::vector<std::string> familyNames() {
  std::vector<std::string> names(kFamilyNames.begin(), kFamilyNames.end());
  for (const char* a : kSyllablesA) {
    for (const char* b : kSyllablesB) names.push_back(std::string(a) + b);
  }
  return names;
}

std::vector<std::string> givenNames() {
  std::vector<std::string> names(kGivenNames.begin(), kGivenNames.end());
  for (const char* a : kGivenSyllablesA) {
    for (const char* b : kGivenSyllablesB) names.push_back(std::string(a) + b);
  }
  return names;
}

std::string postcodeText(std::uint32_t code) {
  // 40 districts x 10 sectors x 60 units: about 24,000 postcodes for the council's area.
  const std::uint32_t district = code / 600 + 1;
  const std::uint32_t sector = (code / 60) % 10;
  const std::uint32_t unit = code % 60;
  std::string text = "LS" + std::to_string(district) + " " + std::to_string(sector);
  text.push_back(kInwardLetters[unit % kInwardLetters.size()]);
  text.push_back(kInwardLetters[(unit * 7 + 3) % kInwardLetters.size()]);
  return text;
}

std::uint64_t validNhsNumber(std::mt19937_64& random) {
  std::uniform_int_distribution<int> digit(0, 9);
  for (;;) {
    std::uint64_t number = 0;
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      const int d = i == 0 ? 4 + digit(random) % 5 : digit(random);
      sum += d * (10 - i);
      number = number * 10 + static_cast<std::uint64_t>(d);
    }
    const int check = (11 - sum % 11) % 11;
    if (check == 10) continue;
    return number * 10 + static_cast<std::uint64_t>(check);
  }
}

std::string validUpn(std::mt19937_64& random) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string upn = "?383";  // LA 383
  for (int i = 4; i < 13; ++i) upn.push_back(static_cast<char>('0' + digit(random)));
  upn[0] = *validation::upnCheckLetter(upn);
  return upn;
}

// One keying error: substitute, delete, insert or swap neighbours.
std::string typo(std::string text, std::mt19937_64& random) {
  if (text.size() < 3) return text;
  std::uniform_int_distribution<std::size_t> position(1, text.size() - 2);
  std::uniform_int_distribution<int> letter('a', 'z');
  const std::size_t p = position(random);
  switch (random() % 4) {
    case 0:
      text[p] = static_cast<char>(letter(random));
      break;
    case 1:
      text.erase(p, 1);
      break;
    case 2:
      text.insert(p, 1, static_cast<char>(letter(random)));
      break;
    default:
      std::swap(text[p], text[p + 1]);
      break;
  }
  return text;
}

std::string nicknameFor(const std::string& given, std::mt19937_64& random) {
  // Pick a nickname whose formal name is this one, if the small list has any.
  std::vector<const char*> options;
  for (const char* nick : kNicknames) {
    const std::string formal(formalGivenName(nick));
    if (formal == given) options.push_back(nick);
  }
  if (options.empty()) return given;
  return options[random() % options.size()];
}

PersonRecord recordOf(const Person& person, const NameList& given, const NameList& family,
                      const std::string& source, std::size_t serial) {
  PersonRecord record;
  record.source_system = source;
  record.local_id = source + "-" + std::to_string(serial);
  record.given_name = given.name(person.given);
  record.family_name = family.name(person.family);
  record.birth_date = canonical::Date{std::chrono::year{person.year},
                                      std::chrono::month{person.month},
                                      std::chrono::day{person.day}};
  record.sex = person.sex == 'M' ? Sex::kMale : Sex::kFemale;
  record.postcode = postcodeText(person.postcode);
  if (person.nhs != 0) record.nhs_number = std::to_string(person.nhs);
  record.upn = person.upn;
  return record;
}

// Shifts one birth-date field, keeping the date real.
void changeOneDateField(PersonRecord& record, std::mt19937_64& random) {
  const canonical::Date date = *record.birth_date;
  int year = static_cast<int>(date.year());
  unsigned month = static_cast<unsigned>(date.month());
  unsigned day = static_cast<unsigned>(date.day());
  switch (random() % 3) {
    case 0:
      year += (random() % 2 == 0) ? 1 : -1;
      break;
    case 1:
      month = month % 12 + 1;
      break;
    default:
      day = day % 28 + 1;
      break;
  }
  if (day > 28) day = 28;
  record.birth_date = canonical::Date{std::chrono::year{year}, std::chrono::month{month},
                                      std::chrono::day{day}};
}

void corrupt(PersonRecord& record, std::uint32_t postcodes, std::mt19937_64& random) {
  std::uniform_real_distribution<double> chance(0.0, 1.0);
  if (chance(random) < 0.25) record.family_name = typo(record.family_name, random);
  const double given_roll = chance(random);
  if (given_roll < 0.15) {
    record.given_name = nicknameFor(record.given_name, random);
  } else if (given_roll < 0.35) {
    record.given_name = typo(record.given_name, random);
  }
  const double date_roll = chance(random);
  const auto& date = *record.birth_date;
  if (date_roll < 0.05 && static_cast<unsigned>(date.day()) <= 12) {
    record.birth_date = canonical::Date{date.year(),
                                        std::chrono::month{static_cast<unsigned>(date.day())},
                                        std::chrono::day{static_cast<unsigned>(date.month())}};
  } else if (date_roll < 0.10) {
    changeOneDateField(record, random);
  }
  const double postcode_roll = chance(random);
  if (postcode_roll < 0.15) {
    record.postcode = postcodeText(static_cast<std::uint32_t>(random() % postcodes));
  } else if (postcode_roll < 0.20) {
    record.postcode.clear();
  }
  if (chance(random) < 0.40) record.nhs_number.clear();
  if (chance(random) < 0.02) record.given_name.clear();
}

}  // namespace

LabelledRecords generatePopulation(const PopulationOptions& options) {
  std::mt19937_64 random(options.seed);
  NameList given(givenNames(), 8.0);
  NameList family(familyNames(), 20.0);
  constexpr std::uint32_t kPostcodes = 40 * 600;
  std::uniform_int_distribution<int> year(1925, 2024);
  std::uniform_int_distribution<unsigned> month(1, 12);
  std::uniform_int_distribution<unsigned> day(1, 28);
  std::uniform_real_distribution<double> chance(0.0, 1.0);

  std::vector<Person> people;
  people.reserve(options.people);
  for (std::size_t i = 0; i < options.people; ++i) {
    Person person{};
    person.given = given.draw(random);
    person.family = family.draw(random);
    person.year = year(random);
    person.month = month(random);
    person.day = day(random);
    person.sex = random() % 2 == 0 ? 'M' : 'F';
    person.postcode = static_cast<std::uint32_t>(random() % kPostcodes);
    person.nhs = chance(random) < 0.9 ? validNhsNumber(random) : 0;
    if (person.year >= 2005) person.upn = validUpn(random);
    people.push_back(person);
  }

  LabelledRecords out;
  out.records.reserve(options.people + options.duplicates);
  out.truth.reserve(options.people + options.duplicates);
  for (std::size_t i = 0; i < options.people; ++i) {
    out.records.push_back(recordOf(people[i], given, family, "trust_cms", i));
    out.truth.push_back(static_cast<std::uint32_t>(i));
  }
  constexpr std::array<const char*, 3> kOtherSources = {"school_census", "gp_extract", "housing"};
  for (std::size_t d = 0; d < options.duplicates; ++d) {
    const auto person = static_cast<std::uint32_t>(random() % options.people);
    PersonRecord record =
        recordOf(people[person], given, family, kOtherSources[d % kOtherSources.size()], d);
    corrupt(record, kPostcodes, random);
    out.records.push_back(std::move(record));
    out.truth.push_back(person);
  }

  // Shuffle records and truth together so arrival order is mixed.
  std::vector<std::uint32_t> order(out.records.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), random);
  LabelledRecords shuffled;
  shuffled.records.reserve(order.size());
  shuffled.truth.reserve(order.size());
  for (const std::uint32_t i : order) {
    shuffled.records.push_back(std::move(out.records[i]));
    shuffled.records.back().index = static_cast<std::uint32_t>(shuffled.records.size() - 1);
    shuffled.truth.push_back(out.truth[i]);
  }
  return shuffled;
}

}  // namespace hearth::pipelines::identity::testing
