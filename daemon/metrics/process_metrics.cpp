#include "daemon/metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace hearth::metrics {
namespace {

std::optional<uint64_t> number(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string readWhole(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void sample(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  std::ostringstream number;
  number.precision(15);
  number << value;
  out.append(name).append(" ").append(number.str()).append("\n");
}

}  // namespace

std::optional<ProcessStat> parseProcStat(std::string_view text) {
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields from 3 (state) on, separated by single spaces.
  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
    const size_t end = rest.find_first_of(" \n");
    if (!rest.empty()) fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  // Field n of proc(5) is fields[n - 3].
  auto field = [&fields](size_t n) -> std::optional<uint64_t> {
    return n - 3 < fields.size() ? number(fields[n - 3]) : std::nullopt;
  };
  const auto utime = field(14), stime = field(15), start = field(22), vsize = field(23),
             rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return ProcessStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<uint64_t> parseBootTime(std::string_view proc_stat) {
  constexpr std::string_view kKey = "btime ";
  size_t at = 0;
  while (at < proc_stat.size()) {
    const size_t end = std::min(proc_stat.find('\n', at), proc_stat.size());
    const std::string_view line = proc_stat.substr(at, end - at);
    if (line.starts_with(kKey)) return number(line.substr(kKey.size()));
    at = end + 1;
  }
  return std::nullopt;
}

std::string processMetricsText() {
  std::string out;
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  if (const auto stat = parseProcStat(readWhole("/proc/self/stat")); stat && ticks > 0) {
    sample(out, "process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.",
           static_cast<double>(stat->utime_ticks + stat->stime_ticks) / static_cast<double>(ticks));
    sample(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           static_cast<double>(stat->resident_pages) * static_cast<double>(page));
    sample(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
           static_cast<double>(stat->virtual_bytes));
    if (const auto boot = parseBootTime(readWhole("/proc/stat"))) {
      sample(out, "process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.",
             static_cast<double>(*boot) +
                 static_cast<double>(stat->start_ticks) / static_cast<double>(ticks));
    }
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    // Less the descriptor the listing itself held open.
    sample(out, "process_open_fds", "gauge", "Number of open file descriptors.",
           static_cast<double>(fds > 0 ? fds - 1 : 0));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    sample(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
           static_cast<double>(limit.rlim_cur));
  }
  return out;
}

}  // namespace hearth::metrics
