#pragma once

// Key pairs made fresh for each test run, as PEM text: the connector signs with the private key,
// the test server verifies with the public one.

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <string>

namespace hearth::connectors::fhir::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

/// "RSA" (2048 bits) or "EC" (P-384).
inline KeyPair makeKeyPair(const std::string& kind) {
  EVP_PKEY* key = kind == "EC" ? EVP_EC_gen("P-384") : EVP_RSA_gen(2048);
  if (key == nullptr) throw std::runtime_error("key generation failed");
  const auto pem = [&](bool is_private) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (is_private) {
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio, key);
    }
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<size_t>(length));
    BIO_free(bio);
    return text;
  };
  KeyPair pair{pem(true), pem(false)};
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace hearth::connectors::fhir::testing
