#include "pipelines/privacy/pseudonymiser.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace hearth::pipelines {
namespace {

std::string referenceHmacHex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

TEST(Pseudonymiser, IsHmacSha256OfDomainAndValue) {
  Pseudonymiser pseudonymiser("a secret key", "v3");
  EXPECT_EQ(pseudonymiser.pseudonym("nhs", "9434765919"),
            "v3." + referenceHmacHex("a secret key", std::string("nhs\x1f") + "9434765919"));
}

TEST(Pseudonymiser, HandlesKeysLongerThanOneBlock) {
  const std::string key(100, 'k');
  Pseudonymiser pseudonymiser(key, "v1");
  EXPECT_EQ(pseudonymiser.pseudonym("upn", "B801200005001"),
            "v1." + referenceHmacHex(key, std::string("upn\x1f") + "B801200005001"));
}

TEST(Pseudonymiser, SeparatesDomainsAndKeys) {
  Pseudonymiser a("key one", "v1");
  Pseudonymiser b("key two", "v1");
  EXPECT_NE(a.pseudonym("nhs", "123"), a.pseudonym("upn", "123"));
  EXPECT_NE(a.pseudonym("nhs", "123"), b.pseudonym("nhs", "123"));
  EXPECT_EQ(a.pseudonym("nhs", "123"), a.pseudonym("nhs", "123"));
}

TEST(Pseudonymiser, CopiesAreIndependentAndEqual) {
  Pseudonymiser original("key", "v1");
  Pseudonymiser copy(original);
  EXPECT_EQ(original.pseudonym("d", "x"), copy.pseudonym("d", "x"));
}

}  // namespace
}  // namespace hearth::pipelines
