#include "daemon/metrics/process_metrics.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>

namespace hearth::metrics {
namespace {

// proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
// stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
constexpr std::string_view kStat =
    "4242 (hearth d) (x)) S 1 4242 4242 0 -1 4194560 2077 0 0 0 150 25 0 0 20 0 9 0 "
    "987654 1048576000 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ReadsTheFieldsAfterACommandNameWithSpacesAndParentheses) {
  const auto stat = parseProcStat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 150u);
  EXPECT_EQ(stat->stime_ticks, 25u);
  EXPECT_EQ(stat->start_ticks, 987654u);
  EXPECT_EQ(stat->virtual_bytes, 1048576000u);
  EXPECT_EQ(stat->resident_pages, 2560u);
}

TEST(ProcessMetrics, RefusesATruncatedOrGarbledStat) {
  EXPECT_FALSE(parseProcStat("").has_value());
  EXPECT_FALSE(parseProcStat("4242 (hearthd S 1 2 3").has_value());
  EXPECT_FALSE(parseProcStat(kStat.substr(0, 60)).has_value());
  EXPECT_FALSE(parseProcStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 2 0 0 20 0 1 0 5 6 7").has_value());
}

TEST(ProcessMetrics, FindsTheBootTime) {
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1764633600\nprocesses 9\n"), 1764633600u);
  EXPECT_FALSE(parseBootTime("cpu 1\n").has_value());
}

std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

TEST(ProcessMetrics, DescribeThisProcess) {
  // Burn a little CPU and open a descriptor, so the figures have something to show.
  volatile double x = 0;
  for (int i = 0; i < 20'000'000; ++i) x = x + i * 0.5;
  FILE* held = std::tmpfile();
  ASSERT_NE(held, nullptr);
  const auto now = static_cast<double>(std::time(nullptr));
  const auto m = samples(processMetricsText());
  std::fclose(held);
  ASSERT_TRUE(m.contains("process_cpu_seconds_total"));
  EXPECT_GT(m.at("process_cpu_seconds_total"), 0.0);
  EXPECT_GT(m.at("process_resident_memory_bytes"), 1024.0 * 1024);
  EXPECT_GE(m.at("process_open_fds"), 4.0);  // stdin, stdout, stderr and the temporary file
  EXPECT_LE(m.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(m.at("process_start_time_seconds"), now - 3600) << "this test started recently";
}

}  // namespace
}  // namespace hearth::metrics
