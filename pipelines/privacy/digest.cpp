// SHA256_Init and friends are deprecated in OpenSSL 3 in favour of EVP, which allocates on every
// context copy; they remain supported and are several times faster for short inputs.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "pipelines/privacy/digest.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <tuple>

namespace hearth::pipelines {
namespace {

SHA256_CTX* context(std::array<unsigned char, 128>& state) {
  static_assert(sizeof(SHA256_CTX) <= 128 && alignof(SHA256_CTX) <= 8);
  return reinterpret_cast<SHA256_CTX*>(state.data());
}

}  // namespace

Sha256::Sha256() { SHA256_Init(context(state_)); }

void Sha256::update(std::string_view bytes) {
  SHA256_Update(context(state_), bytes.data(), bytes.size());
}

void Sha256::updateField(std::string_view bytes) {
  const uint64_t size = bytes.size();
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<uint8_t>(size >> (8 * i));
  SHA256_Update(context(state_), prefix, sizeof prefix);
  SHA256_Update(context(state_), bytes.data(), bytes.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest{};
  SHA256_Final(digest.data(), context(state_));
  SHA256_Init(context(state_));
  return digest;
}

void appendHex(std::string& out, const Sha256Digest& digest, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  bytes = std::min(bytes, digest.size());
  // Written in place, then appended once: a pseudonym is made for nearly every record.
  char hex[2 * std::tuple_size_v<Sha256Digest>];
  for (size_t i = 0; i < bytes; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  out.append(hex, 2 * bytes);
}

}  // namespace hearth::pipelines
