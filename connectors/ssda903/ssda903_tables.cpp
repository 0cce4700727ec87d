#include "connectors/ssda903/ssda903_tables.hpp"

#include <algorithm>
#include <cctype>

namespace hearth::connectors::ssda903 {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> kTables = [] {
    std::vector<TableSpec> all = {
        {"header",
         {"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"},
         {"CHILD"},
         {"HEADER"}},
        {"episodes",
         {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
          "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"},
         {"CHILD", "DECOM"},
         {"EPISODE"}},
        {"uasc", {"CHILD", "SEX", "DOB", "DUC"}, {"CHILD"}, {"UASC"}, {"DUC"}},
        {"reviews",
         {"CHILD", "DOB", "REVIEW", "REVIEW_CODE"},
         {"CHILD", "REVIEW"},
         {"REVIEW", "AREVIEW"}},
        {"oc2",
         {"CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
          "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
          "INTERVENTION_OFFERED"},
         {"CHILD"},
         {"OC2"}},
        {"oc3",
         {"CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"},
         {"CHILD"},
         {"OC3"},
         {"IN_TOUCH", "ACTIV", "ACCOM"}},
        {"ad1",
         {"CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
          "LS_ADOPTR"},
         {"CHILD"},
         {"AD1"},
         {"DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"}},
        {"placed_for_adoption",
         {"CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"},
         {"CHILD", "DATE_PLACED"},
         {"PLACED_FOR_ADOPTION", "PLACED_ADOPTION", "AD_PLACED"}},
        {"previous_permanence",
         {"CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"},
         {"CHILD"},
         {"PREVIOUS_PERMANENCE", "PERMANENCE"}},
        {"missing",
         {"CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"},
         {"CHILD", "MIS_START"},
         {"MISSING", "AMISSING"}},
        {"sw_episodes",
         {"CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"},
         {"CHILD", "SW_ID", "SW_DECOM"},
         {"SW_EPISODE", "SW_EPISODES"}},
        {"dolo", {"CHILD", "DOB", "DOLO_START", "DOLO_END"}, {"CHILD", "DOLO_START"}, {"DOLO"}},
    };
    std::stable_sort(all.begin(), all.end(), [](const TableSpec& a, const TableSpec& b) {
      return a.stream.size() > b.stream.size();
    });
    return all;
  }();
  return kTables;
}

const TableSpec* findTable(std::string_view stream) {
  for (const TableSpec& table : tables()) {
    if (table.stream == stream) return &table;
  }
  return nullptr;
}

const TableSpec* tableForFileName(std::string_view file_name) {
  const std::string name = lower(file_name);
  for (const TableSpec& table : tables()) {
    const std::string wanted = std::string(table.stream) + ".csv";
    if (name == wanted) return &table;
    if (name.size() > wanted.size() && name.ends_with(wanted) &&
        name[name.size() - wanted.size() - 1] == '_') {
      return &table;
    }
  }
  return nullptr;
}

const TableSpec* tableForElement(std::string_view element) {
  for (const TableSpec& table : tables()) {
    if (std::find(table.xml_elements.begin(), table.xml_elements.end(), element) !=
        table.xml_elements.end()) {
      return &table;
    }
  }
  return nullptr;
}

std::string_view columnForElement(std::string_view element) {
  if (element == "CHILDID") return "CHILD";
  if (element == "PL") return "PLACE";
  return element;
}

}  // namespace hearth::connectors::ssda903
