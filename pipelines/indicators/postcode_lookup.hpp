#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hearth::pipelines::indicators {

/// Where a postcode is: its OS grid reference in metres and the local area it lies in.
struct PostcodeLocation {
  int easting = 0;
  int northing = 0;
  std::string area;  // ward-like local area code; empty when the lookup has none
};

/// An ONSPD-style postcode lookup, keyed by the postcode without spaces in upper case.
class PostcodeLookup {
 public:
  /// Reads CSV with ONSPD column names: `pcds` (or `pcd`), `oseast1m`, `osnrth1m` and the
  /// `area_column` (default `osward`). Rows without a grid reference (terminated or
  /// unlocated postcodes) are skipped. Throws std::runtime_error on a missing column.
  static PostcodeLookup fromCsv(std::istream& in, std::string_view source,
                                std::string_view area_column = "osward");

  void add(std::string_view postcode, PostcodeLocation location);
  const PostcodeLocation* find(std::string_view postcode) const;
  size_t size() const { return by_postcode_.size(); }

 private:
  std::unordered_map<std::string, PostcodeLocation> by_postcode_;
};

/// Straight-line distance in miles between two grid references.
double milesBetween(const PostcodeLocation& a, const PostcodeLocation& b);

}  // namespace hearth::pipelines::indicators
