#pragma once

#include <string_view>

#include "common/time_zone.hpp"
#include "pipelines/canonical/model.hpp"
#include "pipelines/normalise/normaliser.hpp"

namespace hearth::pipelines::normalise::fhir {

/// Where a FHIR resource came from and what it is checked against.
struct ResourceContext {
  canonical::Provenance provenance;      // the raw record's: stream = resourceType, key = Type/id
  canonical::Date today;                 // dates after it are impossible
  TimeZone time_zone = TimeZone::utc();  // the source's: a date-time with an offset is a day there
  std::string_view location = {};        // where the resource was read: its findings say so
};

/// Normalises one raw FHIR record (fields `resource`, the resource's JSON text, and `deleted`):
/// Patient -> Person, Encounter -> HospitalAdmission, Condition -> Diagnosis, a RelatedPerson who
/// is a mother -> her Person and the mother's group of her and the child. A deletion marks
/// `out.withdrawn` and gives nothing. Problems become findings (a reject leaves nothing of the
/// record); resource types the canonical model has no place for give nothing. Returns the number
/// of records appended.
size_t normaliseResource(const ResourceContext& context, std::string_view resource,
                         std::string_view deleted, NormaliseOutput& out);

}  // namespace hearth::pipelines::normalise::fhir
