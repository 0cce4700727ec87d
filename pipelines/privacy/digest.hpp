#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace hearth::pipelines {

struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const;
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;

using Sha256Digest = std::array<uint8_t, 32>;

/// Incremental SHA-256; reusable after finish(). Not thread-safe: one per thread.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// Feeds `bytes` with a length prefix, so that ("ab","c") and ("a","bc") hash differently.
  void updateField(std::string_view bytes);
  Sha256Digest finish();

 private:
  EvpMdCtxPtr ctx_;
};

/// Appends the first `bytes` bytes of `digest` as lower-case hex.
void appendHex(std::string& out, const Sha256Digest& digest, size_t bytes);

}  // namespace hearth::pipelines
