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
  /// How the header was read, one "field <- column" entry per column used.
  std::vector<std::string> columns;
};

/// Reads a CSV of person records with their truth, recognising the columns by header name
/// (case, blanks and quotes ignored):
///   record id      unique_id, rec_id, record_id, id
///   given name     first_name, given_name, forename, forenames
///   family name    surname, family_name, last_name
///   birth date     dob, date_of_birth, birth_date (YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY)
///   sex            sex, gender
///   postcode       postcode, post_code, postal_code, zip
///   address line   street_number with address_1, address_line, address, street
///   locality       city, town, suburb, locality
///   email, phone   email, email_address; phone, telephone, phone_number, mobile
///   identifiers    nhs_number, upn; soc_sec_id or national_id as extra_id when `use_identifier`
///   truth          cluster, entity_id, true_id, person_id; without one, FEBRL's ids
///                  ("rec-223-dup-0" is entity 223)
/// Any other column is ignored. Dates are kept field by field even when impossible, since a
/// typo is still evidence.
Result<LabelledRecords> readLinkageCsv(std::istream& in, bool use_identifier);
Result<LabelledRecords> readLinkageFile(const std::string& path, bool use_identifier);

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
  bool use_identifier = true;  ///< Use a soc_sec_id / national_id column (an NHS number or UPN
                               ///< column is always used).
  double link_threshold = 0.95;
  double review_threshold = 0.85;
  unsigned threads = 2;
};

/// Links the input with a model estimated from it and prints the columns used, records, candidate
/// pairs, blocking recall, precision, recall, F1 and the time taken to read and to link. Returns
/// a process exit code (0 on success).
int runLinkageEval(const LinkageEvalOptions& options, std::ostream& out);

}  // namespace hearth::pipelines::identity
