#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pipelines/privacy/digest.hpp"

namespace hearth::pipelines {

/// Keyed pseudonyms: HMAC-SHA256 under a versioned secret key. The same (domain, value) always
/// gives the same pseudonym under one key; without the key a pseudonym cannot be reversed or
/// recomputed from a guessed identifier. Not thread-safe: give each thread its own copy.
class Pseudonymiser {
 public:
  /// `key_version` (e.g. "v1") prefixes every pseudonym so a key rotation is visible downstream.
  Pseudonymiser(std::string_view key, std::string key_version);

  /// "v1.3f9a…" (the key version, a dot, then 32 hex characters: 128 bits of the HMAC).
  /// `domain` separates identifier schemes, so an NHS number and a UPN with equal digits differ.
  /// Reads only the key: one pseudonymiser serves many threads at once.
  std::string pseudonym(std::string_view domain, std::string_view value) const;
  void appendPseudonym(std::string& out, std::string_view domain, std::string_view value) const;

  const std::string& keyVersion() const { return key_version_; }
  /// Tells pseudonymisers apart by key and key version (not a secret: a hash of a pseudonym):
  /// for caches of pseudonyms that may meet more than one.
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  std::string key_version_;
  uint64_t fingerprint_ = 0;
  Sha256 inner_template_;  // state after absorbing key XOR ipad (RFC 2104)
  Sha256 outer_template_;  // state after absorbing key XOR opad
};

}  // namespace hearth::pipelines
