#pragma once

#include <string>
#include <string_view>

#include "pipelines/indicators/person_records.hpp"
#include "pipelines/indicators/postcode_lookup.hpp"

namespace hearth::pipelines::indicators {

// Each label is a view of static text or of the lookup's own: a person's labels are kept for every
// period, and a council's people are hundreds of thousands.

/// Age band on `day` in the DfE looked-after bands, extended past 17 for care leavers: "under
/// 1", "1-4", "5-9", "10-15", "16-17", "18+"; "unknown" without a birth date.
std::string_view ageBand(const std::optional<Date>& birth, Date day);
/// The adult social care bands on `day`: "18-64", "65+"; "under 18" or "unknown" otherwise.
std::string_view adultAgeBand(const std::optional<Date>& birth, Date day);
/// "male", "female" or "not known".
std::string_view sexLabel(canonical::Sex sex);
/// The DfE major ethnic group of an ethnicity code: White, Mixed, Asian, Black, Other, or
/// "Refused or not obtained"; "unknown" when blank or unrecognised.
std::string_view ethnicityGroup(const std::string& code);
/// The local area of the person's postcode in the lookup (a view of its text, valid while the
/// lookup is); "unknown" when it is not there.
std::string_view localArea(const std::string& postcode, const PostcodeLookup& postcodes);

}  // namespace hearth::pipelines::indicators
