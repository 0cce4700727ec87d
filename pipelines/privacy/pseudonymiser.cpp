#include "pipelines/privacy/pseudonymiser.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace hearth::pipelines {
namespace {

constexpr size_t kBlockSize = 64;  // SHA-256 block size, as HMAC (RFC 2104) requires
constexpr size_t kPseudonymBytes = 16;

std::string_view bytesOf(const std::array<uint8_t, kBlockSize>& block) {
  return {reinterpret_cast<const char*>(block.data()), block.size()};
}

}  // namespace

Pseudonymiser::Pseudonymiser(std::string_view key, std::string key_version)
    : key_version_(std::move(key_version)) {
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
  inner_template_.update(bytesOf(pad));
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  outer_template_.update(bytesOf(pad));
  fingerprint_ = std::hash<std::string>{}(pseudonym("pseudonymiser/fingerprint", {}));
}

std::string Pseudonymiser::pseudonym(std::string_view domain, std::string_view value) const {
  std::string out;
  out.reserve(key_version_.size() + 1 + 2 * kPseudonymBytes);
  appendPseudonym(out, domain, value);
  return out;
}

void Pseudonymiser::appendPseudonym(std::string& out, std::string_view domain,
                                    std::string_view value) const {
  Sha256 inner = inner_template_;
  inner.update(domain);
  inner.update("\x1f");  // unit separator: never part of a domain name
  inner.update(value);
  const Sha256Digest inner_digest = inner.finish();
  Sha256 outer = outer_template_;
  outer.update({reinterpret_cast<const char*>(inner_digest.data()), inner_digest.size()});
  out.append(key_version_);
  out.push_back('.');
  appendHex(out, outer.finish(), kPseudonymBytes);
}

}  // namespace hearth::pipelines
