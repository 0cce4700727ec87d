#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

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

// The school census blade exports. Blade row ids, sequence columns and source ids are
// bookkeeping of the export; the enrolment, funding, SEN and attendance detail of a pupil's row
// is not in the canonical person (a school enrolment record is still to come), nor are the
// middle and preferred names, which identity does not compare.
std::vector<StreamLayout> schoolCensusStreams() {
  const std::vector<std::string_view> pupil = {"upn",      "formerupn", "uniquelearnernumber",
                                               "forename", "surname",   "formersurname",
                                               "dob",      "sex",       "ethnicity"};
  auto with = [](std::vector<std::string_view> fields, std::string_view id) {
    fields.push_back(id);
    return fields;
  };
  return {
      {{"pupilnolongeronroll",
        with(pupil, "pupilnolongeronrolltableid"),
        {"NativeId", "middlenames", "preferredsurname", "entrydate", "leavingdate",
         "pupilnolongeronrollorderseqcolumn", "sourceid", "schoolcensustableid", "parttime",
         "termlysessionspossible", "moveonrollflag", "boarder", "language"}},
       [](RecordReader& r) { return schoolPupil(r, "pupilnolongeronrolltableid"); }},
      {{"pupilonroll",
        with(pupil, "pupilonrolltableid"),
        {"NativeId",
         "middlenames",
         "preferredsurname",
         "entrydate",
         "pupilonrollorderseqcolumn",
         "sourceid",
         "schoolcensustableid",
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
         "senprovision",
         "ncyearactual",
         "eyppr",
         "eyppbf",
         "youngcarer"}},
       [](RecordReader& r) { return schoolPupil(r, "pupilonrolltableid"); }},
      {{"addressesonroll",
        {"pupilonrolltableid", "uniquepropertyreferencenumber", "postcode"},
        {"NativeId", "addressesonrolltableid", "addressesonrollorderseqcolumn", "sourceid"}},
       schoolAddress},
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
