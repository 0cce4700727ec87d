#include "connectors/fhir/bulk_export.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "connectors/fhir/bulk_manifest.hpp"
#include "connectors/fhir/fhir_session.hpp"
#include "connectors/fhir/ndjson_reader.hpp"
#include "connectors/fhir/resource_emitter.hpp"

namespace hearth::connectors::fhir {
namespace {

constexpr int kMaxRedirects = 5;
constexpr int kMaxManifestPages = 10000;
constexpr size_t kMaxErrorBody = 64 * 1024;

// The URL without its query: signed links change their query when renewed, not their path.
std::string fileKey(const std::string& url) { return url.substr(0, url.find('?')); }

// An "X-Progress" such as "45%" or "45% complete" as a percentage.
std::optional<uint64_t> percentOf(const std::string& progress) {
  uint64_t value = 0;
  const auto [end, error] =
      std::from_chars(progress.data(), progress.data() + progress.size(), value);
  if (error != std::errc() || end == progress.data() + progress.size() || *end != '%') {
    return std::nullopt;
  }
  return std::min<uint64_t>(value, 100);
}

enum class FileKind { kOutput, kDeleted, kError };

// One file of the manifest while it downloads.
struct Download {
  FileKind kind = FileKind::kOutput;
  ManifestFile file;
  std::string key;
  std::string url;  // where the next attempt goes (after a redirect: the file host)
  bool send_token = false;
  std::vector<std::string> announced;
  DownloadProgress progress;
  int attempts = 0;
  int redirects = 0;
  bool reauthorised = false;
  int64_t not_before_ms = 0;

  // One attempt's state.
  CurlEasy handle;
  CurlHeaders headers;
  std::string authorization;
  std::map<std::string, std::string> response_headers;
  long status = 0;
  std::string error_body;
  std::unique_ptr<LineSplitter> lines;
  uint64_t resources_seen = 0;  // non-blank lines of this attempt, for the manifest's count
  char error_buffer[CURL_ERROR_SIZE] = {};
  class BulkPass* pass = nullptr;
};

class BulkPass {
 public:
  BulkPass(const FhirConfig& config, const sdk::HostApi& host, const sdk::Emitter& emitter,
           Checkpoint checkpoint, const std::function<bool()>& stop_requested)
      : config_(config),
        host_(host),
        emitter_(emitter),
        checkpoint_(std::move(checkpoint)),
        state_(checkpoint_.bulk),
        session_(config, host, stop_requested),
        resources_(host, emitter, config.max_line_bytes) {
    resources_.dropDuplicates(true);
  }

  Result<void> run() {
    if (state_.status_url.empty()) {
      if (Result<void> started = kickOff(); !started.ok()) return started;
    } else {
      host_.log(HEARTH_LOG_INFO, "fhir: resuming the export at " + state_.status_url);
    }
    auto manifest = awaitManifest();
    if (!manifest.ok()) return manifest.error();
    const std::string transaction_time = manifest->transaction_time;
    if (Result<void> downloaded = downloadPages(std::move(*manifest)); !downloaded.ok()) {
      return downloaded;
    }
    return finish(transaction_time);
  }

  // Called from libcurl while a download runs.
  size_t onBody(Download& download, std::string_view bytes);

 private:
  std::string exportUrl() const {
    if (config_.bulk.level == "patient") return config_.base_url + "/Patient/$export";
    if (config_.bulk.level == "group")
      return config_.base_url + "/Group/" + config_.bulk.group_id + "/$export";
    return config_.base_url + "/$export";
  }

  Result<void> kickOff() {
    const BulkConfig& bulk = config_.bulk;
    std::string types;
    for (const std::string& type : bulk.types) types += (types.empty() ? "" : ",") + type;
    const std::string since = state_.since.empty() ? bulk.since : state_.since;
    HttpRequest request = HttpRequest::get(exportUrl(), "application/fhir+json");
    request.method = bulk.method;
    request.headers.push_back("Prefer: respond-async");
    if (bulk.method == "POST") {
      nlohmann::json parameters = nlohmann::json::array();
      parameters.push_back({{"name", "_outputFormat"}, {"valueString", "application/fhir+ndjson"}});
      if (!types.empty()) parameters.push_back({{"name", "_type"}, {"valueString", types}});
      if (!since.empty()) parameters.push_back({{"name", "_since"}, {"valueInstant", since}});
      if (bulk.allow_partial_manifests) {
        parameters.push_back({{"name", "allowPartialManifests"}, {"valueBoolean", true}});
      }
      request.body =
          nlohmann::json{{"resourceType", "Parameters"}, {"parameter", parameters}}.dump();
      request.headers.push_back("Content-Type: application/fhir+json");
    } else {
      request.url += "?_outputFormat=" + urlEncode("application/fhir+ndjson");
      if (!types.empty()) request.url += "&_type=" + urlEncode(types);
      if (!since.empty()) request.url += "&_since=" + urlEncode(since);
      if (bulk.allow_partial_manifests) request.url += "&allowPartialManifests=true";
    }
    auto response = session_.send(request, true);
    if (!response.ok()) return response.error();
    const std::string location = response->header("content-location");
    if (response->status != 202 || location.empty()) {
      return failed("the export kick-off " + request.url + " was refused", *response);
    }
    forgetJob();
    state_.status_url = resolveUrl(request.url, location);
    state_.kicked_off_ms = host_.nowMs();
    host_.counterAdd("fhir_exports_started", 1);
    host_.log(HEARTH_LOG_INFO, "fhir: export started; polling " + state_.status_url +
                                   (since.empty() ? "" : " (changes since " + since + ")"));
    // The status URL is saved before anything else: a restart polls it instead of starting a
    // second export.
    if (const hearth_status saved = save(); saved != HEARTH_OK) return sdk::emitterRefused(saved);
    return {};
  }

  Error failed(const std::string& what, const HttpResponse& response) {
    const std::string outcome = outcomeText(response.body);
    return sdk::retryLater(what + " (" + response.describe() +
                           (outcome.empty() ? "" : ": " + outcome) + ")");
  }

  // Drops the job from the state; what the next export asks for (since) stays.
  void forgetJob() {
    const std::string since = state_.since;
    state_ = BulkState();
    state_.since = since;
  }

  bool pastDeadline() const {
    return host_.nowMs() - state_.kicked_off_ms >
           static_cast<int64_t>(config_.bulk.deadline_days * 86400000.0);
  }

  // Polls the status URL until the manifest comes, the export fails, or its deadline passes.
  Result<Manifest> awaitManifest() {
    for (int attempt = 0;; ++attempt) {
      if (pastDeadline()) {
        deleteJob();
        const std::string url = state_.status_url;
        forgetJob();
        save();
        host_.counterAdd("fhir_exports_abandoned", 1);
        return sdk::retryLater("the export at " + url + " did not complete within " +
                               std::to_string(config_.bulk.deadline_days) +
                               " days (bulk.deadline_days); it was deleted");
      }
      auto response = session_.send(HttpRequest::get(state_.status_url), true);
      if (!response.ok()) return response.error();
      if (response->status == 202) {
        reportProgress(response->header("x-progress"));
        if (Result<void> partial = downloadPartial(*response); !partial.ok())
          return partial.error();
        const double delay = session_.retryAfter(*response).value_or(session_.backoff(attempt));
        if (!session_.wait(delay)) return sdk::cancelled();
        continue;
      }
      if (response->status == 200) {
        auto manifest = parseManifest(response->body);
        if (!manifest.ok()) {
          host_.counterAdd("fhir_bad_manifests", 1);
          return sdk::retryLater(state_.status_url + ": " + manifest.error().message);
        }
        manifest_expires_ms_ = expiresMs(response->header("expires"));
        return manifest;
      }
      if (response->status == 404 || response->status == 410) {
        // The server forgot the job: the next read starts a new one.
        const std::string url = state_.status_url;
        forgetJob();
        save();
        return sdk::retryLater("the export at " + url + " is gone (" + response->describe() +
                               "); a new one starts at the next read");
      }
      const Error error = failed("the export at " + state_.status_url + " failed", *response);
      deleteJob();
      forgetJob();
      save();
      return error;
    }
  }

  int64_t expiresMs(const std::string& header) const {
    if (header.empty()) return 0;
    const time_t when = curl_getdate(header.c_str(), nullptr);
    return when < 0 ? 0 : static_cast<int64_t>(when) * 1000;
  }

  // A 202 that carries a manifest (allowPartialManifests): the files ready so far are downloaded
  // while the export goes on; the final manifest lists them again and they are skipped then.
  Result<void> downloadPartial(const HttpResponse& response) {
    if (!config_.bulk.allow_partial_manifests ||
        response.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      return {};
    }
    auto manifest = parseManifest(response.body);
    if (!manifest.ok()) {
      // Not fatal: the final manifest still lists every file.
      host_.counterAdd("fhir_bad_manifests", 1);
      host_.log(HEARTH_LOG_WARN, "fhir: ignoring the partial manifest at " + state_.status_url +
                                     ": " + manifest.error().message);
      return {};
    }
    manifest_expires_ms_ = expiresMs(response.header("expires"));
    host_.counterAdd("fhir_partial_manifests", 1);
    return downloadPages(std::move(*manifest));
  }

  // Downloads the files of `page`, then those of each page its `link` next leads to, one page at
  // a time: a long manifest is being processed before its last page is even asked for.
  Result<void> downloadPages(Manifest page) {
    for (int pages = 0;; ++pages) {
      if (Result<void> downloaded = downloadAll(page); !downloaded.ok()) return downloaded;
      if (page.next_url.empty()) return {};
      if (pages >= kMaxManifestPages) {
        return sdk::retryLater("the manifest at " + state_.status_url + " links more than " +
                               std::to_string(kMaxManifestPages) + " pages");
      }
      auto next = nextManifest(page.next_url);
      if (!next.ok()) return next.error();
      page = std::move(*next);
    }
  }

  Result<Manifest> nextManifest(const std::string& next) {
    auto response = session_.send(HttpRequest::get(resolveUrl(state_.status_url, next)), true);
    if (!response.ok()) return response.error();
    if (response->status != 200)
      return failed("the next manifest " + next + " is unavailable", *response);
    auto page = parseManifest(response->body);
    if (!page.ok()) return sdk::retryLater(next + ": " + page.error().message);
    return page;
  }

  Result<void> followNextManifests(Manifest& manifest) {
    std::string next = manifest.next_url;
    for (int pages = 0; !next.empty() && pages < kMaxManifestPages; ++pages) {
      auto page = nextManifest(next);
      if (!page.ok()) return page.error();
      for (std::vector<ManifestFile> Manifest::*list :
           {&Manifest::output, &Manifest::deleted, &Manifest::errors}) {
        (manifest.*list)
            .insert((manifest.*list).end(), ((*page).*list).begin(), ((*page).*list).end());
      }
      next = page->next_url;
    }
    manifest.next_url.clear();
    return {};
  }

  void reportProgress(const std::string& progress) {
    if (progress.empty()) return;
    if (const std::optional<uint64_t> percent = percentOf(progress)) {
      emitter_.progress(*percent, 100, "percent");
    }
    host_.log(HEARTH_LOG_DEBUG, "fhir: export in progress: " + progress);
  }

  std::vector<std::unique_ptr<Download>> plan(const Manifest& manifest) {
    const bool first_sight = state_.files.empty();
    if (first_sight) state_.transaction_time = manifest.transaction_time;
    std::vector<std::unique_ptr<Download>> downloads;
    const auto add = [&](const ManifestFile& file, FileKind kind) {
      auto download = std::make_unique<Download>();
      download->kind = kind;
      download->file = file;
      download->key = fileKey(file.url);
      download->url = resolveUrl(state_.status_url, file.url);
      download->send_token = manifest.requires_access_token;
      if (!file.type.empty() && kind == FileKind::kOutput) download->announced = {file.type};
      download->pass = this;
      DownloadProgress& progress = state_.files[download->key];
      download->progress = progress;
      if (!progress.done) downloads.push_back(std::move(download));
    };
    for (const ManifestFile& file : manifest.output) add(file, FileKind::kOutput);
    for (const ManifestFile& file : manifest.deleted) add(file, FileKind::kDeleted);
    for (const ManifestFile& file : manifest.errors) add(file, FileKind::kError);
    return downloads;
  }

  Result<void> downloadAll(const Manifest& manifest) {
    std::deque<std::unique_ptr<Download>> queue;
    for (auto& download : plan(manifest)) queue.push_back(std::move(download));
    if (const hearth_status saved = save(); saved != HEARTH_OK) return sdk::emitterRefused(saved);
    files_total_ += queue.size();
    CurlMulti multi(curl_multi_init());
    std::vector<std::unique_ptr<Download>> active;
    while (!queue.empty() || !active.empty()) {
      if (session_.stopRequested()) {
        save();
        return sdk::cancelled();
      }
      // Renewed links before any new transfer, once the old ones have expired.
      if (manifest_expires_ms_ > 0 && host_.nowMs() >= manifest_expires_ms_ && active.empty()) {
        if (Result<void> renewed = renewLinks(queue); !renewed.ok()) return renewed;
      }
      const int64_t now = host_.nowMs();
      for (auto it = queue.begin();
           it != queue.end() &&
           active.size() < static_cast<size_t>(config_.bulk.parallel_downloads);) {
        if ((*it)->not_before_ms > now) {
          ++it;
          continue;
        }
        if (Result<void> started = start(multi.get(), **it); !started.ok()) return started;
        active.push_back(std::move(*it));
        it = queue.erase(it);
      }
      int running = 0;
      curl_multi_perform(multi.get(), &running);
      if (emit_status_ != HEARTH_OK) return sdk::emitterRefused(emit_status_);
      int pending = 0;
      while (CURLMsg* message = curl_multi_info_read(multi.get(), &pending)) {
        if (message->msg != CURLMSG_DONE) continue;
        const auto found = std::find_if(active.begin(), active.end(), [&](const auto& download) {
          return download->handle.get() == message->easy_handle;
        });
        if (found == active.end()) continue;
        std::unique_ptr<Download> download = std::move(*found);
        active.erase(found);
        curl_multi_remove_handle(multi.get(), download->handle.get());
        auto next = finished(*download, message->data.result);
        if (!next.ok()) return next.error();
        if (*next == Next::kRequeue) queue.push_back(std::move(download));
      }
      if (emit_status_ != HEARTH_OK) return sdk::emitterRefused(emit_status_);
      if (running > 0 || !active.empty()) {
        curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
      } else if (!queue.empty()) {
        session_.wait(0.05);  // every file left waits for its retry time
      }
    }
    return {};
  }

  // After a 403 or 410 on a file, or past the manifest's Expires: the status URL hands out the
  // manifest again, with fresh links.
  Result<void> renewLinks(std::deque<std::unique_ptr<Download>>& queue) {
    host_.log(HEARTH_LOG_INFO,
              "fhir: the export's file links expired; fetching its manifest again");
    host_.counterAdd("fhir_manifest_refreshes", 1);
    auto response = session_.send(HttpRequest::get(state_.status_url), true);
    if (!response.ok()) return response.error();
    const bool partial =
        response->status == 202 && config_.bulk.allow_partial_manifests && !response->body.empty();
    if (response->status != 200 && !partial)
      return failed("the manifest at " + state_.status_url + " is unavailable", *response);
    auto manifest = parseManifest(response->body);
    if (!manifest.ok()) return sdk::retryLater(state_.status_url + ": " + manifest.error().message);
    if (Result<void> more = followNextManifests(*manifest); !more.ok()) return more;
    manifest_expires_ms_ = expiresMs(response->header("expires"));
    if (manifest_expires_ms_ != 0 && manifest_expires_ms_ <= host_.nowMs()) {
      // Fresh links that claim to be expired already: the server's clock is off. Trying them
      // beats asking again forever; a refusal still renews them.
      host_.log(HEARTH_LOG_WARN, "fhir: the renewed manifest at " + state_.status_url +
                                     " expires in the past; using its links anyway");
      manifest_expires_ms_ = 0;
    }
    for (auto& download : queue) {
      for (const auto* list : {&manifest->output, &manifest->deleted, &manifest->errors}) {
        for (const ManifestFile& file : *list) {
          if (fileKey(file.url) == download->key) {
            download->url = resolveUrl(state_.status_url, file.url);
            download->redirects = 0;
          }
        }
      }
    }
    return {};
  }

  Result<void> start(CURLM* multi, Download& download) {
    download.handle.reset(curl_easy_init());
    CURL* handle = download.handle.get();
    configureHandle(handle, config_, session_.http().keyPassword());
    curl_easy_setopt(handle, CURLOPT_URL, download.url.c_str());
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_slist* headers = curl_slist_append(nullptr, "Accept: application/fhir+ndjson");
    // The token goes only to the server that asked for it, never to where a redirect leads.
    if (download.send_token && download.redirects == 0) {
      auto header = session_.authoriser().header();
      if (!header.ok()) return sdk::retryLater(header.error().message);
      if (!header->empty()) {
        download.authorization = "Authorization: " + *header;
        headers = curl_slist_append(headers, download.authorization.c_str());
      }
    }
    download.headers.reset(headers);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    download.response_headers.clear();
    download.status = 0;
    download.error_body.clear();
    download.resources_seen = 0;
    download.error_buffer[0] = '\0';
    download.lines = std::make_unique<LineSplitter>(config_.max_line_bytes);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, collectHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &download.response_headers);
    curl_easy_setopt(
        handle, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* context) {
          auto* download = static_cast<Download*>(context);
          return download->pass->onBody(*download, std::string_view(data, size * count));
        });
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &download);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, download.error_buffer);
    ++download.attempts;
    curl_multi_add_handle(multi, handle);
    return {};
  }

  hearth_status lineOf(Download& download, const Line& line) {
    if (line.text.find_first_not_of(" \t") != std::string_view::npos || line.too_long) {
      ++download.resources_seen;
    }
    if (line.number < download.progress.next_line) return HEARTH_OK;  // emitted before
    hearth_status status = HEARTH_OK;
    switch (download.kind) {
      case FileKind::kOutput:
        status = resources_.resourceLine(line, download.key, download.announced);
        break;
      case FileKind::kDeleted:
        status = resources_.deletedLine(line, download.key);
        break;
      case FileKind::kError:
        status = exportError(download, line);
        break;
    }
    if (status != HEARTH_OK) return status;
    download.progress.next_line = line.number + 1;
    if (++lines_since_checkpoint_ >= config_.checkpoint_every) {
      lines_since_checkpoint_ = 0;
      state_.files[download.key] = download.progress;
      return save();
    }
    return HEARTH_OK;
  }

  // A line of an error file: an OperationOutcome about something the server could not export.
  hearth_status exportError(Download& download, const Line& line) {
    if (line.text.find_first_not_of(" \t") == std::string_view::npos) return HEARTH_OK;
    const std::string text = outcomeText(line.text);
    const std::string location = download.key + ":" + std::to_string(line.number);
    host_.counterAdd("fhir_export_errors", 1);
    return resources_.reject("OperationOutcome", "fhir.export_error",
                             text.empty() ? "the server reported an export error" : text, location,
                             line.text);
  }

  enum class Next { kDone, kRequeue };

  Result<Next> finished(Download& download, CURLcode result) {
    curl_easy_getinfo(download.handle.get(), CURLINFO_RESPONSE_CODE, &download.status);
    const long status = download.status;
    if (result == CURLE_OK && status == 200) {
      download.lines->finish([&](const Line& line) {
        emit_status_ = lineOf(download, line);
        return emit_status_ == HEARTH_OK;
      });
      if (emit_status_ != HEARTH_OK) return sdk::emitterRefused(emit_status_);
      return complete(download);
    }
    if (result == CURLE_OK && status >= 300 && status < 400 &&
        download.response_headers.count("location") != 0) {
      if (++download.redirects > kMaxRedirects) {
        return fileFailed(download, "fhir.file_unavailable", "too many redirects");
      }
      download.url = resolveUrl(download.url, download.response_headers["location"]);
      return Next::kRequeue;
    }
    if (result == CURLE_OK && status == 401 && download.send_token && !download.reauthorised &&
        session_.authoriser().invalidate()) {
      download.reauthorised = true;
      host_.log(HEARTH_LOG_INFO, "fhir: " + download.key + " answered 401; obtaining a new token");
      return Next::kRequeue;
    }
    if (result == CURLE_OK && (status == 403 || status == 410)) {
      // An expired link: a fresh manifest renews it, once per file.
      if (download.attempts > config_.bulk.transient_retries + 1) {
        return fileFailed(download, "fhir.file_unavailable",
                          "its link stays refused (HTTP " + std::to_string(status) + ")");
      }
      manifest_expires_ms_ = 1;  // forces renewLinks before the next start
      download.redirects = 0;
      return Next::kRequeue;
    }
    if (result == CURLE_OK && status == 404) {
      return fileFailed(download, "fhir.file_unavailable",
                        "the manifest names a file the server does not have (HTTP 404)");
    }
    // Transient: 429, 5xx, a cut or stalled body, a connection lost.
    const std::string why =
        result != CURLE_OK
            ? std::string(curl_easy_strerror(result)) +
                  (download.error_buffer[0] ? std::string(": ") + download.error_buffer : "")
            : "HTTP " + std::to_string(status);
    if (download.attempts > config_.bulk.transient_retries) {
      state_.files[download.key] = download.progress;
      save();
      return sdk::retryLater("the export file " + download.key + " could not be downloaded (" +
                             why + "); the next read resumes it");
    }
    HttpResponse answer;
    answer.headers = download.response_headers;
    const double delay =
        session_.retryAfter(answer).value_or(session_.backoff(download.attempts - 1));
    host_.counterAdd("fhir_download_retries", 1);
    host_.log(HEARTH_LOG_WARN, "fhir: downloading " + download.key + " failed (" + why +
                                   "); retrying after line " +
                                   std::to_string(download.progress.next_line - 1) + " in " +
                                   std::to_string(static_cast<int64_t>(delay * 1000)) + " ms");
    download.not_before_ms = host_.nowMs() + static_cast<int64_t>(delay * 1000);
    download.redirects = 0;
    return Next::kRequeue;
  }

  Result<Next> complete(Download& download) {
    if (download.file.count && *download.file.count != download.resources_seen &&
        download.kind == FileKind::kOutput) {
      const std::string message = "the manifest announced " + std::to_string(*download.file.count) +
                                  " resources, the file holds " +
                                  std::to_string(download.resources_seen) + " lines";
      emit_status_ =
          resources_.reject(download.file.type, "fhir.count_mismatch", message, download.key);
      host_.log(HEARTH_LOG_WARN, "fhir: " + download.key + ": " + message);
      if (emit_status_ != HEARTH_OK) return sdk::emitterRefused(emit_status_);
    }
    download.progress.done = true;
    state_.files[download.key] = download.progress;
    ++files_done_;
    emitter_.progress(files_done_, files_total_, "files");
    if (const hearth_status saved = save(); saved != HEARTH_OK) return sdk::emitterRefused(saved);
    return Next::kDone;
  }

  Result<Next> fileFailed(Download& download, std::string_view reason, const std::string& why) {
    const std::string message = "cannot download " + download.key + ": " + why;
    host_.log(HEARTH_LOG_ERROR, "fhir: " + message);
    emit_status_ = resources_.reject(download.file.type, reason, message, download.key);
    if (emit_status_ != HEARTH_OK) return sdk::emitterRefused(emit_status_);
    return complete(download);
  }

  void deleteJob() {
    HttpRequest request = HttpRequest::get(state_.status_url);
    request.method = "DELETE";
    auto response = session_.send(request, true);
    if (response.ok() && !response->ok() && response->status != 404) {
      host_.log(HEARTH_LOG_WARN, "fhir: deleting the export at " + state_.status_url +
                                     " failed: " + response->describe());
    }
  }

  Result<void> finish(const std::string& transaction_time) {
    deleteJob();
    host_.log(HEARTH_LOG_INFO, "fhir: export complete: " + std::to_string(resources_.records()) +
                                   " records, " + std::to_string(resources_.rejects()) +
                                   " rejects; the next export asks for changes since " +
                                   transaction_time);
    const std::string since =
        state_.transaction_time.empty() ? transaction_time : state_.transaction_time;
    forgetJob();
    state_.since = since;
    host_.counterAdd("fhir_exports_completed", 1);
    if (const hearth_status saved = save(); saved != HEARTH_OK) return sdk::emitterRefused(saved);
    return {};
  }

  hearth_status save() {
    checkpoint_.bulk = state_;
    return emitter_.checkpoint(checkpoint_.serialize());
  }

  const FhirConfig& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Checkpoint checkpoint_;
  BulkState state_;
  FhirSession session_;
  ResourceEmitter resources_;
  int64_t manifest_expires_ms_ = 0;
  hearth_status emit_status_ = HEARTH_OK;
  uint64_t lines_since_checkpoint_ = 0;
  uint64_t files_done_ = 0;
  uint64_t files_total_ = 0;
};

size_t BulkPass::onBody(Download& download, std::string_view bytes) {
  if (download.status == 0) {
    curl_easy_getinfo(download.handle.get(), CURLINFO_RESPONSE_CODE, &download.status);
  }
  if (download.status != 200) {
    if (download.error_body.size() < kMaxErrorBody) {
      download.error_body.append(bytes.substr(0, kMaxErrorBody - download.error_body.size()));
    }
    return bytes.size();
  }
  const bool carry_on = download.lines->feed(bytes, [&](const Line& line) {
    emit_status_ = lineOf(download, line);
    return emit_status_ == HEARTH_OK;
  });
  return carry_on ? bytes.size() : 0;  // 0 aborts the transfer: the host said stop
}

}  // namespace

Result<void> runBulkExport(const FhirConfig& config, const sdk::HostApi& host,
                           const sdk::Emitter& emitter, Checkpoint checkpoint,
                           const std::function<bool()>& stop_requested) {
  BulkPass pass(config, host, emitter, std::move(checkpoint), stop_requested);
  return pass.run();
}

}  // namespace hearth::connectors::fhir
