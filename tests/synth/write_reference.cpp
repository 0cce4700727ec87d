#include <algorithm>
#include <string>
#include <vector>

#include "tests/synth/writers.hpp"

namespace hearth::synth {

void writeReference(SourceContext& ctx) {
  const World& w = ctx.world();
  {
    // Column names as the ONS Postcode Directory spells them; a subset of its columns.
    OutputFile file(ctx.root(), "reference/postcode_lookup.csv", ctx.stats());
    CsvWriter csv(file, {"pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "oseast1m",
                         "osnrth1m", "osgrdind", "laua", "osward", "ctry", "rgn", "lsoa21", "imd"});
    for (uint32_t i = 0; i < w.postcodes.size(); ++i) {
      const Postcode& pc = w.postcodes[i];
      const size_t space = pc.code.find(' ');
      const std::string outward = pc.code.substr(0, space);
      const std::string inward = pc.code.substr(space + 1);
      std::string pcd = outward;  // 7-character form
      while (pcd.size() + inward.size() < 7) pcd.push_back(' ');
      pcd += inward;
      std::string pcd2 = outward;  // 8-character form
      while (pcd2.size() + inward.size() < 8) pcd2.push_back(' ');
      pcd2 += inward;
      const bool inside = pc.area != 0xFFFF;
      csv << pcd << pcd2 << pc.code << "198001"
          << ""
          << "0" << pc.easting << pc.northing << "1" << pc.laua
          << (inside ? w.local_areas[pc.area].code : "") << "E92000001"
          << (inside ? "E12000004" : "") << pc.lsoa21
          << static_cast<int64_t>(1 + (static_cast<uint64_t>(pc.easting) * 7919u +
                                       static_cast<uint64_t>(pc.northing)) %
                                          32844);
      csv.end();
    }
  }
  {
    OutputFile file(ctx.root(), "reference/local_areas.csv", ctx.stats());
    CsvWriter csv(file, {"code", "name", "laua"});
    for (const LocalArea& a : w.local_areas) {
      csv << a.code << a.name << w.la_code;
      csv.end();
    }
  }
  {
    // Resident population by single year of age on the last period end (90 = 90 and over), as
    // an ONS mid-year estimate gives it: the base of rates such as children in care per 10,000.
    const Day on = w.timeline.period_end;
    std::vector<int64_t> by_age(91, 0);
    for (const Person& p : w.people) {
      if (p.dob > on) continue;
      ++by_age[std::min(ageOn(p.dob, on), 90)];
    }
    OutputFile file(ctx.root(), "reference/population_estimates.csv", ctx.stats());
    CsvWriter csv(file, {"laua", "date", "age", "population"});
    for (int age = 0; age <= 90; ++age) {
      csv << w.la_code << isoDate(on) << static_cast<int64_t>(age) << by_age[age];
      csv.end();
    }
  }
  {
    OutputFile file(ctx.root(), "reference/bank_holidays_england.csv", ctx.stats());
    CsvWriter csv(file, {"date", "name"});
    for (const BankHoliday& h : englandBankHolidays()) {
      csv << isoDate(h.day) << h.name;
      csv.end();
    }
  }
}

}  // namespace hearth::synth
