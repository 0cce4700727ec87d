#pragma once

// The attacker of published breakdowns, shared by the disclosure unit tests and the end-to-end
// attack on what the daemon publishes.
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/indicators/output.hpp"

namespace hearth::pipelines::indicators::disclosure_attack {

/// Which published figure of a cell is attacked: cohort indicators publish two.
enum class Figure { kNumerator, kDenominator };

// Every breakdown's cells add up to the headline (a count of families is not a breakdown of it).
// Unknowns are the hidden cells (and the headline when hidden); each breakdown gives one linear
// equation in them, the visible cells moved to the right-hand side. A hidden value is recovered
// exactly when its unit vector lies in the row space of the equations: in reduced row echelon
// form, a row that is that unit vector. A breakdown whose k hidden cells total exactly k also
// gives them away, as a hidden count is never 0. Returns the hidden cells it recovers, by index.
inline std::vector<size_t> recoverable(const std::vector<IndicatorValue>& cells,
                                       Figure figure = Figure::kNumerator) {
  const auto number = [figure](const IndicatorValue& v) {
    return figure == Figure::kNumerator ? v.numerator : v.denominator.value_or(0.0);
  };
  std::vector<size_t> unknowns;  // cell index of each unknown
  std::map<size_t, size_t> column_of;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].suppressed) {
      column_of[i] = unknowns.size();
      unknowns.push_back(i);
    }
  }
  std::optional<size_t> headline;
  std::map<std::string, std::vector<size_t>> breakdowns;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].breakdown_name.empty()) {
      headline = i;
    } else if (cells[i].breakdown_name != "count_of") {
      breakdowns[cells[i].breakdown_name].push_back(i);
    }
  }
  if (!headline) return {};
  const size_t n = unknowns.size();
  std::vector<size_t> found;
  std::vector<std::vector<double>> rows;
  for (const auto& [name, members] : breakdowns) {
    std::vector<double> row(n + 1, 0.0);
    auto add = [&](size_t i, double sign) {
      if (cells[i].suppressed) {
        row[column_of[i]] += sign;
      } else {
        row[n] -= sign * number(cells[i]);
      }
    };
    for (const size_t i : members) add(i, 1.0);
    add(*headline, -1.0);
    rows.push_back(row);
    if (!cells[*headline].suppressed) {
      size_t hidden = 0;
      for (const size_t i : members) hidden += cells[i].suppressed ? 1 : 0;
      if (hidden > 0 && std::abs(row[n] - static_cast<double>(hidden)) < 1e-9) {
        for (const size_t i : members) {
          if (cells[i].suppressed) found.push_back(i);
        }
      }
    }
  }
  // Reduced row echelon form.
  size_t pivot_row = 0;
  for (size_t col = 0; col < n && pivot_row < rows.size(); ++col) {
    size_t best = pivot_row;
    for (size_t r = pivot_row; r < rows.size(); ++r) {
      if (std::abs(rows[r][col]) > std::abs(rows[best][col])) best = r;
    }
    if (std::abs(rows[best][col]) < 1e-9) continue;
    std::swap(rows[best], rows[pivot_row]);
    const double p = rows[pivot_row][col];
    for (double& x : rows[pivot_row]) x /= p;
    for (size_t r = 0; r < rows.size(); ++r) {
      if (r == pivot_row || std::abs(rows[r][col]) < 1e-12) continue;
      const double f = rows[r][col];
      for (size_t c = 0; c <= n; ++c) rows[r][c] -= f * rows[pivot_row][c];
    }
    ++pivot_row;
  }
  for (const auto& row : rows) {
    size_t nonzero = 0;
    size_t at = 0;
    for (size_t c = 0; c < n; ++c) {
      if (std::abs(row[c]) > 1e-9) {
        ++nonzero;
        at = c;
      }
    }
    if (nonzero == 1) found.push_back(unknowns[at]);
  }
  return found;
}

}  // namespace hearth::pipelines::indicators::disclosure_attack
