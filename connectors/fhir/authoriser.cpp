#include "connectors/fhir/authoriser.hpp"

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace hearth::connectors::fhir {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct DigestDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* signature) const { ECDSA_SIG_free(signature); }
};

// An ES384 signature in a JWT is r and s, 48 bytes each, not OpenSSL's DER sequence.
Result<std::string> derToRaw(const std::string& der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> signature(
      d2i_ECDSA_SIG(nullptr, &bytes, static_cast<long>(der.size())));
  if (!signature) return makeError("fhir.auth", "the ECDSA signature could not be read");
  std::string raw(96, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), out, 48) != 48 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), out + 48, 48) != 48) {
    return makeError("fhir.auth", "the ECDSA signature does not fit P-384");
  }
  return raw;
}

std::string randomHex(size_t bytes) {
  std::string random(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(random.data()), static_cast<int>(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : random) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

}  // namespace

std::string base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const uint32_t n =
        (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

Result<std::string> signClientAssertion(const SmartBackendAuth& auth,
                                        std::string_view private_key_pem, std::string_view audience,
                                        int64_t now_s, int64_t lifetime_s) {
  const bool elliptic = auth.algorithm == "ES384";
  const EVP_MD* digest = auth.algorithm == "RS512" ? EVP_sha512() : EVP_sha384();
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return makeError("fhir.auth", "the private key is not a PEM private key");
  const int key_type = EVP_PKEY_base_id(key.get());
  if (elliptic ? key_type != EVP_PKEY_EC : key_type != EVP_PKEY_RSA) {
    return makeError("fhir.auth", "the private key does not suit " + auth.algorithm);
  }

  nlohmann::json header = {{"alg", auth.algorithm}, {"typ", "JWT"}};
  if (!auth.kid.empty()) header["kid"] = auth.kid;
  const nlohmann::json claims = {
      {"iss", auth.client_id}, {"sub", auth.client_id},
      {"aud", audience},       {"exp", now_s + std::min<int64_t>(lifetime_s, 300)},
      {"iat", now_s},          {"jti", randomHex(16)}};
  const std::string signing_input = base64Url(header.dump()) + "." + base64Url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
  size_t length = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, key.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return makeError("fhir.auth", "the JWT could not be signed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return makeError("fhir.auth", "the JWT could not be signed");
  }
  signature.resize(length);
  if (elliptic) {
    auto raw = derToRaw(signature);
    if (!raw.ok()) return raw.error();
    signature = std::move(*raw);
  }
  return signing_input + "." + base64Url(signature);
}

Authoriser::Authoriser(const FhirConfig& config, const sdk::HostApi& host, HttpClient& http)
    : config_(config), host_(host), http_(http) {}

Result<std::string> Authoriser::header() {
  switch (config_.auth.kind) {
    case AuthKind::kNone:
      return std::string();
    case AuthKind::kBearer: {
      const std::optional<std::string> token = host_.secret(config_.auth.token_secret);
      if (!token || token->empty()) {
        return makeError("fhir.auth",
                         "auth.token_secret " + config_.auth.token_secret + " does not resolve");
      }
      return "Bearer " + *token;
    }
    case AuthKind::kSmartBackend:
      break;
  }
  const int64_t renew_at = expires_ms_ - config_.auth.smart.renew_before_s * 1000;
  if (token_.empty() || host_.nowMs() >= renew_at) {
    if (Result<void> obtained = obtainToken(); !obtained.ok()) return obtained.error();
  }
  return "Bearer " + token_;
}

bool Authoriser::invalidate() {
  if (config_.auth.kind != AuthKind::kSmartBackend) return false;
  token_.clear();
  return true;
}

Result<std::string> Authoriser::tokenEndpoint() {
  if (!config_.auth.smart.token_endpoint.empty()) return config_.auth.smart.token_endpoint;
  if (!token_endpoint_.empty()) return token_endpoint_;
  const std::string url = config_.base_url + "/.well-known/smart-configuration";
  const HttpResponse response = http_.send(HttpRequest::get(url), size_t{1} << 20);
  if (!response.ok()) {
    return makeError("fhir.auth", "cannot read " + url + ": " + response.describe());
  }
  const auto document = nlohmann::json::parse(response.body, nullptr, false);
  if (!document.is_object() || !document.contains("token_endpoint") ||
      !document["token_endpoint"].is_string()) {
    return makeError("fhir.auth", url + " names no token_endpoint");
  }
  token_endpoint_ = document["token_endpoint"].get<std::string>();
  return token_endpoint_;
}

Result<void> Authoriser::obtainToken() {
  const SmartBackendAuth& smart = config_.auth.smart;
  auto endpoint = tokenEndpoint();
  if (!endpoint.ok()) return endpoint.error();
  const std::optional<std::string> key = host_.secret(smart.private_key_secret);
  if (!key || key->empty()) {
    return makeError("fhir.auth",
                     "auth.private_key_secret " + smart.private_key_secret + " does not resolve");
  }
  const std::string audience = smart.audience.empty() ? *endpoint : smart.audience;
  auto assertion = signClientAssertion(smart, *key, audience, host_.nowMs() / 1000);
  if (!assertion.ok()) return assertion.error();
  const std::string form = "grant_type=client_credentials&scope=" + urlEncode(smart.scope) +
                           "&client_assertion_type=" +
                           urlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                           "&client_assertion=" + urlEncode(*assertion);
  HttpRequest request = HttpRequest::get(*endpoint);
  request.method = "POST";
  request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  request.body = form;
  const HttpResponse response = http_.send(request, size_t{1} << 20);
  const auto document = nlohmann::json::parse(response.body, nullptr, false);
  if (!response.ok()) {
    // The OAuth error code says why (invalid_client: the key or client id is wrong); the
    // response never holds a secret.
    std::string why = response.describe();
    if (document.is_object() && document.contains("error") && document["error"].is_string()) {
      why += ", " + document["error"].get<std::string>();
    }
    return makeError("fhir.auth", "the token endpoint " + *endpoint +
                                      " refused the client credentials of " + smart.client_id +
                                      " (" + why + ")");
  }
  if (!document.is_object() || !document.contains("access_token") ||
      !document["access_token"].is_string()) {
    return makeError("fhir.auth", "the token endpoint " + *endpoint + " sent no access_token");
  }
  token_ = document["access_token"].get<std::string>();
  int64_t expires_in = 300;
  if (document.contains("expires_in") && document["expires_in"].is_number_integer()) {
    expires_in = document["expires_in"].get<int64_t>();
  }
  expires_ms_ = host_.nowMs() + expires_in * 1000;
  ++tokens_obtained_;
  host_.counterAdd("fhir_tokens_obtained", 1);
  host_.log(HEARTH_LOG_INFO,
            "fhir: obtained an access token valid for " + std::to_string(expires_in) + " s");
  return {};
}

}  // namespace hearth::connectors::fhir
