#include "pipelines/indicators/output.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "pipelines/common/json_writer.hpp"
#include "pipelines/indicators/registry.hpp"

namespace hearth::pipelines::indicators {
namespace {

void appendNumber(std::string& out, double number) {
  if (!std::isfinite(number)) {
    out += "null";
    return;
  }
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  out.append(buffer.data(), error == std::errc() ? end : buffer.data());
}

void appendKey(std::string& out, std::string_view key) {
  if (out.back() != '{') out += ',';
  appendJsonString(out, key);
  out += ':';
}

void appendStrings(std::string& out, const std::vector<std::string>& strings) {
  out += '[';
  for (size_t i = 0; i < strings.size(); ++i) {
    if (i > 0) out += ',';
    appendJsonString(out, strings[i]);
  }
  out += ']';
}

void appendPeriod(std::string& out, const Period& period) {
  appendKey(out, "period");
  out += '{';
  appendKey(out, "kind");
  appendJsonString(out, periodKindName(period.kind));
  appendKey(out, "label");
  appendJsonString(out, period.label);
  appendKey(out, "start");
  appendJsonString(out, canonical::formatIsoDate(period.start));
  appendKey(out, "end");
  appendJsonString(out, canonical::formatIsoDate(period.end));
  out += '}';
}

/// Rounded for reading; the JSON keeps full precision.
std::string formatNumber(double number, int decimals) {
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, number);
  return buffer.data();
}

std::string indicatorCell(const IndicatorValue& v) {
  if (v.breakdown_name.empty()) return v.indicator_id;
  return v.indicator_id + " [" + v.breakdown_name + "=" + v.breakdown_value + "]";
}

}  // namespace

std::string_view factChangeName(FactChange change) {
  return change == FactChange::kEntered ? "entered" : "left";
}

std::string_view factSetName(FactSet set) {
  return set == FactSet::kCohort ? "cohort" : "numerator";
}

std::string toJson(const IndicatorValue& v) {
  std::string out = "{";
  appendKey(out, "indicator");
  appendJsonString(out, v.indicator_id);
  appendKey(out, "indicator_version");
  appendJsonInt(out, v.indicator_version);
  appendPeriod(out, v.period);
  appendKey(out, "area");
  appendJsonString(out, v.area);
  appendKey(out, "breakdown");
  if (v.breakdown_name.empty()) {
    out += "null";
  } else {
    out += '{';
    appendKey(out, "name");
    appendJsonString(out, v.breakdown_name);
    appendKey(out, "value");
    appendJsonString(out, v.breakdown_value);
    out += '}';
  }
  appendKey(out, "numerator");
  if (v.suppressed) {
    out += "null";
  } else {
    appendNumber(out, v.numerator);
  }
  appendKey(out, "denominator");
  if (v.suppressed || !v.denominator) {
    out += "null";
  } else {
    appendNumber(out, *v.denominator);
  }
  appendKey(out, "value");
  if (v.suppressed) {
    out += "null";
  } else {
    appendNumber(out, v.value);
  }
  appendKey(out, "unit");
  appendJsonString(out, v.unit);
  appendKey(out, "suppressed");
  out += v.suppressed ? "true" : "false";
  appendKey(out, "rule_version");
  appendJsonString(out, v.rule_version);
  if (v.not_computable) {
    appendKey(out, "not_computable");
    if (v.suppressed || v.not_computable_suppressed) {
      out += "null";
    } else {
      appendNumber(out, *v.not_computable);
    }
  }
  if (v.rounded_to > 1) {
    appendKey(out, "rounded_to");
    appendJsonInt(out, v.rounded_to);
  }
  out += '}';
  return out;
}

std::string toJson(const IndicatorFact& f, std::string_view subject) {
  std::string out = "{";
  appendKey(out, "subject");
  appendJsonString(out, subject);
  appendKey(out, "indicator");
  appendJsonString(out, f.indicator_id);
  appendKey(out, "indicator_version");
  appendJsonInt(out, f.indicator_version);
  appendPeriod(out, f.period);
  appendKey(out, "change");
  appendJsonString(out, factChangeName(f.change));
  appendKey(out, "set");
  appendJsonString(out, factSetName(f.set));
  appendKey(out, "date");
  if (f.date) {
    appendJsonString(out, canonical::formatIsoDate(*f.date));
  } else {
    out += "null";
  }
  appendKey(out, "evidence_ids");
  appendStrings(out, f.evidence_ids);
  appendKey(out, "rule_version");
  appendJsonString(out, f.rule_version);
  out += '}';
  return out;
}

std::string toJson(const CycleMarker& marker) {
  std::string out = "{";
  appendKey(out, "cycle");
  appendJsonInt(out, static_cast<int64_t>(marker.cycle));
  appendPeriod(out, marker.period);
  appendKey(out, "keys_written");
  appendStrings(out, marker.keys_written);
  appendKey(out, "values");
  appendJsonInt(out, static_cast<int64_t>(marker.values));
  appendKey(out, "digest");
  appendJsonString(out, marker.digest);
  appendKey(out, "rule_version");
  appendJsonString(out, kRuleVersion);
  out += '}';
  return out;
}

namespace {

std::string_view familyHeading(std::string_view family) {
  if (family == "social_care") return "Children's social care";
  if (family == "education") return "Education";
  if (family == "health") return "Health";
  if (family == "housing") return "Housing";
  if (family == "adult_social_care") return "Adult social care";
  if (family == "cross_service") return "Across services";
  return family;
}

}  // namespace

std::string renderTable(const std::vector<IndicatorValue>& values) {
  using Row = std::array<std::string, 6>;
  const Row header = {"indicator", "period", "numerator", "denominator", "value", "unit"};
  // Grouped by service, in the order the catalogue lists them; within a service, as given.
  std::vector<std::string_view> families;
  std::vector<std::vector<Row>> groups;
  for (const IndicatorValue& v : values) {
    const IndicatorDefinition* definition = findIndicator(v.indicator_id);
    const std::string_view family = definition != nullptr ? definition->family : "";
    auto at = std::find(families.begin(), families.end(), family);
    if (at == families.end()) {
      families.push_back(family);
      groups.emplace_back();
      at = families.end() - 1;
    }
    const std::string hidden = "c";
    groups[static_cast<size_t>(at - families.begin())].push_back(
        {indicatorCell(v), v.period.label, v.suppressed ? hidden : formatNumber(v.numerator, 0),
         !v.denominator ? ""
         : v.suppressed ? hidden
                        : formatNumber(*v.denominator, 0),
         v.suppressed ? hidden : formatNumber(v.value, 1), v.unit});
  }
  std::array<size_t, 6> width{};
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& rows : groups) {
      for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    }
  }
  // Text columns to the left, figures to the right, so digits line up.
  const auto line = [&](const Row& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c) {
      const bool figure = c >= 2 && c <= 4;
      const std::string pad(width[c] - cells[c].size(), ' ');
      out += figure ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
      if (c + 1 < cells.size()) out += "  ";
    }
    return out + "\n";
  };
  std::string out = line(header);
  std::string rule;
  for (size_t c = 0; c < width.size(); ++c) {
    rule += std::string(width[c], '-') + (c + 1 < width.size() ? "  " : "");
  }
  out += rule + "\n";
  bool suppressed = false;
  for (size_t g = 0; g < groups.size(); ++g) {
    // One service alone needs no heading.
    if (groups.size() > 1) out += std::string(familyHeading(families[g])) + "\n";
    for (const auto& row : groups[g]) {
      out += line(row);
      suppressed = suppressed || row[2] == "c";
    }
  }
  if (suppressed) out += "c: suppressed, too few to publish safely (or would reveal one that is)\n";
  return out;
}

}  // namespace hearth::pipelines::indicators
