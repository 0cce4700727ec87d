#include "pipelines/normalise/record_reader.hpp"

#include <charconv>

#include "pipelines/validation/identifiers.hpp"
#include "pipelines/validation/ssda903_rules.hpp"

namespace hearth::pipelines::normalise {

using canonical::Date;
using validation::CodeSet;
using validation::Finding;
using validation::Severity;

RecordReader::RecordReader(const NormaliseContext& context, const Layout& layout,
                           const StreamFields& fields, const RawRecordView& raw,
                           NormaliseOutput& out, canonical::Provenance origin)
    : context_(context),
      layout_(layout),
      fields_(fields),
      raw_(raw),
      out_(out),
      first_finding_(out.findings.size()),
      provenance_(std::move(origin)) {
  provenance_.source_key = raw.source_key;
  provenance_.collection_year = context.default_collection_year;
  // Layouts whose connector stamps records with a collection year map it; others have none.
  const std::string_view year =
      fields.maps("collection_year") ? field("collection_year") : std::string_view{};
  int parsed = 0;
  if (!year.empty() &&
      std::from_chars(year.data(), year.data() + year.size(), parsed).ec == std::errc{}) {
    provenance_.collection_year = parsed;
  }
  limit_ = context.today;
  if (layout.reference_date != nullptr) {
    if (const std::optional<Date> reference = layout.reference_date(*this);
        reference && *reference <= limit_) {
      limit_ = *reference;
      limit_is_reference_ = true;
    }
  }
}

// A field that was read is mapped: only the others need the layout's lists.
void RecordReader::finish() {
  for (size_t i = first_finding_; i < out_.findings.size(); ++i) {
    if (out_.findings[i].location.empty()) out_.findings[i].location = raw_.location;
  }
  for (size_t i = 0; i < raw_.fields.size(); ++i) {
    const FieldView& f = raw_.fields[i];
    if (i < kReadBits && (read_ >> i & 1) != 0) continue;
    if (f.is_null || trimBlanks(f.value).empty()) continue;
    if (layoutKnows(i, f.name)) continue;
    out_.unmapped.push_back(f.name);
  }
}

bool RecordReader::layoutKnows(size_t position, std::string_view name) {
  NormaliseOutput::KnownFields& cache = out_.known_fields;
  if (cache.stream_fields != &fields_) {
    cache.stream_fields = &fields_;
    cache.names.clear();
    cache.known.clear();
  }
  if (position >= cache.names.size()) {
    cache.names.resize(position + 1);
    cache.known.resize(position + 1, 0);
  }
  if (cache.known[position] == 0 || cache.names[position] != name) {
    cache.names[position].assign(name);
    cache.known[position] = fields_.maps(name) || fields_.ignores(name) ? 1 : 2;
  }
  return cache.known[position] == 1;
}

void RecordReader::finding(std::string code, std::string message, std::string_view field_name,
                           Severity severity, int year_applied) {
  Finding f;
  f.code = std::move(code);
  f.message = std::move(message);
  f.field = field_name;
  f.severity = severity;
  f.stream = provenance_.stream();
  f.source_key = provenance_.source_key;
  f.location = raw_.location;
  f.year_applied = year_applied;
  out_.findings.push_back(std::move(f));
}

void RecordReader::ruleFinding(std::string_view rule, std::string_view field_name,
                               Severity severity, int year_applied) {
  validation::addSsda903Finding(out_.findings, provenance_, rule, field_name, severity);
  out_.findings.back().year_applied = year_applied;
}

std::optional<Date> RecordReader::date(std::string_view name, std::string_view rule,
                                       std::string_view after_year_rule) {
  return heldToLimit(name, plannedDate(name, rule), after_year_rule);
}

std::optional<Date> RecordReader::checkedDate(std::string_view name, std::optional<Date> parsed,
                                              bool may_lie_ahead) {
  if (!parsed) {
    finding("date.invalid", std::string(name) + " is not a valid date", name, Severity::kReject);
    return std::nullopt;
  }
  return may_lie_ahead ? parsed : heldToLimit(name, parsed, {});
}

std::optional<Date> RecordReader::heldToLimit(std::string_view name, std::optional<Date> parsed,
                                              std::string_view after_year_rule) {
  if (!parsed || *parsed <= limit_) return parsed;
  if (limit_is_reference_ && !after_year_rule.empty()) {
    ruleFinding(after_year_rule, name, Severity::kReject);
  } else {
    finding("date.future",
            std::string(name) +
                (limit_is_reference_ ? " is after the return's reference date, "
                                     : " is in the future, after ") +
                canonical::formatIsoDate(limit_),
            name, Severity::kReject);
  }
  return std::nullopt;
}

std::optional<Date> RecordReader::plannedDate(std::string_view name, std::string_view rule) {
  const std::string_view text = field(name);
  if (text.empty()) return std::nullopt;
  std::optional<Date> parsed;
  switch (layout_.dates) {
    case DateForm::kUkOrIso:
      parsed = text.size() == 10 && text[2] == '/'
                   ? canonical::parseUkDate(text)
                   : canonical::parseIsoDate(text, context_.time_zone);
      break;
    case DateForm::kBladeOrIso:
      parsed = canonical::parseBladeDate(text);
      if (!parsed) parsed = canonical::parseIsoDate(text, context_.time_zone);
      break;
    case DateForm::kIso:
      parsed = canonical::parseIsoDate(text, context_.time_zone);
      break;
  }
  if (!parsed) {
    if (!rule.empty()) {
      ruleFinding(rule, name, Severity::kReject);
    } else {
      finding("date.invalid", std::string(name) + " is not a valid date", name, Severity::kReject);
    }
    return std::nullopt;
  }
  return parsed;
}

std::optional<bool> RecordReader::flag(std::string_view name) {
  const std::string_view text = field(name);
  if (text.empty()) return std::nullopt;
  const std::optional<bool> value = parseFlag(text);
  if (!value) {
    finding("flag.invalid", std::string(name) + " is neither true nor false", name,
            Severity::kQuery);
  }
  return value;
}

std::optional<int> RecordReader::count(std::string_view name) {
  const std::string_view text = field(name);
  if (text.empty()) return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) {
    finding("number.invalid", std::string(name) + " is not a whole number of 0 or more", name,
            Severity::kQuery);
    return std::nullopt;
  }
  return value;
}

std::optional<double> RecordReader::number(std::string_view name) {
  const std::string_view text = field(name);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !(value >= 0 && value <= 1e6)) {
    finding("number.invalid", std::string(name) + " is not a number from 0 to 1000000", name,
            Severity::kQuery);
    return std::nullopt;
  }
  return value;
}

std::string_view RecordReader::required(std::string_view name) {
  const std::string_view text = field(name);
  if (text.empty())
    finding("field.missing", std::string(name) + " is blank", name, Severity::kReject);
  return text;
}

std::string RecordReader::code(std::string_view name, CodeSet set, std::string_view rule) {
  const std::string_view text = field(name);
  if (text.empty()) return {};
  const validation::CodeCheck check = validation::checkCode(set, year(), text);
  if (check.valid) return std::string(text);
  if (!rule.empty() && layout_.ssda903_rules) {
    ruleFinding(rule, name, Severity::kQuery, check.year_applied);
  } else {
    finding("code.unknown",
            std::string(validation::codeSetField(set)) + " code is not in the list for the year",
            name, Severity::kQuery, check.year_applied);
  }
  return {};
}

std::string RecordReader::postcode(std::string_view name, std::string_view rule) {
  const std::string_view text = field(name);
  if (text.empty()) return {};
  std::optional<std::string> normal = validation::normalisePostcode(text);
  if (normal) return std::move(*normal);
  if (!rule.empty() && layout_.ssda903_rules) {
    ruleFinding(rule, name, Severity::kQuery);
  } else {
    finding("postcode.invalid", std::string(name) + " is not a valid postcode", name,
            Severity::kQuery);
  }
  return {};
}

bool RecordReader::subject(std::string_view name, canonical::Subject& subject) {
  const std::string_view value = field(name);
  if (value.empty()) {
    finding("record.no_child_id", std::string(name) + " is blank: the record names no child", name,
            Severity::kReject);
    return false;
  }
  subject.system = context_.source_system;
  subject.value = value;
  return true;
}

bool RecordReader::rejected() const {
  for (size_t i = first_finding_; i < out_.findings.size(); ++i) {
    if (out_.findings[i].severity == Severity::kReject) return true;
  }
  return false;
}

canonical::Person personStart(RecordReader& r, std::string_view id_field, bool& ok) {
  auto person = start<canonical::Person>(r);
  ok = r.subject(id_field, person.subject);
  if (ok) person.identifiers.push_back({"la_child", person.subject.value, person.subject.system});
  return person;
}

void addUpn(RecordReader& r, canonical::Person& person, std::string_view scheme,
            std::string_view upn, std::string_view rule) {
  if (upn.empty()) return;
  if (validation::checkCode(CodeSet::k903UpnUnknown, r.year(), upn).valid) {
    person.upn_unknown_reason = upn;
    return;
  }
  if (!validation::isValidUpn(upn)) {
    if (r.layout().ssda903_rules) {
      r.ruleFinding(rule, "UPN", Severity::kQuery);
    } else {
      r.finding("upn.check_letter", "UPN check letter or format is not valid", scheme,
                Severity::kQuery);
    }
    return;
  }
  person.identifiers.push_back(
      {std::string(scheme), std::string(upn), r.provenance().source_system()});
}

void addUln(RecordReader& r, canonical::Person& person, std::string_view uln) {
  if (uln.empty()) return;
  if (!validation::isValidUln(uln)) {
    r.finding("uln.check_digit", "ULN fails the mod 11 check", "uln", Severity::kQuery);
    return;
  }
  person.identifiers.push_back({"uln", std::string(uln), r.provenance().source_system()});
}

void addNhsNumber(RecordReader& r, canonical::Person& person, std::string_view nhs) {
  if (nhs.empty()) return;
  std::string digits;
  for (char c : nhs) {
    if (c != ' ') digits.push_back(c);
  }
  if (!validation::isValidNhsNumber(digits)) {
    r.finding("nhs.check_digit", "NHS number fails the mod 11 check", "nhs", Severity::kQuery);
    return;
  }
  person.identifiers.push_back({"nhs", std::move(digits), r.provenance().source_system()});
}

// "XXXXXXX" is the 903's URN for a placement with no Ofsted-registered provider: not a URN, so
// the canonical episode has none, as an SSD placement without a URN has none.
std::string placementUrn(std::string_view urn) {
  if (urn.empty() || equalsIgnoreCase(urn, "XXXXXXX")) return {};
  return std::string(urn);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::optional<bool> parseFlag(std::string_view text) {
  if (text == "1" || equalsIgnoreCase(text, "true") || equalsIgnoreCase(text, "y") ||
      equalsIgnoreCase(text, "yes")) {
    return true;
  }
  if (text == "0" || equalsIgnoreCase(text, "false") || equalsIgnoreCase(text, "n") ||
      equalsIgnoreCase(text, "no")) {
    return false;
  }
  return std::nullopt;
}

}  // namespace hearth::pipelines::normalise
