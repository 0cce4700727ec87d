#include "daemon/derive/person_view.hpp"

#include <algorithm>
#include <map>

#include "daemon/derive/education_flags.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/indicators/health_indicators.hpp"
#include "pipelines/privacy/field_policy.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;

bool openOn(const std::optional<canonical::Date>& start, const std::optional<canonical::Date>& end,
            canonical::Date day) {
  return start && *start <= day && (!end || *end > day);
}

// The value most records agree on; ties go to the smallest, so the view is deterministic.
template <typename T>
std::optional<T> consensus(const std::map<T, int>& votes) {
  std::optional<T> best;
  int best_count = 0;
  for (const auto& [value, count] : votes) {
    if (count > best_count) {
      best = value;
      best_count = count;
    }
  }
  return best;
}

struct Flags {
  bool in_care = false;
  bool cp_plan = false;
  bool child_in_need = false;
  bool early_help = false;
  bool care_leaver = false;
  bool missing_in_last_90_days = false;
  // Adults' services.
  bool long_term_support = false;
  bool carer = false;
  bool homelessness_duty = false;
  bool temporary_accommodation = false;
  bool sleeping_rough = false;
  // Health.
  bool emergency_admission_12m = false;
};

// The same calendar date a year earlier (29 February: the 28th).
canonical::Date yearBefore(canonical::Date day) {
  const canonical::Date back = day - std::chrono::years{1};
  return back.ok() ? back : canonical::Date{back.year(), back.month(), std::chrono::day{28}};
}

// Adult social care counts a service as running on its last day, as the DHSC snapshot does.
bool runningOn(const std::optional<canonical::Date>& start,
               const std::optional<canonical::Date>& end, canonical::Date day) {
  return start && *start <= day && (!end || *end >= day);
}

/// The flags the housing and adult social care records set.
void addAdultFlags(canonical::RecordRef record, canonical::Date as_of,
                   canonical::Date ninety_days_ago, Flags& flags) {
  if (const auto* e = record.get_if<canonical::AdultCareEvent>()) {
    if (!runningOn(e->start, e->end, as_of)) return;
    if (e->client_type == "Carer") {
      flags.carer = true;
    } else if (e->event_type == "Service" && e->service_type.starts_with("Long term support")) {
      flags.long_term_support = true;
    }
  } else if (const auto* d = record.get_if<canonical::HomelessnessDuty>()) {
    flags.homelessness_duty =
        flags.homelessness_duty || (d->duty != "main" && openOn(d->start, d->end, as_of));
  } else if (const auto* t = record.get_if<canonical::TemporaryAccommodation>()) {
    flags.temporary_accommodation =
        flags.temporary_accommodation || openOn(t->start, t->end, as_of);
  } else if (const auto* r = record.get_if<canonical::RoughSleepingContact>()) {
    if (r->date && *r->date >= ninety_days_ago && *r->date <= as_of) flags.sleeping_rough = true;
  }
}

}  // namespace

std::optional<GroupRef> groupOf(canonical::RecordRef record) {
  if (const auto* m = record.get_if<canonical::HouseholdMember>()) {
    // A mother and her children (SSD ssd_mother: pipelines/normalise/trust_ssd.cpp).
    if (m->group.starts_with("mother/")) {
      return GroupRef{"mother", m->subject.system, m->group};
    }
    if (!m->group.empty()) return GroupRef{"household", m->subject.system, m->group};
  } else if (const auto* p = record.get_if<canonical::Person>()) {
    if (!p->family_id.empty()) return GroupRef{"family", p->subject.system, p->family_id};
  }
  return std::nullopt;
}

bool shapesGroups(canonical::RecordRef record) {
  return record.holds<canonical::HomelessnessCase>() ||
         record.holds<canonical::HomelessnessDuty>() ||
         record.holds<canonical::TemporaryAccommodation>() || groupOf(record).has_value();
}

std::string groupViewJson(const std::string& group_pseudonym, std::string_view kind,
                          const std::set<std::string>& members, canonical::Date as_of) {
  std::string out = R"({"group":")";
  out.append(group_pseudonym);
  out.append(R"(","kind":)");
  pipelines::appendJsonString(out, kind);
  out.append(R"(,"as_of":")");
  out.append(canonical::formatIsoDate(as_of));
  out.append(R"(","members":[)");
  bool first = true;
  for (const std::string& member : members) {
    if (!first) out.push_back(',');
    first = false;
    pipelines::appendJsonString(out, member);
  }
  out.append("]}");
  return out;
}

namespace {

void appendDateOrNull(std::string& out, const std::optional<canonical::Date>& date) {
  if (!date) {
    out.append("null");
    return;
  }
  out.push_back('"');
  out.append(canonical::formatIsoDate(*date));
  out.push_back('"');
}

}  // namespace

void GroupDates::add(canonical::RecordRef record) {
  const auto extend = [&](const canonical::Subject& subject, const std::string& case_ref,
                          const std::optional<canonical::Date>& end) {
    if (case_ref.empty()) return;
    Span& span = spans_[GroupRef{"household", subject.system, case_ref}];
    if (!end) {
      span.open = true;
    } else if (!span.last_end || *span.last_end < *end) {
      span.last_end = end;
    }
  };
  if (const auto* c = record.get_if<canonical::HomelessnessCase>()) {
    if (!c->case_ref.empty() && c->application) {
      spans_[GroupRef{"household", c->subject.system, c->case_ref}].from = c->application;
    }
  } else if (const auto* d = record.get_if<canonical::HomelessnessDuty>()) {
    // A main duty decision is dated by its start alone; it neither opens nor closes the case.
    if (d->duty != "main") extend(d->subject, d->case_ref, d->end);
  } else if (const auto* t = record.get_if<canonical::TemporaryAccommodation>()) {
    extend(t->subject, t->case_ref, t->end);
  }
}

Membership GroupDates::of(const GroupRef& group, canonical::RecordRef member) const {
  if (const auto* m = member.get_if<canonical::HouseholdMember>(); m && (m->start || m->end)) {
    return {m->start, m->end};
  }
  const auto it = spans_.find(group);
  if (it == spans_.end()) return {};
  const Span& span = it->second;
  return {span.from, span.open ? std::nullopt : span.last_end};
}

std::string groupMembershipViewJson(const std::string& group_pseudonym, std::string_view kind,
                                    const std::map<std::string, Membership>& membership,
                                    canonical::Date as_of) {
  std::set<std::string> members;
  for (const auto& [member, dates] : membership) members.insert(member);
  std::string out = groupViewJson(group_pseudonym, kind, members, as_of);
  out.pop_back();  // the closing brace
  out.append(R"(,"membership":[)");
  bool first = true;
  for (const auto& [member, dates] : membership) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"person":)");
    pipelines::appendJsonString(out, member);
    out.append(R"(,"from":)");
    appendDateOrNull(out, dates.from);
    out.append(R"(,"to":)");
    appendDateOrNull(out, dates.to);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string_view ageBand(int age) {
  if (age < 1) return "under 1";
  if (age < 5) return "1-4";
  if (age < 10) return "5-9";
  if (age < 16) return "10-15";
  if (age < 18) return "16-17";
  if (age < 25) return "18-24";
  if (age < 65) return "25-64";
  return "65+";
}

std::string personViewJson(const std::string& pseudonym,
                           std::span<const canonical::RecordRef> records, canonical::Date as_of,
                           const pipelines::indicators::SchoolRegister* schools) {
  std::map<canonical::Date, int> births;
  std::map<canonical::Sex, int> sexes;
  std::map<std::string, int> sectors;
  Flags flags;
  const canonical::Date ninety_days_ago{std::chrono::sys_days(as_of) - std::chrono::days(90)};
  const canonical::Date year_ago = yearBefore(as_of);
  EducationFlags education(as_of, schools);
  for (const canonical::RecordRef record : records) {
    education.note(record);
    if (const auto* p = record.get_if<canonical::Person>()) {
      if (p->birth_date) ++births[*p->birth_date];
      if (p->sex != canonical::Sex::kNotRecorded) ++sexes[p->sex];
      // No sector for "no fixed abode" (ZZ99) and other unplaceable codes: not a vote.
      if (const std::string sector = pipelines::postcodeSector(p->postcode); !sector.empty()) {
        ++sectors[sector];
      }
    } else if (const auto* e = record.get_if<canonical::ClaEpisode>()) {
      if (openOn(e->start, e->end, as_of) && e->legal_status != "V3" && e->legal_status != "V4") {
        flags.in_care = true;
      }
    } else if (const auto* c = record.get_if<canonical::CpPlan>()) {
      flags.cp_plan = flags.cp_plan || openOn(c->start, c->end, as_of);
    } else if (const auto* r = record.get_if<canonical::Referral>()) {
      flags.child_in_need = flags.child_in_need || openOn(r->start, r->end, as_of);
    } else if (const auto* h = record.get_if<canonical::EarlyHelpEpisode>()) {
      flags.early_help = flags.early_help || openOn(h->start, h->end, as_of);
    } else if (record.holds<canonical::CareLeaverStatus>()) {
      flags.care_leaver = true;
    } else if (const auto* m = record.get_if<canonical::MissingEpisode>()) {
      if (m->start && *m->start >= ninety_days_ago && *m->start <= as_of) {
        flags.missing_in_last_90_days = true;
      }
    } else if (const auto* a = record.get_if<canonical::HospitalAdmission>()) {
      if (a->admitted && *a->admitted > year_ago && *a->admitted <= as_of &&
          pipelines::indicators::health::isEmergencyAdmission(a->admission_method)) {
        flags.emergency_admission_12m = true;
      }
    } else {
      addAdultFlags(record, as_of, ninety_days_ago, flags);
    }
  }

  std::string out = R"({"person":")";
  out.append(pseudonym);
  out.append(R"(","as_of":")");
  out.append(canonical::formatIsoDate(as_of));
  out.append(R"(","age_band":)");
  if (const auto birth = consensus(births)) {
    const int age = canonical::ageInYears(*birth, as_of);
    flags.care_leaver = flags.care_leaver && age < 26;
    pipelines::appendJsonString(out, ageBand(age));
  } else {
    out.append("null");
  }
  out.append(R"(,"sex":)");
  const auto sex = consensus(sexes);
  switch (sex.value_or(canonical::Sex::kNotRecorded)) {
    case canonical::Sex::kMale:
      out.append(R"("M")");
      break;
    case canonical::Sex::kFemale:
      out.append(R"("F")");
      break;
    case canonical::Sex::kUnknown:
    case canonical::Sex::kIndeterminate:
      out.append(R"("U")");
      break;
    case canonical::Sex::kNotRecorded:
      out.append("null");
      break;
  }
  out.append(R"(,"postcode_sector":)");
  if (const auto sector = consensus(sectors)) {
    pipelines::appendJsonString(out, *sector);
  } else {
    out.append("null");
  }
  const std::pair<std::string_view, bool> named_flags[] = {
      {"in_care", flags.in_care},
      {"cp_plan", flags.cp_plan},
      {"child_in_need", flags.child_in_need},
      {"early_help", flags.early_help},
      {"care_leaver", flags.care_leaver},
      {"missing_in_last_90_days", flags.missing_in_last_90_days},
      {"long_term_support", flags.long_term_support},
      {"carer", flags.carer},
      {"homelessness_duty", flags.homelessness_duty},
      {"temporary_accommodation", flags.temporary_accommodation},
      {"sleeping_rough", flags.sleeping_rough},
      {"emergency_admission_12m", flags.emergency_admission_12m},
  };
  out.append(R"(,"flags":{)");
  for (const auto& [name, value] : named_flags) {
    if (name != named_flags[0].first) out.push_back(',');
    out.push_back('"');
    out.append(name);
    out.append(value ? "\":true" : "\":false");
  }
  education.appendJson(out);
  out.append(R"(},"sources":[)");
  std::vector<std::string_view> systems;
  for (const canonical::RecordRef record : records) {
    const std::string_view system = canonical::subjectOf(record).system;
    if (!system.empty()) systems.push_back(system);
  }
  std::sort(systems.begin(), systems.end());
  systems.erase(std::unique(systems.begin(), systems.end()), systems.end());
  for (size_t i = 0; i < systems.size(); ++i) {
    if (i > 0) out.push_back(',');
    pipelines::appendJsonString(out, systems[i]);
  }
  out.append(R"(],"records":)");
  pipelines::appendJsonInt(out, static_cast<int64_t>(records.size()));
  out.push_back('}');
  return out;
}

}  // namespace hearth::daemon::derive
