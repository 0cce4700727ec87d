#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "connectors/fhir/authoriser.hpp"
#include "connectors/fhir/fhir_config.hpp"
#include "connectors/fhir/http_client.hpp"
#include "plugins/sdk/connector.hpp"

namespace hearth::connectors::fhir {

/// True when `body` is an OperationOutcome whose issues are all transient (code `transient` or
/// `throttled`): the server asks to be asked again.
bool isTransientOutcome(std::string_view body);

/// The diagnostics of an OperationOutcome body, for messages; empty when it is none.
std::string outcomeText(std::string_view body);

/// Requests to one FHIR server with the connector's policy: the Authorization header added and
/// renewed (one new token after a 401), 429 and Retry-After honoured within configured bounds,
/// transient failures retried with exponential backoff and jitter within a budget, and every wait
/// cut short by a stop.
class FhirSession {
 public:
  FhirSession(const FhirConfig& config, const sdk::HostApi& host,
              std::function<bool()> stop_requested);

  /// Sends `request` (authorised when `authorise`) until it gets an answer that is not worth
  /// retrying, or the budget is spent: then the last answer. A transport failure that outlasts
  /// the budget is an error ("cannot reach ..."), as is a stop (cancelled) or a refused token.
  Result<HttpResponse> send(HttpRequest request, bool authorise,
                            size_t max_body = size_t{64} << 20);

  /// Waits `seconds`, returning false at once if a stop comes first.
  bool wait(double seconds);
  /// Seconds to wait before retry `attempt` (0-based) without a Retry-After: exponential from
  /// poll_min_s (at least 0.1 s), capped at poll_max_s, with full jitter in its upper half.
  double backoff(int attempt);
  /// The delay a Retry-After asks for, clamped to [poll_min_s, poll_max_s]; nullopt when absent
  /// or unreadable.
  std::optional<double> retryAfter(const HttpResponse& response);

  Authoriser& authoriser() { return authoriser_; }
  HttpClient& http() { return http_; }
  const sdk::HostApi& host() const { return host_; }
  bool stopRequested() const { return stop_requested_(); }

 private:
  const FhirConfig& config_;
  const sdk::HostApi& host_;
  std::function<bool()> stop_requested_;
  HttpClient http_;
  Authoriser authoriser_;
  std::mt19937_64 random_;
};

}  // namespace hearth::connectors::fhir
