#pragma once

#include "pipelines/indicators/person_records.hpp"

namespace hearth::pipelines::indicators {

/// A child looked after on a day: the period of care and the episode open then.
struct LookedAfterOn {
  const CarePeriod* period = nullptr;
  const Involvement<canonical::ClaEpisode>* episode = nullptr;
  std::optional<Date> episode_end;
};

/// The period of care open on `day`, whatever the legal status; nullopt when none is.
std::optional<LookedAfterOn> lookedAfterOn(const PersonView& person, Date day);

/// Looked after on `day` other than only under the short-break statuses V3 and V4: the
/// population every "children in care at period end" measure starts from.
std::optional<LookedAfterOn> inCareOn(const PersonView& person, Date day);

/// The placement of `period` on `day`: the last one started on or before it.
const Placement* placementOn(const CarePeriod& period, Date day);

}  // namespace hearth::pipelines::indicators
