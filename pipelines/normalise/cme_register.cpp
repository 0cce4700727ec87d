#include <string_view>
#include <vector>

#include "pipelines/normalise/council_list.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// One row per episode on the register; the child's person record comes with it.
size_t cmeEpisode(RecordReader& r) {
  auto episode = start<canonical::MissingEducation>(r);
  const bool ok = r.subject("CME_Ref", episode.subject);
  canonical::Person person = namedPerson(r, episode.subject, "Forename", "Surname", "DOB", "Sex");
  addUpn(r, person, "upn", r.field("UPN"), "");
  person.postcode = r.postcode("Postcode", "");
  if (!r.required("Date_Reported").empty()) episode.start = r.date("Date_Reported");
  episode.end = r.date("Date_Closed");
  if (episode.start && episode.end && *episode.end < *episode.start) {
    r.finding("date.order", "Date_Closed is before Date_Reported", "Date_Closed",
              Severity::kReject);
  }
  episode.reason = r.field("Reason");
  return emitWithPerson(r, ok, std::move(person), std::move(episode));
}

}  // namespace

// The council's register of children missing education (s436A Education Act 1996). There is no
// national record layout: this one is Hearth's, documented in pipelines/normalise/README.md.
const Layout& cmeRegisterLayout() {
  static const Layout kLayout =
      singleStreamLayout("cme_register",
                         {"cme_register",
                          {"CME_Ref", "Forename", "Surname", "DOB", "Sex", "UPN", "Postcode",
                           "Date_Reported", "Date_Closed", "Reason"},
                          {}},
                         {}, cmeEpisode);
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
