#include "pipelines/indicators/school_register.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>

#include "pipelines/canonical/date.hpp"
#include "pipelines/indicators/csv_line.hpp"

namespace hearth::pipelines::indicators {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The position of the first of `names` the header has; -1 when it has none.
int columnOf(const std::vector<std::string>& header,
             std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<int>(it - header.begin());
  }
  return -1;
}

std::string_view cell(const std::vector<std::string>& fields, int column) {
  if (column < 0 || static_cast<size_t>(column) >= fields.size()) return {};
  return fields[static_cast<size_t>(column)];
}

bool nextRow(std::istream& in, std::vector<std::string>& fields) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    fields = splitCsvLine(line);
    return true;
  }
  return false;
}

std::vector<std::string> header(std::istream& in, std::string_view source) {
  std::vector<std::string> fields;
  if (!nextRow(in, fields)) throw std::runtime_error(std::string(source) + ": empty file");
  if (!fields.empty() && fields[0].starts_with("\xEF\xBB\xBF")) fields[0].erase(0, 3);  // BOM
  return fields;
}

// GIAS types and phases, as the register names them: a special school says so in its type;
// primary, secondary, middle and all-through phases are mainstream unless the type is a unit
// or provision outside mainstream schooling.
SchoolKind kindOf(std::string_view type, std::string_view phase) {
  const std::string t = lower(type);
  if (t.find("special") != std::string::npos) return SchoolKind::kSpecial;
  if (t.find("pupil referral") != std::string::npos ||
      t.find("alternative provision") != std::string::npos ||
      t.find("further education") != std::string::npos || t.find("college") != std::string::npos) {
    return SchoolKind::kOther;
  }
  const std::string p = lower(phase);
  for (const std::string_view mainstream : {"primary", "secondary", "middle", "all-through"}) {
    if (p.find(mainstream) != std::string::npos) return SchoolKind::kMainstream;
  }
  return SchoolKind::kOther;
}

std::optional<int> grade(std::string_view text) {
  if (text.size() == 1 && text[0] >= '1' && text[0] <= '4') return text[0] - '0';
  return std::nullopt;  // blank, 9 (no judgement), NULL, "Not judged"
}

}  // namespace

std::string_view schoolKindLabel(SchoolKind kind) {
  switch (kind) {
    case SchoolKind::kMainstream:
      return "mainstream";
    case SchoolKind::kSpecial:
      return "special";
    case SchoolKind::kOther:
      break;
  }
  return "other";
}

void SchoolRegister::addGias(std::istream& in, std::string_view source) {
  const std::vector<std::string> names = header(in, source);
  const int urn = columnOf(names, {"URN"});
  const int ukprn = columnOf(names, {"UKPRN"});
  const int type = columnOf(names, {"TypeOfEstablishment (name)"});
  const int phase = columnOf(names, {"PhaseOfEducation (name)"});
  if (urn < 0 || type < 0 || phase < 0) {
    throw std::runtime_error(std::string(source) +
                             ": a GIAS extract needs the columns URN, TypeOfEstablishment (name) "
                             "and PhaseOfEducation (name)");
  }
  std::vector<std::string> fields;
  while (nextRow(in, fields)) {
    Establishment e;
    e.urn = cell(fields, urn);
    if (e.urn.empty()) continue;
    e.ukprn = cell(fields, ukprn);
    e.kind = kindOf(cell(fields, type), cell(fields, phase));
    if (!e.ukprn.empty()) urn_of_ukprn_[e.ukprn] = e.urn;
    by_urn_[e.urn] = std::move(e);
  }
}

void SchoolRegister::addOfsted(std::istream& in, std::string_view source) {
  const std::vector<std::string> names = header(in, source);
  const int urn = columnOf(names, {"URN", "Provider URN"});
  const int date = columnOf(
      names, {"Inspection start date", "Most recent full: Inspection date", "Inspection date"});
  const int overall =
      columnOf(names, {"Overall effectiveness", "Most recent full: Overall effectiveness"});
  if (urn < 0 || date < 0) {
    throw std::runtime_error(std::string(source) +
                             ": an Ofsted file needs a URN (or Provider URN) and an inspection "
                             "date column");
  }
  std::vector<std::string> fields;
  while (nextRow(in, fields)) {
    const std::string_view id = cell(fields, urn);
    const std::optional<Date> inspected = canonical::parseIsoDate(cell(fields, date));
    if (id.empty() || !inspected) continue;  // never inspected
    OfstedJudgement j;
    j.inspected = *inspected;
    // A report card (or a file of them, without an overall grade) is the new framework.
    j.framework = overall < 0 || *inspected >= kReportCardsFrom ? OfstedFramework::kReportCard
                                                                : OfstedFramework::kGraded;
    if (j.framework == OfstedFramework::kGraded) j.overall = grade(cell(fields, overall));
    const auto it = judgements_.find(id);
    if (it == judgements_.end()) {
      judgements_.emplace(std::string(id), j);
    } else if (it->second.inspected <= j.inspected) {
      it->second = j;
    }
  }
}

const Establishment* SchoolRegister::byUrn(std::string_view urn) const {
  const auto it = by_urn_.find(urn);
  return it == by_urn_.end() ? nullptr : &it->second;
}

const Establishment* SchoolRegister::byUkprn(std::string_view ukprn) const {
  const auto it = urn_of_ukprn_.find(ukprn);
  return it == urn_of_ukprn_.end() ? nullptr : byUrn(it->second);
}

const OfstedJudgement* SchoolRegister::latestJudgement(std::string_view urn) const {
  const auto it = judgements_.find(urn);
  return it == judgements_.end() ? nullptr : &it->second;
}

}  // namespace hearth::pipelines::indicators
