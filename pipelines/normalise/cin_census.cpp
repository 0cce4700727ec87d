#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/field_map.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/ssda903_rules.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

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

const FieldMap<canonical::Referral> kCinEpisode = {
    .subject = "LAchildID",
    .dates = {{"CINreferralDate", &canonical::Referral::start},
              {"CINclosureDate", &canonical::Referral::end}},
    .codes = {{"ReferralSource", &canonical::Referral::source, CodeSet::kCinReferralSource},
              {"PrimaryNeedCode", &canonical::Referral::primary_need, CodeSet::kCinPrimaryNeed},
              {"ReasonForClosure", &canonical::Referral::closure_reason,
               CodeSet::kCinReasonForClosure}},
    .flags = {{"ReferralNFA", &canonical::Referral::no_further_action}},
};

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
  static const FieldMap<canonical::Assessment> kMap = {
      .subject = "LAchildID",
      .dates = {{"AssessmentActualStartDate", &canonical::Assessment::start},
                {"AssessmentAuthorisationDate", &canonical::Assessment::authorised}},
  };
  std::optional<canonical::Assessment> a = mapFields(r, kMap);
  if (!a) return 0;
  a->factors = splitFactors(r.field("AssessmentFactors"));
  return emit(r, std::move(*a));
}

const FieldMap<canonical::CinPlan> kCinPlan = {
    .subject = "LAchildID",
    .dates = {{"CINPlanStartDate", &canonical::CinPlan::start},
              {"CINPlanEndDate", &canonical::CinPlan::end}},
};

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

const FieldMap<canonical::CpPlan> kCinCpPlan = {
    .subject = "LAchildID",
    .dates = {{"CPPstartDate", &canonical::CpPlan::start}, {"CPPendDate", &canonical::CpPlan::end}},
    .codes = {{"InitialCategoryOfAbuse", &canonical::CpPlan::initial_category,
               CodeSet::kCinCategoryOfAbuse},
              {"LatestCategoryOfAbuse", &canonical::CpPlan::latest_category,
               CodeSet::kCinCategoryOfAbuse}},
};

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

// The census ReferenceDate: the date the return describes the world up to.
std::optional<Date> censusReferenceDate(const RecordReader& r) {
  return canonical::parseIsoDate(r.field("ReferenceDate"));
}

// Every census stream but `child` names its CINdetails by position and referral date: the
// canonical model keeps involvements apart, not nested, so those two link nothing.
std::vector<StreamLayout> cinCensusStreams() {
  return {
      // Disabilities: the canonical person has no disability yet.
      {{"child",
        {"LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate",
         "ExpectedPersonBirthDate", "Sex", "sex_element", "PersonDeathDate", "Ethnicity"},
        {"Disabilities"}},
       cinChild},
      // DateOfInitialCPC of the episode repeats the conference of its Section47, which becomes
      // the initial_cp_conference record.
      {{"cin_episode",
        {"LAchildID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
         "ReasonForClosure", "ReferralNFA"},
        {"episode", "DateOfInitialCPC"}},
       [](RecordReader& r) { return emitMapped(r, kCinEpisode); }},
      // The internal review date is not in the canonical assessment.
      {{"assessment",
        {"LAchildID", "AssessmentActualStartDate", "AssessmentAuthorisationDate",
         "AssessmentFactors"},
        {"episode", "CINreferralDate", "AssessmentInternalReviewDate"}},
       cinAssessment},
      {{"cin_plan",
        {"LAchildID", "CINPlanStartDate", "CINPlanEndDate"},
        {"episode", "CINreferralDate"}},
       [](RecordReader& r) { return emitMapped(r, kCinPlan); }},
      {{"section47",
        {"LAchildID", "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
         "ICPCnotRequired"},
        {"episode", "CINreferralDate"}},
       cinSection47},
      // The count of earlier plans and the review dates are not in the canonical plan.
      {{"cp_plan",
        {"LAchildID", "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
         "LatestCategoryOfAbuse"},
        {"episode", "CINreferralDate", "NumberOfPreviousCPP", "CPPreviewDates"}},
       [](RecordReader& r) { return emitMapped(r, kCinCpPlan); }},
      {{"pre_proceedings",
        {"LAchildID", "PPStartDate", "LBPSentDate", "FGDMMeetingOffer", "FGDMMeetingFac",
         "InitialPPMeetingDate", "ReviewMeetingsCount", "StepDecisionDate", "PPOutcome",
         "CourtAppDate", "LetterInitCPDate"},
        {"episode", "CINreferralDate"}},
       cinPreProceedings},
  };
}

}  // namespace

const Layout& cinCensusLayout() {
  // The header's LEA is the council's own code, the same on every record.
  static const Layout kLayout = makeLayout({
      .name = "cin_census",
      .mapped_everywhere = {"collection_year", "ReferenceDate"},
      .ignored_everywhere = {"LEA"},
      .streams = cinCensusStreams(),
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = censusReferenceDate,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
