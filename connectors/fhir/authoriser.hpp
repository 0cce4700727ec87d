#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "connectors/fhir/http_client.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// A SMART Backend Services client assertion: a JWT with iss = sub = the client id, the given
/// aud, a unique jti and exp `lifetime_s` (at most 300) after `now_s`, signed with the PEM private
/// key by `algorithm` (RS384, ES384 or RS512).
Result<std::string> signClientAssertion(const SmartBackendAuth& auth,
                                        std::string_view private_key_pem, std::string_view audience,
                                        int64_t now_s, int64_t lifetime_s = 300);

/// base64url without padding, as JWTs use it.
std::string base64Url(std::string_view bytes);

/// The Authorization header for each request: nothing, a static bearer token from a secret, or an
/// access token obtained with a signed JWT and kept until shortly before it expires. Secrets and
/// tokens never reach the log.
class Authoriser {
 public:
  Authoriser(const FhirConfig& config, const sdk::HostApi& host, HttpClient& http);

  /// The header value ("Bearer ..."), empty without authorisation.
  Result<std::string> header();
  /// Forgets the access token after a 401, so that the next header() obtains a new one. True
  /// when there was one to forget (a static token cannot be renewed).
  bool invalidate();
  /// Token requests made so far.
  uint64_t tokensObtained() const { return tokens_obtained_; }

 private:
  Result<void> obtainToken();
  Result<std::string> tokenEndpoint();

  const FhirConfig& config_;
  const sdk::HostApi& host_;
  HttpClient& http_;
  std::string token_;
  int64_t expires_ms_ = 0;
  std::string token_endpoint_;
  uint64_t tokens_obtained_ = 0;
};

}  // namespace hearth::connectors::fhir
