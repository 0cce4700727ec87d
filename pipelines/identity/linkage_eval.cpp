#include "pipelines/identity/linkage_eval.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <istream>
#include <optional>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "pipelines/common/text.hpp"
#include "pipelines/identity/identity_index.hpp"
#include "pipelines/indicators/csv_line.hpp"

namespace hearth::pipelines::identity {
namespace {

enum class Column : std::uint8_t {
  kRecordId,
  kGivenName,
  kFamilyName,
  kBirthDate,
  kSex,
  kPostcode,
  kStreetNumber,
  kAddressLine,
  kLocality,
  kEmail,
  kPhone,
  kNhsNumber,
  kUpn,
  kNationalId,
  kTruth,
};
constexpr std::size_t kColumnKinds = 15;

struct ColumnName {
  std::string_view header;
  Column column;
};

// The usual names of each column in published linkage sets and council extracts.
constexpr std::array<ColumnName, 43> kColumnNames = {{
    {"unique_id", Column::kRecordId},
    {"rec_id", Column::kRecordId},
    {"record_id", Column::kRecordId},
    {"id", Column::kRecordId},
    {"first_name", Column::kGivenName},
    {"given_name", Column::kGivenName},
    {"forename", Column::kGivenName},
    {"forenames", Column::kGivenName},
    {"firstname", Column::kGivenName},
    {"surname", Column::kFamilyName},
    {"family_name", Column::kFamilyName},
    {"last_name", Column::kFamilyName},
    {"lastname", Column::kFamilyName},
    {"dob", Column::kBirthDate},
    {"date_of_birth", Column::kBirthDate},
    {"birth_date", Column::kBirthDate},
    {"sex", Column::kSex},
    {"gender", Column::kSex},
    {"postcode", Column::kPostcode},
    {"post_code", Column::kPostcode},
    {"postal_code", Column::kPostcode},
    {"zip", Column::kPostcode},
    {"street_number", Column::kStreetNumber},
    {"address_1", Column::kAddressLine},
    {"address_line", Column::kAddressLine},
    {"address", Column::kAddressLine},
    {"street", Column::kAddressLine},
    {"city", Column::kLocality},
    {"town", Column::kLocality},
    {"suburb", Column::kLocality},
    {"locality", Column::kLocality},
    {"email", Column::kEmail},
    {"email_address", Column::kEmail},
    {"phone", Column::kPhone},
    {"telephone", Column::kPhone},
    {"phone_number", Column::kPhone},
    {"mobile", Column::kPhone},
    {"nhs_number", Column::kNhsNumber},
    {"upn", Column::kUpn},
    {"soc_sec_id", Column::kNationalId},
    {"national_id", Column::kNationalId},
    {"cluster", Column::kTruth},
    {"entity_id", Column::kTruth},
}};

// "First Name" and "first-name" are "first_name"; the FEBRL files pad with blanks.
std::string headerKey(std::string_view header) {
  std::string key;
  for (const char c : trimBlanks(header)) {
    if (c == ' ' || c == '-') {
      key.push_back('_');
    } else {
      key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
  }
  return key;
}

std::optional<Column> columnOf(std::string_view header) {
  const std::string key = headerKey(header);
  if (key == "true_id" || key == "person_id") return Column::kTruth;
  for (const ColumnName& name : kColumnNames) {
    if (name.header == key) return name.column;
  }
  return std::nullopt;
}

// "rec-223-dup-0" -> 223.
std::optional<std::uint32_t> febrlEntity(std::string_view rec_id) {
  const std::size_t first = rec_id.find('-');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = rec_id.find('-', first + 1);
  const std::string_view digits = rec_id.substr(first + 1, second - first - 1);
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

std::optional<unsigned> number(std::string_view digits) {
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  unsigned value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

// YYYYMMDD, YYYY-MM-DD (a trailing time ignored), YYYY/MM/DD or DD/MM/YYYY. The fields are kept
// as typed, an impossible day or month included (FEBRL's "19081290"): a typo is still evidence.
std::optional<canonical::Date> birthDate(std::string_view text) {
  text = text.substr(0, text.find_first_of("T "));
  std::optional<unsigned> year, month, day;
  if (text.size() == 8 && text.find_first_not_of("0123456789") == std::string_view::npos) {
    year = number(text.substr(0, 4));
    month = number(text.substr(4, 2));
    day = number(text.substr(6, 2));
  } else if (text.size() == 10 && (text[4] == '-' || text[4] == '/') && text[7] == text[4]) {
    year = number(text.substr(0, 4));
    month = number(text.substr(5, 2));
    day = number(text.substr(8, 2));
  } else if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    day = number(text.substr(0, 2));
    month = number(text.substr(3, 2));
    year = number(text.substr(6, 4));
  }
  if (!year || !month || !day || *year == 0 || *month == 0 || *day == 0) return std::nullopt;
  return canonical::Date{std::chrono::year{static_cast<int>(*year)}, std::chrono::month{*month},
                         std::chrono::day{*day}};
}

Sex sexOf(std::string_view text) {
  if (text.empty()) return Sex::kMissing;
  switch (text.front()) {
    case 'm':
    case 'M':
      return Sex::kMale;
    case 'f':
    case 'F':
      return Sex::kFemale;
    default:
      return Sex::kUnknown;
  }
}

// Blank cells and the placeholders SQL exports write for them.
bool isMissing(std::string_view value) {
  return value.empty() || value == "NULL" || value == "null" || value == "\\N";
}

std::uint64_t choose2(std::uint64_t n) { return n * (n - 1) / 2; }

}  // namespace

Result<LabelledRecords> readLinkageCsv(std::istream& in, bool use_identifier) {
  LabelledRecords out;
  std::string line;
  if (!std::getline(in, line)) return makeError("linkage.header", "the file is empty");
  const std::vector<std::string> header = indicators::splitCsvLine(line);
  std::array<std::optional<std::size_t>, kColumnKinds> position{};
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto column = columnOf(header[i]);
    if (!column || position[static_cast<std::size_t>(*column)]) continue;
    if (*column == Column::kNationalId && !use_identifier) continue;
    position[static_cast<std::size_t>(*column)] = i;
    out.columns.push_back(std::string(trimBlanks(header[i])));
  }
  auto at = [&](Column column) { return position[static_cast<std::size_t>(column)]; };
  if (!at(Column::kGivenName) && !at(Column::kFamilyName)) {
    return makeError("linkage.header",
                     "no name column (first_name, given_name, surname, family_name, ...)");
  }
  if (!at(Column::kTruth) && !at(Column::kRecordId)) {
    return makeError("linkage.header",
                     "no truth column (cluster, entity_id, ...) and no FEBRL rec_id");
  }
  std::unordered_map<std::string, std::uint32_t> entity_of_truth;
  std::size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (trimBlanks(line).empty()) continue;
    const std::vector<std::string> cells = indicators::splitCsvLine(line);
    if (cells.size() != header.size()) {
      return makeError("linkage.column_count", "line " + std::to_string(line_number) + " has " +
                                                   std::to_string(cells.size()) + " columns, " +
                                                   "the header " + std::to_string(header.size()));
    }
    auto cell = [&](Column column) -> std::string {
      const auto index = at(column);
      if (!index) return {};
      const std::string_view value = trimBlanks(cells[*index]);
      return isMissing(value) ? std::string() : std::string(value);
    };
    std::uint32_t entity = 0;
    if (at(Column::kTruth)) {
      const std::string truth = cell(Column::kTruth);
      if (truth.empty()) {
        return makeError("linkage.truth", "line " + std::to_string(line_number) + ": no truth");
      }
      entity =
          entity_of_truth.try_emplace(truth, static_cast<std::uint32_t>(entity_of_truth.size()))
              .first->second;
    } else {
      const auto parsed = febrlEntity(cell(Column::kRecordId));
      if (!parsed) {
        return makeError("linkage.rec_id", "line " + std::to_string(line_number) +
                                               ": the id is not FEBRL's rec-N-org / rec-N-dup-k");
      }
      entity = *parsed;
    }
    PersonRecord record;
    record.index = static_cast<std::uint32_t>(out.records.size());
    record.source_system = "eval";
    record.local_id = cell(Column::kRecordId);
    record.given_name = cell(Column::kGivenName);
    record.family_name = cell(Column::kFamilyName);
    record.birth_date = birthDate(cell(Column::kBirthDate));
    record.sex = sexOf(cell(Column::kSex));
    record.postcode = cell(Column::kPostcode);
    // FEBRL's street_number and address_1 make the address line; its address_2 (a building or
    // estate name) is left out, as a council's second address line would be.
    record.address_line = cell(Column::kStreetNumber);
    const std::string street = cell(Column::kAddressLine);
    if (!record.address_line.empty() && !street.empty()) record.address_line.push_back(' ');
    record.address_line += street;
    record.locality = cell(Column::kLocality);
    record.email = cell(Column::kEmail);
    record.phone = cell(Column::kPhone);
    record.nhs_number = cell(Column::kNhsNumber);
    record.upn = cell(Column::kUpn);
    record.extra_id = cell(Column::kNationalId);
    out.records.push_back(std::move(record));
    out.truth.push_back(entity);
  }
  return out;
}

Result<LabelledRecords> readLinkageFile(const std::string& path, bool use_identifier) {
  std::ifstream in(path);
  if (!in) return makeError("linkage.open", "cannot open " + path);
  return readLinkageCsv(in, use_identifier);
}

PairwiseMetrics evaluatePairwise(std::span<const std::uint32_t> predicted,
                                 std::span<const std::uint32_t> truth) {
  std::unordered_map<std::uint32_t, std::uint64_t> predicted_sizes;
  std::unordered_map<std::uint32_t, std::uint64_t> true_sizes;
  std::unordered_map<std::uint64_t, std::uint64_t> overlap_sizes;
  for (std::size_t i = 0; i < predicted.size() && i < truth.size(); ++i) {
    ++predicted_sizes[predicted[i]];
    ++true_sizes[truth[i]];
    ++overlap_sizes[(std::uint64_t{predicted[i]} << 32) | truth[i]];
  }
  PairwiseMetrics metrics;
  for (const auto& [id, n] : predicted_sizes) metrics.predicted_pairs += choose2(n);
  for (const auto& [id, n] : true_sizes) metrics.true_pairs += choose2(n);
  for (const auto& [id, n] : overlap_sizes) metrics.correct_pairs += choose2(n);
  const auto ratio = [](std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 1.0 : static_cast<double>(part) / static_cast<double>(whole);
  };
  metrics.precision = ratio(metrics.correct_pairs, metrics.predicted_pairs);
  metrics.recall = ratio(metrics.correct_pairs, metrics.true_pairs);
  const double sum = metrics.precision + metrics.recall;
  metrics.f1 = sum == 0.0 ? 0.0 : 2.0 * metrics.precision * metrics.recall / sum;
  return metrics;
}

BlockingRecall blockingRecall(std::span<const std::pair<std::uint32_t, std::uint32_t>> candidates,
                              std::span<const std::uint32_t> truth) {
  BlockingRecall out;
  std::unordered_set<std::uint64_t> seen;
  for (const auto& [a, b] : candidates) {
    if (a >= truth.size() || b >= truth.size() || truth[a] != truth[b]) continue;
    if (seen.insert((std::uint64_t{std::min(a, b)} << 32) | std::max(a, b)).second) {
      ++out.covered_pairs;
    }
  }
  std::unordered_map<std::uint32_t, std::uint64_t> sizes;
  for (const std::uint32_t entity : truth) ++sizes[entity];
  for (const auto& [entity, n] : sizes) out.true_pairs += choose2(n);
  out.recall = out.true_pairs == 0
                   ? 1.0
                   : static_cast<double>(out.covered_pairs) / static_cast<double>(out.true_pairs);
  return out;
}

int runLinkageEval(const LinkageEvalOptions& options, std::ostream& out) {
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point from) {
    return std::chrono::duration<double>(Clock::now() - from).count();
  };
  const auto start = Clock::now();
  auto input = readLinkageFile(options.input_path, options.use_identifier);
  if (!input) {
    out << "linkage-eval: " << input.error().message << "\n";
    return 1;
  }
  const double read_seconds = seconds_since(start);
  LinkageConfig config;
  config.link_threshold = options.link_threshold;
  config.review_threshold = options.review_threshold;
  config.use_extra_id = options.use_identifier;
  config.threads = options.threads;
  config.keep_candidate_pairs = true;
  IdentityIndex index(config);
  const std::vector<std::uint32_t> truth = input->truth;
  const auto link_start = Clock::now();
  index.build(std::move(input->records));
  const double link_seconds = seconds_since(link_start);

  std::vector<std::pair<std::uint32_t, std::uint32_t>> covered = index.candidatePairs();
  for (const ScoredPair& link : index.links()) covered.emplace_back(link.a, link.b);
  const BlockingRecall blocking = blockingRecall(covered, truth);
  const std::vector<std::uint32_t> predicted = index.personIds();
  const PairwiseMetrics metrics = evaluatePairwise(predicted, truth);

  std::string columns;
  for (const std::string& column : input->columns) {
    if (!columns.empty()) columns += ", ";
    columns += column;
  }
  out << std::fixed << std::setprecision(4);
  out << "input: " << options.input_path << "\n"
      << "columns used: " << columns << "\n"
      << "records: " << index.size() << "\n"
      << "candidate pairs: " << index.stats().candidate_pairs << "\n"
      << "blocking recall: " << blocking.recall << " (" << blocking.covered_pairs << " of "
      << blocking.true_pairs << " true pairs)\n"
      << "household pairs: " << static_cast<long long>(index.model().household_pairs)
      << (index.model().households_present ? " (households present: relatives held for review)"
                                           : "")
      << "\n"
      << "em iterations: " << index.model().em_iterations
      << (index.model().em_converged ? " (converged)" : " (not converged)") << "\n"
      << "links: " << index.links().size() << ", review pairs: " << index.reviewBand().size()
      << "\n"
      << "precision: " << metrics.precision << "\n"
      << "recall: " << metrics.recall << "\n"
      << "f1: " << metrics.f1 << "\n"
      << std::setprecision(3) << "read time: " << read_seconds << " s\n"
      << "link time: " << link_seconds << " s\n"
      << "wall time: " << seconds_since(start) << " s\n";
  return 0;
}

}  // namespace hearth::pipelines::identity
