#include "daemon/kafka/crc32c.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace hearth::daemon::kafka {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(detail::crc32cExtendPortable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, MatchesKnownVectorsFromRfc3720) {
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xff');
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending += static_cast<char>(i);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, ExtendingPieceByPieceEqualsTheWhole) {
  std::mt19937 rng(3);
  std::string data(10'000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  const uint32_t whole = crc32c(data);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{4097}, data.size()}) {
    const uint32_t first = crc32cExtend(0, data.data(), split);
    EXPECT_EQ(crc32cExtend(first, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32c, HardwareAndPortableImplementationsAgree) {
  std::mt19937 rng(11);
  for (size_t size = 0; size < 300; ++size) {
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    const size_t offset = size % 8;  // unaligned starts too
    const std::string_view view(data.data() + std::min(offset, size),
                                size - std::min(offset, size));
    EXPECT_EQ(crc32c(view), detail::crc32cExtendPortable(0, view.data(), view.size())) << size;
  }
}

}  // namespace
}  // namespace hearth::daemon::kafka
