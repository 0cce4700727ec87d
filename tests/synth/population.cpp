#include "tests/synth/population.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>
#include <utility>

#include "tests/synth/identifiers.hpp"
#include "tests/synth/names.hpp"

namespace hearth::synth {
namespace {

// Ethnicity codes as the DfE returns spell them, weighted roughly as the county's census.
const std::vector<std::string> kEthnicities = {"WBRI", "WOTH", "WIRI", "WROM", "MWBC", "MWBA",
                                               "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
                                               "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU"};
const std::vector<double> kEthnicityWeights = {78,  6,   0.6, 0.4, 1.2, 0.5, 0.6, 0.8, 2.0,
                                               0.7, 0.6, 0.9, 0.9, 3.0, 0.4, 0.5, 0.9, 1.0};

class PopulationBuilder {
 public:
  PopulationBuilder(World& world, Rng& rng) : world_(world), rng_(rng) {}

  void build() {
    const Timeline& t = world_.timeline;
    const size_t total = static_cast<size_t>(std::llround(kResidents * world_.options.scale));
    const size_t children_target =
        static_cast<size_t>(std::llround(kChildren * world_.options.scale));
    size_t children = 0;
    while (children < children_target && world_.people.size() < total) {
      children += familyHousehold(t.period_end, children_target - children);
    }
    while (world_.people.size() < total) adultHousehold(t.period_end, total - world_.people.size());
    assignIdentifiers();
  }

 private:
  uint32_t newAddress() {
    Address a;
    // Households cluster on postcodes; each address is one property with its own UPRN.
    a.postcode = static_cast<uint32_t>(rng_.below(world_.council_postcodes));
    a.uprn = 28000000000ULL + world_.addresses.size() * 7 + rng_.below(7);
    a.house_number = static_cast<uint16_t>(1 + rng_.below(180));
    a.street = static_cast<uint16_t>(rng_.below(world_.streets.size()));
    world_.addresses.push_back(a);
    return static_cast<uint32_t>(world_.addresses.size() - 1);
  }

  uint32_t newHousehold(bool family) {
    Household h;
    h.address = newAddress();
    if (rng_.chance(0.12)) {
      // Moved within the county during the history: the old address still sits in some sources.
      h.previous_address = h.address;
      h.address = newAddress();
      h.moved_on = static_cast<Day>(
          rng_.range(world_.timeline.history_start + 60, world_.timeline.period_end - 30));
    }
    if (family) {
      const double u = rng_.uniform();
      h.risk = u < 0.035 ? 2 : (u < 0.16 ? 1 : 0);
      h.low_income = rng_.chance(h.risk > 0 ? 0.6 : 0.17);
    } else {
      h.low_income = rng_.chance(0.15);
    }
    world_.households.push_back(h);
    return static_cast<uint32_t>(world_.households.size() - 1);
  }

  Day dobForAge(Day on, int age) {
    return static_cast<Day>(on - static_cast<Day>(std::floor(age * 365.2425)) -
                            static_cast<Day>(rng_.below(365)));
  }

  uint32_t addPerson(uint32_t household, Sex sex, Day dob, std::string surname,
                     const std::string& ethnicity) {
    Person p;
    p.household = household;
    p.sex = sex;
    p.dob = dob;
    p.forename = drawForename(rng_, sex == Sex::kFemale);
    if (rng_.chance(0.55)) p.middlename = drawForename(rng_, sex == Sex::kFemale);
    p.surname = std::move(surname);
    p.ethnicity = ethnicity;
    world_.people.push_back(std::move(p));
    return static_cast<uint32_t>(world_.people.size() - 1);
  }

  // Returns the number of children (0-17 at the period end) added.
  size_t familyHousehold(Day on, size_t children_wanted) {
    const uint32_t h = newHousehold(true);
    const std::string& ethnicity = kEthnicities[rng_.weighted(kEthnicityWeights)];
    const double k = rng_.uniform();
    int planned = k < 0.42 ? 1 : k < 0.80 ? 2 : k < 0.94 ? 3 : 4;
    planned = static_cast<int>(std::min<size_t>(static_cast<size_t>(planned), children_wanted));
    const int eldest_age = static_cast<int>(rng_.below(18));
    const int mother_age_at_first = std::clamp(static_cast<int>(rng_.normal(28.5, 5.5)), 16, 44);
    const Day eldest_dob = dobForAge(on, eldest_age);
    const Day mother_dob =
        addYears(eldest_dob, -mother_age_at_first) - static_cast<Day>(rng_.below(300));

    const std::string mother_birth_surname = drawSurname(rng_);
    const bool father_present = rng_.chance(0.70);
    const std::string father_surname = father_present ? drawSurname(rng_) : mother_birth_surname;
    const bool mother_changed = father_present && rng_.chance(0.7);
    uint32_t mother = kNone;
    const bool lone_father = !father_present && rng_.chance(0.08);
    if (!lone_father) {
      mother = addPerson(h, Sex::kFemale, mother_dob,
                         mother_changed ? father_surname : mother_birth_surname, ethnicity);
      if (mother_changed) world_.people[mother].former_surname = mother_birth_surname;
    }
    if (father_present || lone_father) {
      const Day father_dob = mother_dob - static_cast<Day>(rng_.normal(900, 1400));
      addPerson(h, Sex::kMale, father_dob, father_surname, ethnicity);
    }

    size_t added = 0;
    Day dob = eldest_dob;
    for (int c = 0; c < planned; ++c) {
      if (dob > on) break;
      std::string surname = father_surname;
      if (father_present && !mother_changed && rng_.chance(0.35)) {
        surname = mother_birth_surname + "-" + father_surname;
      }
      const bool twin = c > 0 && rng_.chance(0.015);
      const Day child_dob = twin ? world_.people.back().dob : dob;
      const std::string& child_ethnicity =
          rng_.chance(0.04) ? kEthnicities[4 + rng_.below(4)] : ethnicity;
      const uint32_t child = addPerson(h, rng_.chance(0.512) ? Sex::kMale : Sex::kFemale, child_dob,
                                       surname, child_ethnicity);
      world_.people[child].mother = mother;
      if (rng_.chance(0.03)) {
        // Took a step-parent's name: the birth name lingers in older records.
        world_.people[child].former_surname = world_.people[child].surname;
        world_.people[child].surname = drawSurname(rng_);
      }
      ++added;
      dob += static_cast<Day>(365 * (1 + rng_.below(5)) + rng_.below(200));
    }
    return added;
  }

  void adultHousehold(Day on, size_t room) {
    const uint32_t h = newHousehold(false);
    const double band = rng_.uniform();
    // Adult-only households lean older than families, which gives about 19% aged 65+ overall.
    int age = band < 0.22   ? static_cast<int>(rng_.range(18, 29))
              : band < 0.40 ? static_cast<int>(rng_.range(30, 44))
              : band < 0.70 ? static_cast<int>(rng_.range(45, 64))
              : band < 0.92 ? static_cast<int>(rng_.range(65, 79))
                            : static_cast<int>(rng_.range(80, 99));
    const std::string& ethnicity = kEthnicities[rng_.weighted(kEthnicityWeights)];
    const std::string surname = drawSurname(rng_);
    const Sex first = rng_.chance(0.5) ? Sex::kMale : Sex::kFemale;
    addPerson(h, first, dobForAge(on, age), surname, ethnicity);
    if (room > 1 && rng_.chance(0.52)) {
      const int partner_age = std::clamp(age + static_cast<int>(rng_.normal(0, 3)), 18, 100);
      const uint32_t partner = addPerson(h, first == Sex::kMale ? Sex::kFemale : Sex::kMale,
                                         dobForAge(on, partner_age), surname, ethnicity);
      if (world_.people[partner].sex == Sex::kFemale && rng_.chance(0.6)) {
        world_.people[partner].former_surname = drawSurname(rng_);
      }
    }
  }

  void assignIdentifiers() {
    const Timeline& t = world_.timeline;
    std::unordered_set<std::string> nhs_used;  // membership only
    std::map<std::pair<int, int>, int> upn_serials;
    const Day upn_cutoff = addYears(t.history_start, -21);
    const Day uln_cutoff = addYears(t.period_end, -30);
    for (Person& p : world_.people) {
      do {
        p.nhs_number = makeNhsNumber(rng_);
      } while (!nhs_used.insert(p.nhs_number).second);
      if (p.dob >= upn_cutoff && ageOn(p.dob, t.period_end) >= 4) {
        // Allocated on entry to reception; the county's LA number changed from 928 to 941
        // when the unitary councils began in April 2021.
        const Ymd b = civilFromDay(p.dob);
        const int entry_year = b.year + (b.month >= 9 ? 5 : 4);
        const int la = entry_year >= 2021
                           ? 941
                           : (rng_.chance(0.92) ? 928 : 825 + static_cast<int>(rng_.below(60)));
        const int estab = 2000 + static_cast<int>(rng_.below(400));
        int& serial = upn_serials[{la * 10000 + estab, entry_year}];
        p.upn = makeUpn(la, estab, entry_year, serial++ % 1000);
      }
      if (p.dob >= uln_cutoff && ageOn(p.dob, t.period_end) >= 14) p.uln = makeUln(rng_);
    }
  }

  World& world_;
  Rng& rng_;
};

}  // namespace

void buildPopulation(World& world, Rng& rng) { PopulationBuilder(world, rng).build(); }

}  // namespace hearth::synth
