#pragma once

#include <string_view>
#include <vector>

#include "pipelines/canonical/model.hpp"

namespace hearth::daemon::runtime {

/// Receives the canonical records of each source record as connectors read them: the derive
/// stage (identity, person views, indicators). A source record read again replaces what it gave
/// before, including with nothing when it is now rejected. Called on connector threads.
class CanonicalSink {
 public:
  virtual ~CanonicalSink() = default;
  /// Takes the records, moving them out of `records`: the vector, emptied, keeps its room for
  /// the caller's next source record.
  virtual void accept(std::string_view connector, std::string_view stream,
                      std::string_view source_key,
                      std::vector<pipelines::canonical::Record>& records) = 0;
};

}  // namespace hearth::daemon::runtime
