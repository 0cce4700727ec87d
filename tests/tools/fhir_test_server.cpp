#include "tests/tools/fhir_test_server.hpp"

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace hearth::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string httpDate(int64_t unix_s) {
  const time_t when = static_cast<time_t>(unix_s);
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

std::string gzip(const std::string& plain) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, plain.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string base64UrlDecode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '-')
      value = 62;
    else if (c == '_')
      value = 63;
    else
      return {};
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string formValue(const std::string& body, const std::string& name) {
  std::istringstream in(body);
  for (std::string pair; std::getline(in, pair, '&');) {
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) != name) continue;
    std::string value;
    const std::string encoded = equals == std::string::npos ? "" : pair.substr(equals + 1);
    for (size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] == '%' && i + 2 < encoded.size()) {
        value += static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        value += encoded[i] == '+' ? ' ' : encoded[i];
      }
    }
    return value;
  }
  return {};
}

std::string queryValue(const std::string& target, const std::string& name) {
  const size_t question = target.find('?');
  if (question == std::string::npos) return {};
  return formValue(target.substr(question + 1), name);
}

std::vector<std::string> queryValues(const std::string& target, const std::string& name) {
  std::vector<std::string> values;
  const size_t question = target.find('?');
  if (question == std::string::npos) return values;
  std::istringstream in(target.substr(question + 1));
  for (std::string pair; std::getline(in, pair, '&');) {
    if (pair.starts_with(name + "=")) values.push_back(formValue(pair, name));
  }
  return values;
}

// The JWT's signature checked with the client's public key; the claims when it holds.
bool verifyJwt(const std::string& jwt, const std::string& public_key_pem, json& claims,
               std::string& why) {
  const size_t first = jwt.find('.');
  const size_t second = jwt.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    why = "not a JWT";
    return false;
  }
  const json header = json::parse(base64UrlDecode(jwt.substr(0, first)), nullptr, false);
  claims = json::parse(base64UrlDecode(jwt.substr(first + 1, second - first - 1)), nullptr, false);
  if (!header.is_object() || !claims.is_object()) {
    why = "unreadable JWT";
    return false;
  }
  const std::string alg = header.value("alg", "");
  const EVP_MD* digest = alg == "RS384" || alg == "ES384" ? EVP_sha384()
                         : alg == "RS512"                 ? EVP_sha512()
                                                          : nullptr;
  if (digest == nullptr) {
    why = "unsupported alg " + alg;
    return false;
  }
  std::string signature = base64UrlDecode(jwt.substr(second + 1));
  if (alg == "ES384") {
    if (signature.size() != 96) {
      why = "bad ES384 signature length";
      return false;
    }
    ECDSA_SIG* sig = ECDSA_SIG_new();
    const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG_set0(sig, BN_bin2bn(raw, 48, nullptr), BN_bin2bn(raw + 48, 48, nullptr));
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    signature.assign(reinterpret_cast<char*>(der), static_cast<size_t>(length));
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
  }
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const std::string signed_part = jwt.substr(0, second);
  const bool good =
      key != nullptr && EVP_DigestVerifyInit(context, nullptr, digest, nullptr, key) == 1 &&
      EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  if (!good) why = "signature does not verify";
  return good;
}

struct Resource {
  int64_t last_updated_ms = 0;
  std::string line;
};

struct Page {
  std::string type;
  size_t offset = 0;
  int64_t from_ms = 0, to_ms = 0;
  size_t count = 0;
};

int64_t parseInstantMs(const std::string& text) {
  std::tm parts{};
  if (text.size() < 19 || !strptime(text.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &parts)) {
    return 0;
  }
  return static_cast<int64_t>(timegm(&parts)) * 1000;
}

}  // namespace

struct FhirTestServer::Impl {
  FhirServerOptions options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;  // guards everything below
  FhirServerStats stats;
  FhirFaults faults;
  std::map<int, int> polls;          // by job
  std::map<int, int64_t> job_since;  // _since of each job, ms; 0: everything
  std::set<int> partial_jobs;        // jobs whose client allows partial manifests
  std::set<int> finished_jobs;       // jobs whose final manifest was served
  int next_job = 1;
  int generation = 1;                     // of the file links
  std::map<std::string, int64_t> tokens;  // token -> expiry, ms
  std::set<std::string> seen_jti;
  int file_requests = 0;
  bool tokens_revoked = false;
  std::map<std::string, std::vector<Resource>> by_type;
  std::map<std::string, Page> pages;
  int next_page = 1;

  std::string base() const {
    return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/fhir";
  }

  void load() {
    if (options.data.empty()) return;
    for (const auto& entry : std::filesystem::directory_iterator(options.data)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".ndjson") || name.starts_with("deleted") || !std::isupper(name[0]))
        continue;
      std::ifstream in(entry.path());
      for (std::string line; std::getline(in, line);) {
        const json resource = json::parse(line, nullptr, false);
        if (!resource.is_object()) continue;
        std::string updated;
        if (resource.contains("meta") && resource["meta"].is_object()) {
          updated = resource["meta"].value("lastUpdated", "");
        }
        by_type[resource.value("resourceType", "")].push_back({parseInstantMs(updated), line});
      }
    }
  }

  std::vector<std::string> dataFiles(bool deleted) const {
    std::vector<std::string> names;
    if (options.data.empty()) return names;
    for (const auto& entry : std::filesystem::directory_iterator(options.data)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".ndjson")) continue;
      if (deleted ? name.starts_with("deleted") : (std::isupper(name[0]) != 0))
        names.push_back(name);
    }
    if (!deleted && !faults.missing_file.empty()) names.push_back(faults.missing_file);
    std::sort(names.begin(), names.end());
    return names;
  }

  // A file's text; with `since_ms`, only the resources last updated after it (those without
  // meta.lastUpdated count as unchanged), as an export with _since would hold.
  std::string fileBody(const std::string& name, int64_t since_ms) const {
    std::ifstream in(options.data / name, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (since_ms == 0) return body;
    std::string kept;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      const json resource = json::parse(line, nullptr, false);
      if (!resource.is_object() || !resource.contains("meta") || !resource["meta"].is_object())
        continue;
      if (parseInstantMs(resource["meta"].value("lastUpdated", "")) > since_ms) kept += line + "\n";
    }
    return kept;
  }

  static size_t countLines(const std::string& body) {
    std::istringstream in(body);
    size_t count = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) ++count;
    }
    return count;
  }

  json manifest(int job, bool second_page) const {
    json output = json::array(), deleted = json::array();
    const int64_t since_ms = job_since.count(job) != 0 ? job_since.at(job) : 0;
    const std::string query = "?v=" + std::to_string(generation) +
                              (since_ms == 0 ? "" : "&since=" + std::to_string(since_ms));
    for (const std::string& name : dataFiles(false)) {
      json file = {{"type", name.substr(0, name.find('.'))},
                   {"url", base() + "/files/" + name + query}};
      if (std::filesystem::exists(options.data / name)) {
        const size_t count = countLines(fileBody(name, since_ms));
        if (count == 0) continue;  // nothing of this type changed
        file["count"] = count + (faults.wrong_count ? 1 : 0);
      }
      output.push_back(file);
    }
    for (const std::string& name : dataFiles(true)) {
      deleted.push_back({{"type", "Bundle"},
                         {"url", base() + "/files/" + name + "?v=" + std::to_string(generation)}});
    }
    json manifest = {{"transactionTime", "2024-06-01T12:00:00Z"},
                     {"request", base() + "/$export"},
                     {"requiresAccessToken", faults.requires_access_token},
                     {"deleted", deleted}};
    if (faults.split_manifest && output.size() > 1) {
      if (second_page) {
        output.erase(output.begin());
        manifest["deleted"] = json::array();
      } else {
        output = json::array({output.front()});
        manifest["link"] = json::array(
            {{{"relation", "next"}, {"url", base() + "/status/" + std::to_string(job) + "/2"}}});
        manifest["deleted"] = json::array();
        if (!deleted.empty()) manifest["deleted"] = deleted;
      }
      if (second_page) manifest["deleted"] = json::array();
    }
    manifest["output"] = output;
    if (faults.stu3_manifest) {
      manifest["error"] = json::array();
      manifest["extension"] = {{"https://example.com/extra", true}};
    } else {
      manifest["outcome"] = json::array();
      manifest["extension"] =
          json::array({{{"url", "https://example.com/x"}, {"valueBoolean", true}}});
    }
    return manifest;
  }

  // ---- responses ----
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    size_t cut_at = std::string::npos;  // close the connection after this many body bytes
    int slow_ms = 0;
  };

  static Reply jsonReply(int status, const json& body) {
    return {status, {{"Content-Type", "application/fhir+json"}}, body.dump()};
  }
  static Reply outcome(int status, const std::string& code, const std::string& text,
                       const std::string& severity = "error") {
    return jsonReply(
        status, {{"resourceType", "OperationOutcome"},
                 {"issue",
                  json::array({{{"severity", severity}, {"code", code}, {"diagnostics", text}}})}});
  }

  void retryAfter(Reply& reply) const {
    if (faults.retry_after_s < 0) return;
    reply.headers.emplace_back(
        "Retry-After", faults.retry_after_date ? httpDate(nowMs() / 1000 + faults.retry_after_s + 1)
                                               : std::to_string(faults.retry_after_s));
  }

  bool authorised(const http::request<http::string_body>& request) {
    if (options.public_key_pem.empty() && options.static_token.empty()) return true;
    const std::string header(request[http::field::authorization]);
    if (!header.starts_with("Bearer ")) return false;
    const std::string token = header.substr(7);
    if (!options.static_token.empty() && token == options.static_token) return true;
    const auto it = tokens.find(token);
    return it != tokens.end() && it->second > nowMs();
  }

  Reply token(const http::request<http::string_body>& request) {
    const std::string assertion = formValue(request.body(), "client_assertion");
    json claims;
    std::string why;
    const auto refuse = [&](const std::string& reason) {
      ++stats.token_refusals;
      return jsonReply(401, {{"error", "invalid_client"}, {"error_description", reason}});
    };
    if (formValue(request.body(), "grant_type") != "client_credentials" ||
        formValue(request.body(), "client_assertion_type") !=
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      ++stats.token_refusals;
      return jsonReply(400, {{"error", "invalid_request"}});
    }
    if (!verifyJwt(assertion, options.public_key_pem, claims, why)) return refuse(why);
    const int64_t now_s = nowMs() / 1000;
    if (claims.value("iss", "") != options.client_id ||
        claims.value("sub", "") != options.client_id) {
      return refuse("iss and sub must be the client id");
    }
    if (claims.value("aud", "") != base() + "/token") return refuse("wrong aud");
    const int64_t exp = claims.value("exp", int64_t{0});
    if (exp <= now_s || exp > now_s + 300) return refuse("exp must be within 300 s");
    const std::string jti = claims.value("jti", "");
    if (jti.empty() || !seen_jti.insert(jti).second) return refuse("jti reused");
    const std::string access =
        "token-" + std::to_string(++stats.tokens_issued) + "-" + jti.substr(0, 8);
    tokens[access] = nowMs() + int64_t{faults.token_lifetime_s} * 1000;
    return jsonReply(200, {{"access_token", access},
                           {"token_type", "bearer"},
                           {"expires_in", faults.token_lifetime_s},
                           {"scope", formValue(request.body(), "scope")}});
  }

  static bool allowsPartialManifests(const http::request<http::string_body>& request,
                                     const std::string& target) {
    if (request.method() != http::verb::post)
      return queryValue(target, "allowPartialManifests") == "true";
    const json parameters = json::parse(request.body(), nullptr, false);
    if (!parameters.is_object() || !parameters.contains("parameter")) return false;
    for (const json& parameter : parameters["parameter"]) {
      if (parameter.value("name", "") == "allowPartialManifests")
        return parameter.value("valueBoolean", false);
    }
    return false;
  }

  // The manifest of a running job: the output files ready by now.
  json partialManifest(int job) const {
    json manifest = this->manifest(job, false);
    json& output = manifest["output"];
    const size_t ready = output.empty() ? 0 : std::min<size_t>(polls.at(job), output.size() - 1);
    output.erase(output.begin() + static_cast<std::ptrdiff_t>(ready), output.end());
    manifest["deleted"] = json::array();
    manifest.erase("link");
    return manifest;
  }

  Reply kickoff(const http::request<http::string_body>& request, const std::string& target) {
    if (faults.kickoff_429 > 0) {
      --faults.kickoff_429;
      Reply reply = outcome(429, "throttled", "too many requests");
      retryAfter(reply);
      return reply;
    }
    if (request[http::field::prefer] != "respond-async") {
      return outcome(400, "invalid", "Prefer: respond-async is required");
    }
    ++stats.kickoffs;
    stats.kickoff_targets.push_back(request.method() == http::verb::post ? "POST " + request.body()
                                                                         : "GET " + target);
    const int job = next_job++;
    polls[job] = 0;
    std::string since = queryValue(target, "_since");
    if (request.method() == http::verb::post) {
      const json parameters = json::parse(request.body(), nullptr, false);
      if (parameters.is_object() && parameters.contains("parameter")) {
        for (const json& parameter : parameters["parameter"]) {
          if (parameter.value("name", "") == "_since") since = parameter.value("valueInstant", "");
        }
      }
    }
    job_since[job] = since.empty() ? 0 : parseInstantMs(since);
    if (faults.partial_manifests && allowsPartialManifests(request, target)) {
      partial_jobs.insert(job);
    }
    Reply reply{202, {{"Content-Location", base() + "/status/" + std::to_string(job)}}, ""};
    return reply;
  }

  Reply status(const http::request<http::string_body>& request, int job, bool second_page) {
    if (request.method() == http::verb::delete_) {
      ++stats.deletes;
      if (polls.erase(job) == 0) return outcome(404, "not-found", "no such job");
      return {202, {}, ""};
    }
    if (polls.count(job) == 0) return outcome(404, "not-found", "no such job");
    ++stats.status_polls;
    if (second_page) return jsonReply(200, manifest(job, true));
    if (faults.status_429 > 0) {
      --faults.status_429;
      Reply reply = outcome(429, "throttled", "slow down");
      retryAfter(reply);
      return reply;
    }
    if (faults.status_503 > 0) {
      --faults.status_503;
      return {503, {}, "unavailable"};
    }
    if (faults.status_transient_outcome > 0) {
      --faults.status_transient_outcome;
      return outcome(500, "transient", "An internal timeout has occurred");
    }
    if (faults.status_fatal_outcome)
      return outcome(500, "processing", "the export failed", "fatal");
    if (faults.never_finish || polls[job] < faults.polls_before_ready) {
      ++polls[job];
      Reply reply{
          202,
          {{"X-Progress",
            std::to_string(polls[job] * 100 / (faults.polls_before_ready + 1)) + "% complete"}},
          ""};
      if (partial_jobs.count(job) != 0 && !faults.never_finish) {
        reply.headers.emplace_back("Content-Type", "application/fhir+json");
        reply.body = partialManifest(job).dump();
      }
      retryAfter(reply);
      return reply;
    }
    finished_jobs.insert(job);
    if (faults.malformed_manifest)
      return {200, {{"Content-Type", "application/json"}}, "{\"transactionTime\": "};
    Reply reply = jsonReply(200, manifest(job, false));
    if (faults.manifest_expires_s != 0) {
      reply.headers.emplace_back("Expires", httpDate(nowMs() / 1000 + faults.manifest_expires_s));
    }
    return reply;
  }

  Reply file(const http::request<http::string_body>& request, const std::string& name,
             const std::string& target, bool file_host) {
    ++stats.file_requests[name];
    for (const auto& [job, count] : polls) {
      if (finished_jobs.count(job) == 0) {
        ++stats.file_requests_while_running;
        break;
      }
    }
    if (file_host && !request[http::field::authorization].empty()) {
      ++stats.authorization_sent_to_file_host;
      return outcome(400, "security", "the file host takes no Authorization header");
    }
    if (!file_host) {
      ++file_requests;
      if (faults.revoke_tokens_after_files >= 0 && !tokens_revoked &&
          file_requests > faults.revoke_tokens_after_files) {
        tokens_revoked = true;
        tokens.clear();
      }
      if (faults.requires_access_token && !authorised(request)) {
        ++stats.unauthorised;
        return outcome(401, "login", "token missing, expired or revoked");
      }
      if (std::stoi("0" + queryValue(target, "v")) < generation) {
        return outcome(410, "expired", "this link has expired");
      }
      if (faults.expire_links > 0) {
        --faults.expire_links;
        ++generation;
        return outcome(410, "expired", "this link has expired");
      }
      if (faults.redirect_files) {
        const std::string query =
            target.substr(target.find('?') == std::string::npos ? target.size() : target.find('?'));
        return {
            307,
            {{"Location", "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) +
                              "/filehost/" + name + query}},
            ""};
      }
    }
    if (faults.file_503 > 0) {
      --faults.file_503;
      Reply reply = outcome(503, "transient", "busy");
      return reply;
    }
    if (!std::filesystem::exists(options.data / name))
      return outcome(404, "not-found", "no such file");
    std::string body = fileBody(name, std::stoll("0" + queryValue(target, "since")));
    Reply reply{200, {{"Content-Type", "application/fhir+ndjson"}}, ""};
    if (faults.gzip &&
        std::string(request[http::field::accept_encoding]).find("gzip") != std::string::npos) {
      body = gzip(body);
      reply.headers.emplace_back("Content-Encoding", "gzip");
    }
    reply.body = std::move(body);
    if (faults.truncate_files > 0) {
      --faults.truncate_files;
      reply.cut_at = reply.body.size() / 2;
    }
    reply.slow_ms = faults.slow_body_ms;
    return reply;
  }

  Reply search(const std::string& type, const std::string& target) {
    stats.search_targets.push_back(target);
    const std::string page_id = queryValue(target, "_page");
    Page page;
    if (!page_id.empty()) {
      const auto it = pages.find(page_id);
      if (faults.expire_search_pages > 0) {
        --faults.expire_search_pages;
        pages.erase(page_id);
        return outcome(410, "not-found", "the paging id has expired");
      }
      if (it == pages.end()) return outcome(410, "not-found", "unknown paging id");
      page = it->second;
    } else {
      page.type = type;
      for (const std::string& bound : queryValues(target, "_lastUpdated")) {
        if (bound.starts_with("ge")) page.from_ms = parseInstantMs(bound.substr(2));
        if (bound.starts_with("lt")) page.to_ms = parseInstantMs(bound.substr(2));
      }
      page.count = static_cast<size_t>(std::max(1, std::stoi("0" + queryValue(target, "_count"))));
    }
    std::vector<const Resource*> matches;
    for (const Resource& resource : by_type[page.type]) {
      if (resource.last_updated_ms >= page.from_ms &&
          (page.to_ms == 0 || resource.last_updated_ms < page.to_ms)) {
        matches.push_back(&resource);
      }
    }
    std::string entries;
    const size_t end = std::min(matches.size(), page.offset + page.count);
    for (size_t i = page.offset; i < end; ++i) {
      entries += (entries.empty() ? "" : ",") + std::string("{\"fullUrl\":\"") + base() + "/" +
                 page.type + "\",\"resource\":" + matches[i]->line +
                 ",\"search\":{\"mode\":\"match\"}}";
    }
    json links = json::array();
    if (end < matches.size()) {
      Page next = page;
      next.offset = end;
      const std::string id = "p" + std::to_string(next_page++);
      pages[id] = next;
      links.push_back({{"relation", "next"},
                       {"url", base() + "/" + page.type + "?_page=" + id + "&_format=json"}});
    }
    const std::string body = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":" +
                             std::to_string(matches.size()) + ",\"link\":" + links.dump() +
                             ",\"entry\":[" + entries + "]}";
    return {200, {{"Content-Type", "application/fhir+json"}}, body};
  }

  Reply route(const http::request<http::string_body>& request) {
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    std::lock_guard lock(mutex);
    if (path.starts_with("/filehost/")) return file(request, path.substr(10), target, true);
    if (!path.starts_with("/fhir")) return outcome(404, "not-found", "unknown path");
    const std::string rest = path.substr(5);
    if (rest == "/metadata") {
      if (!authorised(request)) return outcome(401, "login", "unauthorised");
      return jsonReply(200, {{"resourceType", "CapabilityStatement"},
                             {"status", "active"},
                             {"kind", "instance"},
                             {"fhirVersion", "4.0.1"}});
    }
    if (rest == "/.well-known/smart-configuration") {
      return jsonReply(
          200, {{"token_endpoint", base() + "/token"},
                {"token_endpoint_auth_methods_supported", {"private_key_jwt"}},
                {"token_endpoint_auth_signing_alg_values_supported", {"RS384", "ES384", "RS512"}}});
    }
    if (rest == "/token" && request.method() == http::verb::post) return token(request);
    if (!authorised(request) && !rest.starts_with("/files/")) {
      ++stats.unauthorised;
      return outcome(401, "login", "token missing, expired or revoked");
    }
    if (rest == "/$export" || rest == "/Patient/$export" ||
        (rest.starts_with("/Group/") && rest.ends_with("/$export"))) {
      return kickoff(request, target);
    }
    if (rest.starts_with("/status/")) {
      const std::string job = rest.substr(8);
      const bool second = job.ends_with("/2");
      return status(request, std::stoi("0" + job.substr(0, job.find('/'))), second);
    }
    if (rest.starts_with("/files/")) return file(request, rest.substr(7), target, false);
    if (rest.size() > 1 && rest.find('/', 1) == std::string::npos)
      return search(rest.substr(1), target);
    return outcome(404, "not-found", "unknown path");
  }

  static const char* reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 202:
        return "Accepted";
      case 307:
        return "Temporary Redirect";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 404:
        return "Not Found";
      case 410:
        return "Gone";
      case 429:
        return "Too Many Requests";
      case 500:
        return "Internal Server Error";
      case 503:
        return "Service Unavailable";
      default:
        return "Status";
    }
  }

  void serve(tcp::socket socket) {
    beast::error_code error;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, error);
    if (error) return;
    const Reply reply = route(request);
    std::string head =
        "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) + "\r\n";
    for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
    head +=
        "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(head), error);
    const size_t length = std::min(reply.body.size(), reply.cut_at);
    for (size_t at = 0; at < length && !error && !stopping; at += 4096) {
      asio::write(socket, asio::buffer(reply.body.data() + at, std::min<size_t>(4096, length - at)),
                  error);
      if (reply.slow_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(reply.slow_ms));
    }
    socket.shutdown(tcp::socket::shutdown_both, error);
    socket.close(error);
  }
};

FhirTestServer::FhirTestServer(FhirServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->faults = impl_->options.faults;
  impl_->load();
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), impl_->options.port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      beast::error_code error;
      tcp::socket socket(impl->io);
      impl->acceptor.accept(socket, error);
      if (impl->stopping) return;
      if (error) continue;
      std::lock_guard lock(impl->mutex);
      impl->workers.emplace_back(
          [impl, s = std::move(socket)]() mutable { impl->serve(std::move(s)); });
    }
  });
}

FhirTestServer::~FhirTestServer() {
  impl_->stopping = true;
  beast::error_code error;
  // Wakes the blocked accept() with a connection of our own.
  tcp::socket poke(impl_->io);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), error);
  impl_->accept_thread.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(impl_->mutex);
    workers.swap(impl_->workers);
  }
  for (std::thread& worker : workers) worker.join();
}

uint16_t FhirTestServer::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string FhirTestServer::baseUrl() const { return impl_->base(); }

FhirServerStats FhirTestServer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

void FhirTestServer::setFaults(const FhirFaults& faults) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults = faults;
}

}  // namespace hearth::testing
