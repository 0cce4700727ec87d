#include "pipelines/normalise/mapping.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/identifiers.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

// What a canonical field holds, which decides how its source text is read and checked.
enum class FieldType { kText, kCode, kDate, kPlannedDate, kFlag, kCount, kNumber, kPostcode, kSex };

using Value = std::variant<std::string, Date, bool, int, double>;

template <typename>
struct MemberOf;
template <typename C, typename V>
struct MemberOf<V C::*> {
  using Class = C;
  using Type = V;
};

canonical::Sex sexOf(std::string_view code) {
  if (code == "M") return canonical::Sex::kMale;
  if (code == "F") return canonical::Sex::kFemale;
  if (code == "U") return canonical::Sex::kUnknown;
  if (code == "I") return canonical::Sex::kIndeterminate;
  return canonical::Sex::kNotRecorded;
}

// Stores a value read for a field into the member of the record's kind.
template <auto Member>
void assign(canonical::Record& record, Value&& value) {
  using Traits = MemberOf<decltype(Member)>;
  auto& target = std::get<typename Traits::Class>(record).*Member;
  using T = typename Traits::Type;
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, canonical::CompactString>) {
    target = std::get<std::string>(std::move(value));
  } else if constexpr (std::is_same_v<T, std::optional<Date>>) {
    target = std::get<Date>(value);
  } else if constexpr (std::is_same_v<T, std::optional<bool>>) {
    target = std::get<bool>(value);
  } else if constexpr (std::is_same_v<T, std::optional<int>>) {
    target = std::get<int>(value);
  } else if constexpr (std::is_same_v<T, std::optional<double>>) {
    target = std::get<double>(value);
  } else {
    static_assert(std::is_same_v<T, canonical::Sex>);
    target = sexOf(std::get<std::string>(value));
  }
}

struct CanonicalField {
  std::string_view name;
  FieldType type;
  std::optional<CodeSet> codes;
  void (*set)(canonical::Record&, Value&&);
};

// A field whose type follows from its member: text, date, flag, count or number.
template <auto Member>
CanonicalField field(std::string_view name) {
  using T = typename MemberOf<decltype(Member)>::Type;
  FieldType type = FieldType::kText;
  if constexpr (std::is_same_v<T, std::optional<Date>>) type = FieldType::kDate;
  if constexpr (std::is_same_v<T, std::optional<bool>>) type = FieldType::kFlag;
  if constexpr (std::is_same_v<T, std::optional<int>>) type = FieldType::kCount;
  if constexpr (std::is_same_v<T, std::optional<double>>) type = FieldType::kNumber;
  if constexpr (std::is_same_v<T, canonical::Sex>) type = FieldType::kSex;
  return {name, type, std::nullopt, &assign<Member>};
}

template <auto Member>
CanonicalField code(std::string_view name, CodeSet set) {
  return {name, FieldType::kCode, set, &assign<Member>};
}

// A date that may lie ahead: a target, an expected birth.
template <auto Member>
CanonicalField planned(std::string_view name) {
  return {name, FieldType::kPlannedDate, std::nullopt, &assign<Member>};
}

template <auto Member>
CanonicalField postcode(std::string_view name) {
  return {name, FieldType::kPostcode, std::nullopt, &assign<Member>};
}

struct CanonicalKind {
  std::string_view name;
  canonical::Record (*make)();
  std::vector<CanonicalField> fields;
};

template <typename T>
canonical::Record make() {
  return T{};
}

// The canonical model as a mapping sees it: each kind a source can fill field by field, and
// the fields it may name. Kinds that need joins or nested structures (diagnoses, KS4 grades)
// are left to layouts written in code.
const std::vector<CanonicalKind>& kinds() {
  namespace c = canonical;
  static const std::vector<CanonicalKind> kKinds = {
      {"person",
       &make<c::Person>,
       {field<&c::Person::given_name>("given_name"), field<&c::Person::family_name>("family_name"),
        field<&c::Person::former_family_name>("former_family_name"),
        field<&c::Person::birth_date>("birth_date"),
        planned<&c::Person::expected_birth_date>("expected_birth_date"),
        field<&c::Person::sex>("sex"),
        code<&c::Person::ethnicity>("ethnicity", CodeSet::k903Ethnicity),
        postcode<&c::Person::postcode>("postcode"), field<&c::Person::death_date>("death_date"),
        field<&c::Person::uprn>("uprn"), field<&c::Person::family_id>("family_id"),
        code<&c::Person::upn_unknown_reason>("upn_unknown_reason", CodeSet::k903UpnUnknown)}},
      {"contact",
       &make<c::Contact>,
       {field<&c::Contact::received>("received"),
        code<&c::Contact::source>("source", CodeSet::kCinReferralSource),
        field<&c::Contact::decided>("decided")}},
      {"referral",
       &make<c::Referral>,
       {field<&c::Referral::start>("start"), field<&c::Referral::end>("end"),
        code<&c::Referral::source>("source", CodeSet::kCinReferralSource),
        field<&c::Referral::no_further_action>("no_further_action"),
        code<&c::Referral::primary_need>("primary_need", CodeSet::kCinPrimaryNeed),
        code<&c::Referral::closure_reason>("closure_reason", CodeSet::kCinReasonForClosure)}},
      {"assessment",
       &make<c::Assessment>,
       {field<&c::Assessment::start>("start"), field<&c::Assessment::authorised>("authorised")}},
      {"section47",
       &make<c::Section47>,
       {field<&c::Section47::start>("start"), field<&c::Section47::end>("end"),
        field<&c::Section47::conference_not_required>("conference_not_required")}},
      {"initial_cp_conference",
       &make<c::InitialCpConference>,
       {field<&c::InitialCpConference::date>("date"),
        planned<&c::InitialCpConference::target>("target")}},
      {"cp_plan",
       &make<c::CpPlan>,
       {field<&c::CpPlan::start>("start"), field<&c::CpPlan::end>("end"),
        code<&c::CpPlan::initial_category>("initial_category", CodeSet::kCinCategoryOfAbuse),
        code<&c::CpPlan::latest_category>("latest_category", CodeSet::kCinCategoryOfAbuse)}},
      {"cin_plan",
       &make<c::CinPlan>,
       {field<&c::CinPlan::start>("start"), field<&c::CinPlan::end>("end")}},
      {"cla_episode",
       &make<c::ClaEpisode>,
       {field<&c::ClaEpisode::start>("start"), field<&c::ClaEpisode::end>("end"),
        code<&c::ClaEpisode::reason_new_episode>("reason_new_episode",
                                                 CodeSet::k903ReasonNewEpisode),
        code<&c::ClaEpisode::legal_status>("legal_status", CodeSet::k903LegalStatus),
        code<&c::ClaEpisode::category_of_need>("category_of_need", CodeSet::k903CategoryOfNeed),
        code<&c::ClaEpisode::placement_type>("placement_type", CodeSet::k903Placement),
        code<&c::ClaEpisode::placement_provider>("placement_provider",
                                                 CodeSet::k903PlacementProvider),
        code<&c::ClaEpisode::reason_ceased>("reason_ceased", CodeSet::k903ReasonCeased),
        code<&c::ClaEpisode::reason_place_change>("reason_place_change",
                                                  CodeSet::k903ReasonPlaceChange),
        postcode<&c::ClaEpisode::home_postcode>("home_postcode"),
        postcode<&c::ClaEpisode::placement_postcode>("placement_postcode"),
        field<&c::ClaEpisode::urn>("urn")}},
      {"missing_episode",
       &make<c::MissingEpisode>,
       {field<&c::MissingEpisode::start>("start"), field<&c::MissingEpisode::end>("end"),
        code<&c::MissingEpisode::kind>("kind", CodeSet::k903MissingType)}},
      {"care_leaver_status",
       &make<c::CareLeaverStatus>,
       {code<&c::CareLeaverStatus::in_touch>("in_touch", CodeSet::k903InTouch),
        code<&c::CareLeaverStatus::activity>("activity", CodeSet::k903Activity),
        code<&c::CareLeaverStatus::accommodation>("accommodation", CodeSet::k903Accommodation),
        field<&c::CareLeaverStatus::accommodation_suitable>("accommodation_suitable"),
        field<&c::CareLeaverStatus::latest_contact>("latest_contact")}},
      {"early_help_episode",
       &make<c::EarlyHelpEpisode>,
       {field<&c::EarlyHelpEpisode::start>("start"), field<&c::EarlyHelpEpisode::end>("end"),
        field<&c::EarlyHelpEpisode::reason>("reason"),
        field<&c::EarlyHelpEpisode::end_reason>("end_reason")}},
      {"homelessness_case",
       &make<c::HomelessnessCase>,
       {field<&c::HomelessnessCase::case_ref>("case_ref"),
        field<&c::HomelessnessCase::household>("household"),
        field<&c::HomelessnessCase::application>("application"),
        field<&c::HomelessnessCase::assessment>("assessment"),
        field<&c::HomelessnessCase::prevention_duty_owed>("prevention_duty_owed"),
        field<&c::HomelessnessCase::relief_duty_owed>("relief_duty_owed"),
        field<&c::HomelessnessCase::reason>("reason"),
        field<&c::HomelessnessCase::sleeping_rough>("sleeping_rough"),
        field<&c::HomelessnessCase::previous_case_ref>("previous_case_ref")}},
      {"homelessness_duty",
       &make<c::HomelessnessDuty>,
       {field<&c::HomelessnessDuty::case_ref>("case_ref"),
        field<&c::HomelessnessDuty::duty>("duty"), field<&c::HomelessnessDuty::start>("start"),
        field<&c::HomelessnessDuty::end>("end"), field<&c::HomelessnessDuty::outcome>("outcome")}},
      {"temporary_accommodation",
       &make<c::TemporaryAccommodation>,
       {field<&c::TemporaryAccommodation::case_ref>("case_ref"),
        field<&c::TemporaryAccommodation::placement_ref>("placement_ref"),
        field<&c::TemporaryAccommodation::start>("start"),
        field<&c::TemporaryAccommodation::end>("end"),
        field<&c::TemporaryAccommodation::type>("type"),
        field<&c::TemporaryAccommodation::with_children>("with_children"),
        field<&c::TemporaryAccommodation::out_of_district>("out_of_district")}},
      {"rough_sleeping",
       &make<c::RoughSleepingContact>,
       {field<&c::RoughSleepingContact::date>("date"),
        field<&c::RoughSleepingContact::area>("area")}},
      {"adult_care_event",
       &make<c::AdultCareEvent>,
       {field<&c::AdultCareEvent::event_type>("event_type"),
        field<&c::AdultCareEvent::reference>("reference"),
        field<&c::AdultCareEvent::start>("start"), field<&c::AdultCareEvent::end>("end"),
        field<&c::AdultCareEvent::outcome>("outcome"),
        field<&c::AdultCareEvent::service_type>("service_type"),
        field<&c::AdultCareEvent::service_component>("service_component"),
        field<&c::AdultCareEvent::delivery_mechanism>("delivery_mechanism"),
        field<&c::AdultCareEvent::client_type>("client_type"),
        field<&c::AdultCareEvent::support_reason>("support_reason"),
        field<&c::AdultCareEvent::submitted>("submitted")}},
      {"missing_education",
       &make<c::MissingEducation>,
       {field<&c::MissingEducation::start>("start"), field<&c::MissingEducation::end>("end"),
        field<&c::MissingEducation::reason>("reason")}},
      {"neet_status",
       &make<c::NeetStatus>,
       {field<&c::NeetStatus::month_end>("month_end"), field<&c::NeetStatus::activity>("activity"),
        field<&c::NeetStatus::activity_start>("activity_start"),
        field<&c::NeetStatus::academic_age>("academic_age"), field<&c::NeetStatus::send>("send"),
        field<&c::NeetStatus::care_leaver>("care_leaver")}},
  };
  return kKinds;
}

const CanonicalKind* findKind(std::string_view name) {
  for (const CanonicalKind& kind : kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

const CanonicalField* findField(const CanonicalKind& kind, std::string_view name) {
  for (const CanonicalField& f : kind.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool isSchemeName(std::string_view scheme) {
  if (scheme.empty() || scheme.size() > 32 || scheme.front() < 'a' || scheme.front() > 'z') {
    return false;
  }
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// ---- Date formats: %d %m %b %Y %H %M %S and literal characters.

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

// Why a pattern cannot be a date format, or empty when it can.
std::string dateFormatProblem(std::string_view format) {
  if (format.empty() || format == "iso") return {};
  int days = 0;
  int months = 0;
  int years = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) return "ends in a lone %";
    switch (format[++i]) {
      case 'd':
        ++days;
        break;
      case 'm':
      case 'b':
        ++months;
        break;
      case 'Y':
        ++years;
        break;
      case 'H':
      case 'M':
      case 'S':
        break;
      default:
        return std::string("%") + format[i] + " is not one of %d %m %b %Y %H %M %S";
    }
  }
  if (days != 1 || months != 1 || years != 1) {
    return "needs the day (%d), the month (%m or %b) and the year (%Y) once each";
  }
  return {};
}

// Reads up to `max` digits (at least one) into `value`.
bool readNumber(std::string_view text, size_t& at, size_t max, int& value) {
  const size_t start = at;
  value = 0;
  while (at < text.size() && at - start < max && text[at] >= '0' && text[at] <= '9') {
    value = value * 10 + (text[at++] - '0');
  }
  return at > start;
}

std::optional<Date> parseDateAs(std::string_view text, std::string_view format,
                                const TimeZone& zone) {
  if (format.empty() || format == "iso") return canonical::parseIsoDate(text, zone);
  int day = 0;
  int month = 0;
  int year = 0;
  int ignored = 0;
  size_t at = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      if (at >= text.size() || text[at] != format[i]) return std::nullopt;
      ++at;
      continue;
    }
    bool ok = false;
    switch (format[++i]) {
      case 'd':
        ok = readNumber(text, at, 2, day);
        break;
      case 'm':
        ok = readNumber(text, at, 2, month);
        break;
      case 'Y':
        ok = readNumber(text, at, 4, year) && year >= 1000;
        break;
      case 'b':
        for (size_t m = 0; m < 12 && !ok; ++m) {
          if (at + 3 <= text.size() && equalsIgnoreCase(text.substr(at, 3), kMonths[m])) {
            month = static_cast<int>(m) + 1;
            at += 3;
            ok = true;
          }
        }
        break;
      default:
        ok = readNumber(text, at, 2, ignored);
        break;
    }
    if (!ok) return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const Date date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                  std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool isKnownCode(CodeSet set, std::string_view value) {
  // A code any version of the list holds: the record's year decides when it is read.
  for (int year = 2000; year <= 2040; ++year) {
    if (validation::checkCode(set, year, value).valid) return true;
  }
  return false;
}

// Why `value` cannot be what the field holds, or empty when it can: for the values of a code
// map and constants, which are checked once, at load.
std::string valueProblem(const CanonicalField& f, std::string_view value) {
  switch (f.type) {
    case FieldType::kCode:
      if (!isKnownCode(*f.codes, value)) {
        return "\"" + std::string(value) + "\" is not a " +
               std::string(validation::codeSetField(*f.codes)) + " code";
      }
      break;
    case FieldType::kSex:
      if (sexOf(value) == canonical::Sex::kNotRecorded) {
        return "\"" + std::string(value) + "\" is not a sex code (M, F, U or I)";
      }
      break;
    case FieldType::kFlag:
      if (!parseFlag(value)) return "\"" + std::string(value) + "\" is neither true nor false";
      break;
    case FieldType::kPostcode:
      if (!validation::isValidPostcode(value)) {
        return "\"" + std::string(value) + "\" is not a postcode";
      }
      break;
    default:
      break;
  }
  return {};
}

void checkRecord(const RecordRule& rule, std::vector<MappingProblem>& problems) {
  const CanonicalKind* kind = findKind(rule.kind);
  if (kind == nullptr) {
    std::string known;
    for (std::string_view name : mappableKinds())
      known += (known.empty() ? "" : ", ") + std::string(name);
    problems.push_back(
        {rule.where, "unknown record kind \"" + rule.kind + "\" (one of " + known + ")"});
    return;
  }
  if (rule.subject.empty()) {
    problems.push_back({rule.where, "names no subject: the source field of the local id"});
  }
  std::set<std::string_view> filled;
  for (const FieldRule& f : rule.fields) {
    const CanonicalField* target = findField(*kind, f.target);
    if (target == nullptr) {
      std::string known;
      for (const CanonicalField& c : kind->fields)
        known += (known.empty() ? "" : ", ") + std::string(c.name);
      problems.push_back(
          {f.where, rule.kind + " has no field \"" + f.target + "\" (its fields: " + known + ")"});
      continue;
    }
    if (!filled.insert(f.target).second) {
      problems.push_back({f.where, "\"" + f.target + "\" is filled twice"});
    }
    if (f.from.empty() == f.constant.empty()) {
      problems.push_back({f.where, "give the source field (from) or a constant, not both"});
    }
    const bool is_date =
        target->type == FieldType::kDate || target->type == FieldType::kPlannedDate;
    if (!f.date_format.empty() && !is_date) {
      problems.push_back(
          {f.where, "a date format is for date fields; " + f.target + " is not one"});
    } else if (const std::string why = dateFormatProblem(f.date_format); !why.empty()) {
      problems.push_back({f.where, "date format \"" + f.date_format + "\" " + why});
    }
    if (!f.codes.empty() && is_date) {
      problems.push_back({f.where, "a code map is for coded fields; " + f.target + " is a date"});
    }
    for (const auto& [from, to] : f.codes) {
      if (const std::string why = valueProblem(*target, to); !why.empty()) {
        problems.push_back({f.where, "code map " + from + " -> " + why});
      }
    }
    if (!f.constant.empty() && f.codes.empty() && !is_date) {
      if (const std::string why = valueProblem(*target, f.constant); !why.empty()) {
        problems.push_back({f.where, "constant " + why});
      }
    }
  }
  if (!rule.identifiers.empty() && rule.kind != "person") {
    problems.push_back({rule.identifiers.front().where, "identifiers belong to a person record"});
  }
  for (const IdentifierRule& id : rule.identifiers) {
    if (!isSchemeName(id.scheme)) {
      problems.push_back({id.where, "identifier scheme \"" + id.scheme +
                                        "\" is not a name (lower case letters, digits, _)"});
    } else if (id.scheme == "la_child") {
      problems.push_back({id.where, "la_child is the record's subject; it needs no identifier"});
    }
    if (id.from.empty()) problems.push_back({id.where, "names no source field (from)"});
  }
}

// ---- Normalising with a mapping.

struct CompiledField {
  const FieldRule* rule;
  const CanonicalField* target;
};

struct CompiledRecord {
  const RecordRule* rule;
  const CanonicalKind* kind;
  std::vector<CompiledField> fields;
};

std::optional<Value> readValue(RecordReader& r, const CompiledField& f) {
  const FieldRule& rule = *f.rule;
  const std::string_view source = rule.from.empty() ? std::string_view{} : rule.from;
  // A view of the row (or the rule): copied only when a text value is kept.
  std::string_view text = source.empty() ? std::string_view(rule.constant) : r.field(source);
  if (text.empty()) return std::nullopt;
  const std::string_view name = source.empty() ? std::string_view(rule.target) : source;
  if (!rule.codes.empty()) {
    const auto it = rule.codes.find(text);
    if (it == rule.codes.end()) {
      r.finding("code.unmapped", std::string(name) + " value is not in the mapping's code map",
                name, Severity::kQuery);
      return std::nullopt;
    }
    text = it->second;
  }
  switch (f.target->type) {
    case FieldType::kText:
      return std::string(text);
    case FieldType::kSex:
      if (sexOf(text) != canonical::Sex::kNotRecorded) return std::string(text);
      r.finding("code.unknown", std::string(name) + " is not a sex code", name, Severity::kQuery);
      return std::nullopt;
    case FieldType::kCode: {
      const validation::CodeCheck check = validation::checkCode(*f.target->codes, r.year(), text);
      if (check.valid) return std::string(text);
      r.finding("code.unknown",
                std::string(validation::codeSetField(*f.target->codes)) +
                    " code is not in the list for the year",
                name, Severity::kQuery, check.year_applied);
      return std::nullopt;
    }
    case FieldType::kDate:
    case FieldType::kPlannedDate: {
      const std::optional<Date> date =
          r.checkedDate(name, parseDateAs(text, rule.date_format, r.context().time_zone),
                        f.target->type == FieldType::kPlannedDate);
      if (date) return *date;
      return std::nullopt;
    }
    case FieldType::kFlag:
      if (const std::optional<bool> flag = parseFlag(text)) return *flag;
      r.finding("flag.invalid", std::string(name) + " is neither true nor false", name,
                Severity::kQuery);
      return std::nullopt;
    case FieldType::kCount:
    case FieldType::kNumber: {
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      const bool in_range =
          error == std::errc{} && end == text.data() + text.size() && value >= 0 && value <= 1e6;
      const bool whole = f.target->type == FieldType::kNumber ||
                         (in_range && value == static_cast<double>(static_cast<int>(value)));
      if (!in_range || !whole) {
        r.finding("number.invalid", std::string(name) + " is not a number of 0 or more", name,
                  Severity::kQuery);
        return std::nullopt;
      }
      if (f.target->type == FieldType::kCount) return static_cast<int>(value);
      return value;
    }
    case FieldType::kPostcode:
      if (std::optional<std::string> normal = validation::normalisePostcode(text)) return *normal;
      r.finding("postcode.invalid", std::string(name) + " is not a valid postcode", name,
                Severity::kQuery);
      return std::nullopt;
  }
  return std::nullopt;
}

void addIdentifier(RecordReader& r, canonical::Person& person, const IdentifierRule& id) {
  const std::string_view value = r.field(id.from);
  if (id.scheme == "nhs") {
    addNhsNumber(r, person, value);
  } else if (id.scheme == "upn" || id.scheme == "former_upn") {
    addUpn(r, person, id.scheme, value, "");
  } else if (id.scheme == "uln") {
    addUln(r, person, value);
  } else if (!value.empty()) {
    canonical::addIdentifier(person,
                             {id.scheme, std::string(value), r.provenance().source_system()});
  }
}

// Every record a stream's rules make of one source record; none when anything rejects it.
size_t normaliseStream(RecordReader& r, const std::vector<CompiledRecord>& records) {
  std::vector<canonical::Record> made;
  bool named = true;
  for (const CompiledRecord& compiled : records) {
    canonical::Record record = compiled.kind->make();
    canonical::Subject subject;
    // One finding for a row that names no subject, however many records it makes.
    if (!r.subject(compiled.rule->subject, subject)) {
      named = false;
      break;
    }
    std::visit(
        [&](auto& made_record) {
          made_record.provenance = r.provenance();
          made_record.subject = subject;
        },
        record);
    for (const CompiledField& f : compiled.fields) {
      if (std::optional<Value> value = readValue(r, f)) f.target->set(record, std::move(*value));
    }
    if (auto* person = std::get_if<canonical::Person>(&record)) {
      if (!subject.value.empty()) {
        person->identifiers.push_back({"la_child", subject.value, subject.system});
      }
      for (const IdentifierRule& id : compiled.rule->identifiers) addIdentifier(r, *person, id);
    }
    made.push_back(std::move(record));
  }
  if (!named || r.rejected()) return 0;
  for (canonical::Record& record : made) r.out().records.push_back(std::move(record));
  return made.size();
}

// Owns the mapping the layout's names view.
struct MappedLayout {
  Mapping mapping;
  Layout layout;
  std::string name;
};

}  // namespace

std::vector<MappingProblem> checkMapping(const Mapping& mapping) {
  std::vector<MappingProblem> problems;
  std::set<std::string_view> streams;
  for (const StreamRule& stream : mapping.streams) {
    if (!streams.insert(stream.stream).second) {
      problems.push_back({stream.where, "stream \"" + stream.stream + "\" is mapped twice"});
    }
    if (stream.records.empty()) {
      problems.push_back({stream.where, "makes no records: give at least one under records"});
    }
    for (const RecordRule& record : stream.records) checkRecord(record, problems);
  }
  return problems;
}

std::shared_ptr<const Layout> mappedLayout(const Mapping& mapping, std::string name) {
  if (const std::vector<MappingProblem> problems = checkMapping(mapping); !problems.empty()) {
    throw std::invalid_argument("mapping: " + problems.front().message);
  }
  auto owner = std::make_shared<MappedLayout>();
  owner->mapping = mapping;
  owner->name = std::move(name);
  Layout layout;
  layout.name = owner->name;
  for (const StreamRule& stream : owner->mapping.streams) {
    StreamLayout built;
    built.fields.stream = stream.stream;
    std::vector<CompiledRecord> compiled;
    for (const RecordRule& record : stream.records) {
      CompiledRecord c{&record, findKind(record.kind), {}};
      built.fields.mapped.push_back(record.subject);
      for (const FieldRule& f : record.fields) {
        c.fields.push_back({&f, findField(*c.kind, f.target)});
        if (!f.from.empty()) built.fields.mapped.push_back(f.from);
      }
      for (const IdentifierRule& id : record.identifiers) built.fields.mapped.push_back(id.from);
      compiled.push_back(std::move(c));
    }
    for (const std::string& ignored : stream.ignore) built.fields.ignored.push_back(ignored);
    built.normalise = [records = std::move(compiled)](RecordReader& r) {
      return normaliseStream(r, records);
    };
    layout.streams.push_back(std::move(built));
  }
  for (StreamLayout& stream : layout.streams) {
    auto& mapped = stream.fields.mapped;
    std::sort(mapped.begin(), mapped.end());
    mapped.erase(std::unique(mapped.begin(), mapped.end()), mapped.end());
  }
  owner->layout = makeLayout(std::move(layout));
  return std::shared_ptr<const Layout>(owner, &owner->layout);
}

std::vector<std::string_view> mappableKinds() {
  std::vector<std::string_view> names;
  for (const CanonicalKind& kind : kinds()) names.push_back(kind.name);
  return names;
}

std::vector<std::string_view> mappableFields(std::string_view kind_name) {
  std::vector<std::string_view> names;
  if (const CanonicalKind* kind = findKind(kind_name)) {
    for (const CanonicalField& f : kind->fields) names.push_back(f.name);
  }
  return names;
}

}  // namespace hearth::pipelines::normalise
