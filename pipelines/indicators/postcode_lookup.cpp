#include "pipelines/indicators/postcode_lookup.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <vector>

#include "pipelines/indicators/csv_line.hpp"

namespace hearth::pipelines::indicators {
namespace {

constexpr double kMetresPerMile = 1609.344;

// Postcodes arrive as "NN1 5AB", "NN15AB" or "NN1  5AB" (pcd2): compare them without spaces.
std::string postcodeKey(std::string_view postcode) {
  std::string key;
  key.reserve(postcode.size());
  for (const char c : postcode) {
    if (c != ' ') key.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return key;
}

std::optional<int> parseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int columnIndex(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

PostcodeLookup PostcodeLookup::fromCsv(std::istream& in, std::string_view source,
                                       std::string_view area_column) {
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(std::string(source) + ": empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = splitCsvLine(line);
  int postcode = columnIndex(header, "pcds");
  if (postcode < 0) postcode = columnIndex(header, "pcd");
  const int easting = columnIndex(header, "oseast1m");
  const int northing = columnIndex(header, "osnrth1m");
  const int area = columnIndex(header, area_column);
  if (postcode < 0 || easting < 0 || northing < 0 || area < 0) {
    throw std::runtime_error(std::string(source) + ": needs columns pcds, oseast1m, osnrth1m and " +
                             std::string(area_column));
  }
  PostcodeLookup lookup;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::vector<std::string> fields = splitCsvLine(line);
    if (static_cast<int>(fields.size()) <= std::max({postcode, easting, northing, area})) continue;
    const std::optional<int> e = parseInt(fields[easting]);
    const std::optional<int> n = parseInt(fields[northing]);
    if (!e || !n) continue;
    lookup.add(fields[postcode], {*e, *n, fields[area]});
  }
  return lookup;
}

void PostcodeLookup::add(std::string_view postcode, PostcodeLocation location) {
  by_postcode_[postcodeKey(postcode)] = std::move(location);
}

const PostcodeLocation* PostcodeLookup::find(std::string_view postcode) const {
  if (postcode.empty()) return nullptr;
  const auto it = by_postcode_.find(postcodeKey(postcode));
  return it == by_postcode_.end() ? nullptr : &it->second;
}

double milesBetween(const PostcodeLocation& a, const PostcodeLocation& b) {
  const double de = static_cast<double>(a.easting) - b.easting;
  const double dn = static_cast<double>(a.northing) - b.northing;
  return std::sqrt(de * de + dn * dn) / kMetresPerMile;
}

}  // namespace hearth::pipelines::indicators
