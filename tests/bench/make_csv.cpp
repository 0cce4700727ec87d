// hearth-bench-csv FILE ROWS: writes the synthetic referrals CSV (about 300 bytes a row) that the
// end-to-end benchmark reads.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "tests/common/csv_fixture.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hearth-bench-csv FILE ROWS\n");
    return 2;
  }
  try {
    hearth::testing::writeReferralsCsv(argv[1], 0, std::strtoull(argv[2], nullptr, 10));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hearth-bench-csv: %s\n", e.what());
    return 1;
  }
  return 0;
}
