#include "connectors/fhir/fhir_config.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "connectors/common/settings_reader.hpp"

namespace hearth::connectors::fhir {

const char kConfigSchema[] = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "fhir connector",
  "description": "FHIR resources from a Bulk Data export, a paged search or a directory of NDJSON files.",
  "type": "object",
  "additionalProperties": false,
  "required": ["mode"],
  "properties": {
    "mode": {"type": "string", "enum": ["directory", "bulk", "search"],
             "description": "directory: NDJSON files in a directory; bulk: a Bulk Data export; search: paged search in _lastUpdated windows."},
    "directory": {"type": "string", "minLength": 1, "format": "path",
                  "description": "directory mode (required there): the directory of NDJSON files (not searched recursively)."},
    "pattern": {"type": "string", "minLength": 1, "pattern": "^[^/]+$", "default": "*.ndjson",
                "description": "directory mode: glob over file names (hidden files never match)."},
    "base_url": {"type": "string", "minLength": 1, "pattern": "^https?://",
                 "description": "bulk and search modes (required there): the FHIR server's base URL, http(s)://..."},
    "bulk": {
      "type": "object", "additionalProperties": false,
      "description": "bulk mode: level (system, patient or group; default system: [base]/$export, Patient/$export or Group/{group_id}/$export), group_id (required for group), method (GET or POST, default GET; POST sends a Parameters resource), types (_type; default all), since (_since of the first export; later ones use the last transactionTime), poll_min_s and poll_max_s (default 1 and 120: bounds of every wait, Retry-After and backoff), transient_retries (default 5, per request or file), deadline_days (default 1: an export not complete by then is deleted and abandoned), parallel_downloads (1..5, default 5: files downloaded at once), allow_partial_manifests (default false).",
      "properties": {
        "level": {"type": "string", "enum": ["system", "patient", "group"], "default": "system"},
        "group_id": {"type": "string", "minLength": 1, "description": "level group: the Group's id."},
        "method": {"type": "string", "enum": ["GET", "POST"], "default": "GET",
                   "description": "POST sends a Parameters resource (servers of Bulk Data 2.0)."},
        "types": {"type": "array", "items": {"type": "string", "minLength": 1}, "description": "_type."},
        "since": {"type": "string", "minLength": 1, "description": "_since of the first export; later exports use the previous transactionTime."},
        "poll_min_s": {"type": "integer", "minimum": 0, "default": 1},
        "poll_max_s": {"type": "integer", "minimum": 1, "default": 120,
                       "description": "Retry-After and the backoff are clamped to [poll_min_s, poll_max_s]."},
        "transient_retries": {"type": "integer", "minimum": 0, "default": 5,
                              "description": "Retries of a transient error (5xx, 429, transient OperationOutcome, cut body) per request."},
        "deadline_days": {"type": "number", "exclusiveMinimum": 0, "default": 1,
                          "description": "An export not complete this long after its kick-off is abandoned and deleted."},
        "parallel_downloads": {"type": "integer", "minimum": 1, "maximum": 5, "default": 5},
        "allow_partial_manifests": {"type": "boolean", "default": false,
                                    "description": "Asks for allowPartialManifests: files the server lists while the export still runs are downloaded at once."}
      }
    },
    "search": {
      "type": "object", "additionalProperties": false,
      "description": "search mode: types (required: the types searched, in this order), start (default 1970-01-01T00:00:00Z: the first window's lower bound), window_days (default 30: width of a _lastUpdated window), page_size (1..10000, default 500: _count).",
      "properties": {
        "types": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "start": {"type": "string", "minLength": 1, "default": "1970-01-01T00:00:00Z"},
        "window_days": {"type": "integer", "minimum": 1, "default": 30},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 500}
      }
    },
    "auth": {
      "type": "object", "additionalProperties": false, "required": ["type"],
      "description": "type (none, bearer or smart_backend; see Authorisation and TLS); bearer: token_secret (a secret reference); smart_backend: client_id and private_key_secret (required), algorithm (RS384, ES384 or RS512, default RS384), kid, audience (default: the token endpoint), token_endpoint (default: discovered), scope (default system/*.rs), renew_before_s (default 60).",
      "properties": {
        "type": {"type": "string", "enum": ["none", "bearer", "smart_backend"]},
        "token_secret": {"type": "string", "minLength": 1, "description": "bearer: secret reference of the token."},
        "client_id": {"type": "string", "minLength": 1},
        "private_key_secret": {"type": "string", "minLength": 1, "description": "smart_backend: secret reference of the PEM private key."},
        "algorithm": {"type": "string", "enum": ["RS384", "ES384", "RS512"], "default": "RS384"},
        "kid": {"type": "string", "minLength": 1},
        "audience": {"type": "string", "minLength": 1, "description": "The JWT's aud; default: the token endpoint."},
        "token_endpoint": {"type": "string", "minLength": 1, "description": "Default: from [base]/.well-known/smart-configuration."},
        "scope": {"type": "string", "minLength": 1, "default": "system/*.rs"},
        "renew_before_s": {"type": "integer", "minimum": 0, "default": 60}
      }
    },
    "tls": {
      "type": "object", "additionalProperties": false,
      "description": "ca_bundle, client_certificate and client_key (paths; default: libcurl's), client_key_password_secret (a secret reference), verify (default true).",
      "properties": {
        "ca_bundle": {"type": "string", "minLength": 1, "format": "path"},
        "client_certificate": {"type": "string", "minLength": 1, "format": "path"},
        "client_key": {"type": "string", "minLength": 1, "format": "path"},
        "client_key_password_secret": {"type": "string", "minLength": 1},
        "verify": {"type": "boolean", "default": true}
      }
    },
    "max_line_bytes": {"type": "integer", "minimum": 1024, "maximum": 268435456, "default": 786432,
                       "description": "Longer NDJSON lines are rejected as fhir.line_too_long; keep it 64 KiB below the Kafka producer's message.max.bytes."},
    "checkpoint_every": {"type": "integer", "minimum": 1, "default": 1000,
                         "description": "Lines between checkpoints inside a file; one is always emitted at the end of a file."},
    "connect_timeout_ms": {"type": "integer", "minimum": 1, "default": 10000,
                           "description": "Connection timeout of every request."},
    "request_timeout_s": {"type": "integer", "minimum": 1, "default": 600,
                          "description": "A whole small request; for downloads, the longest stall."}
  }
})json";

namespace {

using nlohmann::json;

const common::SettingsReader kReader("fhir");

std::vector<std::string> stringList(const json& object, const std::string& where, const char* key) {
  std::vector<std::string> list;
  const auto it = object.find(key);
  if (it == object.end()) return list;
  if (!it->is_array()) kReader.refuse(where + key, "must be a list of strings");
  for (const auto& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      kReader.refuse(where + key, "must be a list of non-empty strings");
    }
    list.push_back(item.get<std::string>());
  }
  return list;
}

const json& section(const json& object, const char* key) {
  static const json kEmpty = json::object();
  const auto it = object.find(key);
  if (it == object.end()) return kEmpty;
  if (!it->is_object()) kReader.refuse(key, "must be an object");
  return *it;
}

BulkConfig parseBulk(const json& object) {
  kReader.allowOnly(
      object, "bulk",
      {"level", "group_id", "method", "types", "since", "poll_min_s", "poll_max_s",
       "transient_retries", "deadline_days", "parallel_downloads", "allow_partial_manifests"});
  BulkConfig bulk;
  if (object.contains("level")) bulk.level = kReader.requireString(object, "bulk.", "level");
  if (bulk.level != "system" && bulk.level != "patient" && bulk.level != "group") {
    kReader.refuse("bulk.level", "must be system, patient or group");
  }
  bulk.group_id = kReader.optionalString(object, "bulk.", "group_id");
  if (bulk.level == "group" && bulk.group_id.empty()) {
    kReader.refuse("bulk.group_id", "is required for level group");
  }
  if (object.contains("method")) bulk.method = kReader.requireString(object, "bulk.", "method");
  if (bulk.method != "GET" && bulk.method != "POST") {
    kReader.refuse("bulk.method", "must be GET or POST");
  }
  bulk.types = stringList(object, "bulk.", "types");
  bulk.since = kReader.optionalString(object, "bulk.", "since");
  bulk.poll_min_s = kReader.optionalInteger<int64_t>(object, "poll_min_s", 1, 0, 86400);
  bulk.poll_max_s = kReader.optionalInteger<int64_t>(object, "poll_max_s", 120, 1, 86400);
  if (bulk.poll_max_s < bulk.poll_min_s) {
    kReader.refuse("bulk.poll_max_s", "must not be below bulk.poll_min_s");
  }
  bulk.transient_retries =
      kReader.optionalInteger<int64_t>(object, "transient_retries", 5, 0, 1000);
  if (const auto it = object.find("deadline_days"); it != object.end()) {
    if (!it->is_number() || it->get<double>() <= 0) {
      kReader.refuse("bulk.deadline_days", "must be a positive number");
    }
    bulk.deadline_days = it->get<double>();
  }
  bulk.parallel_downloads = kReader.optionalInteger<int64_t>(object, "parallel_downloads", 5, 1, 5);
  if (const auto it = object.find("allow_partial_manifests"); it != object.end()) {
    if (!it->is_boolean()) {
      kReader.refuse("bulk.allow_partial_manifests", "must be true or false");
    }
    bulk.allow_partial_manifests = it->get<bool>();
  }
  return bulk;
}

SearchConfig parseSearch(const json& object) {
  kReader.allowOnly(object, "search", {"types", "start", "window_days", "page_size"});
  SearchConfig search;
  search.types = stringList(object, "search.", "types");
  if (object.contains("start")) search.start = kReader.requireString(object, "search.", "start");
  search.window_days = kReader.optionalInteger<int64_t>(object, "window_days", 30, 1, 36500);
  search.page_size = kReader.optionalInteger<int64_t>(object, "page_size", 500, 1, 10000);
  return search;
}

AuthConfig parseAuth(const json& object) {
  kReader.allowOnly(object, "auth",
                    {"type", "token_secret", "client_id", "private_key_secret", "algorithm", "kid",
                     "audience", "token_endpoint", "scope", "renew_before_s"});
  AuthConfig auth;
  const std::string type =
      object.contains("type") ? kReader.requireString(object, "auth.", "type") : "none";
  if (type == "none") {
    auth.kind = AuthKind::kNone;
  } else if (type == "bearer") {
    auth.kind = AuthKind::kBearer;
    auth.token_secret = kReader.requireString(object, "auth.", "token_secret");
  } else if (type == "smart_backend") {
    auth.kind = AuthKind::kSmartBackend;
    SmartBackendAuth& smart = auth.smart;
    smart.client_id = kReader.requireString(object, "auth.", "client_id");
    smart.private_key_secret = kReader.requireString(object, "auth.", "private_key_secret");
    if (object.contains("algorithm")) {
      smart.algorithm = kReader.requireString(object, "auth.", "algorithm");
    }
    if (smart.algorithm != "RS384" && smart.algorithm != "ES384" && smart.algorithm != "RS512") {
      kReader.refuse("auth.algorithm", "must be RS384, ES384 or RS512");
    }
    smart.kid = kReader.optionalString(object, "auth.", "kid");
    smart.audience = kReader.optionalString(object, "auth.", "audience");
    smart.token_endpoint = kReader.optionalString(object, "auth.", "token_endpoint");
    if (object.contains("scope")) smart.scope = kReader.requireString(object, "auth.", "scope");
    smart.renew_before_s = kReader.optionalInteger<int64_t>(object, "renew_before_s", 60, 0, 3600);
  } else {
    kReader.refuse("auth.type", "must be none, bearer or smart_backend");
  }
  return auth;
}

TlsConfig parseTls(const json& object) {
  kReader.allowOnly(
      object, "tls",
      {"ca_bundle", "client_certificate", "client_key", "client_key_password_secret", "verify"});
  TlsConfig tls;
  tls.ca_bundle = kReader.optionalString(object, "tls.", "ca_bundle");
  tls.client_certificate = kReader.optionalString(object, "tls.", "client_certificate");
  tls.client_key = kReader.optionalString(object, "tls.", "client_key");
  tls.client_key_password_secret =
      kReader.optionalString(object, "tls.", "client_key_password_secret");
  if (const auto it = object.find("verify"); it != object.end()) {
    if (!it->is_boolean()) kReader.refuse("tls.verify", "must be true or false");
    tls.verify = it->get<bool>();
  }
  return tls;
}

}  // namespace

FhirConfig parseConfig(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) throw std::invalid_argument("fhir connector config is not valid JSON");
  if (!object.is_object()) throw std::invalid_argument("fhir connector config must be an object");
  kReader.allowOnly(
      object, "",
      {"mode", "directory", "pattern", "base_url", "bulk", "search", "auth", "tls",
       "max_line_bytes", "checkpoint_every", "connect_timeout_ms", "request_timeout_s"});
  FhirConfig config;
  const std::string mode = kReader.requireString(object, "", "mode");
  if (mode == "directory") {
    config.mode = Mode::kDirectory;
    config.directory = kReader.requireString(object, "", "directory");
    if (object.contains("pattern")) config.pattern = kReader.requireString(object, "", "pattern");
    if (config.pattern.find('/') != std::string::npos) {
      kReader.refuse("pattern", "must match file names only, without '/'");
    }
  } else if (mode == "bulk" || mode == "search") {
    config.mode = mode == "bulk" ? Mode::kBulk : Mode::kSearch;
    config.base_url = kReader.requireString(object, "", "base_url");
    while (config.base_url.size() > 1 && config.base_url.back() == '/') config.base_url.pop_back();
  } else {
    kReader.refuse("mode", "must be directory, bulk or search");
  }
  config.bulk = parseBulk(section(object, "bulk"));
  config.search = parseSearch(section(object, "search"));
  if (config.mode == Mode::kSearch && config.search.types.empty()) {
    kReader.refuse("search.types", "must list the resource types to search");
  }
  config.auth = parseAuth(section(object, "auth"));
  config.tls = parseTls(section(object, "tls"));
  config.max_line_bytes =
      kReader.optionalInteger<size_t>(object, "max_line_bytes", 786432, 1024, size_t{1} << 28);
  config.checkpoint_every =
      kReader.optionalInteger<uint64_t>(object, "checkpoint_every", 1000, 1, uint64_t{1} << 40);
  config.connect_timeout_ms =
      kReader.optionalInteger<int64_t>(object, "connect_timeout_ms", 10000, 1, 3600000);
  config.request_timeout_s =
      kReader.optionalInteger<int64_t>(object, "request_timeout_s", 600, 1, 86400);
  return config;
}

}  // namespace hearth::connectors::fhir
