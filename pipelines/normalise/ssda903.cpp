#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/ssda903_rules.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

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

// The 903 describes the year to 31 March: nothing in it can be later.
std::optional<Date> collectionYearEnd(const RecordReader& r) {
  if (r.year() == 0) return std::nullopt;
  return canonical::collectionEnd(r.year());
}

std::vector<StreamLayout> ssda903Streams() {
  return {
      // UASC: the XML return's flag of a child who was ever unaccompanied; the uasc stream holds
      // the child's UASC record.
      {{"header", {"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"}, {"UASC"}},
       ssda903Header},
      {{"episodes",
        {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
         "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"},
        {}},
       ssda903Episode},
      // DOB on the child's other tables repeats the header's, which the person record carries.
      {{"oc3", {"CHILD", "IN_TOUCH", "ACTIV", "ACCOM"}, {"DOB"}}, ssda903CareLeaver},
      {{"missing", {"CHILD", "MISSING", "MIS_START", "MIS_END"}, {"DOB"}}, ssda903Missing},
  };
}

}  // namespace

const Layout& ssda903Layout() {
  static const Layout kLayout = makeLayout({
      .name = "ssda903",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = ssda903Streams(),
      .match = StreamMatch::kExact,
      .dates = DateForm::kUkOrIso,
      .ssda903_rules = true,
      .reference_date = collectionYearEnd,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
