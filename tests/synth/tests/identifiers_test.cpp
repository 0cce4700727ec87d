#include "tests/synth/identifiers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/synth/generator.hpp"

namespace hearth::synth {
namespace {

// Independent restatements of the check rules in docs/domain.md, so the generator's own
// implementation is not used to check itself.
bool nhsOk(const std::string& n) {
  if (n.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (n[i] - '0') * (10 - i);
  const int check = (11 - sum % 11) % 11;
  return check != 10 && check == n[9] - '0';
}

bool upnOk(const std::string& u) {
  const std::string alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ";
  if (u.size() != 13) return false;
  int sum = 0;
  for (int p = 2; p <= 13; ++p) {
    const char c = u[p - 1];
    const int v = (c >= '0' && c <= '9') ? c - '0' : static_cast<int>(alphabet.find(c));
    if (v < 0) return false;
    sum += v * p;
  }
  return u[0] == alphabet[sum % 23];
}

bool ulnOk(const std::string& u) {
  if (u.size() != 10 || u[0] == '0') return false;
  int sum = 0;
  for (int i = 0; i < 10; ++i) sum += (u[i] - '0') * (10 - i);
  return sum % 11 == 10;
}

TEST(NhsNumber, AcceptsTheDomainExamplesAndRejectsTheBadOne) {
  EXPECT_TRUE(isValidNhsNumber("9434765919"));
  EXPECT_TRUE(isValidNhsNumber("9912003888"));
  EXPECT_FALSE(isValidNhsNumber("4123456879"));
  EXPECT_FALSE(isValidNhsNumber("943476591"));
}

TEST(Upn, AcceptsTheDomainExamplesAndRejectsTheBadOne) {
  EXPECT_TRUE(isValidUpn("B801200005001"));
  EXPECT_TRUE(isValidUpn("A950000178301"));
  EXPECT_TRUE(isValidUpn("H243278544154"));
  EXPECT_FALSE(isValidUpn("R247962919251"));
}

TEST(Upn, UsesYAndZForRemaindersTwentyOneAndTwentyTwo) {
  // Search serials until both high remainders have appeared: the widely copied validator that
  // drops Y and Z from the table would reject these.
  bool saw_y = false, saw_z = false;
  for (int serial = 0; serial < 1000 && !(saw_y && saw_z); ++serial) {
    const std::string upn = makeUpn(941, 2001, 24, serial);
    ASSERT_TRUE(upnOk(upn)) << upn;
    saw_y = saw_y || upn[0] == 'Y';
    saw_z = saw_z || upn[0] == 'Z';
  }
  EXPECT_TRUE(saw_y);
  EXPECT_TRUE(saw_z);
}

TEST(Uln, AcceptsTheDomainExample) {
  EXPECT_TRUE(isValidUln("9276308686"));
  EXPECT_FALSE(isValidUln("0276308686"));
}

TEST(Postcode, ChecksShape) {
  EXPECT_TRUE(isValidPostcode("NN1 5AB"));
  EXPECT_TRUE(isValidPostcode("MK40 1AA"));
  EXPECT_TRUE(isValidPostcode("EC1A 1BB"));
  EXPECT_FALSE(isValidPostcode("NN1 5AC"));  // C never appears inward
  EXPECT_FALSE(isValidPostcode("NN15AB"));
}

TEST(GeneratedPeople, HaveValidUniqueIdentifiersByConstruction) {
  Options options;
  options.seed = 11;
  options.scale = 0.02;
  const World world = simulateCouncil(options);
  std::set<std::string> nhs, upn, uln;
  for (const Person& p : world.people) {
    EXPECT_TRUE(nhsOk(p.nhs_number)) << p.nhs_number;
    EXPECT_TRUE(nhs.insert(p.nhs_number).second) << p.nhs_number;
    if (!p.upn.empty()) {
      EXPECT_TRUE(upnOk(p.upn)) << p.upn;
      EXPECT_TRUE(upn.insert(p.upn).second) << p.upn;
    }
    if (!p.uln.empty()) {
      EXPECT_TRUE(ulnOk(p.uln)) << p.uln;
      uln.insert(p.uln);
    }
  }
  EXPECT_GT(upn.size(), world.people.size() / 5);
  EXPECT_GT(uln.size(), world.people.size() / 20);
  for (const Postcode& pc : world.postcodes) EXPECT_TRUE(isValidPostcode(pc.code)) << pc.code;
}

}  // namespace
}  // namespace hearth::synth
