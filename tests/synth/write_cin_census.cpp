#include <map>
#include <string>
#include <vector>

#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

/// Writes indented elements; empty values are left out, as the census omits unknown items.
class XmlOut {
 public:
  explicit XmlOut(OutputFile& file) : file_(file) {}
  void open(int depth, std::string_view name) {
    indent(depth);
    file_.put('<');
    file_.write(name);
    file_.write(">\n");
  }
  void close(int depth, std::string_view name) {
    indent(depth);
    file_.write("</");
    file_.write(name);
    file_.write(">\n");
  }
  void leaf(int depth, std::string_view name, const std::string& value) {
    if (value.empty()) return;
    indent(depth);
    file_.put('<');
    file_.write(name);
    file_.put('>');
    file_.write(xmlEscape(value));
    file_.write("</");
    file_.write(name);
    file_.write(">\n");
  }

 private:
  void indent(int depth) {
    for (int i = 0; i < depth; ++i) file_.write("  ");
  }
  OutputFile& file_;
};

std::string isoOrEmpty(Day d) { return d == kNoDay ? "" : isoDate(d); }

void writeYear(SourceContext& ctx, const CaseSystem& cases, int year) {
  const World& w = ctx.world();
  const Day ys = dayFromCivil(year - 1, 4, 1);
  const Day ye = dayFromCivil(year, 3, 31);
  const std::string file_name = "cin-census/cin_census_" + std::to_string(year) + ".xml";
  auto within = [&](Day d) { return d != kNoDay && d <= ye ? d : kNoDay; };

  std::map<std::string, std::pair<const RecordedPerson*, std::vector<const CinEpisode*>>> children;
  for (const CinEpisode& ep : w.cin_episodes) {
    if (!openDuring(ep.referral, ep.closure, ys, ye)) continue;
    const RecordedPerson& r = cases.recordFor(ep.child, ep.id);
    auto& entry = children[r.local_id];
    entry.first = &r;
    entry.second.push_back(&ep);
  }

  OutputFile file(ctx.root(), file_name, ctx.stats());
  XmlOut x(file);
  file.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  x.open(0, "Message");
  x.open(1, "Header");
  x.open(2, "CollectionDetails");
  x.leaf(3, "Collection", "CIN");
  x.leaf(3, "Year", std::to_string(year));
  x.leaf(3, "ReferenceDate", isoDate(ye));
  x.close(2, "CollectionDetails");
  x.open(2, "Source");
  x.leaf(3, "SourceLevel", "L");
  x.leaf(3, "LEA", std::to_string(w.la_number));
  x.leaf(3, "SoftwareCode", "Local Authority");
  x.leaf(3, "Release", "ver 3.1.21");
  x.leaf(3, "SerialNo", "001");
  x.leaf(3, "DateTime", isoDateTime(dayFromCivil(year, 5, 2), 9 * 60));
  x.close(2, "Source");
  x.close(1, "Header");
  x.open(1, "Children");

  static const std::vector<std::string> kDisabilities = {
      "AUT", "BEH", "COMM", "CON", "HAND", "HEAR", "INC", "LD", "MOB", "PC", "VIS"};
  for (const auto& [child_id, entry] : children) {
    const RecordedPerson& r = *entry.first;
    const Person& person = w.people[r.person];
    ctx.truth(file_name, child_id, r.person);
    x.open(2, "Child");
    x.open(3, "ChildIdentifiers");
    x.leaf(4, "LAchildID", child_id);
    x.leaf(4, "UPN", r.upn);
    if (r.upn.empty()) x.leaf(4, "UPNunknown", ageOn(person.dob, ye) < 5 ? "UN1" : "UN3");
    const Day dob = ctx.date(r.dob, ye + 400, file_name, child_id, "PersonBirthDate");
    x.leaf(4, "PersonBirthDate", isoDate(dob));
    // The 2024 schema replaced GenderCurrent (1 male, 2 female) by Sex (M, F, U).
    const bool male = person.sex == Sex::kMale;
    if (year >= 2024) {
      x.leaf(4, "Sex", male ? "M" : "F");
    } else {
      x.leaf(4, "GenderCurrent", male ? "1" : "2");
    }
    x.close(3, "ChildIdentifiers");
    x.open(3, "ChildCharacteristics");
    x.leaf(4, "Ethnicity", person.ethnicity);
    x.open(4, "Disabilities");
    // Disability is a fixed trait of the child, so derive it from the id rather than the stream.
    if ((r.person * 2246822519u) % 100 < 8) {
      x.leaf(5, "Disability", kDisabilities[(r.person * 3266489917u) % kDisabilities.size()]);
    } else {
      x.leaf(5, "Disability", "NONE");
    }
    x.close(4, "Disabilities");
    x.close(3, "ChildCharacteristics");

    for (const CinEpisode* ep : entry.second) {
      x.open(3, "CINdetails");
      x.leaf(4, "CINreferralDate", isoDate(ep->referral));
      x.leaf(4, "ReferralSource",
             ctx.code(ep->source, "11", file_name, child_id, "ReferralSource"));
      x.leaf(4, "PrimaryNeedCode", ep->need);
      const Day closure = within(ep->closure);
      x.leaf(4, "CINclosureDate", isoOrEmpty(closure));
      if (closure != kNoDay) x.leaf(4, "ReasonForClosure", ep->closure_reason);
      Day first_icpc = kNoDay;
      for (const Section47& s : ep->s47s)
        if (s.icpc != kNoDay && s.icpc <= ye && first_icpc == kNoDay) first_icpc = s.icpc;
      x.leaf(4, "DateOfInitialCPC", isoOrEmpty(first_icpc));
      for (const Assessment& a : ep->assessments) {
        if (!openDuring(a.start, a.authorised, ys, ye) || a.start > ye) continue;
        x.open(4, "Assessments");
        x.leaf(5, "AssessmentActualStartDate", isoDate(a.start));
        x.leaf(5, "AssessmentAuthorisationDate", isoOrEmpty(within(a.authorised)));
        if (within(a.authorised) != kNoDay) {
          x.open(5, "FactorsIdentifiedAtAssessment");
          for (const std::string& f : a.factors) x.leaf(6, "AssessmentFactors", f);
          x.close(5, "FactorsIdentifiedAtAssessment");
        }
        x.close(4, "Assessments");
      }
      for (const CinPlan& p : ep->cin_plans) {
        if (!openDuring(p.start, p.end, ys, ye)) continue;
        x.open(4, "CINPlanDates");
        x.leaf(5, "CINPlanStartDate", isoDate(p.start));
        x.leaf(5, "CINPlanEndDate", isoOrEmpty(within(p.end)));
        x.close(4, "CINPlanDates");
      }
      for (const Section47& s : ep->s47s) {
        if (!openDuring(s.start, s.end, ys, ye)) continue;
        x.open(4, "Section47");
        x.leaf(5, "S47ActualStartDate", isoDate(s.start));
        x.leaf(5, "InitialCPCtarget", isoDate(s.icpc_target));
        x.leaf(5, "DateOfInitialCPC", isoOrEmpty(within(s.icpc)));
        x.leaf(5, "ICPCnotRequired", s.icpc_not_required ? "true" : "false");
        x.close(4, "Section47");
      }
      x.leaf(4, "ReferralNFA", ep->nfa ? "true" : "false");
      int previous_plans = 0;
      for (const CpPlan& p : ep->cp_plans) {
        if (!openDuring(p.start, p.end, ys, ye)) {
          ++previous_plans;
          continue;
        }
        x.open(4, "ChildProtectionPlans");
        x.leaf(5, "CPPstartDate", isoDate(p.start));
        x.leaf(5, "CPPendDate", isoOrEmpty(within(p.end)));
        x.leaf(5, "InitialCategoryOfAbuse", p.initial_category);
        x.leaf(5, "LatestCategoryOfAbuse", p.latest_category);
        x.leaf(5, "NumberOfPreviousCPP", std::to_string(previous_plans));
        bool any_review = false;
        for (const Day review : p.reviews)
          any_review = any_review || (review >= ys && review <= ye);
        if (any_review) {
          x.open(5, "Reviews");
          for (const Day review : p.reviews)
            if (review >= ys && review <= ye) x.leaf(6, "CPPreviewDate", isoDate(review));
          x.close(5, "Reviews");
        }
        x.close(4, "ChildProtectionPlans");
      }
      x.close(3, "CINdetails");
    }
    x.close(2, "Child");
    file.countRecord();
  }
  x.close(1, "Children");
  x.close(0, "Message");
}

}  // namespace

void writeCinCensus(SourceContext& context, const CaseSystem& cases) {
  const int last = context.world().timeline.year_end;
  for (int year = last - 4; year <= last; ++year) writeYear(context, cases, year);
}

}  // namespace hearth::synth
