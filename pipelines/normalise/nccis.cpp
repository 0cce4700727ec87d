#include <charconv>
#include <string_view>
#include <vector>

#include "pipelines/normalise/council_list.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// An NCCIS activity code: three digits from 110 (pre-16) to 999 (the 900s: moved away, left).
bool isActivityCode(std::string_view text) {
  int code = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), code);
  return text.size() == 3 && parsed.ec == std::errc{} && parsed.ptr == text.data() + 3 &&
         code >= 110;
}

// A young person's activity at one month end, and the young person.
size_t nccisActivity(RecordReader& r) {
  auto status = start<canonical::NeetStatus>(r);
  const bool ok = r.subject("YoungPersonsID", status.subject);
  canonical::Person person = namedPerson(r, status.subject, "Forename", "Surname", "DOB", "Gender");
  addUpn(r, person, "upn", r.field("UPN"), "");
  addUln(r, person, r.field("ULN"));
  person.postcode = r.postcode("Postcode", "");
  if (!r.required("SnapshotDate").empty()) status.month_end = r.date("SnapshotDate");
  // A row without an activity is kept: the young person's activity is then not known.
  const std::string_view activity = r.field("ActivityCode");
  if (activity.empty() || isActivityCode(activity)) {
    status.activity = activity;
  } else {
    r.finding("code.unknown", "ActivityCode is not an NCCIS activity code", "ActivityCode",
              Severity::kQuery);
  }
  status.activity_start = r.date("StartDate");
  status.academic_age = r.count("AcademicAge");
  status.send = r.flag("SENDFlag");
  status.care_leaver = r.flag("CareLeaverFlag");
  return emitWithPerson(r, ok, std::move(person), std::move(status));
}

}  // namespace

// NCCIS monthly tracking of young people; LACode is the council's own code on every row.
const Layout& nccisLayout() {
  static const Layout kLayout = singleStreamLayout(
      "nccis",
      {"activity",
       {"SnapshotDate", "YoungPersonsID", "Forename", "Surname", "DOB", "Gender", "Postcode", "UPN",
        "ULN", "AcademicAge", "ActivityCode", "StartDate", "SENDFlag", "CareLeaverFlag"},
       {}},
      {"LACode"}, nccisActivity);
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
