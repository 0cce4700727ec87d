#pragma once

// Generated input shared by the csv benchmarks.

#include <cstdint>
#include <string>

namespace hearth::connectors::csv::testing {

/// Rows per benchmark run.
inline constexpr int kBenchRows = 1'000'000;

// Rows shaped like a case-management extract: identifiers, dates, codes, names, a postcode and
// free text. With `quoted`, every row also has quoted fields, one of them with doubled quotes.
inline std::string generateEpisodes(int rows, bool quoted) {
  std::string text =
      "CHILD,UPN,DOB,SEX,ETHNIC,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON,"
      "HOME_POST,PL_POST,URN,SURNAME,FORENAME,NOTE\n";
  uint64_t seed = 88172645463325252ULL;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  std::string row;
  for (int i = 0; i < rows; ++i) {
    row.clear();
    row += std::to_string(100000 + i) + ",A" + std::to_string(100000000000 + next() % 899999999999);
    row += ",0" + std::to_string(1 + next() % 9) + "/0" + std::to_string(1 + next() % 9) + "/20" +
           std::to_string(10 + next() % 14);
    row += next() % 2 ? ",1" : ",2";
    row += ",WBRI,12/04/2021,S,C2,N1,U1,PR1,30/09/2022,E11,";
    row += next() % 2 ? "Y" : "N";
    row += ",AB12 3CD,EF4 5GH,1" + std::to_string(100000 + next() % 899999);
    row += quoted ? ",\"O'Neill, Smith\",\"Jo\"" : ",ONeill-Smith,Jo";
    row += quoted ? ",\"Placement moved after review; carer said \"\"settled\"\", school informed, "
                    "next review due in spring term with the independent reviewing officer and "
                    "the virtual school head\"\n"
                  : ",Placement moved after review. carer said settled. school informed. next "
                    "review due in spring term with the independent reviewing officer and the "
                    "virtual school head\n";
    text += row;
  }
  return text;
}

}  // namespace hearth::connectors::csv::testing
