#pragma once

#include "pipelines/canonical/model.hpp"
#include "pipelines/identity/tests/synthetic_population.hpp"

namespace hearth::daemon::derive::testing {

/// A generated person record as the canonical Person a source would give: its subject, names,
/// birth date, postcode, and NHS number and UPN when it has them.
inline pipelines::canonical::Person personOf(const pipelines::identity::PersonRecord& r) {
  pipelines::canonical::Person person;
  person.subject = {r.source_system, r.local_id};
  person.given_name = r.given_name;
  person.family_name = r.family_name;
  person.birth_date = r.birth_date;
  person.postcode = r.postcode;
  if (!r.nhs_number.empty()) person.identifiers.push_back({"nhs", r.nhs_number, "test"});
  if (!r.upn.empty()) person.identifiers.push_back({"upn", r.upn, "test"});
  return person;
}

}  // namespace hearth::daemon::derive::testing
