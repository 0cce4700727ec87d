#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/census_term.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

// The census day of the return a blade export row belongs to: its file's name, else its
// stream's.
std::optional<Date> censusOfReturn(const RecordReader& r) {
  std::optional<Date> census = censusDayOfBladeFile(r.location());
  if (!census) census = censusDayOfBladeFile(r.provenance().stream());
  return census;
}

// The census day of the return the row belongs to, which a blade export gives only in the file
// (or the operator's stream) name; a finding about `what` when neither names one.
std::optional<Date> censusDay(RecordReader& r, std::string_view what, std::string_view field,
                              Severity severity) {
  std::optional<Date> day = censusOfReturn(r);
  if (!day) {
    r.finding("census.term_unknown",
              "neither the file nor the stream is named <year>_<spring|summer|autumn>_...: the "
              "census day of " +
                  std::string(what) + " is unknown",
              field, severity);
  }
  return day;
}

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

// The pupil's SEN provision on the census day (`senprovision`: K SEN support, E an EHC plan, N
// none), which only the file name dates.
size_t schoolSenProvision(RecordReader& r, std::string_view id_field) {
  const std::string_view provision = r.field("senprovision");
  if (provision.empty()) return 0;
  if (provision != "K" && provision != "E" && provision != "N") {
    r.finding("code.unknown", "SEN provision is not K, E or N", "senprovision", Severity::kQuery);
    return 0;
  }
  auto sen = start<canonical::SenProvision>(r);
  sen.census = censusDay(r, "the SEN provision", "senprovision", Severity::kQuery);
  if (!sen.census || !r.subject(id_field, sen.subject)) return 0;
  sen.provision = provision;
  return emit(r, std::move(sen));
}

// The pupil's place at the school of the return: the school is the header row the pupil row
// names (schoolcensustableid), joined where it is read; without that row (or id) the school is
// unknown, and shows so. A return not named by its term gives the person alone: a place at a
// school on no known census day says nothing.
canonical::Enrolment schoolEnrolment(RecordReader& r, bool on_roll) {
  auto enrolment = start<canonical::Enrolment>(r);
  enrolment.on_roll = on_roll;
  enrolment.census_return = r.field("schoolcensustableid");
  enrolment.census = censusOfReturn(r);
  enrolment.entry = r.date("entrydate");
  if (!on_roll) enrolment.leaving = r.date("leavingdate");
  return enrolment;
}

// A pupil row: the person, then the pupil's enrolment in the return and, on roll, their SEN
// provision. The enrolment's dates are read first, so that a row they reject gives neither.
size_t schoolPupilOnRoll(RecordReader& r, std::string_view id_field, bool on_roll) {
  canonical::Enrolment enrolment = schoolEnrolment(r, on_roll);
  const size_t person = schoolPupil(r, id_field);
  if (person == 0) return person;
  size_t emitted = person + (on_roll ? schoolSenProvision(r, id_field) : 0);
  if (!enrolment.census || !r.subject(id_field, enrolment.subject)) return emitted;
  return emitted + emit(r, std::move(enrolment));
}

// The school's header of a return (the `schoolcensus` module).
size_t censusSchool(RecordReader& r) {
  auto school = start<canonical::CensusSchool>(r);
  const bool ok = r.subject("schoolcensustableid", school.subject);
  school.census_return = school.subject.value;
  school.subject.value = "schoolcensus/" + school.subject.value;
  school.census = censusOfReturn(r);
  const std::optional<Date> stated = r.date("censusdate");
  if (!school.census) school.census = stated;
  school.urn = r.required("urn");
  const std::string_view lea = r.field("lea");
  const std::string_view estab = r.field("estab");
  if (!lea.empty() && !estab.empty()) school.laestab = std::string(lea) + std::string(estab);
  school.phase = r.field("phase");
  if (!ok || r.rejected()) return 0;
  return emit(r, std::move(school));
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

// A suspension or permanent exclusion. Its subject is the pupil's row in the same return.
size_t schoolExclusion(RecordReader& r, std::string_view pupil_field, bool on_roll) {
  auto x = start<canonical::Exclusion>(r);
  x.on_roll = on_roll;
  const bool ok = r.subject(pupil_field, x.subject);
  if (!r.required("startdate").empty()) x.start = r.date("startdate");
  const std::string_view category = r.required("category");
  if (category == "PERM" || category == "SUSP" || category == "FIXD" || category == "LNCH") {
    x.category = category;
  } else if (!category.empty()) {
    r.finding("code.unknown", "exclusion category is not PERM, SUSP, FIXD or LNCH", "category",
              Severity::kReject);
  }
  x.sessions = r.number("sessions");
  for (const std::string_view reason : {"reason1", "reason2", "reason3"}) {
    const std::string_view code = r.field(reason);
    if (!code.empty()) x.reasons.emplace_back(code);
  }
  if (!ok) return 0;
  return emit(r, std::move(x));
}

// Possible sessions (reason "#") or sessions missed for one reason, in the term before the
// census the file belongs to; a blade export says which census only in its file name.
size_t schoolSessions(RecordReader& r, std::string_view pupil_field, bool on_roll) {
  auto a = start<canonical::Attendance>(r);
  a.on_roll = on_roll;
  const bool ok = r.subject(pupil_field, a.subject);
  a.census = censusDay(r, "the sessions", "sessions", Severity::kReject);
  a.reason = r.required("attendancereason");
  a.sessions = r.number("sessions");
  if (!a.sessions) {
    r.finding("field.missing", "sessions is blank or not a number", "sessions", Severity::kReject);
  }
  if (!ok) return 0;
  return emit(r, std::move(a));
}

const std::vector<std::string_view> kExclusionFields = {"startdate", "sessions", "reason1",
                                                        "reason2",   "reason3",  "category"};
const std::vector<std::string_view> kSessionFields = {"sessions", "attendancereason"};

// A termly module: its rows name their pupil by the pupil's row id; its own row id and
// sequence column, NativeId (the school) and sourceid are the export's bookkeeping.
StreamFields termlyModule(std::string_view module, std::string_view pupil_field,
                          std::string_view row_id, std::string_view sequence,
                          std::vector<std::string_view> fields,
                          std::vector<std::string_view> also_ignored) {
  fields.push_back(pupil_field);
  also_ignored.insert(also_ignored.end(), {row_id, sequence, "NativeId", "sourceid"});
  return {module, std::move(fields), std::move(also_ignored)};
}

// The school census blade exports. Blade row ids, sequence columns and source ids are
// bookkeeping of the export; a pupil's row gives the person and the enrolment (the school is the
// return's header, by schoolcensustableid); its funding, SEN and attendance detail is not in the
// canonical model, nor are the middle and preferred names, which identity does not compare.
std::vector<StreamLayout> schoolCensusStreams() {
  const std::vector<std::string_view> pupil = {"upn",      "formerupn", "uniquelearnernumber",
                                               "forename", "surname",   "formersurname",
                                               "dob",      "sex",       "ethnicity"};
  auto with = [](std::vector<std::string_view> fields, std::string_view id) {
    fields.push_back(id);
    return fields;
  };
  return {
      {{"schoolcensus",
        {"schoolcensustableid", "urn", "lea", "estab", "phase", "censusdate"},
        {"NativeId", "sourceid", "schoolname", "termstartdate", "termenddate"}},
       censusSchool},
      {{"pupilnolongeronroll",
        with(with(with(with(pupil, "pupilnolongeronrolltableid"), "entrydate"), "leavingdate"),
             "schoolcensustableid"),
        {"NativeId", "middlenames", "preferredsurname", "pupilnolongeronrollorderseqcolumn",
         "sourceid", "parttime", "termlysessionspossible", "moveonrollflag", "boarder",
         "language"}},
       [](RecordReader& r) { return schoolPupilOnRoll(r, "pupilnolongeronrolltableid", false); }},
      {{"pupilonroll",
        with(with(with(with(pupil, "pupilonrolltableid"), "entrydate"), "schoolcensustableid"),
             "senprovision"),
        {"NativeId",
         "middlenames",
         "preferredsurname",
         "pupilonrollorderseqcolumn",
         "sourceid",
         "hoursatsetting",
         "schoollunchtaken",
         "parttime",
         "topupfunding",
         "unitcontacttime",
         "termlysessionspossible",
         "senunitindicator",
         "resourcedprovisionindicator",
         "moveoffrollflag",
         "fundedhours",
         "missingaddress",
         "duplicatenotfunded",
         "extendedhours",
         "eligibilitycode",
         "dafindicator",
         "yssa",
         "servicechild",
         "language",
         "classtype",
         "enrolstatus",
         "boarder",
         "plaa",
         "ncyearactual",
         "eyppr",
         "eyppbf",
         "youngcarer"}},
       [](RecordReader& r) { return schoolPupilOnRoll(r, "pupilonrolltableid", true); }},
      {{"addressesonroll",
        {"pupilonrolltableid", "uniquepropertyreferencenumber", "postcode"},
        {"NativeId", "addressesonrolltableid", "addressesonrollorderseqcolumn", "sourceid"}},
       schoolAddress},
      // The SEN provision of an excluded pupil repeats the pupil's own row.
      {termlyModule("termlyexclusionsonroll", "pupilonrolltableid", "termlyexclusionsonrolltableid",
                    "termlyexclusionsonrollorderseqcolumn", kExclusionFields, {"senprovision"}),
       [](RecordReader& r) { return schoolExclusion(r, "pupilonrolltableid", true); }},
      {termlyModule("termlyexclusionsoffroll", "pupilnolongeronrolltableid",
                    "termlyexclusionsoffrolltableid", "termlyexclusionsoffrollorderseqcolumn",
                    kExclusionFields, {"senprovision"}),
       [](RecordReader& r) { return schoolExclusion(r, "pupilnolongeronrolltableid", false); }},
      {termlyModule("termlysessiondetailsonroll", "pupilonrolltableid",
                    "termlysessiondetailsonrolltableid", "termlysessiondetailsonrollorderseqcolumn",
                    kSessionFields, {}),
       [](RecordReader& r) { return schoolSessions(r, "pupilonrolltableid", true); }},
      {termlyModule("termlysessiondetailsoffroll", "pupilnolongeronrolltableid",
                    "termlysessiondetailsoffrolltableid",
                    "termlysessiondetailsoffrollorderseqcolumn", kSessionFields, {}),
       [](RecordReader& r) { return schoolSessions(r, "pupilnolongeronrolltableid", false); }},
  };
}

}  // namespace

const Layout& schoolCensusLayout() {
  static const Layout kLayout = makeLayout({
      .name = "school_census",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = schoolCensusStreams(),
      .match = StreamMatch::kSuffix,
      .dates = DateForm::kBladeOrIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
