#include <string_view>
#include <vector>

#include "pipelines/normalise/council_list.hpp"
#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// The publishers' typed missing values: suppressed, no entry, not published, low coverage, not
// applicable. They are kept as what they are, never read as a grade.
constexpr std::string_view kMissingValues[] = {"SUPP", "NE", "NP", "LOWCOV", "z"};

canonical::Ks4Grade grade(RecordReader& r, std::string_view name) {
  canonical::Ks4Grade g;
  const std::string_view text = r.field(name);
  if (text.empty()) return g;
  for (const std::string_view missing : kMissingValues) {
    if (text == missing) {
      g.missing = missing;
      return g;
    }
  }
  if (equalsIgnoreCase(text, "U")) {
    g.grade = 0;
  } else if (text.size() == 1 && text[0] >= '0' && text[0] <= '9') {  // 0: U as a number
    g.grade = text[0] - '0';
  } else {
    r.finding("ks4.grade_invalid",
              std::string(name) + " is neither a grade 9-1 or U nor SUPP, NE, NP, LOWCOV or z",
              name, Severity::kQuery);
  }
  return g;
}

// The UPN is the only pupil id the results carry, so it is the subject; a pupil without one is
// the row itself (keyed by school, names and birth date), linked on those by identity.
size_t ks4Result(RecordReader& r) {
  auto result = start<canonical::Ks4Result>(r);
  bool ok = true;
  if (!r.field("UPN").empty()) {
    ok = r.subject("UPN", result.subject);
  } else {
    result.subject = {r.provenance().source_system(), "row/" + r.provenance().source_key};
  }
  canonical::Person person = namedPerson(r, result.subject, "FORENAMES", "SURNAME", "DOB", "SEX");
  addUpn(r, person, "upn", r.field("UPN"), "");
  result.urn = r.field("URN");
  result.english = grade(r, "ENG_GRADE");
  result.maths = grade(r, "MAT_GRADE");
  return emitWithPerson(r, ok, std::move(person), std::move(result));
}

}  // namespace

// Pupil-level KS4 results. LAESTAB repeats the URN's school; BASICS_94 is derived from the two
// grades, which are kept. The connector's collection year says which summer's results they are.
const Layout& ks4ResultsLayout() {
  static const Layout kLayout = singleStreamLayout(
      "ks4_results",
      {"pupil_results",
       {"URN", "UPN", "SURNAME", "FORENAMES", "DOB", "SEX", "ENG_GRADE", "MAT_GRADE"},
       {"LAESTAB", "BASICS_94"}},
      {}, ks4Result);
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
