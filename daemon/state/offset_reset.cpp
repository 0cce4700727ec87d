#include "daemon/state/offset_reset.hpp"

#include "daemon/state/checkpoint_offsets.hpp"

namespace hearth::daemon::state {

Result<uint64_t> resetStoredOffsets(StateStore& state, RecordStore* records,
                                    std::string_view connector, std::string_view stream) {
  if (stream.empty()) {
    if (auto deleted = state.deleteCheckpoint(connector); !deleted) return deleted.error();
  } else {
    auto token = state.loadCheckpoint(connector);
    if (!token) return token.error();
    if (token->has_value()) {
      auto reset = withoutStream(**token, stream);
      if (!reset) return reset.error();
      if (*reset != **token) {
        if (auto saved = state.saveCheckpoint(connector, *reset); !saved) return saved.error();
      }
    }
  }
  if (records == nullptr) return uint64_t{0};
  return records->forget(connector, stream);
}

}  // namespace hearth::daemon::state
