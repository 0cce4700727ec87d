#include "pipelines/canonical/model.hpp"

#include <algorithm>

#include "pipelines/canonical/packed_records.hpp"

namespace hearth::pipelines::canonical {
namespace {

struct KindName {
  std::string_view operator()(const Person&) const { return "person"; }
  std::string_view operator()(const LinkedIdentifier&) const { return "linked_identifier"; }
  std::string_view operator()(const Contact&) const { return "contact"; }
  std::string_view operator()(const Referral&) const { return "referral"; }
  std::string_view operator()(const Assessment&) const { return "assessment"; }
  std::string_view operator()(const Section47&) const { return "section47"; }
  std::string_view operator()(const InitialCpConference&) const { return "initial_cp_conference"; }
  std::string_view operator()(const CpPlan&) const { return "cp_plan"; }
  std::string_view operator()(const CinPlan&) const { return "cin_plan"; }
  std::string_view operator()(const ClaEpisode&) const { return "cla_episode"; }
  std::string_view operator()(const MissingEpisode&) const { return "missing_episode"; }
  std::string_view operator()(const CareLeaverStatus&) const { return "care_leaver_status"; }
  std::string_view operator()(const EarlyHelpEpisode&) const { return "early_help_episode"; }
  std::string_view operator()(const PreProceedings&) const { return "pre_proceedings"; }
  std::string_view operator()(const HomelessnessCase&) const { return "homelessness_case"; }
  std::string_view operator()(const HomelessnessDuty&) const { return "homelessness_duty"; }
  std::string_view operator()(const TemporaryAccommodation&) const {
    return "temporary_accommodation";
  }
  std::string_view operator()(const HouseholdMember&) const { return "household_member"; }
  std::string_view operator()(const RoughSleepingContact&) const { return "rough_sleeping"; }
  std::string_view operator()(const AdultCareEvent&) const { return "adult_care_event"; }
  std::string_view operator()(const AdultCareSurveyResponse&) const {
    return "adult_care_survey_response";
  }
  std::string_view operator()(const HospitalAdmission&) const { return "hospital_admission"; }
  std::string_view operator()(const Diagnosis&) const { return "diagnosis"; }
  std::string_view operator()(const Exclusion&) const { return "exclusion"; }
  std::string_view operator()(const Attendance&) const { return "attendance"; }
  std::string_view operator()(const MissingEducation&) const { return "missing_education"; }
  std::string_view operator()(const NeetStatus&) const { return "neet_status"; }
  std::string_view operator()(const Ks4Result&) const { return "ks4_result"; }
  std::string_view operator()(const SubjectLink&) const { return "subject_link"; }
  std::string_view operator()(const EhcRequest&) const { return "ehc_request"; }
  std::string_view operator()(const EhcAssessment&) const { return "ehc_assessment"; }
  std::string_view operator()(const EhcNamedPlan&) const { return "ehc_named_plan"; }
  std::string_view operator()(const EhcActivePlan&) const { return "ehc_active_plan"; }
  std::string_view operator()(const EhcPlacement&) const { return "ehc_placement"; }
  std::string_view operator()(const SenNeed&) const { return "sen_need"; }
  std::string_view operator()(const EarlyYearsFunding&) const { return "early_years_funding"; }
  std::string_view operator()(const TwoYearOldEligibility&) const {
    return "two_year_old_eligibility";
  }
  std::string_view operator()(const SenProvision&) const { return "sen_provision"; }
  std::string_view operator()(const CensusSchool&) const { return "census_school"; }
  std::string_view operator()(const Enrolment&) const { return "enrolment"; }
};

}  // namespace

std::string_view recordKind(const Record& record) { return std::visit(KindName{}, record); }

const Provenance& provenanceOf(const Record& record) {
  return std::visit([](const auto& r) -> const Provenance& { return r.provenance; }, record);
}

const Subject& subjectOf(const Record& record) {
  return std::visit([](const auto& r) -> const Subject& { return r.subject; }, record);
}

std::string_view recordKind(RecordRef record) { return record.visit(KindName{}); }

const Provenance& provenanceOf(RecordRef record) {
  return record.visit([](const auto& r) -> const Provenance& { return r.provenance; });
}

const Subject& subjectOf(RecordRef record) {
  return record.visit([](const auto& r) -> const Subject& { return r.subject; });
}

void addIdentifier(Person& person, const Identifier& identifier) {
  if (std::find(person.identifiers.begin(), person.identifiers.end(), identifier) ==
      person.identifiers.end()) {
    person.identifiers.push_back(identifier);
  }
}

}  // namespace hearth::pipelines::canonical
