// libFuzzer target for the schools reference data: GIAS extracts and Ofsted management
// information files of either framework, read into the register the education rules consult.
//
// Input: the first byte picks the reader (even: GIAS, odd: Ofsted); the rest is the file. A file
// the reader cannot use is a std::runtime_error naming it; anything else must not happen, and
// whatever loads must answer lookups.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "pipelines/indicators/school_register.hpp"

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool gias = data[0] % 2 == 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  hearth::pipelines::indicators::SchoolRegister schools;
  try {
    if (gias) {
      schools.addGias(in, "fuzz.csv");
    } else {
      schools.addOfsted(in, "fuzz.csv");
    }
  } catch (const std::runtime_error& e) {
    require(std::string(e.what()).find("fuzz.csv") != std::string::npos);
    return 0;
  }
  for (const std::string urn : {"100015", "", "EY1"}) {
    if (const auto* school = schools.byUrn(urn)) require(school->urn == urn);
    if (const auto* judgement = schools.latestJudgement(urn)) {
      require(!judgement->overall || (*judgement->overall >= 1 && *judgement->overall <= 4));
    }
  }
  return 0;
}
