#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// H-CLIC elements and the names the housing system's section export gives them: the one place
// they are written down. The XSD is sent on request, not published; a council whose system names
// an element otherwise changes this table only.
constexpr std::pair<std::string_view, std::string_view> kElements[] = {
    {"case", "CASE_REF"},
    {"previous_case", "PREVIOUS_CASE_REF"},
    {"household", "HOUSEHOLD_REF"},
    {"main_applicant", "MAIN_APPLICANT_PERSON_REF"},
    {"application_date", "DATE_OF_APPLICATION"},
    {"assessment_date", "DATE_OF_ASSESSMENT"},
    {"prevention_owed", "PREVENTION_DUTY_OWED"},
    {"relief_owed", "RELIEF_DUTY_OWED"},
    {"reason_for_loss", "REASON_LOSS_SETTLED_HOME"},
    {"adults", "NUMBER_OF_ADULTS"},
    {"children", "NUMBER_OF_CHILDREN"},
    {"sleeping_rough", "SLEEPING_ROUGH_AT_APPLICATION"},
    {"postcode", "POSTCODE"},
    {"uprn", "UPRN"},
    {"person", "PERSON_REF"},
    {"forename", "FORENAME"},
    {"surname", "SURNAME"},
    {"birth_date", "DATE_OF_BIRTH"},
    {"sex", "SEX"},
    {"nino", "NINO"},
    {"nhs_number", "NHS_NUMBER"},
    {"relationship", "RELATIONSHIP_TO_MAIN_APPLICANT"},
    {"lead_applicant", "LEAD_APPLICANT"},
    {"prevention_start", "PREVENTION_DUTY_START"},
    {"prevention_end", "PREVENTION_DUTY_END"},
    {"prevention_outcome", "PREVENTION_OUTCOME"},
    {"relief_start", "RELIEF_DUTY_START"},
    {"relief_end", "RELIEF_DUTY_END"},
    {"relief_outcome", "RELIEF_OUTCOME"},
    {"decision_date", "MAIN_DUTY_DECISION_DATE"},
    {"decision", "MAIN_DUTY_DECISION"},
    {"placement", "TA_PLACEMENT_REF"},
    {"ta_start", "TA_START_DATE"},
    {"ta_end", "TA_END_DATE"},
    {"ta_type", "TA_TYPE"},
    {"ta_out_of_district", "TA_OUT_OF_AREA"},
    {"ta_with_children", "TA_WITH_CHILDREN"},
    // Rough sleeping outreach contacts, kept by the same housing system.
    {"contact", "CONTACT_REF"},
    {"outreach_client", "CLIENT_REF"},
    {"date_seen", "DATE_SEEN"},
    {"area_seen", "LOCATION_AREA"},
};

constexpr std::string_view column(std::string_view element) {
  for (const auto& [name, source] : kElements) {
    if (name == element) return source;
  }
  return {};
}

std::vector<std::string_view> columns(std::initializer_list<std::string_view> elements) {
  std::vector<std::string_view> out;
  for (std::string_view element : elements) out.push_back(column(element));
  return out;
}

std::string_view element(RecordReader& r, std::string_view name) { return r.field(column(name)); }

canonical::Sex sexOf(std::string_view code) {
  if (equalsIgnoreCase(code, "M")) return canonical::Sex::kMale;
  if (equalsIgnoreCase(code, "F")) return canonical::Sex::kFemale;
  return code.empty() ? canonical::Sex::kNotRecorded : canonical::Sex::kUnknown;
}

// Main: the case, about its main applicant, and the household's address as a Person of the
// applicant holding only postcode and UPRN, which identity folds into them. A case whose
// reference changed between returns is kept as one case when the export names the earlier
// reference; otherwise it is a new case.
size_t mainSection(RecordReader& r) {
  auto c = start<canonical::HomelessnessCase>(r);
  const bool ok = r.subject(column("main_applicant"), c.subject);
  c.case_ref = element(r, "case");
  c.previous_case_ref = element(r, "previous_case");
  if (c.previous_case_ref == c.case_ref) c.previous_case_ref.clear();
  c.household = element(r, "household");
  c.application = r.date(column("application_date"));
  c.assessment = r.date(column("assessment_date"));
  c.prevention_duty_owed = r.flag(column("prevention_owed"));
  c.relief_duty_owed = r.flag(column("relief_owed"));
  c.reason = element(r, "reason_for_loss");
  c.sleeping_rough = r.flag(column("sleeping_rough"));
  auto address = start<canonical::Person>(r);
  address.subject = c.subject;
  address.postcode = r.postcode(column("postcode"), "");
  const std::string_view uprn = element(r, "uprn");
  uint64_t number = 0;
  const auto parsed = std::from_chars(uprn.data(), uprn.data() + uprn.size(), number);
  if (!uprn.empty() && parsed.ec == std::errc{} && parsed.ptr == uprn.data() + uprn.size() &&
      number >= 1 && number <= 999'999'999'999) {
    address.uprn = std::to_string(number);
  } else if (!uprn.empty()) {
    r.finding("uprn.invalid", "UPRN is not a number from 1 to 999999999999", column("uprn"),
              Severity::kQuery);
  }
  if (c.case_ref.empty()) {
    r.finding("hclic.no_case_ref", "the case has no case reference", column("case"),
              Severity::kReject);
  }
  if (!ok) return 0;
  return emit(r, std::move(c)) + emit(r, std::move(address));
}

// People: every member of the household as a person, and their membership of the case's
// household with their relationship to the applicant. A member whose case has no Main record
// (yet) is still a person.
size_t peopleSection(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, column("person"), ok);
  person.given_name = element(r, "forename");
  person.family_name = element(r, "surname");
  person.birth_date = r.date(column("birth_date"));
  person.sex = sexOf(element(r, "sex"));
  addNhsNumber(r, person, element(r, "nhs_number"));
  if (const std::string_view nino = element(r, "nino"); !nino.empty()) {
    person.identifiers.push_back({"nino", std::string(nino), r.provenance().source_system()});
  }
  auto member = start<canonical::HouseholdMember>(r);
  member.subject = person.subject;
  member.group = element(r, "case");
  member.relationship = element(r, "relationship");
  if (!ok) return 0;
  return emit(r, std::move(person)) + emit(r, std::move(member));
}

canonical::HomelessnessDuty duty(RecordReader& r, std::string kind, bool& ok) {
  auto d = start<canonical::HomelessnessDuty>(r);
  ok = r.subject(column("main_applicant"), d.subject);
  d.case_ref = element(r, "case");
  d.duty = std::move(kind);
  return d;
}

// The end of a duty cannot come before its start: such a record is rejected, not guessed at.
size_t emitDuty(RecordReader& r, canonical::HomelessnessDuty d, std::string_view end_field) {
  if (d.start && d.end && *d.end < *d.start) {
    r.finding("hclic.end_before_start", std::string(end_field) + " is before the duty began",
              end_field, Severity::kReject);
  }
  return emit(r, std::move(d));
}

size_t preventionSection(RecordReader& r) {
  bool ok = false;
  canonical::HomelessnessDuty d = duty(r, "prevention", ok);
  d.start = r.date(column("prevention_start"));
  d.end = r.date(column("prevention_end"));
  d.outcome = element(r, "prevention_outcome");
  if (!ok) return 0;
  return emitDuty(r, std::move(d), column("prevention_end"));
}

// Relief, with the main duty decision that may follow it.
size_t reliefSection(RecordReader& r) {
  bool ok = false;
  canonical::HomelessnessDuty relief = duty(r, "relief", ok);
  relief.start = r.date(column("relief_start"));
  relief.end = r.date(column("relief_end"));
  relief.outcome = element(r, "relief_outcome");
  if (!ok) return 0;
  canonical::HomelessnessDuty decision = relief;
  decision.duty = "main";
  decision.start = r.date(column("decision_date"));
  decision.end.reset();
  decision.outcome = element(r, "decision");
  const size_t emitted = emitDuty(r, std::move(relief), column("relief_end"));
  if (!decision.start) return emitted;
  return emitted + emit(r, std::move(decision));
}

size_t temporaryAccommodationSection(RecordReader& r) {
  auto t = start<canonical::TemporaryAccommodation>(r);
  const bool ok = r.subject(column("main_applicant"), t.subject);
  t.case_ref = element(r, "case");
  t.placement_ref = element(r, "placement");
  t.start = r.date(column("ta_start"));
  t.end = r.date(column("ta_end"));
  t.type = element(r, "ta_type");
  t.out_of_district = r.flag(column("ta_out_of_district"));
  t.with_children = r.flag(column("ta_with_children"));
  if (t.start && t.end && *t.end < *t.start) {
    r.finding("hclic.end_before_start", "the placement ends before it began", column("ta_end"),
              Severity::kReject);
  }
  if (!ok) return 0;
  return emit(r, std::move(t));
}

// An outreach contact, about the outreach service's client; a contact without a client
// reference is its own subject, which identity links by name, birth date and sex where it can.
size_t roughSleepingContact(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(
      r, column(element(r, "outreach_client").empty() ? "contact" : "outreach_client"), ok);
  person.given_name = element(r, "forename");
  person.family_name = element(r, "surname");
  person.birth_date = r.date(column("birth_date"));
  person.sex = sexOf(element(r, "sex"));
  auto seen = start<canonical::RoughSleepingContact>(r);
  seen.subject = person.subject;
  seen.date = r.date(column("date_seen"));
  seen.area = element(r, "area_seen");
  if (!ok) return 0;
  return emit(r, std::move(person)) + emit(r, std::move(seen));
}

// The sections as the housing system's export names its files (streams), each joined to the
// case by its reference; the household's size is counted from People rather than copied.
std::vector<StreamLayout> hclicStreams() {
  return {
      {{"main",
        columns({"case", "previous_case", "household", "main_applicant", "application_date",
                 "assessment_date", "prevention_owed", "relief_owed", "reason_for_loss",
                 "sleeping_rough", "postcode", "uprn"}),
        columns({"adults", "children"})},
       mainSection},
      {{"people",
        columns({"case", "person", "forename", "surname", "birth_date", "sex", "nino", "nhs_number",
                 "relationship"}),
        columns({"lead_applicant"})},
       peopleSection},
      {{"prevention",
        columns(
            {"case", "main_applicant", "prevention_start", "prevention_end", "prevention_outcome"}),
        {}},
       preventionSection},
      {{"relief",
        columns({"case", "main_applicant", "relief_start", "relief_end", "relief_outcome",
                 "decision_date", "decision"}),
        {}},
       reliefSection},
      {{"temporary_accommodation",
        columns({"case", "main_applicant", "placement", "ta_start", "ta_end", "ta_type",
                 "ta_out_of_district", "ta_with_children"}),
        {}},
       temporaryAccommodationSection},
      {{"rough_sleeping",
        columns({"contact", "outreach_client", "date_seen", "forename", "surname", "birth_date",
                 "sex", "area_seen"}),
        {}},
       roughSleepingContact},
  };
}

}  // namespace

// H-CLIC case level data (the nine sections joined by case reference; here those the canonical
// model holds) and rough sleeping contacts, from the housing system's export, ISO dates.
const Layout& hclicLayout() {
  static const Layout kLayout = makeLayout({
      .name = "hclic",
      .mapped_everywhere = {"collection_year"},
      // The export's watermark and the council's own code are bookkeeping.
      .ignored_everywhere = {"UPDATED_AT", "LA_CODE"},
      .streams = hclicStreams(),
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
