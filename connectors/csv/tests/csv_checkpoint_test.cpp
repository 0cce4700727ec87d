#include "connectors/csv/csv_checkpoint.hpp"

#include <gtest/gtest.h>

namespace hearth::connectors::csv {
namespace {

TEST(CsvCheckpoint, RoundTripsThroughItsToken) {
  Checkpoint checkpoint;
  const FileCheckpoint state = {.device = 2049,
                                .inode = 1234567,
                                .offset = 5678,
                                .line = 42,
                                .fingerprint = 0xfedcba9876543210ULL,
                                .fingerprint_bytes = 1024};
  checkpoint.set("episodes", "episodes_2024.csv", state);
  const std::string token = checkpoint.serialize();
  EXPECT_EQ(token, R"({"streams":{"episodes":{"episodes_2024.csv":{"device":2049,"fingerprint":)"
                   R"("fedcba9876543210","fingerprint_bytes":1024,"inode":1234567,"line":42,)"
                   R"("offset":5678}}},"version":1})");

  auto parsed = Checkpoint::parse(token);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const FileCheckpoint* found = parsed->find("episodes", "episodes_2024.csv");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, state);
  EXPECT_EQ(parsed->find("episodes", "other.csv"), nullptr);
  EXPECT_EQ(parsed->find("reviews", "episodes_2024.csv"), nullptr);
}

TEST(CsvCheckpoint, TheEmptyTokenIsTheEmptyCheckpoint) {
  auto parsed = Checkpoint::parse("");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->serialize(), R"({"streams":{},"version":1})");
}

TEST(CsvCheckpoint, RefusesTokensItDidNotWrite) {
  for (const char* token : {"{", "[]", R"({"version":2,"streams":{}})",
                            R"({"version":1,"streams":{"s":{"f":{"offset":1}}}})",
                            R"({"version":1,"streams":{"s":{"f":{"device":1,"inode":1,"offset":1,
                               "line":1,"fingerprint":"xyz","fingerprint_bytes":1}}}})"}) {
    auto parsed = Checkpoint::parse(token);
    ASSERT_FALSE(parsed.ok()) << token;
    EXPECT_EQ(parsed.error().code, "csv.checkpoint");
  }
}

TEST(CsvCheckpoint, ForgetsFilesNoLongerPresent) {
  Checkpoint checkpoint;
  checkpoint.set("s", "a.csv", {});
  checkpoint.set("s", "b.csv", {});
  checkpoint.set("t", "a.csv", {});
  checkpoint.retainOnly("s", {"b.csv"});
  EXPECT_EQ(checkpoint.find("s", "a.csv"), nullptr);
  EXPECT_NE(checkpoint.find("s", "b.csv"), nullptr);
  EXPECT_NE(checkpoint.find("t", "a.csv"), nullptr);
}

}  // namespace
}  // namespace hearth::connectors::csv
