#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

/// The internal person id the identity stage assigns. Never published: facts carry a pseudonym.
using PersonKey = uint64_t;

/// A canonical record with the opaque id the caller gave it, cited as evidence in facts. The
/// record is shared with whoever handed it in (the derive stage keeps every canonical record
/// once), not copied; so is its id, which lives in the block `record` keeps alive.
template <class T>
struct Evidenced {
  using Kind = T;
  std::string_view evidence_id;
  std::shared_ptr<const T> record;
};

/// A record and its evidence id in one block, for a caller that hands over both: an Evidenced
/// made from it keeps it alive.
struct OwnedRecord {
  canonical::Record record;
  std::string evidence_id;
};

/// Everything the indicators read about one person, as it arrived (duplicates included).
/// Record kinds no indicator reads are not kept.
struct PersonRecords {
  std::vector<Evidenced<canonical::Person>> persons;
  std::vector<Evidenced<canonical::Contact>> contacts;
  std::vector<Evidenced<canonical::Referral>> referrals;
  std::vector<Evidenced<canonical::Assessment>> assessments;
  std::vector<Evidenced<canonical::CpPlan>> cp_plans;
  std::vector<Evidenced<canonical::ClaEpisode>> cla_episodes;
  std::vector<Evidenced<canonical::CareLeaverStatus>> care_leaver_statuses;
  std::vector<Evidenced<canonical::EarlyHelpEpisode>> early_help;
  std::vector<Evidenced<canonical::HomelessnessCase>> homelessness_cases;
  std::vector<Evidenced<canonical::HomelessnessDuty>> homelessness_duties;
  std::vector<Evidenced<canonical::TemporaryAccommodation>> temporary_accommodation;
  std::vector<Evidenced<canonical::RoughSleepingContact>> rough_sleeping;
  std::vector<Evidenced<canonical::AdultCareEvent>> adult_care_events;
  std::vector<Evidenced<canonical::AdultCareSurveyResponse>> survey_responses;
  std::vector<Evidenced<canonical::HospitalAdmission>> admissions;
  std::vector<Evidenced<canonical::Diagnosis>> diagnoses;
  std::vector<Evidenced<canonical::Exclusion>> exclusions;
  std::vector<Evidenced<canonical::Attendance>> attendance;
  std::vector<Evidenced<canonical::MissingEducation>> missing_education;
  std::vector<Evidenced<canonical::NeetStatus>> neet_statuses;
  std::vector<Evidenced<canonical::Ks4Result>> ks4_results;
  std::vector<Evidenced<canonical::EhcRequest>> ehc_requests;
  std::vector<Evidenced<canonical::EhcAssessment>> ehc_assessments;
  std::vector<Evidenced<canonical::EhcNamedPlan>> ehc_named_plans;
  std::vector<Evidenced<canonical::EhcActivePlan>> ehc_active_plans;
  std::vector<Evidenced<canonical::EhcPlacement>> ehc_placements;
  std::vector<Evidenced<canonical::SenNeed>> sen_needs;
  /// The person's membership of households and families: what links them to other people.
  std::vector<Evidenced<canonical::HouseholdMember>> memberships;
  std::vector<Evidenced<canonical::EarlyYearsFunding>> early_years_funding;
  std::vector<Evidenced<canonical::TwoYearOldEligibility>> two_year_old_eligibility;
  std::vector<Evidenced<canonical::SenProvision>> sen_provisions;
  std::vector<Evidenced<canonical::Enrolment>> enrolments;

  /// Stores `record` under `evidence_id`; false when no indicator reads its kind. Neither is
  /// copied: `evidence_id` must live as long as what `record` keeps alive (an aliasing pointer
  /// into a block that holds both, as the derive stage's).
  bool add(std::string_view evidence_id, std::shared_ptr<const canonical::Record> record);
  /// As above, for a record and id the caller does not keep.
  bool add(std::string evidence_id, canonical::Record record);
  /// Removes the record stored under `evidence_id`; false when there is none.
  bool remove(std::string_view evidence_id);
  bool empty() const;

  /// Calls `f` with each list above in turn: what add, remove and empty walk, so a new kind is
  /// listed once, in lists().
  template <class F>
  void forEachList(F&& f) {
    std::apply([&](auto&... list) { (f(list), ...); }, lists(*this));
  }
  template <class F>
  void forEachList(F&& f) const {
    std::apply([&](auto&... list) { (f(list), ...); }, lists(*this));
  }

 private:
  template <class Self>
  static auto lists(Self& r) {
    return std::tie(r.persons, r.contacts, r.referrals, r.assessments, r.cp_plans, r.cla_episodes,
                    r.care_leaver_statuses, r.early_help, r.homelessness_cases,
                    r.homelessness_duties, r.temporary_accommodation, r.rough_sleeping,
                    r.adult_care_events, r.survey_responses, r.admissions, r.diagnoses,
                    r.exclusions, r.attendance, r.missing_education, r.neet_statuses, r.ks4_results,
                    r.ehc_requests, r.ehc_assessments, r.ehc_named_plans, r.ehc_active_plans,
                    r.ehc_placements, r.sen_needs, r.memberships, r.early_years_funding,
                    r.two_year_old_eligibility, r.sen_provisions, r.enrolments);
  }
};

/// One involvement after deduplication: the copy chosen to stand for it, and the evidence ids
/// of every copy that arrived.
template <class T>
struct Involvement {
  T record;
  std::vector<std::string_view> evidence;
};

/// The attributes breakdowns and age rules read, resolved across the person's records.
struct PersonAttributes {
  std::optional<Date> birth_date;
  canonical::Sex sex = canonical::Sex::kNotRecorded;
  std::string ethnicity;
  std::string postcode;
  std::string family_id;
  std::vector<std::string_view> evidence;  // the Person records behind them
};

/// A stretch in one placement: consecutive episodes of a period of care that share it.
struct Placement {
  Date start;
  std::optional<Date> end;
  std::string type;  // PLACE code
  std::string postcode;
  std::vector<std::string_view> evidence;
};

/// Continuous time looked after, rebuilt from the chain of episodes.
struct CarePeriod {
  Date start;
  std::optional<Date> end;
  std::vector<size_t> episodes;  // indexes into PersonView::cla_episodes, in date order
  std::vector<Placement> placements;
};

/// The ICD-10 codes of one of an admission's diagnoses.
struct CodedDiagnosis {
  int rank = 0;  // 0: not ranked by the admission
  std::vector<std::string> icd10;
};

/// An admission with its diagnoses joined to it (by the encounter they cite), in rank order,
/// unranked ones last.
struct AdmissionView {
  canonical::HospitalAdmission record;
  std::vector<CodedDiagnosis> diagnoses;
  std::vector<std::string_view> evidence;  // the admission's, then its diagnoses'
};

/// What other people's records say about the person's household: the duties and placements of
/// the homelessness cases the person was a member of, filed under the case's main applicant.
/// Filled by whoever holds the other people (the engine); the person's own records are not
/// repeated here.
struct LinkedRecords {
  std::vector<Involvement<canonical::HomelessnessDuty>> household_duties;
  std::vector<Involvement<canonical::TemporaryAccommodation>> household_temporary_accommodation;
  /// A child's mother's (a mother's group): her adult social care and her admissions.
  std::vector<Involvement<canonical::AdultCareEvent>> mother_adult_care_events;
  std::vector<AdmissionView> mother_admissions;
};

/// One person as the indicators see them: attributes resolved, duplicates merged, episodes
/// chained into periods of care. Every list is in date order.
struct PersonView {
  PersonAttributes attributes;
  std::vector<Involvement<canonical::Contact>> contacts;
  std::vector<Involvement<canonical::Referral>> referrals;
  std::vector<Involvement<canonical::Assessment>> assessments;
  std::vector<Involvement<canonical::CpPlan>> cp_plans;
  std::vector<Involvement<canonical::ClaEpisode>> cla_episodes;
  std::vector<Involvement<canonical::CareLeaverStatus>> care_leaver_statuses;
  std::vector<Involvement<canonical::EarlyHelpEpisode>> early_help;
  std::vector<CarePeriod> care_periods;
  std::vector<Involvement<canonical::HomelessnessCase>> homelessness_cases;
  std::vector<Involvement<canonical::HomelessnessDuty>> homelessness_duties;
  std::vector<Involvement<canonical::TemporaryAccommodation>> temporary_accommodation;
  std::vector<Involvement<canonical::RoughSleepingContact>> rough_sleeping;
  std::vector<Involvement<canonical::AdultCareEvent>> adult_care_events;
  std::vector<Involvement<canonical::AdultCareSurveyResponse>> survey_responses;
  std::vector<AdmissionView> admissions;  // by admission date
  std::vector<Involvement<canonical::Exclusion>> exclusions;
  std::vector<Involvement<canonical::Attendance>> attendance;
  std::vector<Involvement<canonical::MissingEducation>> missing_education;
  std::vector<Involvement<canonical::NeetStatus>> neet_statuses;
  std::vector<Involvement<canonical::Ks4Result>> ks4_results;
  /// EHC plans, each a request's SEN2 rows joined by their table ids, by request date.
  std::vector<Involvement<canonical::EhcPlan>> ehc_plans;
  std::vector<Involvement<canonical::HouseholdMember>> memberships;
  LinkedRecords linked;
  std::vector<Involvement<canonical::EarlyYearsFunding>> early_years_funding;
  std::vector<Involvement<canonical::TwoYearOldEligibility>> two_year_old_eligibility;
  /// The pupil's SEN provision on each school census day, by census day.
  std::vector<Involvement<canonical::SenProvision>> sen_provisions;
  /// School census enrolments, one per return and school, by census day.
  std::vector<Involvement<canonical::Enrolment>> enrolments;
};

/// Adds to `linked` the homelessness duties and temporary accommodation that another member's
/// `records` hold for the case `case_ref`, duplicates merged as in that member's own view.
void addCaseRecords(const PersonRecords& records, std::string_view case_ref, LinkedRecords& linked);

/// Adds to `linked` the adult social care events and admissions of a child's mother, whose
/// records are `records`.
void addMotherRecords(const PersonRecords& records, LinkedRecords& linked);

/// Whether the plan is in force on `day`: issued by then and not ceased (a plan ceasing on `day`
/// is not). A plan the return lists as active without its issue date counts unless ceased.
bool ehcPlanOpenOn(const canonical::EhcPlan& plan, Date day);

/// The plan's placement on `day`: the active plan's placement open that day (lowest rank), or,
/// when the return gives no active placement at all, the placement the plan names first; null
/// when there is none.
const canonical::EhcPlacement* ehcPlacementOn(const canonical::EhcPlan& plan, Date day);

PersonView buildPersonView(const PersonRecords& records);

}  // namespace hearth::pipelines::indicators
