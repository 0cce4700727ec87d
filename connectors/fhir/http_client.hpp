#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/fhir/fhir_config.hpp"

namespace hearth::connectors::fhir {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlMultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHeaders = std::unique_ptr<curl_slist, CurlSlistDeleter>;

/// What came back from one request.
struct HttpResponse {
  long status = 0;                             // 0: no HTTP answer (transport_error says why)
  std::string transport_error;                 // connection refused, TLS failure, timeout, cut body
  std::map<std::string, std::string> headers;  // names lower-cased; the last value of each
  std::string body;

  bool ok() const { return transport_error.empty() && status >= 200 && status < 300; }
  std::string header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  /// "HTTP 503" or the transport error, for messages.
  std::string describe() const;
};

/// One request to make.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string authorization;  // the Authorization header's value; empty: none

  /// A GET asking for `accept`.
  static HttpRequest get(std::string url, std::string_view accept = "application/json") {
    HttpRequest request;
    request.url = std::move(url);
    request.headers.push_back("Accept: " + std::string(accept));
    return request;
  }
};

/// Applies the TLS and timeout settings to a handle: every request of the connector goes out
/// with the same ones.
void configureHandle(CURL* handle, const FhirConfig& config, const std::string& key_password);

/// Blocking requests through one reused handle (keep-alive); redirects are not followed here, so
/// that a caller decides whether the Authorization header may go along.
class HttpClient {
 public:
  HttpClient(const FhirConfig& config, std::string key_password);

  /// Never throws; a transport failure is in the response. `max_body` caps what is kept.
  HttpResponse send(const HttpRequest& request, size_t max_body = size_t{16} << 20);

  const FhirConfig& config() const { return config_; }
  const std::string& keyPassword() const { return key_password_; }

 private:
  const FhirConfig& config_;
  std::string key_password_;
  CurlEasy handle_;
};

/// Collects response headers into `headers` (names lower-cased), for CURLOPT_HEADERFUNCTION.
size_t collectHeader(char* data, size_t size, size_t count, void* headers);

/// A URL-encoded form value.
std::string urlEncode(std::string_view text);

/// `base` resolved against a relative `location` (from a Location header).
std::string resolveUrl(const std::string& base, const std::string& location);

/// Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date, relative to `now_ms`;
/// nullopt when it is neither.
std::optional<int64_t> parseRetryAfter(std::string_view value, int64_t now_ms);

}  // namespace hearth::connectors::fhir
