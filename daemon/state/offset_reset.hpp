#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.hpp"
#include "daemon/state/record_store.hpp"
#include "daemon/state/state_store.hpp"

namespace hearth::daemon::state {

/// Forgets where a connector has read to: its whole checkpoint (empty `stream`) or that stream's
/// position in it, and the stored source records of what is forgotten (when `records` is given),
/// so that rows no longer in the source are forgotten too. The connector must not be running.
/// Returns how many records were deleted.
Result<uint64_t> resetStoredOffsets(StateStore& state, RecordStore* records,
                                    std::string_view connector, std::string_view stream);

}  // namespace hearth::daemon::state
