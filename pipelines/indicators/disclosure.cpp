#include "pipelines/indicators/disclosure.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace hearth::pipelines::indicators {
namespace {

bool small(double count, const DisclosureConvention& convention) {
  // A zero identifies nobody; small positive counts might.
  return count > 0 && count < convention.suppress_below;
}

double roundTo(double count, int multiple) {
  if (multiple <= 1) return count;
  return std::round(count / multiple) * multiple;
}

// Counts rounded as the convention says; the value too when it is a count. A rate keeps the
// value the unrounded counts give.
void roundCounts(IndicatorValue& v, const DisclosureConvention& d) {
  if (d.round_to <= 1) return;
  const bool count_value = v.value == v.numerator && !v.denominator;
  v.numerator = roundTo(v.numerator, d.round_to);
  if (count_value) v.value = v.numerator;
  if (v.denominator) v.denominator = roundTo(*v.denominator, d.round_to);
  if (v.not_computable) v.not_computable = roundTo(*v.not_computable, d.round_to);
  v.rounded_to = d.round_to;
}

// The cells of one indicator over one period, by breakdown: indices into the span.
struct Table {
  std::optional<size_t> headline;
  std::map<std::string, std::vector<size_t>, std::less<>> breakdowns;
};

Table tableOf(std::span<const IndicatorValue> cells) {
  Table table;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].breakdown_name.empty()) {
      table.headline = i;
    } else if (cells[i].breakdown_name != kCountOfBreakdown) {
      table.breakdowns[cells[i].breakdown_name].push_back(i);
    }
  }
  return table;
}

// The next cell to hide in a breakdown: the smallest visible one that counts someone, else the
// smallest visible one; none when every cell is hidden.
std::optional<size_t> smallestVisible(std::span<const IndicatorValue> cells,
                                      const std::vector<size_t>& members,
                                      const std::vector<Hidden>& hidden) {
  std::optional<size_t> best;
  auto key = [&](size_t i) {
    const IndicatorValue& v = cells[i];
    return std::tuple(v.numerator == 0, v.numerator, v.denominator.value_or(0), i);
  };
  for (const size_t i : members) {
    if (hidden[i] != Hidden::kNo) continue;
    if (!best || key(i) < key(*best)) best = i;
  }
  return best;
}

// One step of secondary suppression: hides one more cell where a hidden value could be worked
// out from the visible ones. Returns false when nothing needed hiding.
bool hideOneMore(std::span<const IndicatorValue> cells, const Table& table,
                 const DisclosureConvention& convention, std::vector<Hidden>& hidden) {
  const bool headline_hidden = table.headline && hidden[*table.headline] != Hidden::kNo;
  // The headline is known when shown, or when some breakdown is shown whole (its cells add up
  // to it).
  bool headline_known = table.headline && !headline_hidden;
  for (const auto& [name, members] : table.breakdowns) {
    if (std::none_of(members.begin(), members.end(),
                     [&](size_t i) { return hidden[i] != Hidden::kNo; })) {
      headline_known = true;
    }
  }
  auto hide = [&](size_t i) {
    hidden[i] = Hidden::kSecondary;
    return true;
  };

  for (const auto& [name, members] : table.breakdowns) {
    size_t hidden_count = 0;
    double visible_numerator = 0;
    double visible_denominator = 0;
    for (const size_t i : members) {
      if (hidden[i] != Hidden::kNo) {
        ++hidden_count;
      } else {
        visible_numerator += cells[i].numerator;
        visible_denominator += cells[i].denominator.value_or(0);
      }
    }
    bool recoverable = false;
    if (hidden_count == 0) {
      // Shown whole, it gives away a hidden headline.
      recoverable = headline_hidden;
    } else if (headline_known && table.headline) {
      const IndicatorValue& total = cells[*table.headline];
      // One hidden cell is the headline less the rest; several whose total is itself a small
      // count are nearly pinned down by it, and k hidden counts that total k are all ones.
      const double hidden_numerator = total.numerator - visible_numerator;
      const double hidden_denominator = total.denominator.value_or(0) - visible_denominator;
      const auto pinned = [&](double hidden_total) {
        return small(hidden_total, convention) ||
               (hidden_total > 0 && hidden_total <= static_cast<double>(hidden_count));
      };
      recoverable = hidden_count == 1 || pinned(hidden_numerator) || pinned(hidden_denominator);
    }
    if (!recoverable) continue;
    if (const std::optional<size_t> next = smallestVisible(cells, members, hidden)) {
      return hide(*next);
    }
    // Every cell of the breakdown is hidden and still too little is: hide the headline.
    if (table.headline && !headline_hidden) return hide(*table.headline);
  }
  // A headline hidden while a single-cell breakdown (or none) would show it is handled above; a
  // headline shown beside no breakdown needs nothing.
  return false;
}

}  // namespace

std::optional<DisclosureConvention> disclosureConvention(std::string_view name) {
  if (name == "social_care" || name == "education") {
    return DisclosureConvention{.suppress_below = 5, .round_to = 0, .secondary = true};
  }
  if (name == "health") {
    return DisclosureConvention{.suppress_below = 8, .round_to = 5, .secondary = true};
  }
  if (name == "housing") {
    return DisclosureConvention{.suppress_below = 0, .round_to = 0, .secondary = false};
  }
  return std::nullopt;
}

std::vector<Hidden> applyDisclosure(std::span<IndicatorValue> cells,
                                    const DisclosureConvention& convention) {
  std::vector<Hidden> hidden(cells.size(), Hidden::kNo);
  for (size_t i = 0; i < cells.size(); ++i) {
    const IndicatorValue& v = cells[i];
    if (small(v.numerator, convention) || (v.denominator && small(*v.denominator, convention))) {
      hidden[i] = Hidden::kPrimary;
    }
  }
  if (convention.secondary) {
    const Table table = tableOf(cells);
    // Each step hides one cell, so this ends after at most cells.size() steps.
    while (hideOneMore(cells, table, convention, hidden)) {
    }
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    IndicatorValue& v = cells[i];
    v.suppressed = hidden[i] != Hidden::kNo;
    v.not_computable_suppressed = v.not_computable && small(*v.not_computable, convention);
    roundCounts(v, convention);  // after the checks; hidden figures are not published at all
  }
  return hidden;
}

void discloseCell(IndicatorValue& v, const DisclosureConvention& d) {
  applyDisclosure(std::span<IndicatorValue>(&v, 1), d);
}

}  // namespace hearth::pipelines::indicators
