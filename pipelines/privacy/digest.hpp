#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hearth::pipelines {

using Sha256Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256; reusable after finish(). Copyable: a copy continues from the same state,
/// which is how HMAC reuses its keyed prefix. Not thread-safe: one per thread.
///
/// It wraps OpenSSL's SHA-256 block function directly: the EVP interface allocates on every
/// context copy, and this runs several times per published record.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// Feeds `bytes` with a length prefix, so that ("ab","c") and ("a","bc") hash differently.
  void updateField(std::string_view bytes);
  Sha256Digest finish();

 private:
  alignas(8) std::array<unsigned char, 128> state_{};  // an OpenSSL SHA256_CTX
};

/// Appends the first `bytes` bytes of `digest` as lower-case hex.
void appendHex(std::string& out, const Sha256Digest& digest, size_t bytes);

}  // namespace hearth::pipelines
