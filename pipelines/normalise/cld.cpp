#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::Severity;

// Release 2 service types. Release 1 wrote the same labels capitalised differently ("Long Term
// Support: Nursing Care"): a label equal to one of these but for case becomes this one.
constexpr std::string_view kServiceTypes[] = {
    "Long term support: Nursing care",
    "Long term support: Residential care",
    "Long term support: Community",
    "Long term support: Prison",
    "Short term support: ST-Max",
    "Short term support: Ongoing low level",
    "Short term support: Other short term",
    "Unpaid carer support: Direct support",
    "Unpaid carer support: Support involving the person cared-for",
    "Unpaid carer support: Information and advice",
};

constexpr std::string_view kEventTypes[] = {"Request", "Assessment", "Service", "Review"};

std::string release2ServiceType(std::string_view label) {
  for (std::string_view known : kServiceTypes) {
    if (equalsIgnoreCase(label, known)) return std::string(known);
  }
  return std::string(label);
}

canonical::Sex sexOf(std::string_view gender) {
  if (equalsIgnoreCase(gender, "Male") || equalsIgnoreCase(gender, "M")) {
    return canonical::Sex::kMale;
  }
  if (equalsIgnoreCase(gender, "Female") || equalsIgnoreCase(gender, "F")) {
    return canonical::Sex::kFemale;
  }
  return gender.empty() ? canonical::Sex::kNotRecorded : canonical::Sex::kUnknown;
}

// One row: the client as a person, and the event. The DHSC cleaning rules: an event ending before
// it started, or starting after the client's death, is rejected with its reason; an end after the
// death (or none) is cut to the death. Duplicates by the unique-event key and the latest
// submission are the indicators' deduplication (`submitted`), since copies arrive in different
// quarterly files.
size_t clientLevelRow(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "LA_Person_Unique_Identifier", ok);
  addNhsNumber(r, person, r.field("NHS_Number"));
  person.sex = sexOf(r.field("Gender"));
  person.ethnicity = r.field("Ethnicity");
  person.birth_date = r.date("Date_of_Birth");
  person.death_date = r.date("Date_of_Death");
  person.postcode = r.postcode("Client_Postcode", "");

  auto e = start<canonical::AdultCareEvent>(r);
  e.subject = person.subject;
  for (std::string_view known : kEventTypes) {
    if (equalsIgnoreCase(r.field("Event_Type"), known)) e.event_type = known;
  }
  if (e.event_type.empty()) {
    r.finding("code.unknown", "Event_Type is not Request, Assessment, Service or Review",
              "Event_Type", Severity::kReject);
  }
  e.reference = r.field("Event_Reference");
  e.start = r.date("Event_Start_Date");
  e.end = r.date("Event_End_Date");
  e.outcome = r.field("Event_Outcome");
  e.service_type = release2ServiceType(r.field("Service_Type"));
  e.service_component = r.field("Service_Component");
  e.delivery_mechanism = r.field("Delivery_Mechanism");
  e.client_type = r.field("Client_Type");
  e.support_reason = r.field("Primary_Support_Reason");
  e.submitted = r.date("Reporting_Period_End_Date");
  if (e.start && e.end && *e.end < *e.start) {
    r.finding("cld.end_before_start", "Event_End_Date is before Event_Start_Date", "Event_End_Date",
              Severity::kReject);
  }
  if (person.death_date) {
    if (e.start && *e.start > *person.death_date) {
      r.finding("cld.event_after_death", "the event starts after the client's date of death",
                "Event_Start_Date", Severity::kReject);
    } else if (!e.end || *e.end > *person.death_date) {
      e.end = person.death_date;
    }
  }
  if (!ok) return 0;
  return emit(r, std::move(person)) + emit(r, std::move(e));
}

}  // namespace

// Adult social care Client Level Data (Release 1 or 2), one CSV row per event, ISO dates.
const Layout& cldLayout() {
  static const Layout kLayout = makeLayout({
      .name = "cld",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = {{{"client_level_data",
                    {"LA_Person_Unique_Identifier", "NHS_Number", "Gender", "Ethnicity",
                     "Date_of_Birth", "Date_of_Death", "Client_Postcode", "Client_Type",
                     "Primary_Support_Reason", "Event_Type", "Event_Reference", "Event_Start_Date",
                     "Event_End_Date", "Event_Outcome", "Service_Type", "Service_Component",
                     "Delivery_Mechanism", "Reporting_Period_End_Date"},
                    // The submission's own bookkeeping; the description repeats the component.
                    {"LA_Code", "Reporting_Period_Start_Date", "Event_Description",
                     "GP_Practice_Code", "Accommodation_Status", "Employment_Status",
                     "Has_Unpaid_Carer", "Unit_Cost", "Planned_units_per_week"}},
                   clientLevelRow}},
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
