#pragma once

#include <set>
#include <string>
#include <vector>

#include "pipelines/canonical/model.hpp"

namespace hearth::daemon::derive {

/// The person view (DESIGN.md, "Canonical model"): a resolved person's current flags across
/// services, age band, sex and area, as the `data` of a `hearth.person.view` event. Pseudonymous:
/// the person is named by `pseudonym`, the birth date becomes an age band and the postcode its
/// sector. `systems` are the source systems whose records were linked to the person.
std::string personViewJson(const std::string& pseudonym,
                           const std::vector<const pipelines::canonical::Record*>& records,
                           const std::set<std::string>& systems, pipelines::canonical::Date as_of);

/// The age band of someone `age` years old: "under 1", "1-4", "5-9", "10-15", "16-17",
/// "18-24", "25-64", "65+" (the children's bands are the DfE's).
std::string_view ageBand(int age);

}  // namespace hearth::daemon::derive
