#include "daemon/runtime/unmapped_fields.hpp"

#include "daemon/log/logger.hpp"

namespace hearth::daemon::runtime {

prometheus::Counter& UnmappedFields::counter(std::string_view layout, std::string_view field,
                                             std::string_view connector, std::string_view stream) {
  std::lock_guard lock(mutex_);
  std::pair<std::string, std::string> key{layout, field};
  if (const auto it = named_.find(key); it != named_.end()) return *it->second;
  size_t& fields = fields_of_layout_[key.first];
  const log::Logger logger("normalise");
  prometheus::Counter* counter = nullptr;
  if (fields < kMaxFieldsPerLayout) {
    ++fields;
    counter = &metrics_.fieldsUnmapped(layout, field);
    logger.warn("field not mapped",
                {{"layout", layout},
                 {"field", field},
                 {"connector", connector},
                 {"stream", stream},
                 {"detail",
                  "normalisation neither maps nor deliberately ignores this field: its values "
                  "reach no canonical record (the source record is kept in the record store)"}});
  } else {
    counter = &metrics_.fieldsUnmapped(layout, kOtherFields);
    if (fields++ == kMaxFieldsPerLayout) {
      logger.warn("field not mapped", {{"layout", layout},
                                       {"connector", connector},
                                       {"limit", kMaxFieldsPerLayout},
                                       {"detail",
                                        "more unmapped fields than the limit; the "
                                        "rest are counted under field=\"(other)\" "
                                        "without being named"}});
    }
  }
  named_.emplace(std::move(key), counter);
  return *counter;
}

}  // namespace hearth::daemon::runtime
