#include "pipelines/privacy/field_policy.hpp"

#include <gtest/gtest.h>

namespace hearth::pipelines {
namespace {

TEST(FieldPolicy, RecognisesStatutoryIdentifierFieldsWithoutConfiguration) {
  const FieldPolicy policy;
  EXPECT_EQ(policy.actionFor("Surname"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("forename"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("UPN"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("NHS Number"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("uniquelearnernumber"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("DOB"), FieldAction::kBirthMonth);
  EXPECT_EQ(policy.actionFor("PersonBirthDate"), FieldAction::kBirthMonth);
  EXPECT_EQ(policy.actionFor("HOME_POST"), FieldAction::kPostcodeSector);
  EXPECT_EQ(policy.actionFor("DECOM"), FieldAction::kKeep);
}

TEST(FieldPolicy, RecognisesTablePrefixedColumnsOfTheSafeguardingDataset) {
  const FieldPolicy policy;
  EXPECT_EQ(policy.actionFor("pers_forename"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("pers_surname"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("pers_dob"), FieldAction::kBirthMonth);
  EXPECT_EQ(policy.actionFor("moth_childs_dob"), FieldAction::kBirthMonth);
  EXPECT_EQ(policy.actionFor("pers_death_date"), FieldAction::kBirthMonth);
  EXPECT_EQ(policy.actionFor("pers_common_child_id"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("pers_person_id"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("cont_person_id"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("pers_legacy_id"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("link_identifier_value"), FieldAction::kPseudonymise);
  EXPECT_EQ(policy.actionFor("addr_address_json"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("addr_address_postcode"), FieldAction::kPostcodeSector);
  EXPECT_EQ(policy.actionFor("pers_upn_unknown"), FieldAction::kKeep);
  EXPECT_EQ(policy.actionFor("clae_cla_episode_start_date"), FieldAction::kKeep);
}

TEST(FieldPolicy, DropsAWholeFhirResourceWhateverItHolds) {
  const FieldPolicy policy;
  EXPECT_EQ(policy.actionFor("resource"), FieldAction::kDrop);
  EXPECT_EQ(policy.actionFor("last_updated"), FieldAction::kKeep);
  EXPECT_EQ(policy.actionFor("deleted"), FieldAction::kKeep);
}

TEST(FieldPolicy, ConfiguredRulesWinOverBuiltIns) {
  FieldPolicy::Overrides overrides;
  overrides.keep = {"name"};  // e.g. a stream where "name" is a school's name
  overrides.drop = {"case_notes"};
  const FieldPolicy policy(overrides);
  EXPECT_EQ(policy.actionFor("name"), FieldAction::kKeep);
  EXPECT_EQ(policy.actionFor("Case Notes"), FieldAction::kDrop);
}

TEST(FieldPolicy, BirthMonthKeepsYearAndMonthOnly) {
  EXPECT_EQ(birthMonth("2012-07-14"), "2012-07");
  EXPECT_EQ(birthMonth("14/07/2012"), "2012-07");
  EXPECT_EQ(birthMonth("2012-07-14T00:00:00Z"), "2012-07");
  EXPECT_EQ(birthMonth("2012-Jul-14 00:00:00"), "2012-07");  // school census blade export
  EXPECT_EQ(birthMonth("2012-Dec-01"), "2012-12");
  EXPECT_EQ(birthMonth("July 2012"), "");
}

TEST(FieldPolicy, PostcodeSectorDropsTheUnit) {
  EXPECT_EQ(postcodeSector("nn1 5ab"), "NN1 5");
  EXPECT_EQ(postcodeSector("NN15AB"), "NN1 5");
  EXPECT_EQ(postcodeSector("EC1A 1BB"), "EC1A 1");
  EXPECT_EQ(postcodeSector("ZZ99 3VZ"), "");  // no fixed abode is not a place
  EXPECT_EQ(postcodeSector("not a postcode"), "");
}

}  // namespace
}  // namespace hearth::pipelines
