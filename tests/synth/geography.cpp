#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

#include "tests/synth/population.hpp"

namespace hearth::synth {
namespace {

struct District {
  const char* outward;
  const char* area_name;
  int32_t easting;
  int32_t northing;
  double weight;   // share of the council's households
  int32_t spread;  // metres from the centre a sector may sit
};

// Synthetic districts laid out roughly where the real towns are, so distances behave like the
// real county's (Northampton in the middle, Daventry west, Towcester and Brackley south).
constexpr District kCouncilDistricts[] = {
    {"NN1", "Northampton Central", 475600, 260600, 0.09, 1500},
    {"NN2", "Northampton North", 475000, 263500, 0.09, 1800},
    {"NN3", "Northampton East", 479000, 263000, 0.11, 2200},
    {"NN4", "Northampton South", 476000, 257000, 0.11, 2500},
    {"NN5", "Northampton West", 472500, 261000, 0.08, 2000},
    {"NN6", "Moulton and Brixworth", 472000, 270000, 0.07, 6000},
    {"NN7", "Bugbrooke and Hackleton", 474000, 253000, 0.08, 7000},
    {"NN11", "Daventry", 457500, 262500, 0.11, 6000},
    {"NN12", "Towcester", 469500, 248500, 0.10, 6000},
    {"NN13", "Brackley", 458500, 237000, 0.09, 5000},
    {"NN14", "Long Buckby", 462500, 267500, 0.04, 4000},
    {"NN15", "Roade and Deanshanger", 475500, 243000, 0.03, 4000},
};

struct OutsideDistrict {
  const char* outward;
  const char* laua;
  int32_t easting;
  int32_t northing;
};

constexpr OutsideDistrict kOutsideDistricts[] = {
    {"NN8", "E06000061", 489000, 268000},  {"MK9", "E06000042", 485000, 238500},
    {"MK40", "E06000055", 505000, 249500}, {"LE1", "E06000016", 458500, 304300},
    {"CV1", "E08000026", 433500, 279000},  {"OX1", "E07000178", 451300, 206000},
    {"B15", "E08000025", 406500, 285500},  {"PE1", "E06000031", 519000, 298500},
    {"LU1", "E06000032", 509000, 221000},  {"NG1", "E06000018", 457200, 340000},
    {"M14", "E08000003", 385000, 394500},  {"S10", "E08000019", 431500, 387000},
    {"CB1", "E07000008", 546000, 258000},  {"WR1", "E07000237", 385000, 255000},
};

constexpr std::string_view kUnitLetters = "ABDEFGHJLNPQRSTUWXYZ";

std::string unitCode(Rng& rng, int sector) {
  std::string inward = std::to_string(sector);
  inward.push_back(kUnitLetters[rng.below(kUnitLetters.size())]);
  inward.push_back(kUnitLetters[rng.below(kUnitLetters.size())]);
  return inward;
}

}  // namespace

double milesBetween(const Postcode& a, const Postcode& b) {
  const double de = static_cast<double>(a.easting - b.easting);
  const double dn = static_cast<double>(a.northing - b.northing);
  return std::sqrt(de * de + dn * dn) / 1609.344;
}

void buildGeography(World& world, Rng& rng) {
  const double households_estimate = kResidents * world.options.scale / 2.4;
  // About fifteen households share a postcode unit in England.
  const size_t council_postcodes =
      static_cast<size_t>(std::max(60.0, std::ceil(households_estimate / 15.0)));

  std::unordered_set<std::string> used;  // membership only: iteration order never matters
  for (size_t d = 0; d < std::size(kCouncilDistricts); ++d) {
    const District& district = kCouncilDistricts[d];
    char code[32];
    std::snprintf(code, sizeof code, "E0590%04u", static_cast<unsigned>(d + 1));
    world.local_areas.push_back({code, district.area_name});
  }

  std::vector<double> weights;
  for (const District& d : kCouncilDistricts) weights.push_back(d.weight);
  // Sector centres are fixed per district so that postcodes cluster as real ones do.
  std::vector<std::vector<std::pair<int32_t, int32_t>>> sector_centres(
      std::size(kCouncilDistricts));
  for (size_t d = 0; d < std::size(kCouncilDistricts); ++d) {
    for (int s = 0; s < 10; ++s) {
      const double angle = rng.uniform() * 6.283185307179586;
      const double radius = std::sqrt(rng.uniform()) * kCouncilDistricts[d].spread;
      sector_centres[d].push_back(
          {kCouncilDistricts[d].easting + static_cast<int32_t>(radius * std::cos(angle)),
           kCouncilDistricts[d].northing + static_cast<int32_t>(radius * std::sin(angle))});
    }
  }

  int lsoa_counter = 0;
  std::vector<std::vector<int>> sector_lsoa(std::size(kCouncilDistricts), std::vector<int>(10, -1));
  std::vector<std::vector<int>> sector_fill(std::size(kCouncilDistricts), std::vector<int>(10, 0));
  while (world.postcodes.size() < council_postcodes) {
    const size_t d = rng.weighted(weights);
    const int sector = static_cast<int>(rng.below(10));
    const std::string code =
        std::string(kCouncilDistricts[d].outward) + " " + unitCode(rng, sector);
    if (!used.insert(code).second) continue;
    // A new LSOA every ~40 postcodes within a sector (about 600 households each).
    int& fill = sector_fill[d][static_cast<size_t>(sector)];
    int& lsoa = sector_lsoa[d][static_cast<size_t>(sector)];
    if (lsoa < 0 || fill >= 40) {
      lsoa = lsoa_counter++;
      fill = 0;
    }
    ++fill;
    char lsoa_code[16];
    std::snprintf(lsoa_code, sizeof lsoa_code, "E0195%04d", lsoa);
    const auto [ce, cn] = sector_centres[d][static_cast<size_t>(sector)];
    Postcode pc;
    pc.code = code;
    pc.easting = ce + static_cast<int32_t>(rng.range(-400, 400));
    pc.northing = cn + static_cast<int32_t>(rng.range(-400, 400));
    pc.lsoa21 = lsoa_code;
    pc.laua = world.la_code;
    pc.area = static_cast<uint16_t>(d);
    world.postcodes.push_back(std::move(pc));
  }

  world.council_postcodes = static_cast<uint32_t>(world.postcodes.size());

  // Enough postcodes outside the council for every out-of-area placement and hospital.
  int outside_lsoa = 0;
  for (const OutsideDistrict& district : kOutsideDistricts) {
    for (int i = 0; i < 40; ++i) {
      const std::string code =
          std::string(district.outward) + " " + unitCode(rng, static_cast<int>(rng.below(10)));
      if (!used.insert(code).second) continue;
      char lsoa_code[16];
      std::snprintf(lsoa_code, sizeof lsoa_code, "E0196%04d", outside_lsoa++ / 8);
      Postcode pc;
      pc.code = code;
      pc.easting = district.easting + static_cast<int32_t>(rng.range(-3000, 3000));
      pc.northing = district.northing + static_cast<int32_t>(rng.range(-3000, 3000));
      pc.lsoa21 = lsoa_code;
      pc.laua = district.laua;
      pc.area = 0xFFFF;
      world.postcodes.push_back(std::move(pc));
    }
  }

  static constexpr const char* kStreets[] = {
      "High Street",         "Church Lane",     "Station Road",    "Mill Lane",
      "Park Avenue",         "Manor Road",      "The Green",       "School Lane",
      "Victoria Road",       "London Road",     "Queens Road",     "Kingsthorpe Road",
      "Wellingborough Road", "Harborough Road", "Abington Avenue", "Billing Road",
      "St James Road",       "Weedon Road",     "Towcester Road",  "Banbury Lane",
      "Daventry Road",       "Brackley Road",   "Watling Street",  "Orchard Close",
      "Meadow View",         "Beech Avenue",    "Elm Grove",       "Chestnut Drive",
      "Willow Way",          "Oak Tree Close",  "Spring Gardens",  "Water Lane",
      "North Street",        "South Street",    "Sheep Street",    "Market Square",
      "Bridge Street",       "Castle Street",   "Gold Street",     "Bearwood Drive"};
  for (const char* s : kStreets) world.streets.emplace_back(s);
}

uint32_t distantPostcode(const World& world, Rng& rng, int32_t easting, int32_t northing,
                         double min_miles, double max_miles) {
  std::vector<uint32_t> candidates;
  Postcode from;
  from.easting = easting;
  from.northing = northing;
  for (uint32_t i = 0; i < world.postcodes.size(); ++i) {
    const Postcode& pc = world.postcodes[i];
    const double miles = milesBetween(pc, from);
    if (miles >= min_miles && miles <= max_miles) candidates.push_back(i);
  }
  if (candidates.empty()) return static_cast<uint32_t>(world.postcodes.size() - 1);
  return rng.pick(candidates);
}

uint32_t nearbyPostcode(const World& world, Rng& rng, int32_t easting, int32_t northing,
                        double max_miles) {
  Postcode from;
  from.easting = easting;
  from.northing = northing;
  uint32_t best = 0;
  double best_miles = 1e9;
  const uint64_t council = world.council_postcodes;
  for (int attempt = 0; attempt < 400; ++attempt) {
    const uint32_t i = static_cast<uint32_t>(rng.below(council));
    const double miles = milesBetween(world.postcodes[i], from);
    if (miles <= max_miles) return i;
    if (miles < best_miles) {
      best_miles = miles;
      best = i;
    }
  }
  return best;
}

}  // namespace hearth::synth
