#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/indicators/school_register.hpp"

namespace hearth::daemon::derive {

/// The person view (DESIGN.md, "Canonical model"): a resolved person's current flags across
/// services, age band, sex and area, as the `data` of a `hearth.person.view` event. Pseudonymous:
/// the person is named by `pseudonym`, the birth date becomes an age band and the postcode its
/// sector. `systems` are the source systems whose records were linked to the person.
std::string personViewJson(const std::string& pseudonym,
                           const std::vector<const pipelines::canonical::Record*>& records,
                           const std::set<std::string>& systems, pipelines::canonical::Date as_of,
                           const pipelines::indicators::SchoolRegister* schools = nullptr);

/// A household or family as a group (DESIGN.md, "Households and families"): its members' person
/// pseudonyms, published on `hearth.person.view` keyed by the group's own pseudonym.
struct GroupRef {
  std::string kind;    // "household" (H-CLIC households, CLD carer links) or "family" (SSD)
  std::string system;  // the source system whose reference it is
  std::string ref;     // the group's reference there
  auto operator<=>(const GroupRef&) const = default;
};

/// The group a record makes its subject a member of, if any.
std::optional<GroupRef> groupOf(const pipelines::canonical::Record& record);

/// The `data` of a family view: the group, its kind and its members, sorted.
std::string groupViewJson(const std::string& group_pseudonym, std::string_view kind,
                          const std::set<std::string>& members, pipelines::canonical::Date as_of);

/// The age band of someone `age` years old: "under 1", "1-4", "5-9", "10-15", "16-17",
/// "18-24", "25-64", "65+" (the children's bands are the DfE's).
std::string_view ageBand(int age);

}  // namespace hearth::daemon::derive
