#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::connectors::fhir {

/// Where the resources come from.
enum class Mode { kDirectory, kBulk, kSearch };

/// How requests to the FHIR server are authorised.
enum class AuthKind { kNone, kBearer, kSmartBackend };

/// SMART Backend Services: client credentials with a JWT signed by the client's private key.
struct SmartBackendAuth {
  std::string client_id;
  std::string private_key_secret;   // secret reference of the PEM private key
  std::string algorithm = "RS384";  // RS384, ES384 or RS512
  std::string kid;
  std::string audience;        // empty: the token endpoint
  std::string token_endpoint;  // empty: from [base]/.well-known/smart-configuration
  std::string scope = "system/*.rs";
  int64_t renew_before_s = 60;  // a token is renewed this long before it expires
};

struct AuthConfig {
  AuthKind kind = AuthKind::kNone;
  std::string token_secret;  // kBearer: secret reference of the static token
  SmartBackendAuth smart;
};

/// TLS settings for every request; empty strings keep libcurl's defaults.
struct TlsConfig {
  std::string ca_bundle;
  std::string client_certificate;  // PEM file, for mutual TLS
  std::string client_key;          // PEM file
  std::string client_key_password_secret;
  bool verify = true;
};

/// The Bulk Data export (kick-off, polling, manifest, downloads).
struct BulkConfig {
  std::string level = "system";  // system ([base]/$export), patient, group
  std::string group_id;
  std::string method = "GET";      // GET, or POST of a Parameters resource
  std::vector<std::string> types;  // _type; empty: all the server offers
  std::string since;               // _since of the first export; later ones use transactionTime
  int64_t poll_min_s = 1;          // Retry-After (and backoff) is clamped to these bounds
  int64_t poll_max_s = 120;
  int64_t transient_retries = 5;  // retries of transient errors per request
  double deadline_days = 1;       // an export not finished by then is abandoned and deleted
  int64_t parallel_downloads = 5;
  bool allow_partial_manifests = false;  // files listed while the export runs are fetched at once
};

/// Paged search in _lastUpdated windows.
struct SearchConfig {
  std::vector<std::string> types;
  std::string start = "1970-01-01T00:00:00Z";  // the first window's lower bound
  int64_t window_days = 30;
  int64_t page_size = 500;
};

/// The connector's configuration.
struct FhirConfig {
  Mode mode = Mode::kDirectory;
  std::string directory;             // kDirectory
  std::string pattern = "*.ndjson";  // kDirectory: glob over file names
  std::string base_url;              // kBulk, kSearch
  BulkConfig bulk;
  SearchConfig search;
  AuthConfig auth;
  TlsConfig tls;
  size_t max_line_bytes = 786432;
  uint64_t checkpoint_every = 1000;  // lines between checkpoints within a file
  int64_t connect_timeout_ms = 10000;
  int64_t request_timeout_s = 600;  // one request; a download that stalls this long is retried
};

/// The JSON Schema of the configuration (draft 2020-12), as the plugin table publishes it.
extern const char kConfigSchema[];

/// Reads a configuration; throws std::invalid_argument naming the setting at fault.
FhirConfig parseConfig(std::string_view json);

}  // namespace hearth::connectors::fhir
