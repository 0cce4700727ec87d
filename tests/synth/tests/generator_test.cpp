#include "tests/synth/generator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/synth/cla_episodes.hpp"
#include "tests/synth/community.hpp"
#include "tests/synth/education.hpp"
#include "tests/synth/indicators.hpp"
#include "tests/synth/social_care.hpp"

namespace hearth::synth {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("hearth_synth_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

uint64_t fnv(const std::string& bytes) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

std::map<std::string, uint64_t> hashTree(const fs::path& root) {
  std::map<std::string, uint64_t> out;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file())
      out[fs::relative(entry.path(), root).string()] = fnv(slurp(entry.path()));
  return out;
}

size_t countLines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

TEST(Generator, SameSeedAndScaleGiveTheSameBytes) {
  Options options;
  options.seed = 42;
  options.scale = 0.01;
  const fs::path a = scratch("det_a"), b = scratch("det_b");
  generateCouncil(options, MessRates{}, a);
  options.threads = 1;  // the thread split must not matter either
  generateCouncil(options, MessRates{}, b);
  const auto ha = hashTree(a), hb = hashTree(b);
  EXPECT_GT(ha.size(), 100u);
  EXPECT_EQ(ha, hb);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Generator, DifferentSeedsGiveDifferentCouncils) {
  Options options;
  options.scale = 0.005;
  options.seed = 1;
  const World one = simulateCouncil(options);
  options.seed = 2;
  const World two = simulateCouncil(options);
  EXPECT_NE(one.people[0].nhs_number, two.people[0].nhs_number);
}

// The returns' own rules hold for the care the model simulates, so that a validator run on clean
// generated data finds only what the mess injected.
TEST(Generator, PeriodsOfCareKeepThe903sRules) {
  Options options;
  options.seed = 5;
  options.scale = 0.2;
  const World w = simulateCouncil(options);
  size_t episodes = 0, temporary = 0, short_breaks = 0;
  for (const ClaPeriod& p : w.cla_periods) {
    EXPECT_TRUE(p.need.size() == 2 && p.need[0] == 'N' && p.need[1] >= '1' && p.need[1] <= '8')
        << "903 category of need " << p.need;
    for (const EpisodeRow& e : episodesOf(p)) {
      ++episodes;
      const Placement& pl = *e.placement;
      if (pl.place[0] == 'T') {
        ++temporary;
        EXPECT_EQ(pl.provider, "") << "a temporary placement has no provider (rule 213)";
        EXPECT_NE(e.rne, "S") << "a period does not start in a temporary placement (380)";
        if (e.dec != kNoDay) {
          EXPECT_EQ(e.rec, "X1") << "nor end in one (381)";
        }
        EXPECT_LE(pl.end - pl.start, 7) << "T4 lasts a week at most (379)";
      }
      if (e.ls == "V2") {
        EXPECT_NE(pl.place, "P1") << "placement with parents needs an order (378)";
      }
      if (e.ls == "V3" || e.ls == "V4") ++short_breaks;
      if (e.ls == "V3") {
        ASSERT_NE(e.dec, kNoDay);
        EXPECT_LE(e.dec - e.decom, 17) << "a single short break lasts 17 days at most (365)";
      }
    }
  }
  EXPECT_GT(episodes, 500u);
  EXPECT_GT(temporary, 0u);
  EXPECT_GT(short_breaks, 0u);

  size_t statuses = 0;
  for (const CareLeaver& c : w.care_leavers) {
    for (const CareLeaverStatus& s : c.statuses) {
      ++statuses;
      // All three coded (rule 153); "0" only for a leaver not in touch (345).
      ASSERT_FALSE(s.activity.empty() || s.accommodation.empty()) << s.in_touch;
      EXPECT_EQ(s.in_touch != "YES", s.activity == "0" && s.accommodation == "0") << s.in_touch;
      EXPECT_NE(s.accommodation, "S1") << "no fixed abode is never suitable";
      EXPECT_NE(s.accommodation, "X1") << "custody is never suitable";
    }
  }
  EXPECT_GT(statuses, 50u);
}

TEST(Generator, CleanModeInjectsNoErrors) {
  Options options;
  options.seed = 5;
  options.scale = 0.005;
  options.mess_rate = 0;
  const fs::path dir = scratch("clean");
  generateCouncil(options, MessRates{}, dir);
  EXPECT_EQ(countLines(slurp(dir / "truth/errors.csv")), 1u);  // the header only
  fs::remove_all(dir);
}

TEST(Generator, EveryPersonBearingRowHasATruthRecord) {
  Options options;
  options.seed = 9;
  options.scale = 0.01;
  const fs::path dir = scratch("truth");
  generateCouncil(options, MessRates{}, dir);
  std::map<std::string, size_t> truth;
  std::istringstream records(slurp(dir / "truth/records.csv"));
  std::string line;
  std::getline(records, line);
  while (std::getline(records, line)) {
    const size_t a = line.find(',');
    const size_t b = line.find(',', a + 1);
    ++truth[line.substr(a + 1, b - a - 1)];
  }
  for (const char* file :
       {"ssda903/2025/header.csv", "ssda903/2025/episodes.csv", "ssda903/2025/oc3.csv",
        "school-census/2025_spring_pupilonroll.csv", "fhir/Patient.ndjson", "fhir/Encounter.ndjson",
        "fhir/RelatedPerson.ndjson", "housing/hclic_people.csv", "nccis/nccis_2025.csv",
        "sen2/Blade-Export_13-02-2025_person.csv", "asc/cld_2025.csv"}) {
    const std::string text = slurp(dir / file);
    const size_t rows =
        countLines(text) - (std::string(file).find(".ndjson") == std::string::npos ? 1 : 0);
    EXPECT_EQ(truth[file], rows) << file;
  }
  fs::remove_all(dir);
}

TEST(Generator, CommandLineWritesTheManifest) {
  const fs::path dir = scratch("cli");
  const std::string command =
      std::string(HEARTH_SYNTH_BINARY) + " --seed 3 --scale 0.005 --quiet --out " + dir.string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string manifest = slurp(dir / "manifest.csv");
  EXPECT_NE(manifest.find("ssd/ssd.sqlite"), std::string::npos);
  EXPECT_NE(manifest.find("truth/indicators.json"), std::string::npos);
  fs::remove_all(dir);
}

// The council plan's headline figures, on the last day of the year, at the full West
// Northamptonshire scale. Simulation only: writing the files is not needed to check them.
TEST(Calibration, HeadlinesLandWithinFivePercentOfThePlanAtFullScale) {
  Options options;
  options.seed = 2025;
  options.scale = 1.0;
  const World world = simulateCouncil(options);
  const auto indicators = computeIndicators(world);
  std::map<std::string, double> value;
  for (const auto& i : indicators["indicators"])
    value[i["id"].get<std::string>()] = i["value"].get<double>();
  auto within = [](double actual, double target) {
    return std::abs(actual - target) <= 0.05 * target;
  };
  EXPECT_TRUE(within(value["cla_count"], kClaAtPeriodEnd)) << value["cla_count"];
  EXPECT_TRUE(within(value["cp_plan_count"], kCpPlansAtPeriodEnd)) << value["cp_plan_count"];
  EXPECT_TRUE(within(value["ehcp_count"], kEhcPlansAtCensus)) << value["ehcp_count"];
  EXPECT_TRUE(within(value["homeless_duty_owed"], kHomelessDutyCases))
      << value["homeless_duty_owed"];
  EXPECT_TRUE(within(value["pupils_good_outstanding"], kPupilsAtGoodSchools * 100))
      << value["pupils_good_outstanding"];
  int children = 0;
  for (const Person& p : world.people)
    children += p.dob <= world.timeline.period_end && ageOn(p.dob, world.timeline.period_end) < 18;
  EXPECT_EQ(world.people.size(), 434349u);
  EXPECT_NEAR(children, 100000, 2500);
}

// Inspections from 10 November 2025 are report cards, without a grade: a council whose census
// falls after that has pupils at schools outside the graded measure, and says how many.
TEST(Truth, SchoolsWhoseLatestInspectionIsAReportCardAreNotGraded) {
  Options options;
  options.seed = 9;
  options.scale = 0.02;
  const auto share = [&](int year_end) {
    options.year_end = year_end;
    const World world = simulateCouncil(options);
    int report_cards = 0;
    for (const School& s : world.schools) report_cards += reportCard(s) ? 1 : 0;
    const auto indicators = computeIndicators(world);
    for (const auto& i : indicators["indicators"]) {
      if (i["id"] != "pupils_good_outstanding") continue;
      const auto& part = i["breakdown"]["new_framework"];
      EXPECT_EQ(part["numerator"].get<double>() > 0, report_cards > 0) << year_end;
      // Graded pupils and pupils under report cards are apart: together at most all pupils.
      EXPECT_LE(i["denominator"].get<double>() + part["numerator"].get<double>(),
                part["denominator"].get<double>())
          << year_end;
      return part["value"].get<double>();
    }
    ADD_FAILURE() << "no pupils_good_outstanding";
    return -1.0;
  };
  EXPECT_EQ(share(2025), 0.0);
  EXPECT_GT(share(2027), 0.0);
}

TEST(Calibration, SmallScalesKeepTheStocksProportional) {
  Options options;
  options.seed = 77;
  options.scale = 0.1;
  const auto indicators = computeIndicators(simulateCouncil(options));
  std::map<std::string, double> value;
  for (const auto& i : indicators["indicators"])
    value[i["id"].get<std::string>()] = i["value"].get<double>();
  EXPECT_EQ(value["cla_count"], 66);
  EXPECT_EQ(value["cp_plan_count"], 38);
  EXPECT_EQ(value["ehcp_count"], 388);
  EXPECT_EQ(value["homeless_duty_owed"], 210);
}

}  // namespace
}  // namespace hearth::synth
