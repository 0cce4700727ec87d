#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "pipelines/identity/person_record.hpp"

namespace hearth::pipelines::identity {

/// Records with the true entity of each (truth[i] is the entity of records[i]).
struct LabelledRecords {
  std::vector<PersonRecord> records;
  std::vector<std::uint32_t> truth;
};

/// Reads a FEBRL CSV (header rec_id, given_name, surname, ..., postcode, state, date_of_birth,
/// soc_sec_id; blanks after commas). The entity is the number in rec_id ("rec-223-dup-0" -> 223);
/// YYYYMMDD dates are kept field by field even when impossible, since a typo is still evidence;
/// street_number and address_1 become the address line, suburb the locality;
/// soc_sec_id becomes extra_id only when `use_soc_sec_id`.
Result<LabelledRecords> readFebrlCsv(std::istream& in, bool use_soc_sec_id);
Result<LabelledRecords> readFebrlFile(const std::string& path, bool use_soc_sec_id);

/// Pairwise quality of a clustering against the truth.
struct PairwiseMetrics {
  std::uint64_t true_pairs = 0;       ///< Pairs of records of the same entity.
  std::uint64_t predicted_pairs = 0;  ///< Pairs of records given the same person id.
  std::uint64_t correct_pairs = 0;    ///< Both.
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
};

/// Compares predicted person ids with true entity ids, record by record.
PairwiseMetrics evaluatePairwise(std::span<const std::uint32_t> predicted,
                                 std::span<const std::uint32_t> truth);

/// Share of true pairs that the blocking rules put forward as candidates.
struct BlockingRecall {
  std::uint64_t true_pairs = 0;
  std::uint64_t covered_pairs = 0;
  double recall = 0.0;
};
BlockingRecall blockingRecall(std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates,
                              std::span<const std::uint32_t> truth);

struct LinkageEvalOptions {
  std::string input_path;
  std::string format = "febrl";
  bool use_soc_sec_id = true;
  double link_threshold = 0.95;
  double review_threshold = 0.85;
  unsigned threads = 2;
};

/// Links the input with a model estimated from it and prints records, candidate pairs, blocking
/// recall, precision, recall, F1 and wall time. Returns a process exit code (0 on success).
int runLinkageEval(const LinkageEvalOptions& options, std::ostream& out);

}  // namespace hearth::pipelines::identity
