#include "pipelines/indicators/registry.hpp"

#include <array>

#include "pipelines/indicators/cross_service_indicators.hpp"
#include "pipelines/indicators/csc_indicators.hpp"
#include "pipelines/indicators/education_indicators.hpp"
#include "pipelines/indicators/health_indicators.hpp"
#include "pipelines/indicators/housing_adult_indicators.hpp"

namespace hearth::pipelines::indicators {
namespace {

constexpr std::array kPersonBreakdowns = {Breakdown::kAgeBand, Breakdown::kSex,
                                          Breakdown::kEthnicityGroup, Breakdown::kLocalArea};

constexpr std::array kAdultBreakdowns = {Breakdown::kAdultAgeBand, Breakdown::kSex,
                                         Breakdown::kEthnicityGroup, Breakdown::kLocalArea};

constexpr std::string_view kPercent = "percent";

const std::array kRegistry = {
    IndicatorDefinition{
        .id = "cla_count",
        .version = 1,
        .description = "Children in care at period end, excluding short breaks (V3, V4)",
        .cohort = "",
        .numerator = "children with a period of care open on the last day of the period whose "
                     "legal status that day is not V3 or V4",
        .denominator = "the configured resident population aged 0-17",
        .unit = "per 10,000 aged 0-17",
        .denominator_kind = DenominatorKind::kPopulation,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::claCount,
    },
    IndicatorDefinition{
        .id = "cp_plan_count",
        .version = 1,
        .description = "Children on a child protection plan at period end",
        .cohort = "",
        .numerator = "children with a CP plan open on the last day of the period",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::cpPlanCount,
    },
    IndicatorDefinition{
        .id = "re_referral_12m",
        .version = 1,
        .description = "Referrals within 12 months of a previous referral of the same child",
        .cohort = "referrals dated in the period",
        .numerator = "those with a previous referral on or after the same date a year earlier",
        .denominator = "referrals dated in the period",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::reReferral12m,
    },
    IndicatorDefinition{
        .id = "referral_decision_1wd",
        .version = 1,
        .description = "Contacts decided within one working day of receipt",
        .cohort = "contacts received in the period",
        .numerator = "those decided at most one working day after the day received",
        .denominator = "contacts received in the period",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::referralDecision1wd,
    },
    IndicatorDefinition{
        .id = "assessment_45wd",
        .version = 1,
        .description = "Assessments authorised within 45 working days of starting",
        .cohort = "assessments authorised in the period",
        .numerator = "those authorised at most 45 working days after their start",
        .denominator = "assessments authorised in the period",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::assessment45wd,
    },
    IndicatorDefinition{
        .id = "cla_placed_20_miles",
        .version = 1,
        .description = "Children in care placed more than 20 miles from home",
        .cohort = "children in care at period end whose home and placement postcodes are both "
                  "in the postcode lookup",
        .numerator = "those placed more than 20 miles away in a straight line",
        .denominator = "children in care at period end with a computable distance",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::claPlaced20Miles,
    },
    IndicatorDefinition{
        .id = "cla_stability_short",
        .version = 1,
        .description = "Children in care with three or more placements in the period",
        .cohort = "children in care at period end",
        .numerator = "those whose period of care had 3+ placements open in the period, "
                     "temporary placements T0-T4 not counted",
        .denominator = "children in care at period end",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::claStabilityShort,
    },
    IndicatorDefinition{
        .id = "cla_stability_long",
        .version = 1,
        .description = "Children in care 2.5+ years in the same placement for 2+ years",
        .cohort = "children in care at period end, under 16, whose period of care began at "
                  "least 30 months before the period end",
        .numerator = "those whose placement began at least 2 years before the period end",
        .denominator = "children in care under 16 for 2.5 years or more",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::claStabilityLong,
    },
    IndicatorDefinition{
        .id = "care_leaver_accom_19_21",
        .version = 1,
        .description = "Care leavers aged 19-21 in suitable accommodation",
        .cohort = "care leavers whose 19th, 20th or 21st birthday fell in the period, with a "
                  "status recorded for it; not in touch and no information included",
        .numerator = "those whose accommodation was recorded as suitable",
        .denominator = "the whole cohort",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::careLeaverAccom1921,
    },
    IndicatorDefinition{
        .id = "early_help_open",
        .version = 1,
        .description = "Children and families with an early help episode open in the period",
        .cohort = "",
        .numerator = "children with an early help episode open at some time in the period",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = true,
        .assess = &csc::earlyHelpOpen,
    },
    IndicatorDefinition{
        .id = "care_leaver_neet",
        .version = 1,
        .description = "Care leavers aged 19-21 not in education, employment or training",
        .cohort = "care leavers whose 19th, 20th or 21st birthday fell in the period, with a "
                  "status recorded for it; not in touch and no information included",
        .numerator = "those whose activity was recorded as G4, G5 or G6",
        .denominator = "the whole cohort",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &csc::careLeaverNeet,
    },
    // Housing: council counts are published unrounded.
    IndicatorDefinition{
        .id = "homeless_duty_owed",
        .version = 1,
        .description = "Households owed a prevention or relief duty in the period",
        .cohort = "",
        .numerator = "homelessness cases (one household each) whose prevention or relief duty "
                     "began in the period, counted with their main applicant",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &adults::homelessDutyOwed,
        .family = "housing",
    },
    IndicatorDefinition{
        .id = "temp_accommodation",
        .version = 1,
        .description = "Households in temporary accommodation at period end",
        .cohort = "",
        .numerator = "main applicants with a temporary accommodation placement open on the last "
                     "day of the period; overlapping placements count once",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &adults::tempAccommodation,
        .family = "housing",
    },
    IndicatorDefinition{
        .id = "rough_sleeping",
        .version = 1,
        .description = "People recorded sleeping rough in the period",
        .cohort = "",
        .numerator = "people with a rough sleeping contact dated in the period",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &adults::roughSleeping,
        .family = "housing",
    },
    // Adult social care.
    IndicatorDefinition{
        .id = "asc_long_term_support",
        .version = 1,
        .description = "Adults with long-term support at period end",
        .cohort = "",
        .numerator = "service users aged 18+ with a long-term support service started on or "
                     "before the last day of the period and not ended before it, once each",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kAdultBreakdowns,
        .counts_families = false,
        .assess = &adults::ascLongTermSupport,
        .family = "adult_social_care",
    },
    IndicatorDefinition{
        .id = "asc_feels_safe",
        .version = 1,
        .description = "Adult social care users who feel as safe as they want (ASCOF 4A)",
        .cohort = "respondents to the period's Adult Social Care Survey with a valid q7a",
        .numerator = "those answering q7a = 1, unweighted",
        .denominator = "respondents with a valid q7a",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kAdultBreakdowns,
        .counts_families = false,
        .assess = &adults::ascFeelsSafe,
        .family = "adult_social_care",
    },
    IndicatorDefinition{
        .id = "falls_admissions_65",
        .version = 1,
        .description = "Emergency hospital admissions for falls, people aged 65 and over",
        .cohort = "",
        .numerator = "emergency admissions (method 21-28, 2A-2D) in the period, aged 65+ on the "
                     "admission date, primary diagnosis S00-T98 and another diagnosis W00-W19",
        .denominator = "the configured residents aged 65+, for the age-standardised rate",
        .unit = "per 100,000 aged 65+, age-standardised (ESP 2013)",
        .denominator_kind = DenominatorKind::kStandardPopulation,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &health::fallsAdmissions65,
        .family = "health",
        .standardised_from_age = 65,
        .counts_not_computable = true,
    },
    IndicatorDefinition{
        .id = "neet_16_17",
        .version = 1,
        .description = "Young people aged 16-17 not in education, employment or training, or "
                       "whose activity is not known",
        .cohort = "young people of academic age 16-17 on the NCCIS snapshots of 31 December, "
                  "31 January and the end of February before the period end, custody (710) and "
                  "those who moved away (900s) left out",
        .numerator = "those NEET (540, 610-680) or not known (810-830, or no activity)",
        .denominator = "young people of academic age 16-17 known to the council",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .averaged_over = 3,
        .assess = &education::neet1617,
        .family = "education",
    },
    IndicatorDefinition{
        .id = "cme_open",
        .version = 1,
        .description = "Children missing education",
        .cohort = "",
        .numerator = "children with an episode on the children missing education register open "
                     "at some time in the period",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::cmeOpen,
        .family = "education",
    },
    IndicatorDefinition{
        .id = "ks4_eng_maths_4",
        .version = 1,
        .description = "Pupils at the end of key stage 4 with grade 4 or above in English and "
                       "maths",
        .cohort = "pupils with KS4 results of the last complete academic year before the period "
                  "end (the results' collection year)",
        .numerator = "those graded 4-9 in both; SUPP, NE, NP, LOWCOV and z are not grades",
        .denominator = "pupils at the end of key stage 4",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::ks4EnglishMaths4,
        .family = "education",
    },
    IndicatorDefinition{
        .id = "persistent_absence",
        .version = 1,
        .description = "Pupils missing 10% or more of their possible sessions",
        .cohort = "pupils with possible sessions in the school census returns (on and off roll) "
                  "whose census day falls in the period",
        .numerator = "those whose missed sessions, summed over those returns, are 10% or more "
                     "of their possible sessions",
        .denominator = "pupils with possible sessions",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::persistentAbsence,
        .family = "education",
    },
    IndicatorDefinition{
        .id = "ehcp_count",
        .version = 1,
        .description = "EHC plans in force on the January census day",
        .cohort = "",
        .numerator = "EHC plans (SEN2) issued by the third Thursday of January before the period "
                     "end and not ceased by then, each counted under the setting of its placement "
                     "that day: the GIAS register's mainstream or special school, other (SEN2 "
                     "setting code, college, unit, no placement), or unknown (a school the "
                     "register lacks)",
        .denominator = "",
        .unit = "count",
        .denominator_kind = DenominatorKind::kNone,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::ehcpCount,
        .family = "education",
        .parts_breakdown = "setting",
    },
    IndicatorDefinition{
        .id = "funded_2yo",
        .version = 1,
        .description = "Take-up of funded early education by eligible two-year-olds",
        .cohort = "children aged 2 on the January census day before the period end who are on "
                  "the DWP list of eligible two-year-olds",
        .numerator = "children aged 2 that day funded in the early years census on a two-year-old "
                     "basis (ECO, HSD, LAA), whether or not the list names them",
        .denominator = "eligible two-year-olds on the DWP list",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::funded2yo,
        .family = "education",
    },
    IndicatorDefinition{
        .id = "perm_exclusion_rate",
        .version = 1,
        .description = "Permanent exclusions per 100 pupils of primary and secondary schools",
        .cohort = "pupils on roll at the January school census of the last complete academic "
                  "year before the period end, at schools whose census phase is primary (PS) or "
                  "secondary (SS); a pupil counts once per school",
        .numerator = "permanent exclusions (PERM) starting in that academic year (1 September - "
                     "31 August), each under the school of the pupil's enrolment on its start "
                     "date; special schools and PRUs are in neither",
        .denominator = "the January headcount of primary and secondary schools",
        .unit = "per 100 pupils",
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::permanentExclusionRate,
        .family = "education",
        .parts_breakdown = "phase",
    },
    IndicatorDefinition{
        .id = "pupils_good_outstanding",
        .version = 1,
        .description = "Pupils at schools whose latest graded overall effectiveness is good or "
                       "outstanding",
        .cohort = "pupils on roll at the January school census before the period end at schools "
                  "whose latest Ofsted judgement is a graded overall effectiveness 1-4 (a school "
                  "whose latest judgement is a report card, from 10 November 2025, is not graded)",
        .numerator = "those at schools graded 1 (outstanding) or 2 (good)",
        .denominator = "pupils at graded schools",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &education::pupilsGoodOutstanding,
        .family = "education",
        .parts_breakdown = "school",
    },
    // Across services: what only linked persons and their households and families show.
    IndicatorDefinition{
        .id = "care_leavers_19_21_owed_homelessness_duty",
        .version = 1,
        .description = "Care leavers aged 19-21 owed a homelessness duty",
        .cohort = "the care leavers of care_leaver_accom_19_21",
        .numerator = "those who applied in, or were a member of, a homelessness case whose "
                     "prevention or relief duty began in the period",
        .denominator = "the whole cohort",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &cross::careLeaversOwedDuty,
        .family = "cross_service",
    },
    IndicatorDefinition{
        .id = "cp_children_in_temporary_accommodation",
        .version = 1,
        .description = "Children on a child protection plan living in temporary accommodation",
        .cohort = "children with a CP plan open on the last day of the period",
        .numerator = "those who were a member of a homelessness case with a temporary "
                     "accommodation placement open that day",
        .denominator = "children on a CP plan at period end",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &cross::cpChildrenInTemporaryAccommodation,
        .family = "cross_service",
    },
    IndicatorDefinition{
        .id = "cla_with_ehcp",
        .version = 1,
        .description = "Children in care with an EHC plan",
        .cohort = "children in care at period end (as cla_count)",
        .numerator = "those with an EHC plan in force on the spring school census day (the third "
                     "Thursday of January) of the period; by setting, the children in care split "
                     "by that plan's placement as ehcp_count places it (mainstream, special, "
                     "other, unknown) or none without a plan",
        .denominator = "children in care at period end",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &cross::claWithEhcp,
        .family = "cross_service",
        .parts_breakdown = "setting",
    },
    IndicatorDefinition{
        .id = "family_multiple_needs",
        .version = 1,
        .description = "Children whose family's records show needs in three or more services",
        .cohort = "children aged 0-17 on the last day of the period, every child the linked "
                  "records know",
        .numerator = "those with needs during the period in three or more of: social care (a "
                     "referral's CIN episode or a period of care), SEND (an EHC plan, or SEN "
                     "support on a school census), exclusion or persistent absence, "
                     "homelessness (a prevention or relief duty, or temporary accommodation) of "
                     "a case they were a member of, their mother's adult social care service or "
                     "admission with a fall (W00-W19), NEET or not known",
        .denominator = "children aged 0-17 at period end",
        .unit = kPercent,
        .denominator_kind = DenominatorKind::kCohort,
        .breakdowns = kPersonBreakdowns,
        .counts_families = false,
        .assess = &cross::familyMultipleNeeds,
        .family = "cross_service",
    },
};

}  // namespace

std::string_view breakdownName(Breakdown breakdown) {
  switch (breakdown) {
    case Breakdown::kAgeBand:
      return "age_band";
    case Breakdown::kSex:
      return "sex";
    case Breakdown::kEthnicityGroup:
      return "ethnicity_group";
    case Breakdown::kLocalArea:
      return "local_area";
    case Breakdown::kAdultAgeBand:
      return "adult_age_band";
  }
  return "age_band";
}

std::span<const IndicatorDefinition> indicatorRegistry() { return kRegistry; }

const IndicatorDefinition* findIndicator(std::string_view id) {
  for (const IndicatorDefinition& definition : kRegistry) {
    if (definition.id == id) return &definition;
  }
  return nullptr;
}

}  // namespace hearth::pipelines::indicators
