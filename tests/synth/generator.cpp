#include "tests/synth/generator.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <thread>

#include "tests/synth/adults.hpp"
#include "tests/synth/case_system.hpp"
#include "tests/synth/community.hpp"
#include "tests/synth/education.hpp"
#include "tests/synth/indicators.hpp"
#include "tests/synth/population.hpp"
#include "tests/synth/social_care.hpp"
#include "tests/synth/writers.hpp"

namespace hearth::synth {

Timeline makeTimeline(int year_end) {
  Timeline t;
  t.year_end = year_end;
  t.history_start = dayFromCivil(year_end - 5, 4, 1);
  t.period_start = dayFromCivil(year_end - 1, 4, 1);
  t.period_end = dayFromCivil(year_end, 3, 31);
  t.extract_day = dayFromCivil(year_end, 4, 30);
  t.census_day = januaryCensusDay(year_end);
  return t;
}

World simulateCouncil(const Options& options) {
  World world;
  world.options = options;
  world.timeline = makeTimeline(options.year_end);
  // One stream per part, so a change in one part's draws leaves the others' output alone.
  Rng geography(options.seed, "geography");
  Rng population(options.seed, "population");
  Rng social_care(options.seed, "social_care");
  Rng education(options.seed, "education");
  Rng health(options.seed, "health");
  Rng housing(options.seed, "housing");
  Rng adults(options.seed, "adult_social_care");
  buildGeography(world, geography);
  buildPopulation(world, population);
  simulateSocialCare(world, social_care);
  simulateEducation(world, education);
  simulateHealth(world, health);
  simulateHousing(world, housing);
  simulateAdultCare(world, adults);
  return world;
}

namespace {

void writePeople(const World& w, const std::filesystem::path& root, std::vector<FileStat>& stats) {
  OutputFile file(root, "truth/people.csv", stats);
  CsvWriter csv(file, {"person_id", "household_id", "mother_id", "sex", "dob", "forename",
                       "middlename", "surname", "former_surname", "ethnicity", "nhs_number", "upn",
                       "uln", "uprn", "postcode", "previous_postcode", "moved_on"});
  char id[16];
  for (uint32_t p = 0; p < w.people.size(); ++p) {
    const Person& person = w.people[p];
    const Household& h = w.households[person.household];
    std::snprintf(id, sizeof id, "P%07u", p);
    csv << id << "H" + std::to_string(person.household);
    if (person.mother != kNone) {
      std::snprintf(id, sizeof id, "P%07u", person.mother);
      csv << id;
    } else {
      csv << "";
    }
    csv << (person.sex == Sex::kMale ? "M" : "F") << isoDate(person.dob) << person.forename
        << person.middlename << person.surname << person.former_surname << person.ethnicity
        << person.nhs_number << person.upn << person.uln << w.addresses[h.address].uprn
        << w.postcodes[w.addresses[h.address].postcode].code
        << (h.previous_address == kNone
                ? ""
                : w.postcodes[w.addresses[h.previous_address].postcode].code)
        << (h.moved_on == kNoDay ? "" : isoDate(h.moved_on));
    csv.end();
  }
}

/// Runs the writers for a group of sources on one thread.
struct WriterGroup {
  std::vector<std::unique_ptr<SourceContext>> contexts;
  std::function<void(WriterGroup&)> run;
  std::exception_ptr failure;
};

}  // namespace

std::vector<FileStat> generateCouncil(const Options& options, const MessRates& rates,
                                      const std::filesystem::path& out) {
  const World world = simulateCouncil(options);
  std::filesystem::create_directories(out);
  const MessRates mess = rates.scaled(options.mess_rate);
  auto context = [&](const char* name) {
    return std::make_unique<SourceContext>(name, world, mess, out);
  };

  // Two groups of about equal weight; the merge below is in a fixed order, so the thread that
  // finishes first never changes the bytes.
  WriterGroup social;
  social.contexts.push_back(context("csc"));
  social.run = [](WriterGroup& g) {
    SourceContext& csc = *g.contexts[0];
    const CaseSystem cases(csc);
    writeSsda903(csc, cases);
    writeCinCensus(csc, cases);
    writeSsd(csc, cases);
  };
  WriterGroup others;
  for (const char* name : {"reference", "school_census", "sen2", "la_education", "ofsted", "health",
                           "housing", "adult_social_care"})
    others.contexts.push_back(context(name));
  others.run = [](WriterGroup& g) {
    writeReference(*g.contexts[0]);
    writeSchoolCensus(*g.contexts[1]);
    writeSen2(*g.contexts[2]);
    writeEarlyYearsAndYoungPeople(*g.contexts[3]);
    writeOfsted(*g.contexts[4]);
    writeFhir(*g.contexts[5]);
    writeHousing(*g.contexts[6]);
    writeAdultSocialCare(*g.contexts[7]);
  };
  auto guarded = [](WriterGroup& g) {
    try {
      g.run(g);
    } catch (...) {
      g.failure = std::current_exception();
    }
  };
  if (options.threads > 1) {
    std::thread worker(guarded, std::ref(others));
    guarded(social);
    worker.join();
  } else {
    guarded(social);
    guarded(others);
  }
  if (social.failure) std::rethrow_exception(social.failure);
  if (others.failure) std::rethrow_exception(others.failure);

  std::vector<FileStat> stats;
  {
    OutputFile records(out, "truth/records.csv", stats);
    OutputFile errors(out, "truth/errors.csv", stats);
    records.write("source,file,record_key,person_id\n");
    errors.write("source,file,record_key,kind,field,true_value,recorded_value\n");
    for (WriterGroup* g : {&social, &others}) {
      for (auto& ctx : g->contexts) {
        records.write(ctx->truthRows());
        records.countRecord(ctx->truthCount());
        errors.write(ctx->errorRows());
        errors.countRecord(ctx->errorCount());
        stats.insert(stats.end(), ctx->stats().begin(), ctx->stats().end());
      }
    }
  }
  writePeople(world, out, stats);
  writeAdults(world, out, stats);
  {
    OutputFile indicators(out, "truth/indicators.json", stats);
    indicators.write(computeIndicators(world).dump(2));
    indicators.put('\n');
  }
  std::sort(stats.begin(), stats.end(),
            [](const FileStat& a, const FileStat& b) { return a.path < b.path; });
  std::vector<FileStat> manifest_stats;
  {
    OutputFile manifest(out, "manifest.csv", manifest_stats);
    CsvWriter csv(manifest, {"path", "bytes", "records"});
    for (const FileStat& s : stats) {
      csv << s.path << s.bytes << s.records;
      csv.end();
    }
  }
  stats.insert(stats.end(), manifest_stats.begin(), manifest_stats.end());
  return stats;
}

}  // namespace hearth::synth
