#include "connectors/fhir/fhir_session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

namespace hearth::connectors::fhir {
namespace {

std::string keyPassword(const FhirConfig& config, const sdk::HostApi& host) {
  if (config.tls.client_key_password_secret.empty()) return {};
  return host.secret(config.tls.client_key_password_secret).value_or("");
}

bool isRetryableStatus(long status) { return status == 429 || status == 408 || status >= 500; }

}  // namespace

bool isTransientOutcome(std::string_view body) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_object() || document.value("resourceType", "") != "OperationOutcome") {
    return false;
  }
  const auto issues = document.find("issue");
  if (issues == document.end() || !issues->is_array() || issues->empty()) return false;
  for (const auto& issue : *issues) {
    const std::string code = issue.is_object() ? issue.value("code", "") : "";
    if (code != "transient" && code != "throttled") return false;
  }
  return true;
}

std::string outcomeText(std::string_view body) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_object() || document.value("resourceType", "") != "OperationOutcome" ||
      !document.contains("issue") || !document["issue"].is_array()) {
    return {};
  }
  std::string text;
  for (const auto& issue : document["issue"]) {
    if (!issue.is_object()) continue;
    std::string part = issue.value("severity", "") + " " + issue.value("code", "");
    if (issue.contains("diagnostics") && issue["diagnostics"].is_string()) {
      part += ": " + issue["diagnostics"].get<std::string>();
    } else if (issue.contains("details") && issue["details"].is_object() &&
               issue["details"].contains("text") && issue["details"]["text"].is_string()) {
      part += ": " + issue["details"]["text"].get<std::string>();
    }
    text += (text.empty() ? "" : "; ") + part;
  }
  return text;
}

FhirSession::FhirSession(const FhirConfig& config, const sdk::HostApi& host,
                         std::function<bool()> stop_requested)
    : config_(config),
      host_(host),
      stop_requested_(std::move(stop_requested)),
      http_(config, keyPassword(config, host)),
      authoriser_(config, host, http_),
      random_(std::random_device{}()) {}

bool FhirSession::wait(double seconds) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (stop_requested_()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
  return !stop_requested_();
}

double FhirSession::backoff(int attempt) {
  const double base = std::max(0.1, static_cast<double>(config_.bulk.poll_min_s));
  const double ceiling = std::min(static_cast<double>(config_.bulk.poll_max_s),
                                  base * std::pow(2.0, std::min(attempt, 30)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return ceiling * jitter(random_);
}

std::optional<double> FhirSession::retryAfter(const HttpResponse& response) {
  const std::string value = response.header("retry-after");
  if (value.empty()) return std::nullopt;
  const std::optional<int64_t> seconds = parseRetryAfter(value, host_.nowMs());
  if (!seconds) return std::nullopt;
  return static_cast<double>(
      std::clamp(*seconds, config_.bulk.poll_min_s, config_.bulk.poll_max_s));
}

Result<HttpResponse> FhirSession::send(HttpRequest request, bool authorise, size_t max_body) {
  bool reauthorised = false;
  for (int attempt = 0;; ++attempt) {
    if (stop_requested_()) return sdk::cancelled();
    request.authorization.clear();
    if (authorise) {
      auto header = authoriser_.header();
      if (!header.ok()) return sdk::retryLater(header.error().message);
      request.authorization = std::move(*header);
    }
    HttpResponse response = http_.send(request, max_body);
    if (response.status == 401 && authorise && !reauthorised && authoriser_.invalidate()) {
      reauthorised = true;  // the token expired or was revoked: one new one, then no more
      host_.log(HEARTH_LOG_INFO, "fhir: " + request.url + " answered 401; obtaining a new token");
      --attempt;
      continue;
    }
    const bool transport = !response.transport_error.empty();
    const bool retryable = transport || isRetryableStatus(response.status) ||
                           (response.status >= 400 && isTransientOutcome(response.body));
    if (!retryable) return response;
    if (attempt >= config_.bulk.transient_retries) {
      if (transport) {
        return sdk::retryLater("cannot reach " + request.url + ": " + response.transport_error);
      }
      return response;
    }
    const double delay = retryAfter(response).value_or(backoff(attempt));
    host_.counterAdd("fhir_request_retries", 1);
    host_.log(HEARTH_LOG_WARN, "fhir: " + request.method + " " + request.url + ": " +
                                   response.describe() + "; retrying in " +
                                   std::to_string(static_cast<int64_t>(delay * 1000)) + " ms");
    if (!wait(delay)) return sdk::cancelled();
  }
}

}  // namespace hearth::connectors::fhir
