#include "pipelines/normalise/normaliser.hpp"

#include <cassert>
#include <charconv>
#include <cstdint>
#include <utility>

#include "pipelines/common/text.hpp"
#include "pipelines/normalise/fhir.hpp"
#include "pipelines/normalise/layout_fields.hpp"
#include "pipelines/validation/code_lists.hpp"
#include "pipelines/validation/identifiers.hpp"
#include "pipelines/validation/ssda903_rules.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Finding;
using validation::Severity;

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

// Reads one raw record: field lookup, dates and codes, collecting findings as it goes.
class RecordReader {
 public:
  RecordReader(const NormaliseContext& context, const StreamFields& fields,
               const RawRecordView& raw, NormaliseOutput& out)
      : context_(context),
        fields_(fields),
        raw_(raw),
        out_(out),
        first_finding_(out.findings.size()) {
    provenance_.source_system = context.source_system;
    provenance_.connector = context.connector;
    provenance_.stream = raw.stream;
    provenance_.source_key = raw.source_key;
    provenance_.location = raw.location;
    provenance_.collection_year = context.default_collection_year;
    const std::string_view year = field("collection_year");
    int parsed = 0;
    if (!year.empty() &&
        std::from_chars(year.data(), year.data() + year.size(), parsed).ec == std::errc{}) {
      provenance_.collection_year = parsed;
    }
    limit_ = context.today;
    if (const std::optional<Date> reference = referenceDate(); reference && *reference <= limit_) {
      limit_ = *reference;
      limit_is_reference_ = true;
    }
  }

  std::string_view field(std::string_view name) const {
    assert(fields_.maps(name) && "every field normalisation reads is mapped in layout_fields.cpp");
    for (size_t i = 0; i < raw_.fields.size(); ++i) {
      const FieldView& f = raw_.fields[i];
      if (f.name != name) continue;
      if (i < kReadBits) read_ |= uint64_t{1} << i;
      return f.is_null ? std::string_view{} : trimBlanks(f.value);
    }
    return {};
  }

  // Names the record's fields with a value that its layout neither maps nor ignores. A field
  // that was read is mapped: only the others need the layout's lists.
  void reportUnmapped() {
    for (size_t i = 0; i < raw_.fields.size(); ++i) {
      const FieldView& f = raw_.fields[i];
      if (i < kReadBits && (read_ >> i & 1) != 0) continue;
      if (f.is_null || trimBlanks(f.value).empty()) continue;
      if (fields_.maps(f.name) || fields_.ignores(f.name)) continue;
      out_.unmapped.push_back(f.name);
    }
  }

  const canonical::Provenance& provenance() const { return provenance_; }
  int year() const { return provenance_.collection_year; }

  void finding(std::string code, std::string message, std::string_view field_name,
               Severity severity, int year_applied = -1) {
    Finding f;
    f.code = std::move(code);
    f.message = std::move(message);
    f.field = field_name;
    f.severity = severity;
    f.stream = provenance_.stream;
    f.source_key = provenance_.source_key;
    f.location = provenance_.location;
    f.year_applied = year_applied;
    out_.findings.push_back(std::move(f));
  }

  void ruleFinding(std::string_view rule, std::string_view field_name, Severity severity,
                   int year_applied = -1) {
    validation::addSsda903Finding(out_.findings, provenance_, rule, field_name, severity);
    out_.findings.back().year_applied = year_applied;
  }

  // `rule` names the 903 rule for an invalid value, `after_year_rule` the one for a date after
  // the collection year; empty for Hearth's own codes.
  std::optional<Date> date(std::string_view name, std::string_view rule = {},
                           std::string_view after_year_rule = {}) {
    const std::optional<Date> parsed = plannedDate(name, rule);
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

  // A date that may lie ahead (a target, an expected birth): checked to be a date, not against
  // the reference date.
  std::optional<Date> plannedDate(std::string_view name, std::string_view rule = {}) {
    const std::string_view text = field(name);
    if (text.empty()) return std::nullopt;
    std::optional<Date> parsed;
    if (context_.kind == ConnectorKind::kSsda903) {
      // The 903 CSV writes DD/MM/YYYY; its XML form writes ISO dates.
      parsed = text.size() == 10 && text[2] == '/'
                   ? canonical::parseUkDate(text)
                   : canonical::parseIsoDate(text, context_.time_zone);
    } else if (context_.kind == ConnectorKind::kSchoolCensus) {
      // Blade exports write "2015-Jul-26 00:00:00"; a census file saved from a spreadsheet
      // may come back with ISO dates.
      parsed = canonical::parseBladeDate(text);
      if (!parsed) parsed = canonical::parseIsoDate(text, context_.time_zone);
    } else {
      parsed = canonical::parseIsoDate(text, context_.time_zone);
    }
    if (!parsed) {
      if (!rule.empty()) {
        ruleFinding(rule, name, Severity::kReject);
      } else {
        finding("date.invalid", std::string(name) + " is not a valid date", name,
                Severity::kReject);
      }
      return std::nullopt;
    }
    return parsed;
  }

  // A yes/no field; a value that is neither is a query and is not passed on.
  std::optional<bool> flag(std::string_view name) {
    const std::string_view text = field(name);
    if (text.empty()) return std::nullopt;
    const std::optional<bool> value = parseFlag(text);
    if (!value) {
      finding("flag.invalid", std::string(name) + " is neither true nor false", name,
              Severity::kQuery);
    }
    return value;
  }

  // A count of things: digits only; anything else is a query and is not passed on.
  std::optional<int> count(std::string_view name) {
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

  // An absent code is fine here (completeness rules say when it is required); an unknown one
  // is a query and is not passed on.
  std::string code(std::string_view name, CodeSet set, std::string_view rule) {
    const std::string_view text = field(name);
    if (text.empty()) return {};
    const validation::CodeCheck check = validation::checkCode(set, year(), text);
    if (check.valid) return std::string(text);
    if (!rule.empty() && context_.kind == ConnectorKind::kSsda903) {
      ruleFinding(rule, name, Severity::kQuery, check.year_applied);
    } else {
      finding("code.unknown",
              std::string(validation::codeSetField(set)) + " code is not in the list for the year",
              name, Severity::kQuery, check.year_applied);
    }
    return {};
  }

  std::string postcode(std::string_view name, std::string_view rule) {
    const std::string_view text = field(name);
    if (text.empty()) return {};
    std::optional<std::string> normal = validation::normalisePostcode(text);
    if (normal) return std::move(*normal);
    if (!rule.empty() && context_.kind == ConnectorKind::kSsda903) {
      ruleFinding(rule, name, Severity::kQuery);
    } else {
      finding("postcode.invalid", std::string(name) + " is not a valid postcode", name,
              Severity::kQuery);
    }
    return {};
  }

  bool subject(std::string_view name, canonical::Subject& subject) {
    const std::string_view value = field(name);
    if (value.empty()) {
      finding("record.no_child_id", std::string(name) + " is blank: the record names no child",
              name, Severity::kReject);
      return false;
    }
    subject.system = context_.source_system;
    subject.value = value;
    return true;
  }

  bool rejected() const {
    for (size_t i = first_finding_; i < out_.findings.size(); ++i) {
      if (out_.findings[i].severity == Severity::kReject) return true;
    }
    return false;
  }

  NormaliseOutput& out() { return out_; }
  const NormaliseContext& context() const { return context_; }

 private:
  // The date a return describes the world up to: nothing in it can be later.
  std::optional<Date> referenceDate() const {
    if (context_.kind == ConnectorKind::kCinCensus) {
      return canonical::parseIsoDate(field("ReferenceDate"));
    }
    if (context_.kind == ConnectorKind::kSsda903 && year() != 0) {
      return canonical::collectionEnd(year());
    }
    return std::nullopt;
  }

  const NormaliseContext& context_;
  const StreamFields& fields_;
  const RawRecordView& raw_;
  NormaliseOutput& out_;
  size_t first_finding_;
  canonical::Provenance provenance_;
  Date limit_;  // dates after it are in the future
  bool limit_is_reference_ = false;
  static constexpr size_t kReadBits = 64;
  mutable uint64_t read_ = 0;  // the first 64 fields: bit i set once field i was read
};

template <typename T>
T start(RecordReader& r) {
  T record;
  record.provenance = r.provenance();
  return record;
}

// Publishes the record unless something rejected it.
template <typename T>
size_t emit(RecordReader& r, T&& record) {
  if (r.rejected()) return 0;
  r.out().records.emplace_back(std::forward<T>(record));
  return 1;
}

void addUpn(RecordReader& r, canonical::Person& person, std::string_view scheme,
            std::string_view upn, std::string_view rule) {
  if (upn.empty()) return;
  if (validation::checkCode(CodeSet::k903UpnUnknown, r.year(), upn).valid) {
    person.upn_unknown_reason = upn;
    return;
  }
  if (!validation::isValidUpn(upn)) {
    if (r.context().kind == ConnectorKind::kSsda903) {
      r.ruleFinding(rule, "UPN", Severity::kQuery);
    } else {
      r.finding("upn.check_letter", "UPN check letter or format is not valid", scheme,
                Severity::kQuery);
    }
    return;
  }
  person.identifiers.push_back(
      {std::string(scheme), std::string(upn), r.provenance().source_system});
}

void addUln(RecordReader& r, canonical::Person& person, std::string_view uln) {
  if (uln.empty()) return;
  if (!validation::isValidUln(uln)) {
    r.finding("uln.check_digit", "ULN fails the mod 11 check", "uln", Severity::kQuery);
    return;
  }
  person.identifiers.push_back({"uln", std::string(uln), r.provenance().source_system});
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
  person.identifiers.push_back({"nhs", std::move(digits), r.provenance().source_system});
}

canonical::Person personStart(RecordReader& r, std::string_view id_field, bool& ok) {
  auto person = start<canonical::Person>(r);
  ok = r.subject(id_field, person.subject);
  if (ok) person.identifiers.push_back({"la_child", person.subject.value, person.subject.system});
  return person;
}

// ---- SSDA903 -------------------------------------------------------------------------------

size_t ssda903Header(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "CHILD", ok);
  const std::string_view sex = r.field("SEX");
  const validation::CodeCheck sex_check = validation::checkCode(CodeSet::k903Sex, r.year(), sex);
  if (!sex_check.valid) {
    r.ruleFinding("101", "SEX", Severity::kQuery, sex_check.year_applied);
  } else if (sex == "1" || sex == "M") {
    person.sex = canonical::Sex::kMale;
  } else if (sex == "2" || sex == "F") {
    person.sex = canonical::Sex::kFemale;
  } else {
    person.sex = canonical::Sex::kUnknown;
  }
  person.birth_date = r.date("DOB", "102", "301");
  if (!person.birth_date && r.field("DOB").empty()) r.ruleFinding("102", "DOB", Severity::kReject);
  const std::string_view ethnic = r.field("ETHNIC");
  if (validation::checkCode(CodeSet::k903Ethnicity, r.year(), ethnic).valid) {
    person.ethnicity = ethnic;
  } else {
    r.ruleFinding("103", "ETHNIC", Severity::kQuery);
  }
  addUpn(r, person, "upn", r.field("UPN"), "168");
  const std::string_view mother = r.field("MOTHER");
  if (mother == "1") {
    person.is_mother = true;
  } else if (mother == "0") {
    person.is_mother = false;
  } else if (!mother.empty()) {
    r.ruleFinding("165", "MOTHER", Severity::kQuery);
  }
  const std::string_view mc_dob = r.field("MC_DOB");
  if (!mc_dob.empty()) {
    const std::optional<Date> parsed = mc_dob.size() == 10 && mc_dob[2] == '/'
                                           ? canonical::parseUkDate(mc_dob)
                                           : canonical::parseIsoDate(mc_dob);
    // A bad date of the mother's child says nothing about the child's own record: query only.
    if (parsed) {
      person.first_child_birth_date = parsed;
    } else {
      r.ruleFinding("171", "MC_DOB", Severity::kQuery);
    }
  }
  if (!ok) return 0;
  validation::checkPerson(person, r.out().findings);
  return emit(r, std::move(person));
}

// "XXXXXXX" is the 903's URN for a placement with no Ofsted-registered provider: not a URN, so
// the canonical episode has none, as an SSD placement without a URN has none.
std::string placementUrn(std::string_view urn) {
  if (urn.empty() || equalsIgnoreCase(urn, "XXXXXXX")) return {};
  return std::string(urn);
}

size_t ssda903Episode(RecordReader& r) {
  auto e = start<canonical::ClaEpisode>(r);
  const bool ok = r.subject("CHILD", e.subject);
  e.start = r.date("DECOM", "141", "354");
  if (!e.start && r.field("DECOM").empty()) r.ruleFinding("141", "DECOM", Severity::kReject);
  e.end = r.date("DEC", "147", "385");
  e.reason_new_episode = r.code("RNE", CodeSet::k903ReasonNewEpisode, "143");
  e.legal_status = r.code("LS", CodeSet::k903LegalStatus, "144");
  e.category_of_need = r.code("CIN", CodeSet::k903CategoryOfNeed, "145");
  e.placement_type = r.code("PLACE", CodeSet::k903Placement, "146");
  e.placement_provider = r.code("PLACE_PROVIDER", CodeSet::k903PlacementProvider, "178");
  e.reason_ceased = r.code("REC", CodeSet::k903ReasonCeased, "149");
  e.reason_place_change = r.code("REASON_PLACE_CHANGE", CodeSet::k903ReasonPlaceChange, "1009");
  e.home_postcode = r.postcode("HOME_POST", "392c");
  e.placement_postcode = r.postcode("PL_POST", "392c");
  e.urn = placementUrn(r.field("URN"));
  if (!ok || r.rejected()) return emit(r, std::move(e));
  validation::checkClaEpisode(e, r.out().findings);
  return emit(r, std::move(e));
}

// ACCOM is one code for type and suitability; the canonical model keeps them apart, as SSD does.
void splitAccommodation(std::string_view accom, canonical::CareLeaverStatus& status) {
  if (accom.empty()) return;
  if (accom == "0") {
    status.accommodation = "0";
    return;
  }
  status.accommodation = accom.substr(0, 1);
  if (accom.size() == 2) status.accommodation_suitable = accom[1] == '1';
}

size_t ssda903CareLeaver(RecordReader& r) {
  auto s = start<canonical::CareLeaverStatus>(r);
  const bool ok = r.subject("CHILD", s.subject);
  s.in_touch = r.code("IN_TOUCH", CodeSet::k903InTouch, "131");
  s.activity = r.code("ACTIV", CodeSet::k903Activity, "132");
  splitAccommodation(r.code("ACCOM", CodeSet::k903Accommodation, "133"), s);
  if (!ok) return 0;
  validation::checkCareLeaverStatus(s, r.out().findings);
  return emit(r, std::move(s));
}

size_t ssda903Missing(RecordReader& r) {
  auto m = start<canonical::MissingEpisode>(r);
  const bool ok = r.subject("CHILD", m.subject);
  m.kind = r.code("MISSING", CodeSet::k903MissingType, "1006");
  m.start = r.date("MIS_START", "1004", "570");
  m.end = r.date("MIS_END", "1005", "571");
  if (!r.field("MISSING").empty() && r.field("MIS_START").empty()) {
    r.ruleFinding("564", "MIS_START", Severity::kReject);
  }
  if (!ok) return 0;
  validation::checkMissingEpisode(m, r.out().findings);
  return emit(r, std::move(m));
}

size_t ssda903(RecordReader& r, std::string_view stream) {
  if (stream == "episodes") return ssda903Episode(r);
  if (stream == "header") return ssda903Header(r);
  if (stream == "oc3") return ssda903CareLeaver(r);
  if (stream == "missing") return ssda903Missing(r);
  return 0;
}

// ---- CIN census ----------------------------------------------------------------------------

size_t cinChild(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "LAchildID", ok);
  addUpn(r, person, "upn", r.field("UPN"), "");
  addUpn(r, person, "former_upn", r.field("FormerUPN"), "");
  const std::string_view unknown = r.field("UPNunknown");
  if (!unknown.empty()) person.upn_unknown_reason = unknown;
  person.birth_date = r.date("PersonBirthDate");
  person.expected_birth_date = r.plannedDate("ExpectedPersonBirthDate");
  person.death_date = r.date("PersonDeathDate");
  person.ethnicity = r.field("Ethnicity");
  // GenderCurrent (to 2023/24) codes 1/2/0/9; its successor Sex uses M/F/U.
  const bool sex_element = r.field("sex_element") == "Sex";
  const std::string code =
      r.code("Sex", sex_element ? CodeSet::kCinSex : CodeSet::kCinGenderCurrent, "");
  if (code == "1" || code == "M") person.sex = canonical::Sex::kMale;
  if (code == "2" || code == "F") person.sex = canonical::Sex::kFemale;
  if (code == "U") person.sex = canonical::Sex::kUnknown;
  if (code == "9") person.sex = canonical::Sex::kIndeterminate;
  if (!ok) return 0;
  return emit(r, std::move(person));
}

size_t cinEpisode(RecordReader& r) {
  auto e = start<canonical::Referral>(r);
  const bool ok = r.subject("LAchildID", e.subject);
  e.start = r.date("CINreferralDate");
  e.end = r.date("CINclosureDate");
  e.source = r.code("ReferralSource", CodeSet::kCinReferralSource, "");
  e.primary_need = r.code("PrimaryNeedCode", CodeSet::kCinPrimaryNeed, "");
  e.closure_reason = r.code("ReasonForClosure", CodeSet::kCinReasonForClosure, "");
  e.no_further_action = parseFlag(r.field("ReferralNFA"));
  if (!ok) return 0;
  return emit(r, std::move(e));
}

std::vector<std::string> splitFactors(std::string_view text) {
  std::vector<std::string> factors;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = text.find_first_of(", ", pos);
    if (next == std::string_view::npos) next = text.size();
    if (next > pos) factors.emplace_back(text.substr(pos, next - pos));
    pos = next + 1;
  }
  return factors;
}

size_t cinAssessment(RecordReader& r) {
  auto a = start<canonical::Assessment>(r);
  const bool ok = r.subject("LAchildID", a.subject);
  a.start = r.date("AssessmentActualStartDate");
  a.authorised = r.date("AssessmentAuthorisationDate");
  a.factors = splitFactors(r.field("AssessmentFactors"));
  if (!ok) return 0;
  return emit(r, std::move(a));
}

size_t cinPlan(RecordReader& r) {
  auto p = start<canonical::CinPlan>(r);
  const bool ok = r.subject("LAchildID", p.subject);
  p.start = r.date("CINPlanStartDate");
  p.end = r.date("CINPlanEndDate");
  if (!ok) return 0;
  return emit(r, std::move(p));
}

size_t cinSection47(RecordReader& r) {
  auto s = start<canonical::Section47>(r);
  const bool ok = r.subject("LAchildID", s.subject);
  s.start = r.date("S47ActualStartDate");
  s.conference_not_required = parseFlag(r.field("ICPCnotRequired"));
  auto conference = start<canonical::InitialCpConference>(r);
  conference.subject = s.subject;
  conference.date = r.date("DateOfInitialCPC");
  conference.target = r.plannedDate("InitialCPCtarget");
  if (!ok || r.rejected()) return 0;
  size_t emitted = emit(r, std::move(s));
  // The census nests the conference inside the enquiry; the canonical model has both.
  if (conference.date) emitted += emit(r, std::move(conference));
  return emitted;
}

size_t cinCpPlan(RecordReader& r) {
  auto p = start<canonical::CpPlan>(r);
  const bool ok = r.subject("LAchildID", p.subject);
  p.start = r.date("CPPstartDate");
  p.end = r.date("CPPendDate");
  p.initial_category = r.code("InitialCategoryOfAbuse", CodeSet::kCinCategoryOfAbuse, "");
  p.latest_category = r.code("LatestCategoryOfAbuse", CodeSet::kCinCategoryOfAbuse, "");
  if (!ok) return 0;
  return emit(r, std::move(p));
}

// PreProceedingsandFGDM (from 2025/26): its dates are events of the census year, so each is held
// to the reference date; its flags and count are checked for their form.
size_t cinPreProceedings(RecordReader& r) {
  auto p = start<canonical::PreProceedings>(r);
  const bool ok = r.subject("LAchildID", p.subject);
  p.start = r.date("PPStartDate");
  p.letter_before_proceedings = r.date("LBPSentDate");
  p.fgdm_offered = r.flag("FGDMMeetingOffer");
  p.fgdm_facilitated = r.flag("FGDMMeetingFac");
  p.initial_meeting = r.date("InitialPPMeetingDate");
  p.review_meetings = r.count("ReviewMeetingsCount");
  p.step_decision = r.date("StepDecisionDate");
  p.outcome = r.code("PPOutcome", CodeSet::kCinPreProceedingsOutcome, "");
  p.court_application = r.date("CourtAppDate");
  p.care_proceedings_letter = r.date("LetterInitCPDate");
  if (!ok) return 0;
  return emit(r, std::move(p));
}

size_t cinCensus(RecordReader& r, std::string_view stream) {
  if (stream == "child") return cinChild(r);
  if (stream == "cin_episode") return cinEpisode(r);
  if (stream == "assessment") return cinAssessment(r);
  if (stream == "cin_plan") return cinPlan(r);
  if (stream == "section47") return cinSection47(r);
  if (stream == "cp_plan") return cinCpPlan(r);
  if (stream == "pre_proceedings") return cinPreProceedings(r);
  return 0;
}

// ---- Standard Safeguarding Dataset -----------------------------------------------------------

// SSD documents categories as words ("Neglect"); the census and the canonical model use codes.
std::string categoryOfAbuse(RecordReader& r, std::string_view name) {
  const std::string_view text = r.field(name);
  if (text.empty()) return {};
  if (validation::checkCode(CodeSet::kCinCategoryOfAbuse, r.year(), text).valid) {
    return std::string(text);
  }
  if (startsWithIgnoreCase(text, "neglect")) return "NEG";
  if (startsWithIgnoreCase(text, "physical")) return "PHY";
  if (startsWithIgnoreCase(text, "sexual")) return "SAB";
  if (startsWithIgnoreCase(text, "emotional")) return "EMO";
  if (startsWithIgnoreCase(text, "multiple")) return "MUL";
  r.finding("code.unknown", "category of abuse is not one the census knows", name,
            Severity::kQuery);
  return {};
}

size_t ssdPerson(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "pers_person_id", ok);
  addNhsNumber(r, person, r.field("pers_common_child_id"));
  const std::string_view sex = r.field("pers_sex");
  if (sex == "M") person.sex = canonical::Sex::kMale;
  if (sex == "F") person.sex = canonical::Sex::kFemale;
  if (sex == "U") person.sex = canonical::Sex::kUnknown;
  person.ethnicity = r.field("pers_ethnicity");
  person.birth_date = r.date("pers_dob");
  person.expected_birth_date = r.plannedDate("pers_expected_dob");
  person.death_date = r.date("pers_death_date");
  const std::string_view unknown = r.field("pers_upn_unknown");
  if (!unknown.empty()) person.upn_unknown_reason = unknown;
  person.is_mother = parseFlag(r.field("pers_is_mother"));
  person.given_name = r.field("pers_forename");
  person.family_name = r.field("pers_surname");
  if (!ok) return 0;
  return emit(r, std::move(person));
}

size_t ssdLinkedIdentifier(RecordReader& r) {
  auto link = start<canonical::LinkedIdentifier>(r);
  const bool ok = r.subject("link_person_id", link.subject);
  const std::string_view type = r.field("link_identifier_type");
  const std::string_view value = r.field("link_identifier_value");
  link.identifier.source = r.provenance().source_system;
  link.identifier.value = value;
  if (equalsIgnoreCase(type, "Unique Pupil Number")) {
    link.identifier.scheme = "upn";
    if (!validation::isValidUpn(value)) {
      r.finding("upn.check_letter", "UPN check letter or format is not valid",
                "link_identifier_value", Severity::kReject);
    }
  } else if (equalsIgnoreCase(type, "Former Unique Pupil Number")) {
    link.identifier.scheme = "former_upn";
  } else if (equalsIgnoreCase(type, "NHS Number")) {
    link.identifier.scheme = "nhs";
    if (!validation::isValidNhsNumber(value)) {
      r.finding("nhs.check_digit", "NHS number fails the mod 11 check", "link_identifier_value",
                Severity::kReject);
    }
  } else if (equalsIgnoreCase(type, "Unique Learner Number")) {
    link.identifier.scheme = "uln";
  } else {
    for (char c : type) {
      link.identifier.scheme.push_back(c == ' '                 ? '_'
                                       : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                                                                : c);
    }
  }
  if (!ok) return 0;
  return emit(r, std::move(link));
}

// The decision date inside SSD's contact outcome JSON ("DECISION_DATETIME": "2024-05-01T10:00"),
// found by key rather than by a JSON parser: the object is flat and produced by the SSD's own
// extract, and a malformed one simply yields no date.
std::optional<canonical::Date> decisionDate(std::string_view outcome_json, const TimeZone& zone) {
  constexpr std::string_view kKey = "\"DECISION_DATETIME\"";
  const size_t key = outcome_json.find(kKey);
  if (key == std::string_view::npos) return std::nullopt;
  const size_t open = outcome_json.find('"', key + kKey.size());
  if (open == std::string_view::npos) return std::nullopt;
  const size_t close = outcome_json.find('"', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  return canonical::parseIsoDate(outcome_json.substr(open + 1, close - open - 1), zone);
}

size_t ssdContact(RecordReader& r) {
  auto c = start<canonical::Contact>(r);
  const bool ok = r.subject("cont_person_id", c.subject);
  c.received = r.date("cont_contact_date");
  c.source = r.field("cont_contact_source_code");
  c.decided = decisionDate(r.field("cont_contact_outcome_json"), r.context().time_zone);
  if (!ok) return 0;
  return emit(r, std::move(c));
}

// A member of a family or household group (SSD ssd_family): a Person record carrying only the
// group, which identity joins to the person's other records by the local id.
size_t ssdFamily(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "fami_person_id", ok);
  person.family_id = r.field("fami_family_id");
  if (!ok || person.family_id.empty()) return 0;
  return emit(r, std::move(person));
}

size_t ssdEarlyHelp(RecordReader& r) {
  auto e = start<canonical::EarlyHelpEpisode>(r);
  const bool ok = r.subject("earl_person_id", e.subject);
  e.start = r.date("earl_episode_start_date");
  e.end = r.date("earl_episode_end_date");
  e.reason = r.field("earl_episode_reason");
  e.end_reason = r.field("earl_episode_end_reason");
  if (!ok) return 0;
  return emit(r, std::move(e));
}

size_t ssdCinEpisode(RecordReader& r) {
  auto e = start<canonical::Referral>(r);
  const bool ok = r.subject("cine_person_id", e.subject);
  e.start = r.date("cine_referral_date");
  e.end = r.date("cine_close_date");
  e.source = r.code("cine_referral_source_code", CodeSet::kCinReferralSource, "");
  e.primary_need = r.code("cine_cin_primary_need_code", CodeSet::kCinPrimaryNeed, "");
  e.closure_reason = r.code("cine_close_reason", CodeSet::kCinReasonForClosure, "");
  e.no_further_action = parseFlag(r.field("cine_referral_nfa"));
  if (!ok) return 0;
  return emit(r, std::move(e));
}

size_t ssdAssessment(RecordReader& r) {
  auto a = start<canonical::Assessment>(r);
  const bool ok = r.subject("cina_person_id", a.subject);
  a.start = r.date("cina_assessment_start_date");
  a.authorised = r.date("cina_assessment_auth_date");
  if (!ok) return 0;
  return emit(r, std::move(a));
}

size_t ssdSection47(RecordReader& r) {
  auto s = start<canonical::Section47>(r);
  const bool ok = r.subject("s47e_person_id", s.subject);
  s.start = r.date("s47e_s47_start_date");
  s.end = r.date("s47e_s47_end_date");
  if (!ok) return 0;
  return emit(r, std::move(s));
}

size_t ssdConference(RecordReader& r) {
  auto c = start<canonical::InitialCpConference>(r);
  const bool ok = r.subject("icpc_person_id", c.subject);
  c.date = r.date("icpc_icpc_date");
  c.target = r.plannedDate("icpc_icpc_target_date");
  if (!ok) return 0;
  return emit(r, std::move(c));
}

size_t ssdCpPlan(RecordReader& r) {
  auto p = start<canonical::CpPlan>(r);
  const bool ok = r.subject("cppl_person_id", p.subject);
  p.start = r.date("cppl_cp_plan_start_date");
  p.end = r.date("cppl_cp_plan_end_date");
  p.initial_category = categoryOfAbuse(r, "cppl_cp_plan_initial_category");
  p.latest_category = categoryOfAbuse(r, "cppl_cp_plan_latest_category");
  if (!ok) return 0;
  return emit(r, std::move(p));
}

// The 903 gives a reason for a placement change only to the episode that ended with the move
// while the child stayed in care (REC X1); an SSD placement keeps its change reason whichever
// episode ended with it, so it belongs to the episode whose end is the placement's end.
bool episodeEndedWithItsPlacement(RecordReader& r, const canonical::ClaEpisode& e) {
  if (!e.end || e.reason_ceased != "X1") return false;
  const std::optional<Date> placement_end =
      canonical::parseIsoDate(r.field("clap_cla_placement_end_date"), r.context().time_zone);
  return placement_end && *placement_end == *e.end;
}

// The ssd_cla_episodes stream is the connector's built-in join (connectors/trust_ssd/README.md):
// the episode's own columns, then its placement (clap_), the legal status open on its start
// (lega_) and the home postcode when the period began (clae_home_postcode). A bare table read
// simply leaves those fields out.
size_t ssdClaEpisode(RecordReader& r) {
  auto e = start<canonical::ClaEpisode>(r);
  const bool ok = r.subject("clae_person_id", e.subject);
  e.start = r.date("clae_cla_episode_start_date");
  e.end = r.date("clae_cla_episode_ceased_date");
  e.reason_new_episode = r.code("clae_cla_episode_start_reason", CodeSet::k903ReasonNewEpisode, "");
  e.legal_status = r.code("lega_legal_status", CodeSet::k903LegalStatus, "");
  e.category_of_need = r.code("clae_cla_primary_need_code", CodeSet::k903CategoryOfNeed, "");
  e.placement_type = r.code("clap_cla_placement_type", CodeSet::k903Placement, "");
  e.placement_provider = r.code("clap_cla_placement_provider", CodeSet::k903PlacementProvider, "");
  e.reason_ceased = r.code("clae_cla_episode_ceased_reason", CodeSet::k903ReasonCeased, "");
  if (episodeEndedWithItsPlacement(r, e)) {
    e.reason_place_change =
        r.code("clap_cla_placement_change_reason", CodeSet::k903ReasonPlaceChange, "");
  }
  e.home_postcode = r.postcode("clae_home_postcode", "");
  e.placement_postcode = r.postcode("clap_cla_placement_postcode", "");
  e.urn = placementUrn(r.field("clap_cla_placement_urn"));
  if (!ok) return 0;
  return emit(r, std::move(e));
}

size_t ssdCareLeaver(RecordReader& r) {
  auto s = start<canonical::CareLeaverStatus>(r);
  const bool ok = r.subject("clea_person_id", s.subject);
  s.in_touch = r.code("clea_care_leaver_in_touch", CodeSet::k903InTouch, "");
  s.activity = r.code("clea_care_leaver_activity", CodeSet::k903Activity, "");
  const std::string_view accommodation = r.field("clea_care_leaver_accommodation");
  if (!accommodation.empty()) s.accommodation = accommodation.substr(0, 1);
  // The 903 codes suitability 1/2; SSD systems often write the word.
  const std::string_view suitable = r.field("clea_care_leaver_accom_suitable");
  if (suitable == "1" || equalsIgnoreCase(suitable, "suitable")) s.accommodation_suitable = true;
  if (suitable == "2" || equalsIgnoreCase(suitable, "unsuitable")) {
    s.accommodation_suitable = false;
  }
  s.latest_contact = r.date("clea_care_leaver_latest_contact");
  if (!ok) return 0;
  validation::checkCareLeaverStatus(s, r.out().findings);
  return emit(r, std::move(s));
}

size_t ssdMissing(RecordReader& r) {
  auto m = start<canonical::MissingEpisode>(r);
  const bool ok = r.subject("miss_person_id", m.subject);
  m.start = r.date("miss_missing_episode_start_date");
  m.end = r.date("miss_missing_episode_end_date");
  const std::string_view type = r.field("miss_missing_episode_type");
  // SSD systems write the word; the 903 writes its initial.
  if (startsWithIgnoreCase(type, "M")) m.kind = "M";
  if (startsWithIgnoreCase(type, "A")) m.kind = "A";
  if (!ok) return 0;
  // The SSD holds every year's history, so the 903's bounds of one collection year (rules 570
  // and 571) do not apply to it; the year stays on the record for its code lists.
  canonical::MissingEpisode unbounded = m;
  unbounded.provenance.collection_year = 0;
  validation::checkMissingEpisode(unbounded, r.out().findings);
  return emit(r, std::move(m));
}

size_t trustSsd(RecordReader& r, std::string_view stream) {
  if (stream == "ssd_person") return ssdPerson(r);
  if (stream == "ssd_linked_identifiers") return ssdLinkedIdentifier(r);
  if (stream == "ssd_contacts") return ssdContact(r);
  if (stream == "ssd_early_help_episodes") return ssdEarlyHelp(r);
  if (stream == "ssd_cin_episodes") return ssdCinEpisode(r);
  if (stream == "ssd_cin_assessments") return ssdAssessment(r);
  if (stream == "ssd_s47_enquiry") return ssdSection47(r);
  if (stream == "ssd_initial_cp_conference") return ssdConference(r);
  if (stream == "ssd_cp_plans") return ssdCpPlan(r);
  if (stream == "ssd_cla_episodes") return ssdClaEpisode(r);
  if (stream == "ssd_care_leavers") return ssdCareLeaver(r);
  if (stream == "ssd_family") return ssdFamily(r);
  if (stream == "ssd_missing") return ssdMissing(r);
  return 0;
}

// ---- School census (blade exports read by the csv connector) ---------------------------------

// A pupil on roll, or no longer on roll. The subject is the row's blade table id: it is what
// the child modules (addressesonroll, senneeds, ...) carry to name their pupil, and it is
// stable for a pupil at one school from term to term. The UPN, the pupil's identifier across
// schools, is an identifier that identity links on, not the subject: it is missing or
// mistyped too often to key records by.
size_t schoolPupil(RecordReader& r, std::string_view id_field) {
  auto person = start<canonical::Person>(r);
  const bool ok = r.subject(id_field, person.subject);
  addUpn(r, person, "upn", r.field("upn"), "");
  addUpn(r, person, "former_upn", r.field("formerupn"), "");
  addUln(r, person, r.field("uniquelearnernumber"));
  person.given_name = r.field("forename");
  person.family_name = r.field("surname");
  person.former_family_name = r.field("formersurname");
  person.birth_date = r.date("dob");
  const std::string_view sex = r.field("sex");
  if (equalsIgnoreCase(sex, "M")) person.sex = canonical::Sex::kMale;
  if (equalsIgnoreCase(sex, "F")) person.sex = canonical::Sex::kFemale;
  person.ethnicity = r.field("ethnicity");
  if (!ok) return 0;
  return emit(r, std::move(person));
}

// An address of a pupil on roll: a Person of the same subject holding only the postcode and
// UPRN, which identity folds into the pupil.
size_t schoolAddress(RecordReader& r) {
  auto person = start<canonical::Person>(r);
  const bool ok = r.subject("pupilonrolltableid", person.subject);
  person.postcode = r.postcode("postcode", "");
  const std::string_view uprn = r.field("uniquepropertyreferencenumber");
  uint64_t number = 0;
  const auto parsed = std::from_chars(uprn.data(), uprn.data() + uprn.size(), number);
  if (!uprn.empty() && parsed.ec == std::errc{} && parsed.ptr == uprn.data() + uprn.size() &&
      number >= 1 && number <= 999'999'999'999) {
    person.uprn = std::to_string(number);
  } else if (!uprn.empty()) {
    r.finding("uprn.invalid", "UPRN is not a number from 1 to 999999999999",
              "uniquepropertyreferencenumber", Severity::kQuery);
  }
  if (!ok) return 0;
  return emit(r, std::move(person));
}

// `module` is the blade module the operator's stream name ends with (layout_fields.cpp).
size_t schoolCensus(RecordReader& r, std::string_view module) {
  if (module == "pupilnolongeronroll") return schoolPupil(r, "pupilnolongeronrolltableid");
  if (module == "pupilonroll") return schoolPupil(r, "pupilonrolltableid");
  if (module == "addressesonroll") return schoolAddress(r);
  return 0;
}

}  // namespace

std::optional<ConnectorKind> connectorKindFromName(std::string_view name) {
  if (name == "ssda903") return ConnectorKind::kSsda903;
  if (name == "cin_census") return ConnectorKind::kCinCensus;
  if (name == "trust_ssd") return ConnectorKind::kTrustSsd;
  if (name == "school_census") return ConnectorKind::kSchoolCensus;
  if (name == "fhir") return ConnectorKind::kFhir;
  return std::nullopt;
}

std::string_view connectorKindName(ConnectorKind kind) {
  switch (kind) {
    case ConnectorKind::kSsda903:
      return "ssda903";
    case ConnectorKind::kCinCensus:
      return "cin_census";
    case ConnectorKind::kTrustSsd:
      return "trust_ssd";
    case ConnectorKind::kSchoolCensus:
      return "school_census";
    case ConnectorKind::kFhir:
      return "fhir";
  }
  return "";
}

Normaliser::Normaliser(NormaliseContext context) : context_(std::move(context)) {}

size_t Normaliser::normalise(const RawRecordView& raw, NormaliseOutput& out) const {
  if (context_.kind == ConnectorKind::kFhir) return fhir::normaliseRecord(context_, raw, out);
  const StreamFields* fields = findStreamFields(context_.kind, raw.stream);
  if (fields == nullptr) return 0;
  RecordReader reader(context_, *fields, raw, out);
  size_t emitted = 0;
  switch (context_.kind) {
    case ConnectorKind::kSsda903:
      emitted = ssda903(reader, fields->stream);
      break;
    case ConnectorKind::kCinCensus:
      emitted = cinCensus(reader, fields->stream);
      break;
    case ConnectorKind::kTrustSsd:
      emitted = trustSsd(reader, fields->stream);
      break;
    case ConnectorKind::kSchoolCensus:
      emitted = schoolCensus(reader, fields->stream);
      break;
    case ConnectorKind::kFhir:
      break;
  }
  reader.reportUnmapped();
  return emitted;
}

}  // namespace hearth::pipelines::normalise
