#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/synth/cla_episodes.hpp"
#include "tests/synth/writers.hpp"

namespace hearth::synth {
namespace {

// The return for the year ending March `year`: 1/2 up to 2023/24; from 2024/25 the child's sex
// as registered, M/F (U for unknown, which the council's records never need).
std::string sexCode(const Person& p, int year) {
  if (year >= 2025) return p.sex == Sex::kMale ? "M" : "F";
  return p.sex == Sex::kMale ? "1" : "2";
}

class Ssda903Writer {
 public:
  Ssda903Writer(SourceContext& context, const CaseSystem& cases)
      : ctx_(context), cases_(cases), w_(context.world()) {
    for (uint32_t p = 0; p < w_.people.size(); ++p)
      if (w_.people[p].mother != kNone) first_child_.emplace(w_.people[p].mother, p);
  }

  void writeYear(int year) {
    const Day ys = dayFromCivil(year - 1, 4, 1);
    const Day ye = dayFromCivil(year, 3, 31);
    const std::string dir = "ssda903/" + std::to_string(year) + "/";

    struct ChildRows {
      const RecordedPerson* record = nullptr;
      std::vector<const ClaPeriod*> periods;
      const CareLeaverStatus* oc3 = nullptr;
    };
    std::map<std::string, ChildRows> children;
    for (const ClaPeriod& p : w_.cla_periods) {
      if (!openDuring(p.start, p.end, ys, ye)) continue;
      const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
      ChildRows& c = children[r.local_id];
      c.record = &r;
      c.periods.push_back(&p);
    }
    for (const CareLeaver& leaver : w_.care_leavers) {
      for (const CareLeaverStatus& s : leaver.statuses) {
        if (s.collection_year != year) continue;
        const ClaPeriod& p = w_.cla_periods[leaver.cla_period];
        const RecordedPerson& r = cases_.recordFor(p.child, w_.cin_episodes[p.cin_episode].id);
        ChildRows& c = children[r.local_id];
        c.record = &r;
        c.oc3 = &s;
      }
    }

    OutputFile header_file(ctx_.root(), dir + "header.csv", ctx_.stats());
    OutputFile episodes_file(ctx_.root(), dir + "episodes.csv", ctx_.stats());
    OutputFile reviews_file(ctx_.root(), dir + "reviews.csv", ctx_.stats());
    OutputFile uasc_file(ctx_.root(), dir + "uasc.csv", ctx_.stats());
    OutputFile oc2_file(ctx_.root(), dir + "oc2.csv", ctx_.stats());
    OutputFile oc3_file(ctx_.root(), dir + "oc3.csv", ctx_.stats());
    OutputFile ad1_file(ctx_.root(), dir + "ad1.csv", ctx_.stats());
    OutputFile pfa_file(ctx_.root(), dir + "placed_for_adoption.csv", ctx_.stats());
    OutputFile prev_file(ctx_.root(), dir + "previous_permanence.csv", ctx_.stats());
    OutputFile missing_file(ctx_.root(), dir + "missing.csv", ctx_.stats());
    OutputFile sw_file(ctx_.root(), dir + "sw_episodes.csv", ctx_.stats());
    OutputFile dolo_file(ctx_.root(), dir + "DoLo.csv", ctx_.stats());
    OutputFile xml(ctx_.root(), dir + "ssda903.xml", ctx_.stats());

    CsvWriter header(header_file, {"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"});
    CsvWriter episodes(episodes_file,
                       {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                        "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"});
    CsvWriter reviews(reviews_file, {"CHILD", "DOB", "REVIEW", "REVIEW_CODE"});
    CsvWriter uasc(uasc_file, {"CHILD", "SEX", "DOB", "DUC"});
    CsvWriter oc2(oc2_file, {"CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
                             "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
                             "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"});
    CsvWriter oc3(oc3_file, {"CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"});
    CsvWriter ad1(ad1_file, {"CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR",
                             "SEX_ADOPTR", "LS_ADOPTR"});
    CsvWriter pfa(pfa_file,
                  {"CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"});
    CsvWriter prev(prev_file, {"CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"});
    CsvWriter missing(missing_file, {"CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"});
    CsvWriter sw(sw_file, {"CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"});
    CsvWriter dolo(dolo_file, {"CHILD", "DOB", "DOLO_START", "DOLO_END"});

    xml.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EXPSSDA903>\n");
    uint64_t episode_row = 0, review_row = 0, missing_row = 0;
    auto key = [](const std::string& child, uint64_t row) {
      return child + "#" + std::to_string(row);
    };
    auto tag = [&](std::string_view indent, std::string_view name, const std::string& value) {
      xml.write(indent);
      if (value.empty()) {
        xml.put('<');
        xml.write(name);
        xml.write("/>\n");
        return;
      }
      xml.put('<');
      xml.write(name);
      xml.put('>');
      xml.write(xmlEscape(value));
      xml.write("</");
      xml.write(name);
      xml.write(">\n");
    };

    for (const auto& [child_id, rows] : children) {
      const RecordedPerson& r = *rows.record;
      const Person& person = w_.people[r.person];
      const std::string dob = dmyDate(r.dob);
      const std::string upn = !r.upn.empty() ? r.upn : ageOn(person.dob, ye) < 5 ? "UN1" : "UN3";
      std::string mother, mc_dob;
      if (person.sex == Sex::kFemale && ageOn(person.dob, ye) >= 12) {
        const auto it = first_child_.find(r.person);
        const bool is_mother = it != first_child_.end() && w_.people[it->second].dob <= ye;
        mother = is_mother ? "1" : "0";
        if (is_mother) mc_dob = dmyDate(w_.people[it->second].dob);
      }
      header << child_id << sexCode(person, year) << dob << person.ethnicity << upn << mother
             << mc_dob;
      header.end();
      ctx_.truth(dir + "header.csv", child_id, r.person);
      ctx_.truth(dir + "ssda903.xml", child_id, r.person);

      xml.write("  <CHILD>\n    <HEADER>\n");
      tag("      ", "CHILDID", child_id);
      tag("      ", "UPN", upn);
      tag("      ", "SEX", sexCode(person, year));
      tag("      ", "DOB", dob);
      tag("      ", "ETHNIC", person.ethnicity);
      bool is_uasc = false;
      for (const ClaPeriod* p : rows.periods) is_uasc = is_uasc || p->uasc;
      if (is_uasc) tag("      ", "UASC", "1");
      tag("      ", "MOTHER", mother);
      tag("      ", "MC_DOB", mc_dob);

      std::string episodes_xml;
      for (const ClaPeriod* p : rows.periods) {
        for (const Day review : p->reviews) {
          if (review < ys || review > ye) continue;
          const std::string code =
              "PN" + std::to_string(ctx_.rng().chance(0.8) ? 1 : ctx_.rng().below(8));
          reviews << child_id << dob << dmyDate(review) << code;
          reviews.end();
          ctx_.truth(dir + "reviews.csv", key(child_id, ++review_row), r.person);
          xml.write("      <AREVIEW>\n");
          tag("        ", "REVIEW", dmyDate(review));
          tag("        ", "REVIEW_CODE", code);
          xml.write("      </AREVIEW>\n");
        }
        for (const MissingEpisode& m : p->missing) {
          if (m.start < ys || m.start > ye) continue;
          const std::string end = m.end == kNoDay || m.end > ye ? "" : dmyDate(m.end);
          missing << child_id << dob << std::string(1, m.kind) << dmyDate(m.start) << end;
          missing.end();
          ctx_.truth(dir + "missing.csv", key(child_id, ++missing_row), r.person);
          xml.write("      <AMISSING>\n");
          tag("        ", "MISSING", std::string(1, m.kind));
          tag("        ", "MIS_START", dmyDate(m.start));
          tag("        ", "MIS_END", end);
          xml.write("      </AMISSING>\n");
        }
        if (p->start >= ys && p->start <= ye) {
          // Previous permanence is asked at the start of each period of care.
          const bool had = ctx_.rng().chance(0.06);
          const std::string option = had ? (ctx_.rng().chance(0.5) ? "P1" : "P2") : "Z1";
          const std::string date = had ? dmyDate(p->start - 900) : "";
          const std::string la = had ? "941" : "";
          prev << child_id << dob << option << la << date;
          prev.end();
          ctx_.truth(dir + "previous_permanence.csv", child_id, r.person);
          xml.write("      <PERMANENCE>\n");
          tag("        ", "PREV_PERM", option);
          tag("        ", "LA_PERM", la);
          tag("        ", "DATE_PERM", date);
          xml.write("      </PERMANENCE>\n");
        }
        if (p->uasc) {
          uasc << child_id << sexCode(person, year) << dob << dmyDate(addYears(person.dob, 18));
          uasc.end();
          ctx_.truth(dir + "uasc.csv", child_id, r.person);
        }
        if (p->adopted && p->end != kNoDay && p->end >= ys && p->end <= ye) {
          const Placement& last = p->placements.back();
          const Day interest = std::max(p->start, last.start - 120);
          const int adopters = ctx_.rng().chance(0.7) ? 2 : 1;
          const std::string sex = adopters == 2 ? (ctx_.rng().chance(0.85) ? "MF" : "MM") : "F1";
          ad1 << child_id << dob << dmyDate(interest) << dmyDate(last.start)
              << (ctx_.rng().chance(0.15) ? "1" : "0") << adopters << sex
              << (adopters == 2 ? "L11" : "L2");
          ad1.end();
          ctx_.truth(dir + "ad1.csv", child_id, r.person);
          pfa << child_id << dob << dmyDate(last.start) << dmyDate(p->end) << "E11";
          pfa.end();
          ctx_.truth(dir + "placed_for_adoption.csv", child_id, r.person);
          xml.write("      <AD_PLACED>\n");
          tag("        ", "DATE_PLACED", dmyDate(last.start));
          tag("        ", "DATE_PLACED_CEASED", dmyDate(p->end));
          tag("        ", "REASON_PLACED_CEASED", "E11");
          xml.write("      </AD_PLACED>\n");
        }
        if (openOn(p->start, p->end, ye) && ye - p->start >= 365) {
          // OC2: outcomes for children looked after for a year at the year end.
          const int age = ageOn(person.dob, ye);
          const bool sdq = age >= 4 && age <= 16;
          const std::string score = sdq ? std::to_string(ctx_.rng().below(30)) : "";
          const std::string reason = sdq ? "" : "SDQ4";
          const std::string convicted = age >= 10 ? (ctx_.rng().chance(0.03) ? "1" : "0") : "";
          oc2 << child_id << dob << score << reason << convicted << "1"
              << (ctx_.rng().chance(0.9) ? "1" : "0") << (ctx_.rng().chance(0.85) ? "1" : "0")
              << "1" << (ctx_.rng().chance(0.04) ? "1" : "0") << ""
              << "";
          oc2.end();
          ctx_.truth(dir + "oc2.csv", child_id, r.person);
        }
        const std::vector<EpisodeRow> eps = episodesOf(*p);
        for (const EpisodeRow& e : eps) {
          if (e.decom > ye || (e.dec != kNoDay && e.dec < ys)) continue;
          const bool closed_in_year = e.dec != kNoDay && e.dec <= ye;
          const std::string row_key = key(child_id, ++episode_row);
          const Placement& pl = *e.placement;
          const PlacementCodes codes = placementCodes(pl, year);
          const std::string place =
              ctx_.code(codes.place, "Z9", dir + "episodes.csv", row_key, "PLACE");
          std::string dec;
          if (closed_in_year) {
            dec = dmyDate(ctx_.date(e.dec, e.decom - 30, dir + "episodes.csv", row_key, "DEC"));
          }
          // Short breaks (V3/V4) carry neither postcode.
          const bool short_break = e.ls == "V3" || e.ls == "V4";
          const std::string home =
              p->home_postcode == kNone || short_break ? "" : w_.postcodes[p->home_postcode].code;
          const std::string pl_post =
              pl.postcode == kNone || short_break ? "" : w_.postcodes[pl.postcode].code;
          const std::string urn = pl.urn.empty() ? "XXXXXXX" : pl.urn;
          const std::string rec = closed_in_year ? e.rec : "";
          const std::string change = closed_in_year ? e.reason_place_change : "";
          auto write_row = [&] {
            episodes << child_id << dmyDate(e.decom) << e.rne << e.ls << p->need << place
                     << codes.provider << dec << rec << change << home << pl_post << urn;
            episodes.end();
          };
          write_row();
          ctx_.truth(dir + "episodes.csv", row_key, r.person);
          if (ctx_.duplicate()) {
            // The same episode exported twice, as happens when a case system joins badly.
            const std::string dup_key = key(child_id, ++episode_row);
            write_row();
            ctx_.truth(dir + "episodes.csv", dup_key, r.person);
            ctx_.error(dir + "episodes.csv", dup_key, "duplicate_row", "", row_key, dup_key);
          }
          episodes_xml += "    <EPISODE>\n";
          auto ep_tag = [&](std::string_view name, const std::string& value) {
            episodes_xml += "      <";
            episodes_xml += name;
            if (value.empty()) {
              episodes_xml += "/>\n";
              return;
            }
            episodes_xml += ">" + xmlEscape(value) + "</";
            episodes_xml += name;
            episodes_xml += ">\n";
          };
          ep_tag("DECOM", dmyDate(e.decom));
          ep_tag("RNE", e.rne);
          ep_tag("LS", e.ls);
          ep_tag("CIN", p->need);
          ep_tag("PL", place);
          ep_tag("PL_POST", pl_post);
          ep_tag("HOME_POST", home);
          ep_tag("URN", urn);
          ep_tag("PLACE_PROVIDER", codes.provider);
          ep_tag("DEC", dec);
          ep_tag("REC", rec);
          ep_tag("REASON_PLACE_CHANGE", change);
          episodes_xml += "    </EPISODE>\n";
        }
      }
      if (!rows.periods.empty()) {
        const ClaPeriod& first = *rows.periods.front();
        sw << child_id << dob << "SW" + std::to_string(1000 + (first.id * 7) % 400)
           << dmyDate(std::max(first.start, ys)) << ""
           << "";
        sw.end();
        ctx_.truth(dir + "sw_episodes.csv", child_id, r.person);
      }
      if (rows.oc3 != nullptr) {
        const CareLeaverStatus& s = *rows.oc3;
        const std::string in_touch =
            ctx_.code(s.in_touch, "MAYBE", dir + "oc3.csv", child_id, "IN_TOUCH");
        oc3 << child_id << dob << in_touch << s.activity << s.accommodation;
        oc3.end();
        ctx_.truth(dir + "oc3.csv", child_id, r.person);
        xml.write("      <OC3>\n");
        tag("        ", "IN_TOUCH", in_touch);
        tag("        ", "ACTIV", s.activity);
        tag("        ", "ACCOM", s.accommodation);
        xml.write("      </OC3>\n");
      }
      xml.write("    </HEADER>\n");
      xml.write(episodes_xml);
      xml.write("  </CHILD>\n");
      xml.countRecord();
    }
    xml.write("</EXPSSDA903>\n");
  }

 private:
  SourceContext& ctx_;
  const CaseSystem& cases_;
  const World& w_;
  std::multimap<uint32_t, uint32_t> first_child_;
};

}  // namespace

void writeSsda903(SourceContext& context, const CaseSystem& cases) {
  Ssda903Writer writer(context, cases);
  const int last = context.world().timeline.year_end;
  for (int year = last - 4; year <= last; ++year) writer.writeYear(year);
}

}  // namespace hearth::synth
