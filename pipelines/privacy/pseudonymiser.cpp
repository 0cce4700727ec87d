#include "pipelines/privacy/pseudonymiser.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace hearth::pipelines {
namespace {

constexpr size_t kBlockSize = 64;  // SHA-256 block size, as HMAC (RFC 2104) requires
constexpr size_t kPseudonymBytes = 16;

EvpMdCtxPtr newDigest() {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 is unavailable");
  }
  return ctx;
}

EvpMdCtxPtr copyDigest(const EvpMdCtxPtr& from) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), from.get()) != 1) {
    throw std::runtime_error("OpenSSL digest copy failed");
  }
  return ctx;
}

}  // namespace

Pseudonymiser::Pseudonymiser(std::string_view key, std::string key_version)
    : key_version_(std::move(key_version)),
      inner_template_(newDigest()),
      outer_template_(newDigest()),
      scratch_(newDigest()) {
  if (key.empty()) throw std::invalid_argument("pseudonym key must not be empty");
  std::array<uint8_t, kBlockSize> block{};
  if (key.size() > kBlockSize) {
    Sha256 hash;
    hash.update(key);
    const auto digest = hash.finish();
    std::copy(digest.begin(), digest.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<uint8_t, kBlockSize> pad{};
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x36;
  EVP_DigestUpdate(inner_template_.get(), pad.data(), pad.size());
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  EVP_DigestUpdate(outer_template_.get(), pad.data(), pad.size());
}

Pseudonymiser::Pseudonymiser(const Pseudonymiser& other)
    : key_version_(other.key_version_),
      inner_template_(copyDigest(other.inner_template_)),
      outer_template_(copyDigest(other.outer_template_)),
      scratch_(newDigest()) {}

std::string Pseudonymiser::pseudonym(std::string_view domain, std::string_view value) {
  std::string out;
  out.reserve(key_version_.size() + 1 + 2 * kPseudonymBytes);
  appendPseudonym(out, domain, value);
  return out;
}

void Pseudonymiser::appendPseudonym(std::string& out, std::string_view domain,
                                    std::string_view value) {
  Sha256Digest inner{};
  Sha256Digest outer{};
  unsigned int length = 0;
  static constexpr char kSeparator = '\x1f';  // unit separator: never part of a domain name
  EVP_MD_CTX_copy_ex(scratch_.get(), inner_template_.get());
  EVP_DigestUpdate(scratch_.get(), domain.data(), domain.size());
  EVP_DigestUpdate(scratch_.get(), &kSeparator, 1);
  EVP_DigestUpdate(scratch_.get(), value.data(), value.size());
  EVP_DigestFinal_ex(scratch_.get(), inner.data(), &length);
  EVP_MD_CTX_copy_ex(scratch_.get(), outer_template_.get());
  EVP_DigestUpdate(scratch_.get(), inner.data(), inner.size());
  EVP_DigestFinal_ex(scratch_.get(), outer.data(), &length);
  out.append(key_version_);
  out.push_back('.');
  appendHex(out, outer, kPseudonymBytes);
}

}  // namespace hearth::pipelines
