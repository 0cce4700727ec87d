#include "pipelines/indicators/postcode_lookup.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace hearth::pipelines::indicators {
namespace {

TEST(PostcodeLookup, ReadsOnspdColumnsAndSkipsRowsWithoutAGridReference) {
  std::istringstream in(
      "pcd,pcds,oseast1m,osnrth1m,osward\n"
      "NN1 5AB,NN1 5AB,475000,260500,E05900001\n"
      "NN9 9ZZ,NN9 9ZZ,,,E05900002\n");
  const PostcodeLookup lookup = PostcodeLookup::fromCsv(in, "lookup.csv");
  EXPECT_EQ(lookup.size(), 1u);
  const PostcodeLocation* found = lookup.find("nn15ab");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->easting, 475000);
  EXPECT_EQ(found->area, "E05900001");
  EXPECT_NE(lookup.find("NN1  5AB"), nullptr);
  EXPECT_EQ(lookup.find("NN9 9ZZ"), nullptr);
  EXPECT_EQ(lookup.find(""), nullptr);
}

TEST(PostcodeLookup, AreaColumnIsConfigurable) {
  std::istringstream in("pcds,oseast1m,osnrth1m,lsoa21\nNN1 5AB,1,2,E01000001\n");
  EXPECT_EQ(PostcodeLookup::fromCsv(in, "lookup.csv", "lsoa21").find("NN1 5AB")->area, "E01000001");
}

TEST(PostcodeLookup, RefusesAFileWithoutGridReferences) {
  std::istringstream in("pcds,osward\nNN1 5AB,E05900001\n");
  EXPECT_THROW(PostcodeLookup::fromCsv(in, "lookup.csv"), std::runtime_error);
}

TEST(PostcodeLookup, MilesAreStraightLineMetresOver1609) {
  EXPECT_NEAR(milesBetween({0, 0, ""}, {30000, 40000, ""}), 31.0686, 1e-4);
}

}  // namespace
}  // namespace hearth::pipelines::indicators
