#include "connectors/fhir/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <mutex>

namespace hearth::connectors::fhir {
namespace {

struct BodySink {
  std::string* body;
  size_t max_body;
};

size_t collectBody(char* data, size_t size, size_t count, void* context) {
  auto* sink = static_cast<BodySink*>(context);
  const size_t bytes = size * count;
  if (sink->body->size() < sink->max_body) {
    sink->body->append(data, std::min(bytes, sink->max_body - sink->body->size()));
  }
  return bytes;
}

void initialiseCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string HttpResponse::describe() const {
  if (!transport_error.empty()) return transport_error;
  return "HTTP " + std::to_string(status);
}

size_t collectHeader(char* data, size_t size, size_t count, void* context) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(context);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue): only its headers count
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  (*headers)[name] = std::string(value);
  return bytes;
}

void configureHandle(CURL* handle, const FhirConfig& config, const std::string& key_password) {
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout_ms));
  // A stalled transfer is cut after request_timeout_s without a byte, not after a fixed total:
  // a 2 GB download may take long while making progress.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, static_cast<long>(config.request_timeout_s));
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "hearth-fhir/1.0");
  const TlsConfig& tls = config.tls;
  if (!tls.ca_bundle.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, tls.ca_bundle.c_str());
  if (!tls.client_certificate.empty()) {
    curl_easy_setopt(handle, CURLOPT_SSLCERT, tls.client_certificate.c_str());
  }
  if (!tls.client_key.empty()) curl_easy_setopt(handle, CURLOPT_SSLKEY, tls.client_key.c_str());
  if (!key_password.empty()) curl_easy_setopt(handle, CURLOPT_KEYPASSWD, key_password.c_str());
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
}

HttpClient::HttpClient(const FhirConfig& config, std::string key_password)
    : config_(config), key_password_(std::move(key_password)) {
  initialiseCurl();
  handle_.reset(curl_easy_init());
}

HttpResponse HttpClient::send(const HttpRequest& request, size_t max_body) {
  HttpResponse response;
  CURL* handle = handle_.get();
  if (handle == nullptr) {
    response.transport_error = "libcurl could not be initialised";
    return response;
  }
  curl_easy_reset(handle);
  configureHandle(handle, config_, key_password_);
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  // The whole request, not just a stall, is bounded: these are small JSON exchanges.
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(config_.request_timeout_s));
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  curl_slist* headers = nullptr;
  for (const std::string& header : request.headers)
    headers = curl_slist_append(headers, header.c_str());
  std::string authorization;
  if (!request.authorization.empty()) {
    authorization = "Authorization: " + request.authorization;
    headers = curl_slist_append(headers, authorization.c_str());
  }
  const CurlHeaders header_list(headers);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  if (request.method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  BodySink sink{&response.body, max_body};
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collectBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  const CURLcode code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  if (code != CURLE_OK) {
    response.transport_error = std::string(curl_easy_strerror(code)) +
                               (error_buffer[0] != '\0' ? std::string(": ") + error_buffer : "");
  }
  return response;
}

std::string urlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string resolveUrl(const std::string& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  const size_t scheme = base.find("://");
  const size_t path_start = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::string origin = base.substr(0, path_start);
  if (location.starts_with('/')) return origin + location;
  const std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

std::optional<int64_t> parseRetryAfter(std::string_view value, int64_t now_ms) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    return std::max<int64_t>(seconds, 0);
  }
  // An HTTP-date: "Wed, 21 Oct 2015 07:28:00 GMT".
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::max<int64_t>(static_cast<int64_t>(when) - now_ms / 1000, 0);
}

}  // namespace hearth::connectors::fhir
