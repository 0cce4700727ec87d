#pragma once

#include <cstdint>
#include <filesystem>

namespace hearth::testing {

/// Writes rows [first_row, first_row + rows) of a synthetic referrals CSV of about 300 bytes a
/// row, with a header when first_row is 0 (appends otherwise). Columns include direct identifiers
/// (names, birth date, postcode, NHS number) so tests can check none leaves the daemon. Row i's
/// content depends only on i.
void writeReferralsCsv(const std::filesystem::path& path, uint64_t first_row, uint64_t rows);

/// The NHS number written for row i: ten digits with a valid mod-11 check digit.
std::string nhsNumberForRow(uint64_t row);

}  // namespace hearth::testing
