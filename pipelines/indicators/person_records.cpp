#include "pipelines/indicators/person_records.hpp"

#include <algorithm>
#include <climits>
#include <compare>
#include <map>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hearth::pipelines::indicators {
namespace {

namespace cn = canonical;

// ---- storing what arrived ---------------------------------------------------------------------

template <class T>
bool eraseEvidence(EvidenceList<T>& list, std::string_view evidence_id) {
  const auto it = std::find_if(list.begin(), list.end(),
                               [&](const Evidenced<T>& e) { return e.evidence_id == evidence_id; });
  if (it == list.end()) return false;
  list.erase(it);
  return true;
}

// ---- deduplication ---------------------------------------------------------------------------
//
// Two copies are the same involvement when they are about the same person, of the same kind and
// start on the same day (contacts: received the same day from the same referral source, since a
// child is often the subject of several contacts on one day from different agencies). Of the
// copies, the one with the most fields filled in stands for the involvement: a later return
// that knows the end date beats an earlier one that saw it still open. Ties go to the smallest
// evidence id, so the choice does not depend on arrival order.

struct InvolvementKey {
  int day = 0;
  std::string qualifier;
  auto operator<=>(const InvolvementKey&) const = default;
};

template <class T>
int filled(const std::optional<T>& value) {
  return value ? 1 : 0;
}
int filled(const std::string& s) { return s.empty() ? 0 : 1; }

std::optional<InvolvementKey> keyOf(const cn::Contact& c) {
  if (!c.received) return std::nullopt;
  return InvolvementKey{dayNumber(*c.received), c.source};
}
int completeness(const cn::Contact& c) { return filled(c.decided) + filled(c.source); }

std::optional<InvolvementKey> keyOf(const cn::Referral& r) {
  if (!r.start) return std::nullopt;
  return InvolvementKey{dayNumber(*r.start), {}};
}
int completeness(const cn::Referral& r) {
  return filled(r.end) + filled(r.source) + filled(r.no_further_action) + filled(r.primary_need) +
         filled(r.closure_reason);
}

std::optional<InvolvementKey> keyOf(const cn::Assessment& a) {
  if (!a.start) return std::nullopt;
  return InvolvementKey{dayNumber(*a.start), {}};
}
int completeness(const cn::Assessment& a) { return filled(a.authorised); }

std::optional<InvolvementKey> keyOf(const cn::CpPlan& p) {
  if (!p.start) return std::nullopt;
  return InvolvementKey{dayNumber(*p.start), {}};
}
int completeness(const cn::CpPlan& p) {
  return filled(p.end) + filled(p.initial_category) + filled(p.latest_category);
}

std::optional<InvolvementKey> keyOf(const cn::ClaEpisode& e) {
  if (!e.start) return std::nullopt;
  return InvolvementKey{dayNumber(*e.start), {}};
}
int completeness(const cn::ClaEpisode& e) {
  return filled(e.end) + filled(e.reason_new_episode) + filled(e.legal_status) +
         filled(e.placement_type) + filled(e.placement_postcode) + filled(e.home_postcode) +
         filled(e.reason_ceased);
}

// A status is about one year: the contact it was recorded at, or else its collection year.
std::optional<InvolvementKey> keyOf(const cn::CareLeaverStatus& s) {
  if (s.latest_contact) return InvolvementKey{dayNumber(*s.latest_contact), {}};
  if (s.provenance.collection_year == 0) return std::nullopt;
  return InvolvementKey{INT_MIN, "year " + std::to_string(s.provenance.collection_year)};
}
int completeness(const cn::CareLeaverStatus& s) {
  return filled(s.in_touch) + filled(s.activity) + filled(s.accommodation) +
         filled(s.accommodation_suitable);
}

std::optional<InvolvementKey> keyOf(const cn::EarlyHelpEpisode& e) {
  if (!e.start) return std::nullopt;
  return InvolvementKey{dayNumber(*e.start), {}};
}
int completeness(const cn::EarlyHelpEpisode& e) {
  return filled(e.end) + filled(e.reason) + filled(e.end_reason);
}

// A case is one involvement across the quarterly returns that carry it.
std::optional<InvolvementKey> keyOf(const cn::HomelessnessCase& c) {
  if (c.case_ref.empty()) return std::nullopt;
  return InvolvementKey{INT_MIN, c.case_ref};
}
int completeness(const cn::HomelessnessCase& c) {
  return filled(c.assessment) + filled(c.prevention_duty_owed) + filled(c.relief_duty_owed);
}

std::optional<InvolvementKey> keyOf(const cn::HomelessnessDuty& d) {
  if (!d.start) return std::nullopt;
  return InvolvementKey{dayNumber(*d.start), d.duty + ' ' + d.case_ref};
}
int completeness(const cn::HomelessnessDuty& d) { return filled(d.end) + filled(d.outcome); }

std::optional<InvolvementKey> keyOf(const cn::TemporaryAccommodation& t) {
  if (!t.start) return std::nullopt;
  return InvolvementKey{dayNumber(*t.start), t.case_ref + ' ' + t.placement_ref};
}
int completeness(const cn::TemporaryAccommodation& t) {
  return filled(t.end) + filled(t.type) + filled(t.with_children);
}

std::optional<InvolvementKey> keyOf(const cn::RoughSleepingContact& r) {
  if (!r.date) return std::nullopt;
  return InvolvementKey{dayNumber(*r.date), {}};
}
int completeness(const cn::RoughSleepingContact& r) { return filled(r.area); }

// Client Level Data's unique-event key (the event reference is not reliable): the event's type,
// start, service type and component. Of the copies, the latest submission wins (DHSC cleaning
// rules), however complete the earlier one was.
std::optional<InvolvementKey> keyOf(const cn::AdultCareEvent& e) {
  if (!e.start) return std::nullopt;
  std::string qualifier(e.event_type);
  qualifier.append("|").append(e.service_type).append("|").append(e.service_component);
  return InvolvementKey{dayNumber(*e.start), std::move(qualifier)};
}
int completeness(const cn::AdultCareEvent& e) {
  return e.submitted ? dayNumber(*e.submitted) : INT_MIN;
}

std::optional<InvolvementKey> keyOf(const cn::AdultCareSurveyResponse& r) {
  return InvolvementKey{INT_MIN, r.survey_year};
}
int completeness(const cn::AdultCareSurveyResponse& r) {
  return (r.q7a ? 1 : 0) + (r.q7b ? 1 : 0) + (r.stratum ? 1 : 0);
}
// A pupil's lines of attendance are kept apart by school (the subject: a pupil can be on roll
// at one school and no longer on roll at another in the same term) and reason.
std::optional<InvolvementKey> keyOf(const cn::Attendance& a) {
  if (!a.census) return std::nullopt;
  return InvolvementKey{dayNumber(*a.census), a.subject.value + "/" + a.reason};
}
int completeness(const cn::Attendance& a) { return filled(a.sessions); }

// One provision per school (the subject) and census.
std::optional<InvolvementKey> keyOf(const cn::SenProvision& s) {
  if (!s.census) return std::nullopt;
  return InvolvementKey{dayNumber(*s.census), s.subject.value};
}
int completeness(const cn::SenProvision& s) { return s.provision.empty() ? 0 : 1; }

std::optional<InvolvementKey> keyOf(const cn::Exclusion& x) {
  if (!x.start) return std::nullopt;
  return InvolvementKey{dayNumber(*x.start), x.category};
}
int completeness(const cn::Exclusion& x) {
  return filled(x.sessions) + (x.reasons.empty() ? 0 : 1);
}

std::optional<InvolvementKey> keyOf(const cn::MissingEducation& e) {
  if (!e.start) return std::nullopt;
  return InvolvementKey{dayNumber(*e.start), {}};
}
int completeness(const cn::MissingEducation& e) { return filled(e.end) + filled(e.reason); }

std::optional<InvolvementKey> keyOf(const cn::NeetStatus& s) {
  if (!s.month_end) return std::nullopt;
  return InvolvementKey{dayNumber(*s.month_end), {}};
}
int completeness(const cn::NeetStatus& s) {
  return filled(s.activity) + filled(s.activity_start) + filled(s.academic_age);
}

// One result per pupil per year of results.
std::optional<InvolvementKey> keyOf(const cn::Ks4Result& r) {
  return InvolvementKey{r.provenance.collection_year, {}};
}
int completeness(const cn::Ks4Result& r) { return filled(r.english.grade) + filled(r.maths.grade); }

// One membership per group and relationship, whichever returns carried it.
std::optional<InvolvementKey> keyOf(const cn::HouseholdMember& m) {
  if (m.group.empty()) return std::nullopt;
  std::string qualifier(m.subject.system);
  qualifier.append("/").append(m.group).append("/").append(m.relationship);
  return InvolvementKey{INT_MIN, std::move(qualifier)};
}
int completeness(const cn::HouseholdMember& m) { return filled(m.start) + filled(m.end); }

// One funding line per setting per census.
std::optional<InvolvementKey> keyOf(const cn::EarlyYearsFunding& f) {
  if (!f.census) return std::nullopt;
  return InvolvementKey{dayNumber(*f.census), f.setting};
}
int completeness(const cn::EarlyYearsFunding& f) {
  return filled(f.funded_hours) + filled(f.basis) + filled(f.hours_at_setting);
}

// Being on a year's list is one involvement however often the list names the child.
std::optional<InvolvementKey> keyOf(const cn::TwoYearOldEligibility& e) {
  return InvolvementKey{e.list_year, {}};
}
int completeness(const cn::TwoYearOldEligibility&) { return 0; }

// One place per return and school: a return that lists the pupil twice is one enrolment.
// One return can hold two places of a pupil at its school: a row no longer on roll for the spell
// that ended and a row on roll for the one begun since (left and readmitted between censuses).
// Copies of the same row agree on roll status and entry date; the two spells do not.
std::optional<InvolvementKey> keyOf(const cn::Enrolment& e) {
  if (!e.census) return std::nullopt;
  const std::string entry = e.entry ? std::to_string(dayNumber(*e.entry)) : std::string();
  return InvolvementKey{dayNumber(*e.census),
                        e.census_return + (e.on_roll ? " on " : " off ") + entry};
}
int completeness(const cn::Enrolment& e) { return filled(e.entry) + filled(e.leaving); }

template <class T>
std::vector<Involvement<T>> deduplicate(const EvidenceList<T>& copies) {
  std::vector<std::pair<InvolvementKey, const Evidenced<T>*>> keyed;
  keyed.reserve(copies.size());
  for (const Evidenced<T>& copy : copies) {
    if (std::optional<InvolvementKey> key = keyOf(*copy.record)) keyed.emplace_back(*key, &copy);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second->evidence_id) < std::tie(b.first, b.second->evidence_id);
  });
  std::vector<Involvement<T>> out;
  for (size_t i = 0; i < keyed.size();) {
    size_t end = i;
    const Evidenced<T>* best = keyed[i].second;
    Involvement<T> involvement;
    for (; end < keyed.size() && keyed[end].first == keyed[i].first; ++end) {
      const Evidenced<T>* copy = keyed[end].second;
      if (completeness(*copy->record) > completeness(*best->record)) best = copy;
      involvement.evidence.push_back(copy->evidence_id);
    }
    involvement.record = *best->record;
    out.push_back(std::move(involvement));
    i = end;
  }
  return out;
}

// ---- person attributes -----------------------------------------------------------------------
//
// Each attribute takes the value most of the person's records give; a tie goes to the value of
// the record with the smallest evidence id. Empty values do not vote.

template <class V, class Get, class IsSet>
V vote(const std::vector<const Evidenced<cn::Person>*>& persons, Get get, IsSet is_set) {
  std::vector<std::pair<V, int>> tally;  // in order of first appearance = evidence id order
  for (const Evidenced<cn::Person>* p : persons) {
    const V value = get(*p->record);
    if (!is_set(value)) continue;
    const auto it = std::find_if(tally.begin(), tally.end(),
                                 [&](const auto& entry) { return entry.first == value; });
    if (it == tally.end()) {
      tally.emplace_back(value, 1);
    } else {
      ++it->second;
    }
  }
  if (tally.empty()) return V{};
  // max_element keeps the first of equal counts, i.e. the smallest evidence id.
  return std::max_element(tally.begin(), tally.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

PersonAttributes resolveAttributes(const EvidenceList<cn::Person>& records) {
  std::vector<const Evidenced<cn::Person>*> persons;
  for (const auto& p : records) persons.push_back(&p);
  std::sort(persons.begin(), persons.end(),
            [](const auto* a, const auto* b) { return a->evidence_id < b->evidence_id; });
  const auto text_set = [](const std::string& s) { return !s.empty(); };
  PersonAttributes a;
  a.birth_date = vote<std::optional<Date>>(
      persons, [](const cn::Person& p) { return p.birth_date; },
      [](const std::optional<Date>& d) { return d.has_value(); });
  a.sex = vote<cn::Sex>(
      persons, [](const cn::Person& p) { return p.sex; },
      [](cn::Sex s) { return s == cn::Sex::kMale || s == cn::Sex::kFemale; });
  a.ethnicity = vote<std::string>(
      persons, [](const cn::Person& p) { return p.ethnicity; }, text_set);
  a.postcode = vote<std::string>(
      persons, [](const cn::Person& p) { return p.postcode; }, text_set);
  a.family_id = vote<std::string>(
      persons, [](const cn::Person& p) { return p.family_id; }, text_set);
  for (const auto* p : persons) a.evidence.push_back(p->evidence_id);
  return a;
}

// ---- periods of care -------------------------------------------------------------------------
//
// An episode continues the previous one's period of care unless it says it starts one (RNE
// "S") or there is a gap before it. It continues the previous placement when only the legal
// status changed (RNE "L"), or, with no RNE recorded, when the placement fields are the same.

bool samePlacementFields(const cn::ClaEpisode& a, const cn::ClaEpisode& b) {
  return a.placement_type == b.placement_type && a.placement_postcode == b.placement_postcode &&
         a.placement_provider == b.placement_provider && a.urn == b.urn;
}

bool startsPlacement(const cn::ClaEpisode& episode, const cn::ClaEpisode& previous) {
  if (episode.reason_new_episode.empty()) return !samePlacementFields(episode, previous);
  return episode.reason_new_episode != "L";
}

/// An episode without an end that is followed by another ended when the next one started.
std::optional<Date> effectiveEnd(const std::vector<Involvement<cn::ClaEpisode>>& episodes,
                                 size_t i) {
  const cn::ClaEpisode& e = episodes[i].record;
  if (i + 1 < episodes.size() && (!e.end || *e.end > *episodes[i + 1].record.start)) {
    return episodes[i + 1].record.start;
  }
  return e.end;
}

std::vector<CarePeriod> chainCarePeriods(const std::vector<Involvement<cn::ClaEpisode>>& episodes) {
  std::vector<CarePeriod> periods;
  for (size_t i = 0; i < episodes.size(); ++i) {
    const cn::ClaEpisode& e = episodes[i].record;
    const std::optional<Date> end = effectiveEnd(episodes, i);
    const bool new_period = periods.empty() || e.reason_new_episode == "S" ||
                            (periods.back().end && *periods.back().end < *e.start);
    if (new_period) periods.push_back(CarePeriod{*e.start, end, {}, {}});
    CarePeriod& period = periods.back();
    const bool new_placement =
        period.episodes.empty() || startsPlacement(e, episodes[period.episodes.back()].record);
    if (new_placement) {
      period.placements.push_back(
          Placement{*e.start, end, e.placement_type, e.placement_postcode, {}});
    }
    Placement& placement = period.placements.back();
    placement.end = end;
    placement.evidence.insert(placement.evidence.end(), episodes[i].evidence.begin(),
                              episodes[i].evidence.end());
    period.end = end;
    period.episodes.push_back(i);
  }
  return periods;
}

// ---- admissions -------------------------------------------------------------------------------
//
// A diagnosis belongs to the admission whose encounter it cites, or that lists it among its
// diagnoses. The same encounter arriving twice (a later export) is one admission: the copy with
// the smallest evidence id stands for it, as its copies carry the same resource.

std::vector<AdmissionView> joinAdmissions(const EvidenceList<cn::HospitalAdmission>& admissions,
                                          const EvidenceList<cn::Diagnosis>& diagnoses) {
  std::vector<const Evidenced<cn::HospitalAdmission>*> sorted;
  for (const auto& a : admissions) sorted.push_back(&a);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::tie(a->record->encounter, a->evidence_id) <
           std::tie(b->record->encounter, b->evidence_id);
  });
  std::vector<AdmissionView> out;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const cn::HospitalAdmission& admission = *sorted[i]->record;
    if (i > 0 && !admission.encounter.empty() &&
        admission.encounter == sorted[i - 1]->record->encounter) {
      out.back().evidence.push_back(sorted[i]->evidence_id);
      continue;
    }
    AdmissionView view{admission, {}, {sorted[i]->evidence_id}};
    for (const auto& d : diagnoses) {
      const auto listed = std::find_if(admission.diagnoses.begin(), admission.diagnoses.end(),
                                       [&](const cn::RankedDiagnosis& r) {
                                         return r.condition == d.record->provenance.source_key;
                                       });
      const bool cites = !admission.encounter.empty() && d.record->encounter == admission.encounter;
      if (!cites && listed == admission.diagnoses.end()) continue;
      view.diagnoses.push_back(
          {listed == admission.diagnoses.end() ? 0 : listed->rank, d.record->icd10});
      view.evidence.push_back(d.evidence_id);
    }
    std::stable_sort(view.diagnoses.begin(), view.diagnoses.end(),
                     [](const CodedDiagnosis& a, const CodedDiagnosis& b) {
                       return (a.rank == 0 ? INT_MAX : a.rank) < (b.rank == 0 ? INT_MAX : b.rank);
                     });
    out.push_back(std::move(view));
  }
  std::stable_sort(out.begin(), out.end(), [](const AdmissionView& a, const AdmissionView& b) {
    return a.record.admitted < b.record.admitted;
  });
  return out;
}

// ---- EHC plans ----------------------------------------------------------------------------------
//
// A SEN2 return's rows of one plan reach the person through their links; here they are joined
// back by table id: a request, its assessment, the named plan issued after it and that plan's
// placements, and the active plan with its placements and needs. A row whose parent is missing
// (a module left out of the export) still makes a plan, keyed by the parent id it names, so
// nothing it says is lost. Copies of a row (a later export) fold into the first by evidence id.

constexpr int kTwentyWeeks = 20 * 7;

template <class T>
std::vector<const Evidenced<T>*> byEvidence(const EvidenceList<T>& list) {
  std::vector<const Evidenced<T>*> out;
  out.reserve(list.size());
  for (const auto& e : list) out.push_back(&e);
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->evidence_id < b->evidence_id; });
  return out;
}

std::vector<Involvement<cn::EhcPlan>> joinEhcPlans(const PersonRecords& records) {
  std::map<std::string, Involvement<cn::EhcPlan>> plans;  // by request id (or stand-in key)
  std::map<std::string, std::string> plan_of_assessment, plan_of_named, plan_of_active;
  const auto planAt = [&](const std::string& key, std::string_view evidence) {
    Involvement<cn::EhcPlan>& plan = plans[key];
    if (plan.record.request.empty()) plan.record.request = key;
    plan.evidence.push_back(evidence);
    return &plan.record;
  };
  const auto keyOf = [](const std::map<std::string, std::string>& index, const std::string& id,
                        std::string_view kind) {
    const auto it = index.find(id);
    return it != index.end() ? it->second : std::string(kind) + "/" + id;
  };
  for (const auto* e : byEvidence(records.ehc_requests)) {
    cn::EhcPlan* plan = planAt(e->record->request, e->evidence_id);
    if (!plan->requested) plan->requested = e->record->received;
  }
  for (const auto* e : byEvidence(records.ehc_assessments)) {
    plan_of_assessment.try_emplace(e->record->assessment, e->record->request);
    cn::EhcPlan* plan = planAt(e->record->request, e->evidence_id);
    if (!plan->assessed) plan->assessed = e->record->decided;
    if (!plan->week20_exception) plan->week20_exception = e->record->week20_exception;
  }
  for (const auto* e : byEvidence(records.ehc_named_plans)) {
    const std::string key = keyOf(plan_of_assessment, e->record->assessment, "assessment");
    plan_of_named.try_emplace(e->record->plan, key);
    cn::EhcPlan* plan = planAt(key, e->evidence_id);
    if (!plan->start) plan->start = e->record->start;
    if (!plan->ceased) plan->ceased = e->record->ceased;
    if (plan->cease_reason.empty()) plan->cease_reason = e->record->cease_reason;
  }
  for (const auto* e : byEvidence(records.ehc_active_plans)) {
    plan_of_active.try_emplace(e->record->active_plan, e->record->request);
    planAt(e->record->request, e->evidence_id)->listed_active = true;
  }
  for (const auto* e : byEvidence(records.ehc_placements)) {
    const std::string key = e->record->active
                                ? keyOf(plan_of_active, e->record->owner, "activeplan")
                                : keyOf(plan_of_named, e->record->owner, "namedplan");
    cn::EhcPlan* plan = planAt(key, e->evidence_id);
    const bool copy = std::any_of(
        plan->placements.begin(), plan->placements.end(), [&](const cn::EhcPlacement& p) {
          return p.provenance.source_key == e->record->provenance.source_key &&
                 p.active == e->record->active;
        });
    if (!copy) plan->placements.push_back(*e->record);
  }
  std::map<std::string, std::vector<std::pair<int, std::string>>> ranked_needs;
  for (const auto* e : byEvidence(records.sen_needs)) {
    const std::string key = keyOf(plan_of_active, e->record->active_plan, "activeplan");
    planAt(key, e->evidence_id);
    auto& needs = ranked_needs[key];
    const std::pair<int, std::string> need{e->record->rank.value_or(INT_MAX), e->record->type};
    if (std::find(needs.begin(), needs.end(), need) == needs.end()) needs.push_back(need);
  }
  std::vector<Involvement<cn::EhcPlan>> out;
  out.reserve(plans.size());
  for (auto& [key, involvement] : plans) {
    cn::EhcPlan& plan = involvement.record;
    auto& needs = ranked_needs[key];
    std::stable_sort(needs.begin(), needs.end());
    for (auto& need : needs) plan.needs.push_back(std::move(need.second));
    std::stable_sort(plan.placements.begin(), plan.placements.end(),
                     [](const cn::EhcPlacement& a, const cn::EhcPlacement& b) {
                       return std::make_tuple(!a.active, a.rank.value_or(INT_MAX)) <
                              std::make_tuple(!b.active, b.rank.value_or(INT_MAX));
                     });
    if (plan.requested && plan.start) {
      plan.within_20_weeks = dayNumber(*plan.start) - dayNumber(*plan.requested) <= kTwentyWeeks;
    }
    std::sort(involvement.evidence.begin(), involvement.evidence.end());
    involvement.evidence.erase(
        std::unique(involvement.evidence.begin(), involvement.evidence.end()),
        involvement.evidence.end());
    out.push_back(std::move(involvement));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.record.requested < b.record.requested;
  });
  return out;
}

}  // namespace

bool ehcPlanOpenOn(const canonical::EhcPlan& plan, Date day) {
  if (plan.ceased && *plan.ceased <= day) return false;
  if (plan.start) return *plan.start <= day;
  return plan.listed_active;
}

const canonical::EhcPlacement* ehcPlacementOn(const canonical::EhcPlan& plan, Date day) {
  bool any_active = false;
  for (const cn::EhcPlacement& p : plan.placements) {
    if (!p.active) continue;
    any_active = true;
    const bool open = (!p.entry || *p.entry <= day) && (!p.leaving || *p.leaving > day);
    if (open) return &p;  // placements are in rank order
  }
  if (any_active || plan.placements.empty()) return nullptr;
  return &plan.placements.front();
}

bool PersonRecords::add(std::string_view evidence_id, canonical::RecordRef record,
                        const std::shared_ptr<const void>& owner) {
  return record.visit([&](const auto& r) {
    using T = std::decay_t<decltype(r)>;
    bool stored = false;
    forEachList([&](auto& list) {
      using Kind = typename std::decay_t<decltype(list)>::value_type::Kind;
      if constexpr (std::is_same_v<Kind, T>) {
        list.push_back({evidence_id, &r});
        stored = true;
      }
    });
    if (stored && owner != nullptr) owners_.emplace_back(evidence_id, owner);
    return stored;
  });
}

bool PersonRecords::add(std::string evidence_id, canonical::Record record) {
  const auto owned =
      std::make_shared<const OwnedRecord>(OwnedRecord{std::move(record), std::move(evidence_id)});
  return add(owned->evidence_id, owned->record, owned);
}

bool PersonRecords::remove(std::string_view evidence_id) {
  bool removed = false;
  forEachList([&](auto& list) { removed = removed || eraseEvidence(list, evidence_id); });
  // Its owner last: it may hold the id compared above.
  const auto owner = std::find_if(owners_.begin(), owners_.end(),
                                  [&](const auto& owned) { return owned.first == evidence_id; });
  if (owner != owners_.end()) owners_.erase(owner);
  return removed;
}

bool PersonRecords::empty() const {
  bool empty = true;
  forEachList([&](const auto& list) { empty = empty && list.empty(); });
  return empty;
}

PersonView buildPersonView(const PersonRecords& records) {
  PersonView view;
  view.attributes = resolveAttributes(records.persons);
  view.contacts = deduplicate(records.contacts);
  view.referrals = deduplicate(records.referrals);
  view.assessments = deduplicate(records.assessments);
  view.cp_plans = deduplicate(records.cp_plans);
  view.cla_episodes = deduplicate(records.cla_episodes);
  view.care_leaver_statuses = deduplicate(records.care_leaver_statuses);
  view.early_help = deduplicate(records.early_help);
  view.care_periods = chainCarePeriods(view.cla_episodes);
  view.homelessness_cases = deduplicate(records.homelessness_cases);
  view.homelessness_duties = deduplicate(records.homelessness_duties);
  view.temporary_accommodation = deduplicate(records.temporary_accommodation);
  view.rough_sleeping = deduplicate(records.rough_sleeping);
  view.adult_care_events = deduplicate(records.adult_care_events);
  view.survey_responses = deduplicate(records.survey_responses);
  view.admissions = joinAdmissions(records.admissions, records.diagnoses);
  view.exclusions = deduplicate(records.exclusions);
  view.attendance = deduplicate(records.attendance);
  view.missing_education = deduplicate(records.missing_education);
  view.neet_statuses = deduplicate(records.neet_statuses);
  view.ks4_results = deduplicate(records.ks4_results);
  view.ehc_plans = joinEhcPlans(records);
  view.memberships = deduplicate(records.memberships);
  view.early_years_funding = deduplicate(records.early_years_funding);
  view.two_year_old_eligibility = deduplicate(records.two_year_old_eligibility);
  view.sen_provisions = deduplicate(records.sen_provisions);
  view.enrolments = deduplicate(records.enrolments);
  return view;
}

void addCaseRecords(const PersonRecords& records, std::string_view case_ref,
                    LinkedRecords& linked) {
  for (auto& duty : deduplicate(records.homelessness_duties)) {
    if (duty.record.case_ref == case_ref) linked.household_duties.push_back(std::move(duty));
  }
  for (auto& placement : deduplicate(records.temporary_accommodation)) {
    if (placement.record.case_ref == case_ref) {
      linked.household_temporary_accommodation.push_back(std::move(placement));
    }
  }
}

void addMotherRecords(const PersonRecords& records, LinkedRecords& linked) {
  for (auto& event : deduplicate(records.adult_care_events)) {
    linked.mother_adult_care_events.push_back(std::move(event));
  }
  for (auto& admission : joinAdmissions(records.admissions, records.diagnoses)) {
    linked.mother_admissions.push_back(std::move(admission));
  }
}

}  // namespace hearth::pipelines::indicators
