#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/normalise/field_map.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"
#include "pipelines/validation/identifiers.hpp"
#include "pipelines/validation/ssda903_rules.hpp"

namespace hearth::pipelines::normalise {
namespace {

using canonical::Date;
using validation::CodeSet;
using validation::Severity;

std::string categoryOfAbuse(RecordReader& r, std::string_view name) {
  const std::string_view text = r.field(name);
  if (text.empty()) return {};
  if (validation::checkCode(CodeSet::kCinCategoryOfAbuse, r.year(), text).valid) {
    return std::string(text);
  }
  if (startsWithIgnoreCase(text, "neglect")) return "NEG";
  if (startsWithIgnoreCase(text, "physical")) return "PHY";
  if (startsWithIgnoreCase(text, "sexual")) return "SAB";
  if (startsWithIgnoreCase(text, "emotional")) return "EMO";
  if (startsWithIgnoreCase(text, "multiple")) return "MUL";
  r.finding("code.unknown", "category of abuse is not one the census knows", name,
            Severity::kQuery);
  return {};
}

size_t ssdPerson(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "pers_person_id", ok);
  addNhsNumber(r, person, r.field("pers_common_child_id"));
  const std::string_view sex = r.field("pers_sex");
  if (sex == "M") person.sex = canonical::Sex::kMale;
  if (sex == "F") person.sex = canonical::Sex::kFemale;
  if (sex == "U") person.sex = canonical::Sex::kUnknown;
  person.ethnicity = r.field("pers_ethnicity");
  person.birth_date = r.date("pers_dob");
  person.expected_birth_date = r.plannedDate("pers_expected_dob");
  person.death_date = r.date("pers_death_date");
  const std::string_view unknown = r.field("pers_upn_unknown");
  if (!unknown.empty()) person.upn_unknown_reason = unknown;
  person.is_mother = parseFlag(r.field("pers_is_mother"));
  person.given_name = r.field("pers_forename");
  person.family_name = r.field("pers_surname");
  if (!ok) return 0;
  return emit(r, std::move(person));
}

size_t ssdLinkedIdentifier(RecordReader& r) {
  auto link = start<canonical::LinkedIdentifier>(r);
  const bool ok = r.subject("link_person_id", link.subject);
  const std::string_view type = r.field("link_identifier_type");
  const std::string_view value = r.field("link_identifier_value");
  link.identifier.source = r.provenance().source_system();
  link.identifier.value = value;
  if (equalsIgnoreCase(type, "Unique Pupil Number")) {
    link.identifier.scheme = "upn";
    if (!validation::isValidUpn(value)) {
      r.finding("upn.check_letter", "UPN check letter or format is not valid",
                "link_identifier_value", Severity::kReject);
    }
  } else if (equalsIgnoreCase(type, "Former Unique Pupil Number")) {
    link.identifier.scheme = "former_upn";
  } else if (equalsIgnoreCase(type, "NHS Number")) {
    link.identifier.scheme = "nhs";
    if (!validation::isValidNhsNumber(value)) {
      r.finding("nhs.check_digit", "NHS number fails the mod 11 check", "link_identifier_value",
                Severity::kReject);
    }
  } else if (equalsIgnoreCase(type, "Unique Learner Number")) {
    link.identifier.scheme = "uln";
  } else {
    std::string scheme;
    for (char c : type) {
      scheme.push_back(c == ' '                 ? '_'
                       : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a')
                                                : c);
    }
    link.identifier.scheme = scheme;
  }
  if (!ok) return 0;
  return emit(r, std::move(link));
}

// The decision date inside SSD's contact outcome JSON ("DECISION_DATETIME": "2024-05-01T10:00"),
// found by key rather than by a JSON parser: the object is flat and produced by the SSD's own
// extract, and a malformed one simply yields no date.
std::optional<canonical::Date> decisionDate(std::string_view outcome_json, const TimeZone& zone) {
  constexpr std::string_view kKey = "\"DECISION_DATETIME\"";
  const size_t key = outcome_json.find(kKey);
  if (key == std::string_view::npos) return std::nullopt;
  const size_t open = outcome_json.find('"', key + kKey.size());
  if (open == std::string_view::npos) return std::nullopt;
  const size_t close = outcome_json.find('"', open + 1);
  if (close == std::string_view::npos) return std::nullopt;
  return canonical::parseIsoDate(outcome_json.substr(open + 1, close - open - 1), zone);
}

size_t ssdContact(RecordReader& r) {
  auto c = start<canonical::Contact>(r);
  const bool ok = r.subject("cont_person_id", c.subject);
  c.received = r.date("cont_contact_date");
  c.source = r.field("cont_contact_source_code");
  c.decided = decisionDate(r.field("cont_contact_outcome_json"), r.context().time_zone);
  if (!ok) return 0;
  return emit(r, std::move(c));
}

// A member of a family or household group (SSD ssd_family): a Person record carrying only the
// group, which identity joins to the person's other records by the local id.
size_t ssdFamily(RecordReader& r) {
  bool ok = false;
  canonical::Person person = personStart(r, "fami_person_id", ok);
  person.family_id = r.field("fami_family_id");
  if (!ok || person.family_id.empty()) return 0;
  return emit(r, std::move(person));
}

// A mother and her child (SSD ssd_mother) as two memberships of the mother's group, named after
// her person id. The child's birth date is the membership's start, but a birth date is not
// published: the membership carries none.
size_t ssdMother(RecordReader& r) {
  auto child = start<canonical::HouseholdMember>(r);
  auto mother = start<canonical::HouseholdMember>(r);
  const bool ok = r.subject("moth_childs_person_id", child.subject) &&
                  r.subject("moth_person_id", mother.subject);
  if (!ok) return 0;
  if (child.subject.value == mother.subject.value) {
    r.finding("ssd.mother_is_child", "the mother and the child are the same person",
              "moth_childs_person_id", Severity::kReject);
    return 0;
  }
  // "mother/" marks the group as a mother's (daemon/derive/person_view.cpp, groupOf).
  child.group = "mother/" + mother.subject.value;
  child.relationship = "Child";
  mother.group = child.group;
  mother.relationship = "Mother";
  return emit(r, std::move(child)) + emit(r, std::move(mother));
}

const FieldMap<canonical::EarlyHelpEpisode> kSsdEarlyHelp = {
    .subject = "earl_person_id",
    .dates = {{"earl_episode_start_date", &canonical::EarlyHelpEpisode::start},
              {"earl_episode_end_date", &canonical::EarlyHelpEpisode::end}},
    .texts = {{"earl_episode_reason", &canonical::EarlyHelpEpisode::reason},
              {"earl_episode_end_reason", &canonical::EarlyHelpEpisode::end_reason}},
};

const FieldMap<canonical::Referral> kSsdCinEpisode = {
    .subject = "cine_person_id",
    .dates = {{"cine_referral_date", &canonical::Referral::start},
              {"cine_close_date", &canonical::Referral::end}},
    .codes = {{"cine_referral_source_code", &canonical::Referral::source,
               CodeSet::kCinReferralSource},
              {"cine_cin_primary_need_code", &canonical::Referral::primary_need,
               CodeSet::kCinPrimaryNeed},
              {"cine_close_reason", &canonical::Referral::closure_reason,
               CodeSet::kCinReasonForClosure}},
    .flags = {{"cine_referral_nfa", &canonical::Referral::no_further_action}},
};

const FieldMap<canonical::Assessment> kSsdAssessment = {
    .subject = "cina_person_id",
    .dates = {{"cina_assessment_start_date", &canonical::Assessment::start},
              {"cina_assessment_auth_date", &canonical::Assessment::authorised}},
};

const FieldMap<canonical::Section47> kSsdSection47 = {
    .subject = "s47e_person_id",
    .dates = {{"s47e_s47_start_date", &canonical::Section47::start},
              {"s47e_s47_end_date", &canonical::Section47::end}},
};

const FieldMap<canonical::InitialCpConference> kSsdConference = {
    .subject = "icpc_person_id",
    .dates = {{"icpc_icpc_date", &canonical::InitialCpConference::date}},
    .planned_dates = {{"icpc_icpc_target_date", &canonical::InitialCpConference::target}},
};

size_t ssdCpPlan(RecordReader& r) {
  auto p = start<canonical::CpPlan>(r);
  const bool ok = r.subject("cppl_person_id", p.subject);
  p.start = r.date("cppl_cp_plan_start_date");
  p.end = r.date("cppl_cp_plan_end_date");
  p.initial_category = categoryOfAbuse(r, "cppl_cp_plan_initial_category");
  p.latest_category = categoryOfAbuse(r, "cppl_cp_plan_latest_category");
  if (!ok) return 0;
  return emit(r, std::move(p));
}

// The 903 gives a reason for a placement change only to the episode that ended with the move
// while the child stayed in care (REC X1); an SSD placement keeps its change reason whichever
// episode ended with it, so it belongs to the episode whose end is the placement's end.
bool episodeEndedWithItsPlacement(RecordReader& r, const canonical::ClaEpisode& e) {
  if (!e.end || e.reason_ceased != "X1") return false;
  const std::optional<Date> placement_end =
      canonical::parseIsoDate(r.field("clap_cla_placement_end_date"), r.context().time_zone);
  return placement_end && *placement_end == *e.end;
}

// The ssd_cla_episodes stream is the connector's built-in join (connectors/trust_ssd/README.md):
// the episode's own columns, then its placement (clap_), the legal status open on its start
// (lega_) and the home postcode when the period began (clae_home_postcode). A bare table read
// simply leaves those fields out.
size_t ssdClaEpisode(RecordReader& r) {
  auto e = start<canonical::ClaEpisode>(r);
  const bool ok = r.subject("clae_person_id", e.subject);
  e.start = r.date("clae_cla_episode_start_date");
  e.end = r.date("clae_cla_episode_ceased_date");
  e.reason_new_episode = r.code("clae_cla_episode_start_reason", CodeSet::k903ReasonNewEpisode, "");
  e.legal_status = r.code("lega_legal_status", CodeSet::k903LegalStatus, "");
  e.category_of_need = r.code("clae_cla_primary_need_code", CodeSet::k903CategoryOfNeed, "");
  e.placement_type = r.code("clap_cla_placement_type", CodeSet::k903Placement, "");
  e.placement_provider = r.code("clap_cla_placement_provider", CodeSet::k903PlacementProvider, "");
  e.reason_ceased = r.code("clae_cla_episode_ceased_reason", CodeSet::k903ReasonCeased, "");
  if (episodeEndedWithItsPlacement(r, e)) {
    e.reason_place_change =
        r.code("clap_cla_placement_change_reason", CodeSet::k903ReasonPlaceChange, "");
  }
  e.home_postcode = r.postcode("clae_home_postcode", "");
  e.placement_postcode = r.postcode("clap_cla_placement_postcode", "");
  e.urn = placementUrn(r.field("clap_cla_placement_urn"));
  if (!ok) return 0;
  return emit(r, std::move(e));
}

size_t ssdCareLeaver(RecordReader& r) {
  auto s = start<canonical::CareLeaverStatus>(r);
  const bool ok = r.subject("clea_person_id", s.subject);
  s.in_touch = r.code("clea_care_leaver_in_touch", CodeSet::k903InTouch, "");
  s.activity = r.code("clea_care_leaver_activity", CodeSet::k903Activity, "");
  const std::string_view accommodation = r.field("clea_care_leaver_accommodation");
  if (!accommodation.empty()) s.accommodation = accommodation.substr(0, 1);
  // The 903 codes suitability 1/2; SSD systems often write the word.
  const std::string_view suitable = r.field("clea_care_leaver_accom_suitable");
  if (suitable == "1" || equalsIgnoreCase(suitable, "suitable")) s.accommodation_suitable = true;
  if (suitable == "2" || equalsIgnoreCase(suitable, "unsuitable")) {
    s.accommodation_suitable = false;
  }
  s.latest_contact = r.date("clea_care_leaver_latest_contact");
  if (!ok) return 0;
  validation::checkCareLeaverStatus(s, r.out().findings);
  return emit(r, std::move(s));
}

size_t ssdMissing(RecordReader& r) {
  auto m = start<canonical::MissingEpisode>(r);
  const bool ok = r.subject("miss_person_id", m.subject);
  m.start = r.date("miss_missing_episode_start_date");
  m.end = r.date("miss_missing_episode_end_date");
  const std::string_view type = r.field("miss_missing_episode_type");
  // SSD systems write the word; the 903 writes its initial.
  if (startsWithIgnoreCase(type, "M")) m.kind = "M";
  if (startsWithIgnoreCase(type, "A")) m.kind = "A";
  if (!ok) return 0;
  // The SSD holds every year's history, so the 903's bounds of one collection year (rules 570
  // and 571) do not apply to it; the year stays on the record for its code lists.
  canonical::MissingEpisode unbounded = m;
  unbounded.provenance.collection_year = 0;
  validation::checkMissingEpisode(unbounded, r.out().findings);
  return emit(r, std::move(m));
}

// The Standard Safeguarding Dataset's tables (ssd-data-model). Row ids, ids of related rows,
// teams and workers, free-text descriptions beside codes, and outcome JSON are ignored throughout:
// identity works from the person id, and the canonical model holds no staff or outcome detail.
std::vector<StreamLayout> trustSsdStreams() {
  return {
      // pers_gender is gender identity, not the census sex; the SEND flag and nationality are
      // not in the canonical person; the legacy id names a record of a retired system.
      {{"ssd_person",
        {"pers_person_id", "pers_common_child_id", "pers_sex", "pers_ethnicity", "pers_dob",
         "pers_expected_dob", "pers_death_date", "pers_upn_unknown", "pers_is_mother",
         "pers_forename", "pers_surname"},
        {"pers_gender", "pers_legacy_id", "pers_send_flag", "pers_nationality"}},
       ssdPerson},
      {{"ssd_linked_identifiers",
        {"link_person_id", "link_identifier_type", "link_identifier_value"},
        {"link_table_id", "link_valid_from_date", "link_valid_to_date"}},
       ssdLinkedIdentifier},
      {{"ssd_contacts",
        {"cont_person_id", "cont_contact_date", "cont_contact_source_code",
         "cont_contact_outcome_json"},
        {"cont_contact_id", "cont_contact_source_desc"}},
       ssdContact},
      {{"ssd_early_help_episodes",
        {"earl_person_id", "earl_episode_start_date", "earl_episode_end_date",
         "earl_episode_reason", "earl_episode_end_reason"},
        {"earl_episode_id", "earl_episode_organisation", "earl_episode_worker_id"}},
       [](RecordReader& r) { return emitMapped(r, kSsdEarlyHelp); }},
      {{"ssd_cin_episodes",
        {"cine_person_id", "cine_referral_date", "cine_close_date", "cine_referral_source_code",
         "cine_cin_primary_need_code", "cine_close_reason", "cine_referral_nfa"},
        {"cine_referral_id", "cine_referral_source_desc", "cine_referral_outcome_json",
         "cine_referral_team", "cine_referral_worker_id"}},
       [](RecordReader& r) { return emitMapped(r, kSsdCinEpisode); }},
      {{"ssd_cin_assessments",
        {"cina_person_id", "cina_assessment_start_date", "cina_assessment_auth_date"},
        {"cina_assessment_id", "cina_referral_id", "cina_assessment_child_seen",
         "cina_assessment_outcome_json", "cina_assessment_outcome_nfa", "cina_assessment_team",
         "cina_assessment_worker_id"}},
       [](RecordReader& r) { return emitMapped(r, kSsdAssessment); }},
      {{"ssd_s47_enquiry",
        {"s47e_person_id", "s47e_s47_start_date", "s47e_s47_end_date"},
        {"s47e_s47_enquiry_id", "s47e_referral_id", "s47e_s47_nfa", "s47e_s47_outcome_json",
         "s47e_s47_completed_by_worker_id", "s47e_s47_completed_by_team"}},
       [](RecordReader& r) { return emitMapped(r, kSsdSection47); }},
      {{"ssd_initial_cp_conference",
        {"icpc_person_id", "icpc_icpc_date", "icpc_icpc_target_date"},
        {"icpc_icpc_id", "icpc_icpc_meeting_id", "icpc_s47_enquiry_id", "icpc_cp_plan_id",
         "icpc_referral_id", "icpc_icpc_transfer_in", "icpc_icpc_outcome_cp_flag",
         "icpc_icpc_outcome_json", "icpc_icpc_team", "icpc_icpc_worker_id"}},
       [](RecordReader& r) { return emitMapped(r, kSsdConference); }},
      // cppl_cp_plan_ola: the plan's other local authority, not in the canonical plan.
      {{"ssd_cp_plans",
        {"cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date",
         "cppl_cp_plan_initial_category", "cppl_cp_plan_latest_category"},
        {"cppl_cp_plan_id", "cppl_referral_id", "cppl_icpc_id", "cppl_cp_plan_ola"}},
       ssdCpPlan},
      // The connector's joined stream (connectors/trust_ssd/README.md). The date care began, the
      // last IRO contact and the start dates of the placement and legal status are not in the
      // canonical episode, whose dates are the episode's own.
      {{"ssd_cla_episodes",
        {"clae_person_id", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date",
         "clae_cla_episode_start_reason", "lega_legal_status", "clae_cla_primary_need_code",
         "clap_cla_placement_type", "clap_cla_placement_provider", "clae_cla_episode_ceased_reason",
         "clap_cla_placement_end_date", "clap_cla_placement_change_reason", "clae_home_postcode",
         "clap_cla_placement_postcode", "clap_cla_placement_urn"},
        {"clae_cla_episode_id", "clae_cla_id", "clae_referral_id", "clae_cla_placement_id",
         "clae_entered_care_date", "clae_cla_last_iro_contact_date",
         "clap_cla_placement_start_date", "lega_legal_status_start_date"}},
       ssdClaEpisode},
      // Eligibility and the pathway plan review are not in the canonical care leaver status.
      {{"ssd_care_leavers",
        {"clea_person_id", "clea_care_leaver_in_touch", "clea_care_leaver_activity",
         "clea_care_leaver_accommodation", "clea_care_leaver_accom_suitable",
         "clea_care_leaver_latest_contact"},
        {"clea_table_id", "clea_care_leaver_eligibility", "clea_pathway_plan_review_date",
         "clea_care_leaver_personal_advisor", "clea_care_leaver_allocated_team",
         "clea_care_leaver_worker_id"}},
       ssdCareLeaver},
      {{"ssd_family", {"fami_person_id", "fami_family_id"}, {"fami_table_id"}}, ssdFamily},
      {{"ssd_mother",
        {"moth_person_id", "moth_childs_person_id"},
        {"moth_table_id", "moth_childs_dob"}},
       ssdMother},
      // Return home interviews are not in the canonical missing episode.
      {{"ssd_missing",
        {"miss_person_id", "miss_missing_episode_start_date", "miss_missing_episode_end_date",
         "miss_missing_episode_type"},
        {"miss_table_id", "miss_missing_rhi_offered", "miss_missing_rhi_accepted"}},
       ssdMissing},
  };
}

}  // namespace

const Layout& trustSsdLayout() {
  // A trust's SSD carries no collection year; a column of that name would be read as one.
  static const Layout kLayout = makeLayout({
      .name = "trust_ssd",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = trustSsdStreams(),
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
