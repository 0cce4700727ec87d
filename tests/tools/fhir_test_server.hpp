#pragma once

// A FHIR server for tests and the demo: serves a directory of NDJSON files as a Bulk Data export
// (kick-off, status polling, manifest, files, deleted files) and as paged search, with an OAuth
// token endpoint for SMART Backend Services that verifies the client's JWT signature, and faults
// a test can inject. Runs on 127.0.0.1, port 0, on threads of its own.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hearth::testing {

/// Faults to inject; each count is how many requests of that kind get the fault before the
/// server behaves.
struct FhirFaults {
  int polls_before_ready = 1;     // 202 answers to status polls before the manifest
  bool retry_after_date = false;  // Retry-After as an HTTP-date rather than seconds
  int retry_after_s = 1;          // on 202 and 429 answers; negative: none sent
  int kickoff_429 = 0;
  int status_429 = 0;
  int status_503 = 0;
  int status_transient_outcome = 0;   // 500 with a transient OperationOutcome
  bool status_fatal_outcome = false;  // the export fails with a fatal OperationOutcome
  bool never_finish = false;
  bool malformed_manifest = false;
  bool split_manifest = false;  // the manifest lists one file and links to the rest
  // While the export runs, a 202 to a client that asked for allowPartialManifests carries a
  // manifest of the output files ready so far: one more at each poll, all but the last.
  bool partial_manifests = false;
  bool stu3_manifest = false;  // "error" and an object extension instead of "outcome" and a list
  bool requires_access_token = true;
  int manifest_expires_s = 0;  // not 0: an Expires header that far ahead (or behind)
  int file_503 = 0;
  int truncate_files = 0;       // bodies cut half-way, the connection closed
  int slow_body_ms = 0;         // a pause between 4 KiB pieces of a file
  bool gzip = false;            // files gzip-compressed when the client accepts it
  bool redirect_files = false;  // 307 from /files to /filehost, which refuses an Authorization
  int expire_links = 0;         // 410 for files of the first manifest generations
  int revoke_tokens_after_files = -1;  // after this many file requests every token is revoked once
  int token_lifetime_s = 3600;
  bool wrong_count = false;     // the manifest announces one resource more per file
  std::string missing_file;     // a file the manifest lists but the server does not have
  int expire_search_pages = 0;  // 410 for next-page links
};

struct FhirServerOptions {
  std::filesystem::path data;  // <Type>.*.ndjson: output; deleted*.ndjson: deleted (Bundles)
  /// SMART Backend Services: the client id and its public key (PEM); empty: no token endpoint.
  std::string client_id;
  std::string public_key_pem;
  std::string static_token;  // a bearer token accepted as is; empty: none
  FhirFaults faults;
  uint16_t port = 0;
};

/// What the server saw, for assertions.
struct FhirServerStats {
  int kickoffs = 0;
  int deletes = 0;
  int status_polls = 0;
  int tokens_issued = 0;
  int token_refusals = 0;
  int unauthorised = 0;
  int authorization_sent_to_file_host = 0;
  std::map<std::string, int> file_requests;  // by file name
  int file_requests_while_running = 0;       // before the export's final manifest was served
  std::vector<std::string> kickoff_targets;
  std::vector<std::string> search_targets;
};

class FhirTestServer {
 public:
  explicit FhirTestServer(FhirServerOptions options);
  ~FhirTestServer();
  FhirTestServer(const FhirTestServer&) = delete;
  FhirTestServer& operator=(const FhirTestServer&) = delete;

  uint16_t port() const;
  /// http://127.0.0.1:<port>/fhir
  std::string baseUrl() const;
  FhirServerStats stats() const;
  void setFaults(const FhirFaults& faults);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::testing
