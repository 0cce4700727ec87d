#pragma once

#include <string>

#include "pipelines/indicators/person_records.hpp"
#include "pipelines/indicators/postcode_lookup.hpp"

namespace hearth::pipelines::indicators {

/// Age band on `day` in the DfE looked-after bands, extended past 17 for care leavers: "under
/// 1", "1-4", "5-9", "10-15", "16-17", "18+"; "unknown" without a birth date.
std::string ageBand(const std::optional<Date>& birth, Date day);
/// The adult social care bands on `day`: "18-64", "65+"; "under 18" or "unknown" otherwise.
std::string adultAgeBand(const std::optional<Date>& birth, Date day);
/// "male", "female" or "not known".
std::string sexLabel(canonical::Sex sex);
/// The DfE major ethnic group of an ethnicity code: White, Mixed, Asian, Black, Other, or
/// "Refused or not obtained"; "unknown" when blank or unrecognised.
std::string ethnicityGroup(const std::string& code);
/// The local area of the person's postcode in the lookup; "unknown" when it is not there.
std::string localArea(const std::string& postcode, const PostcodeLookup& postcodes);

}  // namespace hearth::pipelines::indicators
