#include <algorithm>

#include "pipelines/normalise/layout.hpp"

namespace hearth::pipelines::normalise {

// Each layout's unit (pipelines/normalise/<layout>.cpp).
const Layout& ssda903Layout();
const Layout& cinCensusLayout();
const Layout& trustSsdLayout();
const Layout& schoolCensusLayout();
const Layout& hclicLayout();
const Layout& cldLayout();
const Layout& ascSurveyLayout();
const Layout& fhirLayout();
const Layout& cmeRegisterLayout();
const Layout& nccisLayout();
const Layout& ks4ResultsLayout();
const Layout& sen2Layout();
const Layout& earlyYearsCensusLayout();
const Layout& dwpTwoYearOldsLayout();

// Every layout Hearth can normalise, in one list: a new layout is a unit and a line here.
const std::vector<const Layout*>& layouts() {
  static const std::vector<const Layout*> kLayouts = {
      &ssda903Layout(),
      &cinCensusLayout(),
      &trustSsdLayout(),
      &schoolCensusLayout(),
      &hclicLayout(),
      &cldLayout(),
      &ascSurveyLayout(),
      &fhirLayout(),
      &cmeRegisterLayout(),
      &nccisLayout(),
      &ks4ResultsLayout(),
      &sen2Layout(),
      &earlyYearsCensusLayout(),
      &dwpTwoYearOldsLayout(),
  };
  return kLayouts;
}

const Layout* findLayout(std::string_view name) {
  for (const Layout* layout : layouts()) {
    if (layout->name == name) return layout;
  }
  return nullptr;
}

Layout makeLayout(Layout layout) {
  for (StreamLayout& stream : layout.streams) {
    StreamFields& fields = stream.fields;
    fields.mapped.insert(fields.mapped.end(), layout.mapped_everywhere.begin(),
                         layout.mapped_everywhere.end());
    fields.ignored.insert(fields.ignored.end(), layout.ignored_everywhere.begin(),
                          layout.ignored_everywhere.end());
    std::sort(fields.mapped.begin(), fields.mapped.end());
    std::sort(fields.ignored.begin(), fields.ignored.end());
  }
  return layout;
}

namespace {

// Compared lower case, letters and digits only, by how the stream name ends: an operator's
// "2025_spring_pupil_on_roll" is the module "pupilonroll".
bool streamEndsWith(std::string_view stream, std::string_view suffix) {
  size_t matched = 0;
  for (auto it = stream.rbegin(); it != stream.rend() && matched < suffix.size(); ++it) {
    char c = *it;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
    if (c != suffix[suffix.size() - 1 - matched]) return false;
    ++matched;
  }
  return matched == suffix.size();
}

}  // namespace

const StreamLayout* Layout::findStream(std::string_view stream) const {
  for (const StreamLayout& candidate : streams) {
    const bool match = this->match == StreamMatch::kSuffix
                           ? streamEndsWith(stream, candidate.fields.stream)
                           : stream == candidate.fields.stream;
    if (match) return &candidate;
  }
  return nullptr;
}

bool StreamFields::maps(std::string_view field) const {
  return std::binary_search(mapped.begin(), mapped.end(), field);
}

bool StreamFields::ignores(std::string_view field) const {
  return std::binary_search(ignored.begin(), ignored.end(), field);
}

}  // namespace hearth::pipelines::normalise
