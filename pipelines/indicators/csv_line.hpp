#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hearth::pipelines::indicators {

/// Splits one line of the small reference CSVs (bank holidays, postcode lookup). Double quotes
/// around a field are removed; quoted commas are kept inside the field.
std::vector<std::string> splitCsvLine(std::string_view line);

}  // namespace hearth::pipelines::indicators
