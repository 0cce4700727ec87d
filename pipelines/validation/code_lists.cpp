#include "pipelines/validation/code_lists.hpp"

#include <algorithm>
#include <span>

namespace hearth::pipelines::validation {
namespace {

// One version of one list, in force from `from_year` until the next version of the same set.
struct ListVersion {
  CodeSet set;
  int from_year;
  std::span<const std::string_view> codes;
};

constexpr std::string_view kSexNumeric[] = {"1", "2"};
// From 2024/25 the 903 records sex as registered, with U for unknown.
constexpr std::string_view kSexLetters[] = {"M", "F", "U"};

constexpr std::string_view kEthnicity[] = {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA",
                                           "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB",
                                           "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"};

constexpr std::string_view kUpnUnknown[] = {"UN1", "UN2", "UN3", "UN4", "UN5"};

constexpr std::string_view kRne[] = {"S", "L", "P", "T", "B", "U"};

constexpr std::string_view kLegalStatus[] = {"C1", "C2", "D1", "E1", "J1", "J2", "J3",
                                             "L1", "L2", "L3", "V2", "V3", "V4"};

constexpr std::string_view kCategoryOfNeed[] = {"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"};

// Up to 2023/24: H5 semi-independent and P2 independent living were placements of their own.
constexpr std::string_view kPlacementTo2023[] = {
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3",
    "R5", "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"};
// 2024/25: supported accommodation K3 replaces H5 and P2.
constexpr std::string_view kPlacement2024[] = {"A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3",
                                               "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3",
                                               "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"};
// 2025/26: "other placement" Z1 is split into Z11-Z14.
constexpr std::string_view kPlacement2025[] = {
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2",  "R3",  "R5",  "S1", "T0",
    "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14"};

constexpr std::string_view kPlacementProvider[] = {"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"};

constexpr std::string_view kReasonCeased[] = {
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47",
    "E48", "E5",  "E6", "E7", "E8",  "E9",  "E14", "E15", "E16", "E17", "X1"};

constexpr std::string_view kReasonPlaceChange[] = {"CARPL", "CLOSE", "ALLEG",  "STAND",
                                                   "APPRR", "CREQB", "CREQO",  "CHILD",
                                                   "LAREQ", "PLACE", "CUSTOD", "OTHER"};

constexpr std::string_view kInTouch[] = {"YES", "NO", "DIED", "REFU", "NREQ", "RHOM"};

// F3/P3 were superseded by F4/F5 and P4/P5 but stay valid for older years' leavers.
constexpr std::string_view kActivity[] = {"F1", "P1", "F2", "P2", "F3", "P3", "F4",
                                          "P4", "F5", "P5", "G4", "G5", "G6", "0"};

// Type letter and suitability digit; S (no fixed abode) and X (custody) are never suitable.
constexpr std::string_view kAccommodation[] = {
    "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2",
    "S2", "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2", "0"};

constexpr std::string_view kMissingType[] = {"M", "A"};

constexpr std::string_view kCinGender[] = {"0", "1", "2", "9"};
constexpr std::string_view kCinSex[] = {"M", "F", "U"};

constexpr std::string_view kReferralSource[] = {"1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B",
                                                "3C", "3D", "3E", "3F", "4",  "5A", "5B", "5C",
                                                "5D", "6",  "7",  "8",  "9",  "10"};

constexpr std::string_view kPrimaryNeed[] = {"N0", "N1", "N2", "N3", "N4",
                                             "N5", "N6", "N7", "N8", "N9"};

// RC9: closed after assessment and referred to early help (the DfE validator's rule 8640).
constexpr std::string_view kReasonForClosure[] = {"RC1", "RC2", "RC3", "RC4", "RC5",
                                                  "RC6", "RC7", "RC8", "RC9"};

constexpr std::string_view kCategoryOfAbuse[] = {"NEG", "PHY", "SAB", "EMO", "MUL"};

// CS131, the outcome of pre-proceedings (from 2025/26).
constexpr std::string_view kPreProceedingsOutcome[] = {"A", "B", "C"};

// Versions of a set are listed oldest first.
constexpr ListVersion kVersions[] = {
    {CodeSet::k903Sex, 0, kSexNumeric},
    {CodeSet::k903Sex, 2024, kSexLetters},
    {CodeSet::k903Ethnicity, 0, kEthnicity},
    {CodeSet::k903UpnUnknown, 0, kUpnUnknown},
    {CodeSet::k903ReasonNewEpisode, 0, kRne},
    {CodeSet::k903LegalStatus, 0, kLegalStatus},
    {CodeSet::k903CategoryOfNeed, 0, kCategoryOfNeed},
    {CodeSet::k903Placement, 0, kPlacementTo2023},
    {CodeSet::k903Placement, 2024, kPlacement2024},
    {CodeSet::k903Placement, 2025, kPlacement2025},
    {CodeSet::k903PlacementProvider, 0, kPlacementProvider},
    {CodeSet::k903ReasonCeased, 0, kReasonCeased},
    {CodeSet::k903ReasonPlaceChange, 0, kReasonPlaceChange},
    {CodeSet::k903InTouch, 0, kInTouch},
    {CodeSet::k903Activity, 0, kActivity},
    {CodeSet::k903Accommodation, 0, kAccommodation},
    {CodeSet::k903MissingType, 0, kMissingType},
    {CodeSet::kCinGenderCurrent, 0, kCinGender},
    {CodeSet::kCinSex, 0, kCinSex},
    {CodeSet::kCinReferralSource, 0, kReferralSource},
    {CodeSet::kCinPrimaryNeed, 0, kPrimaryNeed},
    {CodeSet::kCinReasonForClosure, 0, kReasonForClosure},
    {CodeSet::kCinCategoryOfAbuse, 0, kCategoryOfAbuse},
    {CodeSet::kCinPreProceedingsOutcome, 0, kPreProceedingsOutcome},
};

}  // namespace

CodeCheck checkCode(CodeSet set, int collection_year, std::string_view code) {
  const ListVersion* applied = nullptr;
  for (const ListVersion& version : kVersions) {
    if (version.set != set) continue;
    // Years before the first version we hold use that first version.
    if (applied == nullptr || version.from_year <= collection_year) applied = &version;
  }
  if (applied == nullptr) return {};
  const bool valid =
      std::find(applied->codes.begin(), applied->codes.end(), code) != applied->codes.end();
  return {valid, applied->from_year};
}

std::string_view codeSetField(CodeSet set) {
  switch (set) {
    case CodeSet::k903Sex:
      return "SEX";
    case CodeSet::k903Ethnicity:
      return "ETHNIC";
    case CodeSet::k903UpnUnknown:
      return "UPN";
    case CodeSet::k903ReasonNewEpisode:
      return "RNE";
    case CodeSet::k903LegalStatus:
      return "LS";
    case CodeSet::k903CategoryOfNeed:
      return "CIN";
    case CodeSet::k903Placement:
      return "PLACE";
    case CodeSet::k903PlacementProvider:
      return "PLACE_PROVIDER";
    case CodeSet::k903ReasonCeased:
      return "REC";
    case CodeSet::k903ReasonPlaceChange:
      return "REASON_PLACE_CHANGE";
    case CodeSet::k903InTouch:
      return "IN_TOUCH";
    case CodeSet::k903Activity:
      return "ACTIV";
    case CodeSet::k903Accommodation:
      return "ACCOM";
    case CodeSet::k903MissingType:
      return "MISSING";
    case CodeSet::kCinGenderCurrent:
      return "GenderCurrent";
    case CodeSet::kCinSex:
      return "Sex";
    case CodeSet::kCinReferralSource:
      return "ReferralSource";
    case CodeSet::kCinPrimaryNeed:
      return "PrimaryNeedCode";
    case CodeSet::kCinReasonForClosure:
      return "ReasonForClosure";
    case CodeSet::kCinCategoryOfAbuse:
      return "CategoryOfAbuse";
    case CodeSet::kCinPreProceedingsOutcome:
      return "PPOutcome";
  }
  return "";
}

}  // namespace hearth::pipelines::validation
