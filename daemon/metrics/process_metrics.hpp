#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hearth::metrics {

/// The figures of /proc/<pid>/stat that the standard process metrics need.
struct ProcessStat {
  uint64_t utime_ticks = 0;     // user CPU, in clock ticks
  uint64_t stime_ticks = 0;     // system CPU, in clock ticks
  uint64_t start_ticks = 0;     // start, in clock ticks after boot
  uint64_t virtual_bytes = 0;   // vsize
  uint64_t resident_pages = 0;  // rss
};

/// Reads the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold
/// spaces and parentheses itself, so fields are counted from the last ')'. nullopt when the text
/// is not of that shape.
std::optional<ProcessStat> parseProcStat(std::string_view text);

/// The boot time ("btime" line of /proc/stat), in seconds since the epoch.
std::optional<uint64_t> parseBootTime(std::string_view proc_stat);

/// The process metrics of the Prometheus client conventions, read from /proc for this process,
/// in the text exposition format: process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds.
/// A figure /proc does not give is left out rather than reported wrong.
std::string processMetricsText();

}  // namespace hearth::metrics
