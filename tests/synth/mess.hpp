#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/synth/output.hpp"
#include "tests/synth/rng.hpp"
#include "tests/synth/world.hpp"

namespace hearth::synth {

/// Per-record probabilities of each kind of realistic mess, before the --mess-rate multiplier.
struct MessRates {
  double name_typo = 0.02;
  double nickname = 0.015;
  double surname_variant = 0.01;  // hyphenated part dropped, or the former surname used
  double dob_swap = 0.005;        // day and month transposed
  double nhs_missing = 0.03;
  double nhs_mistyped = 0.004;
  double upn_missing = 0.03;
  double upn_mistyped = 0.004;
  double postcode_moved = 0.3;  // share of movers whose old postcode a source still holds
  double duplicate = 0.01;
  double invalid_code = 0.002;
  double impossible_date = 0.001;

  MessRates scaled(double factor) const;
};

/// How one source recorded a person: the true identity with that source's mistakes.
struct RecordedPerson {
  uint32_t person = kNone;
  std::string local_id;
  std::string forename;
  std::string surname;
  Day dob = 0;
  std::string nhs_number;
  std::string upn;
  uint32_t address = kNone;  // may be the household's old address
};

/// Everything a writer for one source needs: its own random stream, its mess, and buffers for
/// truth rows and injected errors that are merged in a fixed order at the end, so sources can
/// be written on different threads and still give identical bytes.
class SourceContext {
 public:
  SourceContext(std::string source, const World& world, const MessRates& rates,
                std::filesystem::path root);

  const std::string& source() const { return source_; }
  const World& world() const { return world_; }
  Rng& rng() { return rng_; }
  const MessRates& rates() const { return rates_; }
  const std::filesystem::path& root() const { return root_; }
  std::vector<FileStat>& stats() { return stats_; }

  /// The person as this source recorded them under `local_id`, with identity mess applied once
  /// and logged under `file`.
  RecordedPerson record(uint32_t person, std::string local_id, std::string_view file, Day on,
                        bool has_upn_field, bool has_nhs_field);

  /// Maps a source record to its true person.
  void truth(std::string_view file, std::string_view key, uint32_t person);
  /// Logs one injected error.
  void error(std::string_view file, std::string_view key, std::string_view kind,
             std::string_view field, std::string_view truth, std::string_view recorded);

  /// With the invalid-code rate, replaces a code by `invalid` and logs it.
  std::string code(std::string_view value, std::string_view invalid, std::string_view file,
                   std::string_view key, std::string_view field);
  /// With the impossible-date rate, returns an impossible day (before birth or in the future)
  /// and logs it; otherwise the day itself.
  Day date(Day value, Day impossible, std::string_view file, std::string_view key,
           std::string_view field);

  bool duplicate() { return rng_.chance(rates_.duplicate); }

  const std::string& truthRows() const { return truth_rows_; }
  const std::string& errorRows() const { return error_rows_; }
  uint64_t truthCount() const { return truth_count_; }
  uint64_t errorCount() const { return error_count_; }

 private:
  std::string source_;
  const World& world_;
  MessRates rates_;
  std::filesystem::path root_;
  Rng rng_;
  std::vector<FileStat> stats_;
  std::string truth_rows_;
  std::string error_rows_;
  uint64_t truth_count_ = 0;
  uint64_t error_count_ = 0;
};

}  // namespace hearth::synth
