// libFuzzer target for the /proc parsers of the process metrics: any text ends in a result or
// nullopt, never a crash, and a parsed stat reads the same from a copy with trailing spaces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/metrics/process_metrics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto stat = hearth::metrics::parseProcStat(text);
  (void)hearth::metrics::parseBootTime(text);
  if (stat) {
    const auto again = hearth::metrics::parseProcStat(std::string(text) + "  \n");
    if (!again || again->utime_ticks != stat->utime_ticks ||
        again->resident_pages != stat->resident_pages) {
      __builtin_trap();
    }
  }
  return 0;
}
