#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/indicators/person_records.hpp"

/// Test support: a synthetic council (tests/synth) read back as canonical records with their
/// true person keys, for the indicator tests and benchmark.
namespace hearth::pipelines::indicators::testing {

struct FedRecord {
  PersonKey person = 0;
  std::string evidence_id;
  canonical::Record record;
};

struct SynthCouncil {
  std::vector<FedRecord> records;
  double population_0_17 = 0;  // residents aged 0-17 on the population day
  size_t unattributed = 0;     // rows truth/records.csv does not place (none expected)
};

/// Runs `binary` with `arguments` and `--out dir` unless `dir` already holds a council made
/// with the same arguments. Throws std::runtime_error when the generator fails.
void generateCouncil(const std::string& binary, const std::string& arguments,
                     const std::filesystem::path& dir);

/// Reads the council's SSD extract (ssd/ssd.sqlite), maps the tables the indicators read into
/// canonical records by hand, and attributes each to its true person via truth/records.csv.
SynthCouncil loadSsdCouncil(const std::filesystem::path& dir, canonical::Date population_day);

/// Reads the council's FHIR export (fhir/{Patient,Encounter,Condition}.ndjson) through the fhir
/// layout, as the daemon would, and attributes each resource to its true person via
/// truth/records.csv. Dates after `today` are rejected, as in the daemon.
SynthCouncil loadFhirCouncil(const std::filesystem::path& dir, canonical::Date today);

}  // namespace hearth::pipelines::indicators::testing
