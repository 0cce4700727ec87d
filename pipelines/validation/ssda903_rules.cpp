#include "pipelines/validation/ssda903_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace hearth::pipelines::validation {
namespace {

using canonical::ageInYears;
using canonical::ClaEpisode;
using canonical::collectionEnd;
using canonical::collectionStart;
using canonical::Date;
using canonical::daysBetween;

struct RuleText {
  std::string_view code;
  std::string_view message;
};

// Messages as the department publishes them in 903_2024_25_rule_info.csv.
constexpr RuleText kRules[] = {
    {"101", "Gender code is not valid."},
    {"102", "Date of birth is not a valid date."},
    {"103", "The ethnicity code is either not valid or has not been entered."},
    {"165", "Data entry for mother status is invalid."},
    {"168",
     "Unique Pupil Number (UPN) is not valid. If unknown, default codes should be UN1, UN2, UN3, "
     "UN4 or UN5."},
    {"171", "Date of birth of mother's child is not a valid date."},
    {"174", "Mother's child date of birth is recorded but sex shows that the child is a male."},
    {"301", "Date of birth falls after the year ended."},
    {"351", "Child was over 25 at the start of the current collection year."},
    {"611", "Date of birth field is blank, but child is a mother."},
    {"612",
     "Date of birth field has been completed but mother field indicates child is not a mother."},
    {"620",
     "Child has been recorded as a mother, but date of birth shows that the mother is under 11 "
     "years of age."},
    {"621",
     "Mother's field has been completed but date of birth shows that the mother is younger than "
     "her child."},
    {"141", "Date episode began is not a valid date."},
    {"142", "A new episode has started, but the previous episode has not ended."},
    {"143", "The reason for new episode code is not a valid code."},
    {"144", "The legal status code is not a valid code."},
    {"145", "Category of need code is not a valid code."},
    {"146", "Placement type code is not a valid code."},
    {"147", "Date episode ceased is not a valid date."},
    {"148",
     "Date episode ceased and reason episode ceased must both be coded, or both left blank."},
    {"149", "Reason episode ceased code is not valid."},
    {"178", "Placement provider code is not a valid code."},
    {"1009", "Reason for placement change is not a valid code."},
    {"392c", "Postcode(s) provided are invalid."},
    {"302", "First episode starts before child was born."},
    {"352", "Child who started to be looked after was aged 18 or over."},
    {"353", "No episode submitted can start before 14 October 1991."},
    {"354", "Date episode ceased must be on or before the end of the current collection year."},
    {"355", "Episode appears to have lasted for less than 24 hours"},
    {"356", "The date the episode ceased is before the date the same episode started."},
    {"358", "Child with this legal status should not be under 10."},
    {"361",
     "Police protection legal status lasted longer than maximum 72 hours allowed in the Children "
     "Act 1989."},
    {"362", "Emergency protection order (EPO) lasted longer than 21 days"},
    {"363",
     "Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act 1989."},
    {"365", "Any individual short- term respite placement must not exceed 17 days."},
    {"371",
     "Child in supported accomodation not subject to children's homes regulations should be at "
     "least 16."},
    {"372", "Child in youth custody or prison should be at least 10."},
    {"373", "Child placed in a school should be at least 4 years old."},
    {"374", "Child in residential employment should be at least 14 years old."},
    {"375", "Hospitalisation coded as a temporary placement exceeds six weeks."},
    {"376",
     "Temporary placements coded as being due to holiday of usual foster carer(s) cannot exceed "
     "three weeks."},
    {"378",
     "A child who is placed with parent(s) cannot be looked after under a single period of "
     "accommodation under Section 20 of the Children Act 1989."},
    {"379",
     "Temporary placements for unspecified reason (placement code T4) cannot exceed seven days."},
    {"380", "A period of care cannot start with a temporary placement."},
    {"381", "A period of care cannot end with a temporary placement."},
    {"382", "A child receiving respite care cannot be in a temporary placement."},
    {"384", "A child receiving respite care cannot be in a long-term foster placement"},
    {"385", "Date episode ceased must be on or before the end of the current collection year."},
    {"386", "Reason episode ceased is adopted but child has reached age 18."},
    {"387",
     "Reason episode ceased is child moved into independent living arrangement, but the child is "
     "aged under 14."},
    {"388",
     "Reason episode ceased is coded new episode begins, but there is no continuation episode."},
    {"389",
     "Reason episode ceased is that child transferred to care of adult social care services, but "
     "child is aged under 16."},
    {"398", "Distance field completed but child looked after under legal status V3 or V4."},
    {"407", "Reason episode ceased is Special Guardianship Order, but child has reached age 18."},
    {"426",
     "A child receiving respite care cannot be recorded under a legal status of V3 and V4 in the "
     "same year."},
    {"431",
     "The reason for new episode is started to be looked after, but the previous episode ended on "
     "the same day."},
    {"433",
     "The reason for new episode suggests that this is a continuation episode, but the episode "
     "does not start on the same day as the last episode finished."},
    {"437",
     "Reason episode ceased is child has died or is aged 18 or over but there are further "
     "episodes."},
    {"460",
     "Reason episode ceased is that child stayed with current carers at age 18 (or above), but "
     "child is aged under 18."},
    {"501", "A new episode has started before the end date of the previous episode."},
    {"213", "Placement provider information not required."},
    {"526", "Child is missing a placement provider code for at least one episode."},
    {"527", "A placement provider code of PR1 cannot be associated with placements P1, R2 or R5."},
    {"528", "A placement provider code of PR2 cannot be associated with placements P1, R2 or R5."},
    {"529",
     "Placement provider code of PR3 cannot be associated with placements P1, A3 to A6, K1, K2 and "
     "U1 to U6 as these placements cannot be provided by other public organisations."},
    {"530", "A placement provider code of PR4 cannot be associated with placement P1."},
    {"531", "A placement provider code of PR5 cannot be associated with placements P1."},
    {"550", "A placement provider code of PR0 can only be associated with placement P1."},
    {"131", "Data entry for being in touch after leaving care is invalid."},
    {"132", "Data entry for activity after leaving care is invalid."},
    {"133",
     "Data entry for accommodation after leaving care is invalid. If reporting on a childs "
     "accommodation after leaving care the data entry must be valid"},
    {"153",
     "All data items relating to a child's activity or accommodation after leaving care must be "
     "coded or left blank."},
    {"344",
     "The record shows the young person has died or returned home to live with parent(s) or "
     "someone with parental responsibility for a continuous period of 6 months or more, but "
     "activity and/or accommodation on leaving care have been completed."},
    {"345",
     "The data collection record shows the local authority is in touch with this young person, but "
     "activity and/or accommodation data items are zero."},
    {"391", "Young person was not 17, 18, 19, 20 or 21 during the current collection year."},
    {"1004",
     "The start date of the missing episode or episode that the child was away from placement "
     "without authorisation is not a valid date."},
    {"1005",
     "The end date of the missing episode or episode that the child was away from placement "
     "without authorisation is not a valid date."},
    {"1006", "Missing type invalid."},
    {"564",
     "Child was missing or away from placement without authorisation and the date started is "
     "blank."},
    {"567",
     "The date that the missing episode or episode that the child was away from placement without "
     "authorisation ended is before the date that it started."},
    {"570",
     "The date that the child started to be missing or away from placement without authorisation "
     "is after the end of the collection year."},
    {"571",
     "The date that the child ceased to be missing or away from placement without authorisation is "
     "before the start or after the end of the collection year."},
    {"574",
     "A new missing/away from placement without authorisation period cannot start when the "
     "previous missing/away from placement without authorisation period is still open. "
     "Missing/away from placement without authorisation periods should also not overlap."},
    {"586", "Dates of missing periods are before child's date of birth."},
    {"INT03", "Internal Check: Child in Episodes does not exist in Header."},
};

bool isOneOf(std::string_view value, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), value) != codes.end();
}

bool isTemporaryPlacement(std::string_view place) {
  return isOneOf(place, {"T0", "T1", "T2", "T3", "T4"});
}

bool isOtherPlacement(std::string_view place) {
  return isOneOf(place, {"Z1", "Z11", "Z12", "Z13", "Z14"});
}

bool isShortBreak(std::string_view legal_status) { return isOneOf(legal_status, {"V3", "V4"}); }

bool isContinuation(std::string_view rne) { return isOneOf(rne, {"L", "P", "T", "B", "U"}); }

int lengthInDays(const ClaEpisode& e) {
  return e.start && e.end ? daysBetween(*e.start, *e.end) : 0;
}

bool startsBefore(const ClaEpisode* a, const ClaEpisode* b) { return *a->start < *b->start; }

}  // namespace

std::string_view ssda903RuleMessage(std::string_view rule) {
  for (const RuleText& r : kRules) {
    if (r.code == rule) return r.message;
  }
  return {};
}

void addSsda903Finding(std::vector<Finding>& out, const canonical::Provenance& record,
                       std::string_view rule, std::string_view field, Severity severity) {
  Finding f;
  f.code.reserve(4 + rule.size());
  f.code.append("903.").append(rule);
  f.message = ssda903RuleMessage(rule);
  f.field = field;
  f.severity = severity;
  f.stream = record.stream();
  f.source_key = record.source_key;
  out.push_back(std::move(f));
}

void checkClaEpisode(const ClaEpisode& e, std::vector<Finding>& out) {
  const canonical::Provenance& p = e.provenance;
  const std::string_view place = e.placement_type;
  const std::string_view ls = e.legal_status;
  const std::string_view provider = e.placement_provider;

  if (e.end.has_value() != !e.reason_ceased.empty()) addSsda903Finding(out, p, "148", "DEC");
  if (e.start) {
    static constexpr Date kFirstPossible{std::chrono::year{1991}, std::chrono::October,
                                         std::chrono::day{14}};
    if (*e.start < kFirstPossible) addSsda903Finding(out, p, "353", "DECOM");
    if (p.collection_year != 0 && *e.start > collectionEnd(p.collection_year)) {
      addSsda903Finding(out, p, "354", "DECOM");
    }
  }
  if (e.end && p.collection_year != 0 && *e.end > collectionEnd(p.collection_year)) {
    addSsda903Finding(out, p, "385", "DEC");
  }
  if (e.start && e.end) {
    if (*e.end == *e.start) addSsda903Finding(out, p, "355", "DEC");
    if (*e.end < *e.start) addSsda903Finding(out, p, "356", "DEC");
    const int days = lengthInDays(e);
    // Orders with a statutory maximum length (Children Act 1989) and temporary placements.
    if (ls == "L1" && days > 3) addSsda903Finding(out, p, "361", "LS");
    if (ls == "L2" && days > 21) addSsda903Finding(out, p, "362", "LS");
    if (ls == "L3" && days > 7) addSsda903Finding(out, p, "363", "LS");
    if (ls == "V3" && days > 17) addSsda903Finding(out, p, "365", "LS");
    if (place == "T1" && days > 42) addSsda903Finding(out, p, "375", "PLACE");
    if (place == "T3" && days > 21) addSsda903Finding(out, p, "376", "PLACE");
    if (place == "T4" && days > 7) addSsda903Finding(out, p, "379", "PLACE");
  }
  if (ls == "V2" && place == "P1") addSsda903Finding(out, p, "378", "PLACE");
  if (e.reason_new_episode == "S" && isTemporaryPlacement(place)) {
    addSsda903Finding(out, p, "380", "PLACE");
  }
  if (!e.reason_ceased.empty() && e.reason_ceased != "X1" && isTemporaryPlacement(place)) {
    addSsda903Finding(out, p, "381", "PLACE");
  }
  if (isShortBreak(ls)) {
    if (isTemporaryPlacement(place)) addSsda903Finding(out, p, "382", "PLACE");
    if (place == "U1" || place == "U4") addSsda903Finding(out, p, "384", "PLACE");
    if (!e.home_postcode.empty() || !e.placement_postcode.empty()) {
      addSsda903Finding(out, p, "398", "HOME_POST");
    }
  }
  if (!place.empty()) {
    const bool provider_not_required = isTemporaryPlacement(place) || isOtherPlacement(place);
    if (provider_not_required && !provider.empty()) {
      addSsda903Finding(out, p, "213", "PLACE_PROVIDER");
    }
    if (!provider_not_required && provider.empty()) {
      addSsda903Finding(out, p, "526", "PLACE_PROVIDER");
    }
  }
  if (!provider.empty() && !place.empty()) {
    const bool parent_or_health = isOneOf(place, {"P1", "R2", "R5"});
    if (provider == "PR1" && parent_or_health) addSsda903Finding(out, p, "527", "PLACE_PROVIDER");
    if (provider == "PR2" && parent_or_health) addSsda903Finding(out, p, "528", "PLACE_PROVIDER");
    if (provider == "PR3" && isOneOf(place, {"P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2",
                                             "U3", "U4", "U5", "U6"})) {
      addSsda903Finding(out, p, "529", "PLACE_PROVIDER");
    }
    if (provider == "PR4" && place == "P1") addSsda903Finding(out, p, "530", "PLACE_PROVIDER");
    if (provider == "PR5" && place == "P1") addSsda903Finding(out, p, "531", "PLACE_PROVIDER");
    if (provider == "PR0" && place != "P1") addSsda903Finding(out, p, "550", "PLACE_PROVIDER");
  }
}

void checkPerson(const canonical::Person& person, std::vector<Finding>& out) {
  const canonical::Provenance& p = person.provenance;
  if (person.first_child_birth_date && person.sex == canonical::Sex::kMale) {
    addSsda903Finding(out, p, "174", "MC_DOB");
  }
  const bool mother = person.is_mother.value_or(false);
  if (mother && !person.first_child_birth_date) addSsda903Finding(out, p, "611", "MC_DOB");
  if (!mother && person.first_child_birth_date) addSsda903Finding(out, p, "612", "MC_DOB");
  if (!person.birth_date) return;
  const Date dob = *person.birth_date;
  if (person.first_child_birth_date && *person.first_child_birth_date <= dob) {
    addSsda903Finding(out, p, "621", "MC_DOB");
  }
  if (p.collection_year == 0) return;
  const Date start = collectionStart(p.collection_year);
  if (dob > collectionEnd(p.collection_year)) addSsda903Finding(out, p, "301", "DOB");
  // Over 25 means the 25th birthday came before the year began.
  const Date day_before_start{std::chrono::sys_days{start} - std::chrono::days{1}};
  if (ageInYears(dob, day_before_start) >= 25) addSsda903Finding(out, p, "351", "DOB");
  if (mother && ageInYears(dob, start) < 11) addSsda903Finding(out, p, "620", "MOTHER");
}

void checkCareLeaverStatus(const canonical::CareLeaverStatus& s, std::vector<Finding>& out) {
  const canonical::Provenance& p = s.provenance;
  const bool in_touch = !s.in_touch.empty();
  const bool activity = !s.activity.empty();
  const bool accommodation = !s.accommodation.empty();
  if (!(in_touch == activity && activity == accommodation)) {
    addSsda903Finding(out, p, "153", "IN_TOUCH");
  }
  if ((s.in_touch == "DIED" || s.in_touch == "RHOM") && (activity || accommodation)) {
    addSsda903Finding(out, p, "344", "IN_TOUCH");
  }
  if (s.in_touch == "YES" && (s.activity == "0" || s.accommodation == "0")) {
    addSsda903Finding(out, p, "345", "IN_TOUCH");
  }
}

void checkMissingEpisode(const canonical::MissingEpisode& m, std::vector<Finding>& out) {
  const canonical::Provenance& p = m.provenance;
  if (m.start && m.end && *m.end < *m.start) addSsda903Finding(out, p, "567", "MIS_END");
  if (p.collection_year == 0) return;
  const Date start = collectionStart(p.collection_year);
  const Date end = collectionEnd(p.collection_year);
  if (m.start && *m.start > end) addSsda903Finding(out, p, "570", "MIS_START");
  if (m.end && (*m.end < start || *m.end > end)) addSsda903Finding(out, p, "571", "MIS_END");
}

std::map<std::string, ChildReturn> groupByChild(std::span<const canonical::Record> records) {
  std::map<std::string, ChildReturn> children;
  for (const canonical::Record& record : records) {
    const canonical::Subject& subject = canonical::subjectOf(record);
    std::string key = subject.system;
    key.push_back('\x1f');
    key += subject.value;
    if (const auto* person = std::get_if<canonical::Person>(&record)) {
      children[key].person = person;
    } else if (const auto* episode = std::get_if<ClaEpisode>(&record)) {
      children[key].episodes.push_back(episode);
    } else if (const auto* leaver = std::get_if<canonical::CareLeaverStatus>(&record)) {
      children[key].care_leaver.push_back(leaver);
    } else if (const auto* missing = std::get_if<canonical::MissingEpisode>(&record)) {
      children[key].missing.push_back(missing);
    }
  }
  return children;
}

std::vector<Finding> validateChildReturn(const ChildReturn& child) {
  std::vector<Finding> out;
  std::vector<const ClaEpisode*> episodes;
  for (const ClaEpisode* e : child.episodes) {
    if (e->start) episodes.push_back(e);
  }
  std::stable_sort(episodes.begin(), episodes.end(), startsBefore);

  if (child.person == nullptr && !child.episodes.empty()) {
    addSsda903Finding(out, child.episodes.front()->provenance, "INT03", "CHILD");
  }

  bool has_v3 = false;
  bool has_v4 = false;
  for (size_t i = 0; i < episodes.size(); ++i) {
    const ClaEpisode& e = *episodes[i];
    const canonical::Provenance& p = e.provenance;
    const ClaEpisode* previous = i == 0 ? nullptr : episodes[i - 1];
    const bool is_last = i + 1 == episodes.size();
    has_v3 = has_v3 || e.legal_status == "V3";
    has_v4 = has_v4 || e.legal_status == "V4";

    if (!is_last && !e.end) addSsda903Finding(out, p, "142", "DEC");
    if (previous != nullptr && previous->end && *e.start < *previous->end) {
      addSsda903Finding(out, p, "501", "DECOM");
    }
    if (e.reason_ceased == "X1" && e.end) {
      const bool continued = std::any_of(episodes.begin(), episodes.end(),
                                         [&](const ClaEpisode* o) { return *o->start == *e.end; });
      if (!continued) addSsda903Finding(out, p, "388", "REC");
    }
    if (e.reason_new_episode == "S" && previous != nullptr && previous->end == e.start) {
      addSsda903Finding(out, p, "431", "RNE");
    }
    if (isContinuation(e.reason_new_episode) && previous != nullptr && previous->end != e.start) {
      addSsda903Finding(out, p, "433", "RNE");
    }
    if ((e.reason_ceased == "E2" || e.reason_ceased == "E15") && !is_last) {
      addSsda903Finding(out, p, "437", "REC");
    }

    if (child.person == nullptr || !child.person->birth_date) continue;
    const Date dob = *child.person->birth_date;
    if (*e.start < dob) addSsda903Finding(out, p, "302", "DECOM");
    const int age_at_start = ageInYears(dob, *e.start);
    const std::string_view place = e.placement_type;
    if (e.reason_new_episode == "S" && age_at_start >= 18)
      addSsda903Finding(out, p, "352", "DECOM");
    if (isOneOf(e.legal_status, {"J1", "J2", "J3"}) && age_at_start < 10) {
      addSsda903Finding(out, p, "358", "LS");
    }
    if ((place == "H5" || place == "K3") && age_at_start < 16) {
      addSsda903Finding(out, p, "371", "PLACE");
    }
    if (place == "R5" && age_at_start < 10) addSsda903Finding(out, p, "372", "PLACE");
    if (place == "S1" && age_at_start < 4) addSsda903Finding(out, p, "373", "PLACE");
    if (place == "P3" && age_at_start < 14) addSsda903Finding(out, p, "374", "PLACE");
    if (e.end) {
      const int age_at_end = ageInYears(dob, *e.end);
      const std::string_view rec = e.reason_ceased;
      if ((rec == "E11" || rec == "E12") && age_at_end >= 18)
        addSsda903Finding(out, p, "386", "REC");
      if ((rec == "E5" || rec == "E6") && age_at_end < 14) addSsda903Finding(out, p, "387", "REC");
      if (rec == "E7" && age_at_end < 16) addSsda903Finding(out, p, "389", "REC");
      if (isOneOf(rec, {"E45", "E46", "E47", "E48"}) && age_at_end >= 18) {
        addSsda903Finding(out, p, "407", "REC");
      }
      if (rec == "E17" && age_at_end < 18) addSsda903Finding(out, p, "460", "REC");
    }
  }
  if (has_v3 && has_v4) addSsda903Finding(out, episodes.front()->provenance, "426", "LS");

  const std::optional<Date> dob =
      child.person != nullptr ? child.person->birth_date : std::optional<Date>{};
  for (const canonical::CareLeaverStatus* leaver : child.care_leaver) {
    const int year = leaver->provenance.collection_year;
    if (!dob || year == 0) continue;
    // The cohort is those with their 17th to 21st birthday inside the collection year.
    const int age_at_end = ageInYears(*dob, collectionEnd(year));
    const int age_at_start = ageInYears(*dob, collectionStart(year));
    const bool birthday_in_year =
        age_at_end != age_at_start ||
        (dob->month() == std::chrono::April && dob->day() == std::chrono::day{1});
    const int birthday_age = age_at_end;
    if (!birthday_in_year || birthday_age < 17 || birthday_age > 21) {
      addSsda903Finding(out, leaver->provenance, "391", "DOB");
    }
  }

  std::vector<const canonical::MissingEpisode*> missing;
  for (const canonical::MissingEpisode* m : child.missing) {
    if (!m->start) continue;
    if (dob && *m->start < *dob) addSsda903Finding(out, m->provenance, "586", "MIS_START");
    missing.push_back(m);
  }
  std::stable_sort(missing.begin(), missing.end(),
                   [](const auto* a, const auto* b) { return *a->start < *b->start; });
  for (size_t i = 1; i < missing.size(); ++i) {
    const canonical::MissingEpisode& previous = *missing[i - 1];
    if (!previous.end || *missing[i]->start <= *previous.end) {
      addSsda903Finding(out, missing[i]->provenance, "574", "MIS_START");
    }
  }
  return out;
}

}  // namespace hearth::pipelines::validation
