// Reads a directory of NDJSON files through the real fhir plugin and prints resources per second
// and the process's peak resident memory:
//
//   fhir_directory_bench <directory>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "plugins/host/connector_instance.hpp"
#include "plugins/host/plugin_library.hpp"

namespace {

class CountingSink : public hearth::host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    ++records;
    bytes += record.fields[0].value.len;
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject&) override {
    ++rejects;
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view) override { return HEARTH_OK; }

  uint64_t records = 0, rejects = 0, bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fhir_directory_bench <directory>\n");
    return 2;
  }
  auto plugin = hearth::host::loadPlugin(HEARTH_FHIR_PLUGIN);
  if (!plugin.ok()) return 1;
  const std::string config = R"({"mode": "directory", "directory": ")" + std::string(argv[1]) +
                             R"(", "checkpoint_every": 100000})";
  auto instance = hearth::host::ConnectorInstance::create(*plugin, config, {});
  if (!instance.ok()) {
    std::fprintf(stderr, "%s\n", instance.error().message.c_str());
    return 1;
  }
  CountingSink sink;
  const auto start = std::chrono::steady_clock::now();
  auto outcome = (*instance)->read("", sink);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome.ok()) {
    std::fprintf(stderr, "%s\n", outcome.error().message.c_str());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  // Per core: the process's CPU time (user and system, the kernel's copies from the page cache
  // included), which a machine busy with other work does not inflate as it does the wall time.
  const auto cpuSeconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  const double cpu = cpuSeconds(usage.ru_utime) + cpuSeconds(usage.ru_stime);
  std::printf(
      "%llu resources (%llu rejects, %.1f MB) in %.2f s: %.0f resources/s, %.1f MB/s; "
      "%.2f CPU s: %.0f resources per CPU second; peak RSS %.1f MB\n",
      static_cast<unsigned long long>(sink.records), static_cast<unsigned long long>(sink.rejects),
      sink.bytes / 1e6, seconds, sink.records / seconds, sink.bytes / 1e6 / seconds, cpu,
      sink.records / cpu, usage.ru_maxrss / 1024.0);
  return 0;
}
