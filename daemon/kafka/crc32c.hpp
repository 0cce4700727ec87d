#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hearth::daemon::kafka {

/// Continues a CRC-32C (Castagnoli) over `size` more bytes: crc32cExtend(crc32c(a), b) equals
/// crc32c(a + b). Uses the SSE 4.2 instruction when the CPU has it.
uint32_t crc32cExtend(uint32_t crc, const void* data, size_t size);

/// CRC-32C of `data`; crc32c("123456789") is 0xE3069283.
inline uint32_t crc32c(std::string_view data) { return crc32cExtend(0, data.data(), data.size()); }

namespace detail {
/// The portable table-driven implementation, exposed so tests can compare both paths.
uint32_t crc32cExtendPortable(uint32_t crc, const void* data, size_t size);
}  // namespace detail

}  // namespace hearth::daemon::kafka
