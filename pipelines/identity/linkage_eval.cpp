#include "pipelines/identity/linkage_eval.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <istream>
#include <optional>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "pipelines/identity/identity_index.hpp"

namespace hearth::pipelines::identity {
namespace {

constexpr std::size_t kFebrlColumns = 11;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> splitColumns(std::string_view line) {
  std::vector<std::string_view> columns;
  std::size_t start = 0;
  for (std::size_t comma = line.find(','); comma != std::string_view::npos;
       comma = line.find(',', start)) {
    columns.push_back(trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
  columns.push_back(trim(line.substr(start)));
  return columns;
}

// "rec-223-dup-0" -> 223.
std::optional<std::uint32_t> entityOf(std::string_view rec_id) {
  const std::size_t first = rec_id.find('-');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = rec_id.find('-', first + 1);
  const std::string_view digits = rec_id.substr(first + 1, second - first - 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

std::optional<canonical::Date> febrlDate(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  auto number = [&](std::size_t pos, std::size_t count) {
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  return canonical::Date{std::chrono::year{static_cast<int>(number(0, 4))},
                         std::chrono::month{number(4, 2)}, std::chrono::day{number(6, 2)}};
}

std::uint64_t choose2(std::uint64_t n) { return n * (n - 1) / 2; }

}  // namespace

Result<LabelledRecords> readFebrlCsv(std::istream& in, bool use_soc_sec_id) {
  LabelledRecords out;
  std::string line;
  if (!std::getline(in, line) || splitColumns(line).size() != kFebrlColumns ||
      splitColumns(line)[0] != "rec_id") {
    return makeError("febrl.header", "expected the FEBRL header starting with rec_id");
  }
  std::size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    const auto columns = splitColumns(line);
    if (columns.size() != kFebrlColumns) {
      return makeError("febrl.column_count",
                       "line " + std::to_string(line_number) + " does not have 11 columns");
    }
    const auto entity = entityOf(columns[0]);
    if (!entity) {
      return makeError("febrl.rec_id", "line " + std::to_string(line_number) + ": bad rec_id");
    }
    PersonRecord record;
    record.index = static_cast<std::uint32_t>(out.records.size());
    record.source_system = "febrl";
    record.local_id = std::string(columns[0]);
    record.given_name = std::string(columns[1]);
    record.family_name = std::string(columns[2]);
    record.postcode = std::string(columns[7]);
    // street_number and address_1 make the address line; address_2 (a building or estate name)
    // is left out, as a council's second address line would be.
    record.address_line = std::string(columns[3]);
    if (!columns[3].empty() && !columns[4].empty()) record.address_line.push_back(' ');
    record.address_line += columns[4];
    record.locality = std::string(columns[6]);
    record.birth_date = febrlDate(columns[9]);
    if (use_soc_sec_id) record.extra_id = std::string(columns[10]);
    out.records.push_back(std::move(record));
    out.truth.push_back(*entity);
  }
  return out;
}

Result<LabelledRecords> readFebrlFile(const std::string& path, bool use_soc_sec_id) {
  std::ifstream in(path);
  if (!in) return makeError("febrl.open", "cannot open " + path);
  return readFebrlCsv(in, use_soc_sec_id);
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
  if (options.format != "febrl") {
    out << "linkage-eval: unknown format '" << options.format << "' (supported: febrl)\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto input = readFebrlFile(options.input_path, options.use_soc_sec_id);
  if (!input) {
    out << "linkage-eval: " << input.error().message << "\n";
    return 1;
  }
  LinkageConfig config;
  config.link_threshold = options.link_threshold;
  config.review_threshold = options.review_threshold;
  config.use_extra_id = options.use_soc_sec_id;
  config.threads = options.threads;
  config.keep_candidate_pairs = true;
  IdentityIndex index(config);
  const std::vector<std::uint32_t> truth = input->truth;
  index.build(std::move(input->records));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<std::pair<std::uint32_t, std::uint32_t>> covered = index.candidatePairs();
  for (const ScoredPair& link : index.links()) covered.emplace_back(link.a, link.b);
  const BlockingRecall blocking = blockingRecall(covered, truth);
  const std::vector<std::uint32_t> predicted = index.personIds();
  const PairwiseMetrics metrics = evaluatePairwise(predicted, truth);

  out << std::fixed << std::setprecision(4);
  out << "input: " << options.input_path << "\n"
      << "soc_sec_id: " << (options.use_soc_sec_id ? "used" : "not used") << "\n"
      << "records: " << index.size() << "\n"
      << "candidate pairs: " << index.stats().candidate_pairs << "\n"
      << "blocking recall: " << blocking.recall << " (" << blocking.covered_pairs << " of "
      << blocking.true_pairs << " true pairs)\n"
      << "em iterations: " << index.model().em_iterations
      << (index.model().em_converged ? " (converged)" : " (not converged)") << "\n"
      << "links: " << index.links().size() << ", review pairs: " << index.reviewBand().size()
      << "\n"
      << "precision: " << metrics.precision << "\n"
      << "recall: " << metrics.recall << "\n"
      << "f1: " << metrics.f1 << "\n"
      << "wall time: " << seconds << " s\n";
  return 0;
}

}  // namespace hearth::pipelines::identity
