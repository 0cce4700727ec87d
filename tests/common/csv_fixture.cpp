#include "tests/common/csv_fixture.hpp"

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace hearth::testing {
namespace {

constexpr std::array kForenames = {"Olivia", "Amelia", "Isla",   "Ava", "Mia",   "Noah",
                                   "Oliver", "George", "Arthur", "Leo", "Harry", "Freya"};
constexpr std::array kSurnames = {"Smith",   "Jones",  "Taylor", "Brown",    "Williams", "Wilson",
                                  "Johnson", "Davies", "Patel",  "Robinson", "Wright",   "Walker"};
// Inward-code letters never include C, I, K, M, O or V.
constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";
constexpr std::array kSources = {"1A", "1B", "2A", "3A", "3E", "4", "5A", "6", "7", "8", "9", "10"};

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string nhsNumberForRow(uint64_t row) {
  for (uint64_t attempt = 0;; ++attempt) {
    uint64_t seed = mix(row * 131 + attempt);
    std::string digits;
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      const int d = static_cast<int>(seed % 10);
      seed /= 10;
      digits.push_back(static_cast<char>('0' + d));
      sum += d * (10 - i);
    }
    int check = 11 - sum % 11;
    if (check == 11) check = 0;
    if (check == 10) continue;
    digits.push_back(static_cast<char>('0' + check));
    return digits;
  }
}

void writeReferralsCsv(const std::filesystem::path& path, uint64_t first_row, uint64_t rows) {
  std::unique_ptr<FILE, decltype(&std::fclose)> out(
      std::fopen(path.c_str(), first_row == 0 ? "w" : "a"), &std::fclose);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::setvbuf(out.get(), nullptr, _IOFBF, 1 << 20);
  if (first_row == 0) {
    std::fputs(
        "referral_id,forename,surname,dob,sex,postcode,nhs_number,referral_date,source,"
        "primary_need,outcome,notes\n",
        out.get());
  }
  for (uint64_t i = first_row; i < first_row + rows; ++i) {
    const uint64_t r = mix(i);
    std::fprintf(
        out.get(),
        "R%09llu,%s,%s,%02u/%02u/%04u,%u,NN%u %u%c%c,%s,20%02u-%02u-%02u,%s,N%u,%s,"
        "\"Referral %llu received; \"\"follow-up\"\" agreed with the family, school and "
        "health visitor. Contact made within one working day; strategy discussion not "
        "required. Case allocated to the locality team for assessment.\"\n",
        static_cast<unsigned long long>(i), kForenames[r % kForenames.size()],
        kSurnames[(r >> 8) % kSurnames.size()], static_cast<unsigned>(1 + (r >> 16) % 28),
        static_cast<unsigned>(1 + (r >> 24) % 12), static_cast<unsigned>(2006 + (r >> 28) % 18),
        static_cast<unsigned>(1 + (r >> 33) % 2), static_cast<unsigned>(1 + (r >> 34) % 20),
        static_cast<unsigned>((r >> 40) % 10), kInwardLetters[(r >> 44) % 20],
        kInwardLetters[(r >> 46) % 20], nhsNumberForRow(i).c_str(),
        static_cast<unsigned>(20 + (r >> 50) % 6), static_cast<unsigned>(1 + (r >> 53) % 12),
        static_cast<unsigned>(1 + (r >> 57) % 28), kSources[(r >> 3) % kSources.size()],
        static_cast<unsigned>((r >> 5) % 10), (r >> 7) % 5 == 0 ? "NFA" : "ASSESSMENT",
        static_cast<unsigned long long>(i));
  }
}

}  // namespace hearth::testing
