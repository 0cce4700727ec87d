#include <algorithm>

#include "pipelines/indicators/health_indicators.hpp"
#include "pipelines/indicators/standard_population.hpp"

namespace hearth::pipelines::indicators::health {
namespace {

constexpr int kFallsFromAge = 65;

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool anyIcd10In(const CodedDiagnosis& diagnosis, std::string_view first, std::string_view last) {
  return std::any_of(diagnosis.icd10.begin(), diagnosis.icd10.end(),
                     [&](const std::string& code) { return icd10InRange(code, first, last); });
}

}  // namespace

bool isEmergencyAdmission(std::string_view method) {
  if (method.size() != 2 || method[0] != '2') return false;
  const char second = upper(method[1]);
  return (second >= '1' && second <= '8') || (second >= 'A' && second <= 'D');
}

bool icd10InRange(std::string_view code, std::string_view first, std::string_view last) {
  if (code.size() < 3) return false;
  const char category[3] = {upper(code[0]), code[1], code[2]};
  if (category[0] < 'A' || category[0] > 'Z' || category[1] < '0' || category[1] > '9' ||
      category[2] < '0' || category[2] > '9') {
    return false;
  }
  const std::string_view three(category, 3);
  return three >= first && three <= last;
}

// Emergency admissions (method 2x) in the period of people 65 or over on the admission date
// whose primary diagnosis is an injury (S00-T98) and another diagnosis a fall (W00-W19). An
// admission none of whose diagnoses carries ICD-10 cannot be judged and is counted apart. Each
// admission in the numerator carries its standard population band for the age-standardised rate.
Outcome fallsAdmissions65(const PersonView& person, const Period& period, const RuleContext&) {
  Outcome out;
  const std::optional<Date>& birth = person.attributes.birth_date;
  if (!birth) return out;
  for (const AdmissionView& admission : person.admissions) {
    const canonical::HospitalAdmission& a = admission.record;
    if (!within(a.admitted, period) || !isEmergencyAdmission(a.admission_method)) continue;
    const int age = canonical::ageInYears(*birth, *a.admitted);
    if (age < kFallsFromAge) continue;
    const bool coded = std::any_of(admission.diagnoses.begin(), admission.diagnoses.end(),
                                   [](const CodedDiagnosis& d) { return !d.icd10.empty(); });
    if (!coded) {
      ++out.not_computable;
      continue;
    }
    const bool injury = anyIcd10In(admission.diagnoses.front(), "S00", "T98");
    const bool fall =
        std::any_of(admission.diagnoses.begin() + 1, admission.diagnoses.end(),
                    [](const CodedDiagnosis& d) { return anyIcd10In(d, "W00", "W19"); });
    if (!injury || !fall) continue;
    ++out.numerator;
    out.numerator_age_bands.push_back(static_cast<uint8_t>(standardBand(age)));
    out.numerator_date = a.admitted;
    out.numerator_evidence.insert(out.numerator_evidence.end(), admission.evidence.begin(),
                                  admission.evidence.end());
  }
  return out;
}

}  // namespace hearth::pipelines::indicators::health
