#include <string>
#include <string_view>
#include <utility>

#include "pipelines/normalise/census_term.hpp"
#include "pipelines/normalise/council_list.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// The two-year-old entitlement's bases: economic criteria, high-level SEN or disability, looked
// after or adopted from care.
constexpr std::string_view kTwoYearOldBases[] = {"ECO", "HSD", "LAA"};

// A child's funded early education at one setting, and the child. Children under five have no
// UPN: identity links them on names, birth date and home address.
size_t earlyYearsChild(RecordReader& r) {
  auto funding = start<canonical::EarlyYearsFunding>(r);
  const bool ok = r.subject("eypupiltableid", funding.subject);
  canonical::Person person = namedPerson(r, funding.subject, "forename", "surname", "dob", "sex");
  person.ethnicity = r.field("ethnicity");
  person.postcode = r.postcode("postcode", "");
  const std::string_view uprn = r.field("uniquepropertyreferencenumber");
  if (!uprn.empty() && uprn.find_first_not_of("0123456789") == std::string_view::npos &&
      uprn.size() <= 12) {
    person.uprn = uprn;
  } else if (!uprn.empty()) {
    r.finding("uprn.invalid", "UPRN is not a number from 1 to 999999999999",
              "uniquepropertyreferencenumber", Severity::kQuery);
  }
  funding.census = censusDayOfBladeFile(r.location());
  if (!funding.census) funding.census = censusDayOfBladeFile(r.provenance().stream());
  if (!funding.census) {
    r.finding("census.term_unknown",
              "neither the file nor the stream is named <year>_spring_...: the census the "
              "funding belongs to is unknown",
              "fundedhours", Severity::kReject);
  }
  funding.setting = r.required("urn");
  funding.funded_hours = r.number("fundedhours");
  funding.extended_hours = r.number("extendedhours");
  funding.hours_at_setting = r.number("hoursatsetting");
  const std::string_view basis = r.field("fundingbasis");
  bool known = basis.empty();
  for (const std::string_view b : kTwoYearOldBases) known = known || basis == b;
  if (known) {
    funding.basis = basis;
  } else {
    r.finding("code.unknown", "fundingbasis is not ECO, HSD or LAA", "fundingbasis",
              Severity::kQuery);
  }
  funding.pupil_premium = r.flag("eypp");
  if (!ok) return 0;
  return emit(r, std::move(person)) + emit(r, std::move(funding));
}

// A child on the DWP's list of two-year-olds whose families meet the economic criteria. The list
// has no id: the row (keyed by names and birth date) is the subject, linked by identity. The
// parent's names and the address line are left out: only the child is the council's concern here.
size_t dwpTwoYearOld(RecordReader& r) {
  auto eligible = start<canonical::TwoYearOldEligibility>(r);
  eligible.subject = {r.provenance().source_system(), "row/" + r.provenance().source_key};
  auto person = start<canonical::Person>(r);
  person.subject = eligible.subject;
  person.given_name = r.field("Child_Forename");
  person.family_name = r.field("Child_Surname");
  person.birth_date = r.date("Child_DOB");
  person.postcode = r.postcode("Postcode", "");
  if (!person.birth_date) {
    r.finding("field.missing", "Child_DOB is blank or not a date: the child's age is unknown",
              "Child_DOB", Severity::kReject);
  }
  eligible.list_year = r.year();
  return emitWithPerson(r, true, std::move(person), std::move(eligible));
}

}  // namespace

// The early years census (January), child rows as a blade export writes them; the file's name
// says which census ("2025_spring_eycensus.csv"). NativeId repeats the setting's URN.
const Layout& earlyYearsCensusLayout() {
  static const Layout kLayout = makeLayout({
      .name = "early_years_census",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = {{{"eycensus",
                    {"eypupiltableid", "urn", "dob", "surname", "forename", "sex", "ethnicity",
                     "postcode", "uniquepropertyreferencenumber", "fundedhours", "extendedhours",
                     "hoursatsetting", "fundingbasis", "eypp"},
                    {"NativeId", "settingname", "middlenames", "daf"}},
                   earlyYearsChild}},
      .match = StreamMatch::kSuffix,
      .dates = DateForm::kBladeOrIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

// The DWP list of eligible two-year-olds: the funded two-year-olds measure's denominator. It
// holds names, so it is personal data and comes in through a connector like any other source.
const Layout& dwpTwoYearOldsLayout() {
  static const Layout kLayout = singleStreamLayout(
      "dwp_two_year_olds",
      {"children", {"Child_Forename", "Child_Surname", "Child_DOB", "Postcode"}, {}},
      {"Parent_Forename", "Parent_Surname", "Address_Line1"}, dwpTwoYearOld);
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
