#include "pipelines/privacy/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace hearth::pipelines {

void EvpMdCtxDeleter::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 is unavailable");
  }
}

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

void Sha256::updateField(std::string_view bytes) {
  const uint64_t size = bytes.size();
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<uint8_t>(size >> (8 * i));
  EVP_DigestUpdate(ctx_.get(), prefix, sizeof prefix);
  EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  return digest;
}

void appendHex(std::string& out, const Sha256Digest& digest, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes && i < digest.size(); ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
}

}  // namespace hearth::pipelines
