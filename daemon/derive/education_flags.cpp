#include "daemon/derive/education_flags.hpp"

#include <chrono>

#include "pipelines/indicators/education_indicators.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
namespace indicators = pipelines::indicators;
using namespace std::chrono;

// NEET (540, 610-680) or not known (810-830, or no activity recorded).
bool neetOrNotKnown(const std::string& activity) {
  if (activity.empty()) return true;
  int code = 0;
  for (const char c : activity) code = code * 10 + (c - '0');
  return code == 540 || (code >= 610 && code <= 680) || (code >= 810 && code <= 830);
}

canonical::Date academicYearStart(canonical::Date day) {
  const year y = day.month() >= September ? day.year() : day.year() - years(1);
  return y / September / 1;
}

bool isSen2Row(canonical::RecordRef record) {
  return record.holds<canonical::EhcRequest>() || record.holds<canonical::EhcAssessment>() ||
         record.holds<canonical::EhcNamedPlan>() || record.holds<canonical::EhcActivePlan>() ||
         record.holds<canonical::EhcPlacement>() || record.holds<canonical::SenNeed>();
}

}  // namespace

EducationFlags::EducationFlags(canonical::Date as_of, const indicators::SchoolRegister* schools)
    : as_of_(as_of),
      schools_(schools),
      year_ago_(sys_days(as_of) - days(365)),
      academic_year_start_(academicYearStart(as_of)) {}

void EducationFlags::note(canonical::RecordRef record) {
  if (const auto* s = record.get_if<canonical::NeetStatus>()) {
    // The latest snapshot up to the day says where the young person is.
    if (s->month_end && *s->month_end <= as_of_ &&
        (!latest_nccis_ || *s->month_end > *latest_nccis_)) {
      latest_nccis_ = s->month_end;
      neet_or_not_known_ = neetOrNotKnown(s->activity);
      nccis_academic_age_ = s->academic_age;
    }
  } else if (const auto* a = record.get_if<canonical::Attendance>()) {
    if (a->census && a->sessions && *a->census > year_ago_ && *a->census <= as_of_) {
      (a->reason == "#" ? possible_sessions_ : missed_sessions_) += *a->sessions;
    }
  } else if (const auto* x = record.get_if<canonical::Exclusion>()) {
    excluded_ = excluded_ || (x->start && *x->start >= academic_year_start_ && *x->start <= as_of_);
  } else if (const auto* m = record.get_if<canonical::MissingEducation>()) {
    missing_education_ =
        missing_education_ || (m->start && *m->start <= as_of_ && (!m->end || *m->end > as_of_));
  } else if (const auto* f = record.get_if<canonical::EarlyYearsFunding>()) {
    funded_two_year_old_ =
        funded_two_year_old_ || (f->census && *f->census > year_ago_ && *f->census <= as_of_ &&
                                 indicators::education::isTwoYearOldBasis(f->basis));
  } else if (const auto* sen = record.get_if<canonical::SenProvision>()) {
    // The latest census of the last year says whether the pupil is on SEN support.
    if (sen->census && *sen->census > year_ago_ && *sen->census <= as_of_) {
      if (!latest_sen_census_ || *sen->census > *latest_sen_census_) {
        latest_sen_census_ = sen->census;
        sen_support_ = false;
      }
      if (*sen->census == *latest_sen_census_) sen_support_ = sen_support_ || sen->provision == "K";
    }
  } else if (isSen2Row(record)) {
    sen2_.add({}, record, {});  // the records outlive the flags
  }
}

void EducationFlags::appendJson(std::string& out) const {
  const auto flag = [&out](std::string_view name, bool value) {
    out.append(",\"");
    out.append(name);
    out.append(value ? "\":true" : "\":false");
  };
  flag("neet_or_not_known", neet_or_not_known_);
  flag("persistent_absence", possible_sessions_ > 0 && missed_sessions_ * 10 >= possible_sessions_);
  flag("excluded_this_academic_year", excluded_);
  flag("missing_education", missing_education_);
  // The plan in force with the latest request stands for the person's EHC plan.
  indicators::PersonView sen2;
  if (!sen2_.empty()) sen2 = indicators::buildPersonView(sen2_);
  const canonical::EhcPlan* plan = nullptr;
  for (const auto& p : sen2.ehc_plans) {
    if (indicators::ehcPlanOpenOn(p.record, as_of_)) plan = &p.record;
  }
  flag("ehcp", plan != nullptr);
  out.append(",\"ehcp_setting\":");
  if (plan == nullptr) {
    out.append("null");
  } else {
    out.push_back('"');
    out.append(indicators::education::ehcSettingOn(*plan, as_of_, schools_));
    out.push_back('"');
  }
  flag("funded_two_year_old", funded_two_year_old_);
  flag("sen_support", sen_support_);
  const bool adult =
      nccis_academic_age_ && *nccis_academic_age_ >= 18 && *nccis_academic_age_ <= 25;
  flag("neet_with_ehcp", adult && neet_or_not_known_ && plan != nullptr);
}

}  // namespace hearth::daemon::derive
