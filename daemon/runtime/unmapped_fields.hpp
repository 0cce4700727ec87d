#pragma once

#include <prometheus/counter.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/metrics/metrics.hpp"

namespace hearth::daemon::runtime {

/// The fields of known source layouts that normalisation neither maps nor deliberately ignores:
/// each counted in hearth_fields_unmapped_total{layout,field} and named once per process in the
/// log, by name only (a field's values never reach the log). Shared by every connector runner.
class UnmappedFields {
 public:
  /// Distinct fields a layout gets a series of their own for; the rest are counted together
  /// under kOtherFields, so that a source inventing column names cannot grow /metrics unbounded.
  static constexpr size_t kMaxFieldsPerLayout = 200;
  static constexpr std::string_view kOtherFields = "(other)";

  explicit UnmappedFields(metrics::Metrics& metrics) : metrics_(metrics) {}
  UnmappedFields(const UnmappedFields&) = delete;
  UnmappedFields& operator=(const UnmappedFields&) = delete;

  /// The counter of `field` in `layout`. The first call for a pair logs it, with the connector
  /// and stream it was seen in. Takes a lock: callers keep the reference.
  prometheus::Counter& counter(std::string_view layout, std::string_view field,
                               std::string_view connector, std::string_view stream);

 private:
  metrics::Metrics& metrics_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> named_;
  std::map<std::string, size_t, std::less<>> fields_of_layout_;
};

}  // namespace hearth::daemon::runtime
