#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/canonical/packed_records.hpp"
#include "pipelines/indicators/period.hpp"

namespace hearth::pipelines::indicators {

/// The internal person id the identity stage assigns. Never published: facts carry a pseudonym.
using PersonKey = uint64_t;

/// A canonical record with the opaque id the caller gave it, cited as evidence in facts. The
/// record is whoever handed it in's (the derive stage keeps every canonical record once), not
/// copied; so is its id. What keeps both alive is kept apart (PersonRecords::add): a council's
/// millions of these cost no count of owners each.
template <class T>
struct Evidenced {
  using Kind = T;
  std::string_view evidence_id;
  const T* record = nullptr;
};

/// A record and its evidence id in one block, for a caller that hands over both: an Evidenced
/// made from it keeps it alive.
struct OwnedRecord {
  canonical::Record record;
  std::string evidence_id;
};

/// A person's records of one kind, in the order they arrived: a list that costs one pointer while
/// it is empty. A person has a list for each kind below and records of a few; a whole council has
/// hundreds of thousands of persons, whose empty lists as std::vectors cost 170 MB.
template <class T>
class EvidenceList {
 public:
  using value_type = Evidenced<T>;
  using iterator = value_type*;
  using const_iterator = const value_type*;

  EvidenceList() = default;
  EvidenceList(const EvidenceList& other) {
    for (const value_type& item : other) push_back(item);
  }
  EvidenceList(EvidenceList&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  EvidenceList& operator=(EvidenceList other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~EvidenceList() { release(block_); }

  size_t size() const { return block_ != nullptr ? block_->size : 0; }
  bool empty() const { return size() == 0; }
  iterator begin() { return items(block_); }
  iterator end() { return begin() + size(); }
  const_iterator begin() const { return items(block_); }
  const_iterator end() const { return begin() + size(); }
  const value_type& operator[](size_t i) const { return begin()[i]; }
  const value_type& front() const { return *begin(); }
  const value_type& back() const { return end()[-1]; }

  void push_back(value_type item) {
    if (block_ == nullptr || block_->size == block_->capacity) grow();
    new (end()) value_type(std::move(item));
    ++block_->size;
  }
  /// Removes the item at `at`; the later ones move up. Returns where the next one now is.
  iterator erase(const_iterator at) {
    const auto index = static_cast<size_t>(at - begin());
    std::move(begin() + index + 1, end(), begin() + index);
    end()[-1].~value_type();
    --block_->size;
    return begin() + index;
  }

 private:
  // The items follow their count and room in one allocation.
  struct alignas(value_type) Header {
    uint32_t size;
    uint32_t capacity;
  };
  static value_type* items(Header* block) {
    return block != nullptr ? reinterpret_cast<value_type*>(block + 1) : nullptr;
  }
  static void release(Header* block) noexcept {
    if (block == nullptr) return;
    std::destroy_n(items(block), block->size);
    ::operator delete(block);
  }
  void grow() {
    const uint32_t capacity = block_ != nullptr ? 2 * block_->capacity : 1;
    auto* grown =
        static_cast<Header*>(::operator new(sizeof(Header) + capacity * sizeof(value_type)));
    grown->size = 0;
    grown->capacity = capacity;
    if (block_ != nullptr) {
      std::uninitialized_move_n(items(block_), block_->size, items(grown));
      grown->size = block_->size;
    }
    release(std::exchange(block_, grown));
  }

  Header* block_ = nullptr;
};

/// Everything the indicators read about one person, as it arrived (duplicates included).
/// Record kinds no indicator reads are not kept.
struct PersonRecords {
  EvidenceList<canonical::Person> persons;
  EvidenceList<canonical::Contact> contacts;
  EvidenceList<canonical::Referral> referrals;
  EvidenceList<canonical::Assessment> assessments;
  EvidenceList<canonical::CpPlan> cp_plans;
  EvidenceList<canonical::ClaEpisode> cla_episodes;
  EvidenceList<canonical::CareLeaverStatus> care_leaver_statuses;
  EvidenceList<canonical::EarlyHelpEpisode> early_help;
  EvidenceList<canonical::HomelessnessCase> homelessness_cases;
  EvidenceList<canonical::HomelessnessDuty> homelessness_duties;
  EvidenceList<canonical::TemporaryAccommodation> temporary_accommodation;
  EvidenceList<canonical::RoughSleepingContact> rough_sleeping;
  EvidenceList<canonical::AdultCareEvent> adult_care_events;
  EvidenceList<canonical::AdultCareSurveyResponse> survey_responses;
  EvidenceList<canonical::HospitalAdmission> admissions;
  EvidenceList<canonical::Diagnosis> diagnoses;
  EvidenceList<canonical::Exclusion> exclusions;
  EvidenceList<canonical::Attendance> attendance;
  EvidenceList<canonical::MissingEducation> missing_education;
  EvidenceList<canonical::NeetStatus> neet_statuses;
  EvidenceList<canonical::Ks4Result> ks4_results;
  EvidenceList<canonical::EhcRequest> ehc_requests;
  EvidenceList<canonical::EhcAssessment> ehc_assessments;
  EvidenceList<canonical::EhcNamedPlan> ehc_named_plans;
  EvidenceList<canonical::EhcActivePlan> ehc_active_plans;
  EvidenceList<canonical::EhcPlacement> ehc_placements;
  EvidenceList<canonical::SenNeed> sen_needs;
  /// The person's membership of households and families: what links them to other people.
  EvidenceList<canonical::HouseholdMember> memberships;
  EvidenceList<canonical::EarlyYearsFunding> early_years_funding;
  EvidenceList<canonical::TwoYearOldEligibility> two_year_old_eligibility;
  EvidenceList<canonical::SenProvision> sen_provisions;
  EvidenceList<canonical::Enrolment> enrolments;

  /// Stores `record` under `evidence_id`; false when no indicator reads its kind. Neither is
  /// copied: `owner` keeps both alive (a block that holds them) until the record is removed,
  /// or, when null, the caller does (as the derive stage).
  bool add(std::string_view evidence_id, canonical::RecordRef record,
           const std::shared_ptr<const void>& owner);
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

  // What keeps each record given with an owner alive, by its evidence id, until it is removed.
  std::vector<std::pair<std::string_view, std::shared_ptr<const void>>> owners_;
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
