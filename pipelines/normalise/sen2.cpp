#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipelines/normalise/council_list.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// The SEN2 blade export: one CSV per module of the return, each row keyed by its own table id
// and naming the row it hangs from by that row's id. Only a request names the person, so every
// other row is about the row above it ("request/<id>"), and each row that others hang from is
// linked to its own parent (canonical::SubjectLink): identity follows the chain to the person.

// The subject "<kind>/<id>" of a row that hangs from the row `field` names; blank rejects it.
bool parentSubject(RecordReader& r, std::string_view field, std::string_view kind,
                   canonical::Subject& subject) {
  if (!r.subject(field, subject)) return false;
  subject.value = std::string(kind) + "/" + subject.value;
  return true;
}

// Publishes a row that others hang from, and the link from its own id ("<kind>/<id>") to the
// subject it hangs from; nothing when something rejected it.
template <typename T>
size_t emitLinked(RecordReader& r, bool ok, T&& row, const std::string& own_id,
                  std::string_view kind) {
  if (!ok || r.rejected()) return 0;
  auto link = start<canonical::SubjectLink>(r);
  link.subject = {row.subject.system, std::string(kind) + "/" + own_id};
  link.same_as = row.subject;
  const size_t emitted = emit(r, std::forward<T>(row));
  return emitted + emit(r, std::move(link));
}

std::optional<int> rank(RecordReader& r, std::string_view field) {
  std::optional<int> n = r.count(field);
  if (n && *n == 0) {
    r.finding("sen2.rank_zero", std::string(field) + " is 0; ranks start at 1", field,
              Severity::kQuery);
    n.reset();
  }
  return n;
}

// The person module: names, birth date, UPN (or why there is none) and ULN.
size_t sen2Person(RecordReader& r) {
  canonical::Subject subject;
  const bool ok = r.subject("persontableid", subject);
  canonical::Person person =
      namedPerson(r, subject, "forename", "surname", "personbirthdate", "sex");
  person.ethnicity = r.field("ethnicity");
  person.postcode = r.postcode("postcode", "");
  addUpn(r, person, "upn", r.field("upn"), "");
  if (const std::string_view unknown = r.field("upnunknown");
      !unknown.empty() && person.upn_unknown_reason.empty()) {
    person.upn_unknown_reason = unknown;
  }
  addUln(r, person, r.field("uniquelearnernumber"));
  if (!ok) return 0;
  return emit(r, std::move(person));
}

size_t sen2Request(RecordReader& r) {
  auto request = start<canonical::EhcRequest>(r);
  const bool ok = r.subject("persontableid", request.subject);
  request.request = r.required("requeststableid");
  request.received = r.date("receiveddate");
  request.decided = r.date("requestoutcomedate");
  request.outcome = r.field("requestoutcome");
  if (request.received && request.decided && *request.decided < *request.received) {
    r.finding("date.order", "requestoutcomedate is before receiveddate", "requestoutcomedate",
              Severity::kReject);
  }
  const std::string id = request.request;
  return emitLinked(r, ok, std::move(request), id, "request");
}

size_t sen2Assessment(RecordReader& r) {
  auto assessment = start<canonical::EhcAssessment>(r);
  const bool ok = parentSubject(r, "requeststableid", "request", assessment.subject);
  assessment.assessment = r.required("assessmenttableid");
  assessment.request = r.field("requeststableid");
  assessment.decided = r.date("assessmentoutcomedate");
  assessment.outcome = r.field("assessmentoutcome");
  assessment.week20_exception = r.flag("week20");
  const std::string id = assessment.assessment;
  return emitLinked(r, ok, std::move(assessment), id, "assessment");
}

size_t sen2NamedPlan(RecordReader& r) {
  auto plan = start<canonical::EhcNamedPlan>(r);
  const bool ok = parentSubject(r, "assessmenttableid", "assessment", plan.subject);
  plan.plan = r.required("namedplantableid");
  plan.assessment = r.field("assessmenttableid");
  plan.start = r.date("startdate");
  plan.ceased = r.date("ceasedate");
  plan.cease_reason = r.field("ceasereason");
  if (plan.start && plan.ceased && *plan.ceased < *plan.start) {
    r.finding("date.order", "ceasedate is before startdate", "ceasedate", Severity::kReject);
  }
  if (plan.ceased && plan.cease_reason.empty()) {
    r.finding("sen2.no_cease_reason", "the plan ceased without a ceasereason", "ceasereason",
              Severity::kQuery);
  }
  const std::string id = plan.plan;
  return emitLinked(r, ok, std::move(plan), id, "namedplan");
}

size_t sen2ActivePlan(RecordReader& r) {
  auto active = start<canonical::EhcActivePlan>(r);
  const bool ok = parentSubject(r, "requeststableid", "request", active.subject);
  active.active_plan = r.required("activeplanstableid");
  active.request = r.field("requeststableid");
  active.last_review = r.date("lastreview");
  const std::string id = active.active_plan;
  return emitLinked(r, ok, std::move(active), id, "activeplan");
}

// A placement names a school by URN, a provider by UKPRN, or else a SEN2 setting code; which
// kind of school a URN is comes from the GIAS register, joined where the plan is read.
size_t placement(RecordReader& r, bool active) {
  auto p = start<canonical::EhcPlacement>(r);
  const std::string_view owner = active ? "activeplanstableid" : "namedplantableid";
  const bool ok = parentSubject(r, owner, active ? "activeplan" : "namedplan", p.subject);
  p.owner = r.field(owner);
  p.active = active;
  p.urn = r.field("urn");
  p.ukprn = r.field("ukprn");
  p.setting = r.field("sensetting");
  p.rank = rank(r, "placementrank");
  if (active) {
    p.entry = r.date("entrydate");
    p.leaving = r.date("leavingdate");
    if (p.entry && p.leaving && *p.leaving < *p.entry) {
      r.finding("date.order", "leavingdate is before entrydate", "leavingdate", Severity::kReject);
    }
  }
  if (p.urn.empty() && p.ukprn.empty() && p.setting.empty()) {
    r.finding("sen2.no_setting", "the placement names no URN, UKPRN or sensetting", "sensetting",
              Severity::kQuery);
  }
  if (!ok) return 0;
  return emit(r, std::move(p));
}

size_t sen2Need(RecordReader& r) {
  auto need = start<canonical::SenNeed>(r);
  const bool ok = parentSubject(r, "activeplanstableid", "activeplan", need.subject);
  need.active_plan = r.field("activeplanstableid");
  need.type = r.required("sentype");
  need.rank = rank(r, "sentyperank");
  if (!ok) return 0;
  return emit(r, std::move(need));
}

// The header names the return; its rows describe no one. Its reference date is checked.
size_t sen2Header(RecordReader& r) {
  if (const std::string_view collection = r.field("collection");
      !collection.empty() && !equalsIgnoreCase(collection, "SEN2")) {
    r.finding("sen2.collection", "the header's collection is not SEN2", "collection",
              Severity::kQuery);
  }
  r.date("referencedate");
  return 0;
}

constexpr std::string_view kPlacementFields[] = {"urn", "ukprn", "sensetting", "placementrank"};

std::vector<std::string_view> placementFields(std::string_view owner,
                                              std::vector<std::string_view> more) {
  std::vector<std::string_view> fields = {owner};
  fields.insert(fields.end(), std::begin(kPlacementFields), std::end(kPlacementFields));
  fields.insert(fields.end(), more.begin(), more.end());
  return fields;
}

std::vector<StreamLayout> sen2Streams() {
  return {
      {{"person",
        {"persontableid", "surname", "forename", "personbirthdate", "sex", "ethnicity", "postcode",
         "upn", "uniquelearnernumber", "upnunknown"},
        {"personorderseqcolumn", "sen2tableid"}},
       sen2Person},
      {{"requests",
        {"requeststableid", "persontableid", "receiveddate", "requestoutcomedate",
         "requestoutcome"},
        {"requestsorderseqcolumn", "rya", "requestmediation", "requesttribunal", "exported"}},
       sen2Request},
      {{"assessment",
        {"assessmenttableid", "requeststableid", "assessmentoutcome", "assessmentoutcomedate",
         "week20"},
        {"assessmentorderseqcolumn", "assessmentmediation", "assessmenttribunal", "othermediation",
         "othertribunal"}},
       sen2Assessment},
      {{"namedplan",
        {"namedplantableid", "assessmenttableid", "startdate", "ceasedate", "ceasereason"},
        {"namedplanorderseqcolumn", "planres", "planwbp", "pb", "oa", "dp"}},
       sen2NamedPlan},
      {{"plandetail",
        placementFields("namedplantableid", {}),
        {"plandetailorderseqcolumn", "plandetailtableid", "sensettingother", "senunitindicator",
         "resourcedprovisionindicator"}},
       [](RecordReader& r) { return placement(r, false); }},
      {{"activeplans",
        {"activeplanstableid", "requeststableid", "lastreview"},
        {"activeplansorderseqcolumn", "transferla", "reviewmeeting", "reviewoutcome"}},
       sen2ActivePlan},
      {{"placementdetail",
        placementFields("activeplanstableid", {"entrydate", "leavingdate"}),
        {"placementdetailorderseqcolumn", "placementdetailtableid", "res", "wbp", "sensettingother",
         "senunitindicator", "resourcedprovisionindicator"}},
       [](RecordReader& r) { return placement(r, true); }},
      {{"senneed",
        {"activeplanstableid", "sentype", "sentyperank"},
        {"senneedorderseqcolumn", "senneedtableid"}},
       sen2Need},
      {{"sen2",
        {"collection", "referencedate"},
        {"sen2orderseqcolumn", "sen2tableid", "year", "sourcelevel", "softwarecode", "release",
         "serialno", "datetime", "lea", "dmo", "dco"}},
       sen2Header},
  };
}

}  // namespace

// The SEN2 return as the blade export writes it, all nine modules. NativeId (the council's LA
// number) and sourceid (the export) are on every row.
const Layout& sen2Layout() {
  static const Layout kLayout = makeLayout({
      .name = "sen2",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {"NativeId", "sourceid"},
      .streams = sen2Streams(),
      .match = StreamMatch::kExact,
      .dates = DateForm::kBladeOrIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
