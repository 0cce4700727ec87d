#include "pipelines/normalise/layout_fields.hpp"

#include <algorithm>

namespace hearth::pipelines::normalise {
namespace {

// One layout: the fields its connector adds to every record, then its streams. A field is
// ignored here only for a reason written beside it; the source record keeps it either way (it is
// stored in the record store, and a rejected record goes whole to hearth.rejects).
struct LayoutSpec {
  ConnectorKind kind;
  std::vector<std::string_view> mapped_everywhere;
  std::vector<std::string_view> ignored_everywhere;
  std::vector<StreamFields> streams;
};

std::vector<StreamFields> ssda903Streams() {
  return {
      // UASC: the XML return's flag of a child who was ever unaccompanied; the uasc stream holds
      // the child's UASC record.
      {"header", {"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"}, {"UASC"}},
      {"episodes",
       {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"},
       {}},
      // DOB on the child's other tables repeats the header's, which the person record carries.
      {"oc3", {"CHILD", "IN_TOUCH", "ACTIV", "ACCOM"}, {"DOB"}},
      {"missing", {"CHILD", "MISSING", "MIS_START", "MIS_END"}, {"DOB"}},
  };
}

// Every census stream but `child` names its CINdetails by position and referral date: the
// canonical model keeps involvements apart, not nested, so those two link nothing.
std::vector<StreamFields> cinStreams() {
  return {
      // Disabilities: the canonical person has no disability yet.
      {"child",
       {"LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate",
        "Sex", "sex_element", "PersonDeathDate", "Ethnicity"},
       {"Disabilities"}},
      // DateOfInitialCPC of the episode repeats the conference of its Section47, which becomes
      // the initial_cp_conference record.
      {"cin_episode",
       {"LAchildID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
        "ReasonForClosure", "ReferralNFA"},
       {"episode", "DateOfInitialCPC"}},
      // The internal review date is not in the canonical assessment.
      {"assessment",
       {"LAchildID", "AssessmentActualStartDate", "AssessmentAuthorisationDate",
        "AssessmentFactors"},
       {"episode", "CINreferralDate", "AssessmentInternalReviewDate"}},
      {"cin_plan",
       {"LAchildID", "CINPlanStartDate", "CINPlanEndDate"},
       {"episode", "CINreferralDate"}},
      {"section47",
       {"LAchildID", "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
        "ICPCnotRequired"},
       {"episode", "CINreferralDate"}},
      // The count of earlier plans and the review dates are not in the canonical plan.
      {"cp_plan",
       {"LAchildID", "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse"},
       {"episode", "CINreferralDate", "NumberOfPreviousCPP", "CPPreviewDates"}},
      {"pre_proceedings",
       {"LAchildID", "PPStartDate", "LBPSentDate", "FGDMMeetingOffer", "FGDMMeetingFac",
        "InitialPPMeetingDate", "ReviewMeetingsCount", "StepDecisionDate", "PPOutcome",
        "CourtAppDate", "LetterInitCPDate"},
       {"episode", "CINreferralDate"}},
  };
}

// The Standard Safeguarding Dataset's tables (ssd-data-model). Row ids, ids of related rows,
// teams and workers, free-text descriptions beside codes, and outcome JSON are ignored throughout:
// identity works from the person id, and the canonical model holds no staff or outcome detail.
std::vector<StreamFields> ssdStreams() {
  return {
      // pers_gender is gender identity, not the census sex; the SEND flag and nationality are
      // not in the canonical person; the legacy id names a record of a retired system.
      {"ssd_person",
       {"pers_person_id", "pers_common_child_id", "pers_sex", "pers_ethnicity", "pers_dob",
        "pers_expected_dob", "pers_death_date", "pers_upn_unknown", "pers_is_mother",
        "pers_forename", "pers_surname"},
       {"pers_gender", "pers_legacy_id", "pers_send_flag", "pers_nationality"}},
      {"ssd_linked_identifiers",
       {"link_person_id", "link_identifier_type", "link_identifier_value"},
       {"link_table_id", "link_valid_from_date", "link_valid_to_date"}},
      {"ssd_contacts",
       {"cont_person_id", "cont_contact_date", "cont_contact_source_code",
        "cont_contact_outcome_json"},
       {"cont_contact_id", "cont_contact_source_desc"}},
      {"ssd_early_help_episodes",
       {"earl_person_id", "earl_episode_start_date", "earl_episode_end_date", "earl_episode_reason",
        "earl_episode_end_reason"},
       {"earl_episode_id", "earl_episode_organisation", "earl_episode_worker_id"}},
      {"ssd_cin_episodes",
       {"cine_person_id", "cine_referral_date", "cine_close_date", "cine_referral_source_code",
        "cine_cin_primary_need_code", "cine_close_reason", "cine_referral_nfa"},
       {"cine_referral_id", "cine_referral_source_desc", "cine_referral_outcome_json",
        "cine_referral_team", "cine_referral_worker_id"}},
      {"ssd_cin_assessments",
       {"cina_person_id", "cina_assessment_start_date", "cina_assessment_auth_date"},
       {"cina_assessment_id", "cina_referral_id", "cina_assessment_child_seen",
        "cina_assessment_outcome_json", "cina_assessment_outcome_nfa", "cina_assessment_team",
        "cina_assessment_worker_id"}},
      {"ssd_s47_enquiry",
       {"s47e_person_id", "s47e_s47_start_date", "s47e_s47_end_date"},
       {"s47e_s47_enquiry_id", "s47e_referral_id", "s47e_s47_nfa", "s47e_s47_outcome_json",
        "s47e_s47_completed_by_worker_id", "s47e_s47_completed_by_team"}},
      {"ssd_initial_cp_conference",
       {"icpc_person_id", "icpc_icpc_date", "icpc_icpc_target_date"},
       {"icpc_icpc_id", "icpc_icpc_meeting_id", "icpc_s47_enquiry_id", "icpc_cp_plan_id",
        "icpc_referral_id", "icpc_icpc_transfer_in", "icpc_icpc_outcome_cp_flag",
        "icpc_icpc_outcome_json", "icpc_icpc_team", "icpc_icpc_worker_id"}},
      // cppl_cp_plan_ola: the plan's other local authority, not in the canonical plan.
      {"ssd_cp_plans",
       {"cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date",
        "cppl_cp_plan_initial_category", "cppl_cp_plan_latest_category"},
       {"cppl_cp_plan_id", "cppl_referral_id", "cppl_icpc_id", "cppl_cp_plan_ola"}},
      // The connector's joined stream (connectors/trust_ssd/README.md). The date care began, the
      // last IRO contact and the start dates of the placement and legal status are not in the
      // canonical episode, whose dates are the episode's own.
      {"ssd_cla_episodes",
       {"clae_person_id", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date",
        "clae_cla_episode_start_reason", "lega_legal_status", "clae_cla_primary_need_code",
        "clap_cla_placement_type", "clap_cla_placement_provider", "clae_cla_episode_ceased_reason",
        "clap_cla_placement_end_date", "clap_cla_placement_change_reason", "clae_home_postcode",
        "clap_cla_placement_postcode", "clap_cla_placement_urn"},
       {"clae_cla_episode_id", "clae_cla_id", "clae_referral_id", "clae_cla_placement_id",
        "clae_entered_care_date", "clae_cla_last_iro_contact_date", "clap_cla_placement_start_date",
        "lega_legal_status_start_date"}},
      // Eligibility and the pathway plan review are not in the canonical care leaver status.
      {"ssd_care_leavers",
       {"clea_person_id", "clea_care_leaver_in_touch", "clea_care_leaver_activity",
        "clea_care_leaver_accommodation", "clea_care_leaver_accom_suitable",
        "clea_care_leaver_latest_contact"},
       {"clea_table_id", "clea_care_leaver_eligibility", "clea_pathway_plan_review_date",
        "clea_care_leaver_personal_advisor", "clea_care_leaver_allocated_team",
        "clea_care_leaver_worker_id"}},
      {"ssd_family", {"fami_person_id", "fami_family_id"}, {"fami_table_id"}},
      // Return home interviews are not in the canonical missing episode.
      {"ssd_missing",
       {"miss_person_id", "miss_missing_episode_start_date", "miss_missing_episode_end_date",
        "miss_missing_episode_type"},
       {"miss_table_id", "miss_missing_rhi_offered", "miss_missing_rhi_accepted"}},
  };
}

// The school census blade exports. Blade row ids, sequence columns and source ids are
// bookkeeping of the export; the enrolment, funding, SEN and attendance detail of a pupil's row
// is not in the canonical person (a school enrolment record is still to come), nor are the
// middle and preferred names, which identity does not compare.
std::vector<StreamFields> schoolCensusStreams() {
  const std::vector<std::string_view> pupil = {"upn",      "formerupn", "uniquelearnernumber",
                                               "forename", "surname",   "formersurname",
                                               "dob",      "sex",       "ethnicity"};
  auto with = [](std::vector<std::string_view> fields, std::string_view id) {
    fields.push_back(id);
    return fields;
  };
  return {
      {"pupilnolongeronroll",
       with(pupil, "pupilnolongeronrolltableid"),
       {"NativeId", "middlenames", "preferredsurname", "entrydate", "leavingdate",
        "pupilnolongeronrollorderseqcolumn", "sourceid", "schoolcensustableid", "parttime",
        "termlysessionspossible", "moveonrollflag", "boarder", "language"}},
      {"pupilonroll",
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
      {"addressesonroll",
       {"pupilonrolltableid", "uniquepropertyreferencenumber", "postcode"},
       {"NativeId", "addressesonrolltableid", "addressesonrollorderseqcolumn", "sourceid"}},
  };
}

std::vector<LayoutSpec> buildLayouts() {
  std::vector<LayoutSpec> layouts = {
      {ConnectorKind::kSsda903, {"collection_year"}, {}, ssda903Streams()},
      // The header's LEA is the council's own code, the same on every record.
      {ConnectorKind::kCinCensus, {"collection_year", "ReferenceDate"}, {"LEA"}, cinStreams()},
      // A trust's SSD carries no collection year; a column of that name would be read as one.
      {ConnectorKind::kTrustSsd, {"collection_year"}, {}, ssdStreams()},
      {ConnectorKind::kSchoolCensus, {"collection_year"}, {}, schoolCensusStreams()},
  };
  for (LayoutSpec& layout : layouts) {
    for (StreamFields& stream : layout.streams) {
      stream.mapped.insert(stream.mapped.end(), layout.mapped_everywhere.begin(),
                           layout.mapped_everywhere.end());
      stream.ignored.insert(stream.ignored.end(), layout.ignored_everywhere.begin(),
                            layout.ignored_everywhere.end());
      std::sort(stream.mapped.begin(), stream.mapped.end());
      std::sort(stream.ignored.begin(), stream.ignored.end());
    }
  }
  return layouts;
}

const LayoutSpec& layoutOf(ConnectorKind kind) {
  static const std::vector<LayoutSpec> kLayouts = buildLayouts();
  for (const LayoutSpec& layout : kLayouts) {
    if (layout.kind == kind) return layout;
  }
  return kLayouts.front();  // unreachable: every kind has a layout
}

// School census stream names are the operator's ("pupil_on_roll", "2025_spring_pupilonroll"):
// compared lower case, letters and digits only, by how they end.
bool streamEndsWith(std::string_view stream, std::string_view suffix) {
  size_t matched = 0;
  for (auto it = stream.rbegin(); it != stream.rend() && matched < suffix.size(); ++it) {
    char c = *it;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
    if (c != suffix[suffix.size() - 1 - matched]) return false;
    ++matched;
  }
  return matched == suffix.size();
}

}  // namespace

bool StreamFields::maps(std::string_view field) const {
  return std::binary_search(mapped.begin(), mapped.end(), field);
}

bool StreamFields::ignores(std::string_view field) const {
  return std::binary_search(ignored.begin(), ignored.end(), field);
}

const std::vector<StreamFields>& layoutStreams(ConnectorKind kind) {
  return layoutOf(kind).streams;
}

const StreamFields* findStreamFields(ConnectorKind kind, std::string_view stream) {
  for (const StreamFields& fields : layoutStreams(kind)) {
    const bool match = kind == ConnectorKind::kSchoolCensus ? streamEndsWith(stream, fields.stream)
                                                            : stream == fields.stream;
    if (match) return &fields;
  }
  return nullptr;
}

}  // namespace hearth::pipelines::normalise
