// What this machine charges for memory a process writes for the first time, against writing it
// again: the kernel finds and zeroes each page at its first write (and, in a virtual machine
// whose host backs guest memory lazily, the host does as much first). A whole council's derive
// writes gigabytes afresh, so this cost is a share of its time that grows with its peak RSS.
// Prints one line per page size: seconds per GiB at the first write and at a second one. Where
// the host takes back the pages a guest frees, the first write to them costs more the more is
// written: the pages freed last are still backed. Measure at the sizes that matter.
//
// Usage: hearth-bench-memory-touch [MiB] [--small-pages]   (default 1024; 4 KiB pages only)
#include <sys/mman.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Writes one byte in every 4 KiB of a fresh mapping of `bytes`, then all of it again.
bool measure(size_t bytes, bool huge_pages) {
  void* mapped = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    std::perror("mmap");
    return false;
  }
  auto* memory = static_cast<volatile unsigned char*>(mapped);
  ::madvise(mapped, bytes, huge_pages ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  auto start = std::chrono::steady_clock::now();
  for (size_t at = 0; at < bytes; at += 4096) memory[at] = 1;
  const double first = secondsSince(start);
  start = std::chrono::steady_clock::now();
  std::memset(mapped, 2, bytes);
  const double again = secondsSince(start);
  ::munmap(mapped, bytes);
  const double gib = static_cast<double>(bytes) / (1u << 30);
  std::printf("%s pages, %.1f GiB: first write %.2f s/GiB, written again %.3f s/GiB (%.0fx)\n",
              huge_pages ? "2 MiB" : "4 KiB", gib, first / gib, again / gib,
              again > 0 ? first / again : 0.0);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const long mib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1024;
  const bool small_pages_only = argc > 2 && std::strcmp(argv[2], "--small-pages") == 0;
  if (mib <= 0 || (argc > 2 && !small_pages_only)) {
    std::fprintf(stderr, "usage: hearth-bench-memory-touch [MiB] [--small-pages]\n");
    return 64;
  }
  const size_t bytes = static_cast<size_t>(mib) << 20;
  if (small_pages_only) return measure(bytes, false) ? 0 : 1;
  return measure(bytes, true) && measure(bytes, false) ? 0 : 1;
}
