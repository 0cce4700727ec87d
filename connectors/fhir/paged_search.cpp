#include "connectors/fhir/paged_search.hpp"

#include <algorithm>
#include <ctime>
#include <string>

#include "common/source_timestamp.hpp"
#include "common/time_zone.hpp"
#include "connectors/fhir/fhir_session.hpp"
#include "connectors/fhir/ndjson_reader.hpp"
#include "connectors/fhir/resource_emitter.hpp"

namespace hearth::connectors::fhir {
namespace {

constexpr int64_t kDayMs = 86400000;

std::string isoInstant(int64_t ms) {
  const time_t seconds = static_cast<time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

class SearchPass {
 public:
  SearchPass(const FhirConfig& config, const sdk::HostApi& host, const sdk::Emitter& emitter,
             Checkpoint checkpoint, const std::function<bool()>& stop_requested)
      : config_(config),
        host_(host),
        emitter_(emitter),
        checkpoint_(std::move(checkpoint)),
        session_(config, host, stop_requested),
        resources_(host, emitter, config.max_line_bytes) {}

  Result<void> run() {
    // Everything up to the start of this pass; later changes belong to the next one.
    const int64_t until_ms = host_.nowMs() / 1000 * 1000;
    for (const std::string& type : config_.search.types) {
      if (Result<void> searched = searchType(type, until_ms); !searched.ok()) return searched;
    }
    return {};
  }

 private:
  Result<void> searchType(const std::string& type, int64_t until_ms) {
    SearchState& state = checkpoint_.search[type];
    if (state.window_start.empty()) state.window_start = config_.search.start;
    const std::optional<int64_t> start =
        parseSourceTimestampMs(state.window_start, TimeZone::utc());
    if (!start)
      return makeError("fhir.search", "search.start is not a timestamp: " + state.window_start);
    int64_t window_start = *start;
    while (window_start < until_ms) {
      const int64_t window_end =
          std::min(until_ms, window_start + config_.search.window_days * kDayMs);
      const std::string first_page = config_.base_url + "/" + type +
                                     "?_lastUpdated=" + urlEncode("ge" + isoInstant(window_start)) +
                                     "&_lastUpdated=" + urlEncode("lt" + isoInstant(window_end)) +
                                     "&_count=" + std::to_string(config_.search.page_size);
      for (;;) {
        if (session_.stopRequested()) return sdk::cancelled();
        const std::string url = state.next_url.empty() ? first_page : state.next_url;
        auto response = session_.send(HttpRequest::get(url, "application/fhir+json"), true);
        if (!response.ok()) return response.error();
        if ((response->status == 404 || response->status == 410) && !state.next_url.empty()) {
          host_.log(HEARTH_LOG_WARN, "fhir: the " + type + " search page link expired (" +
                                         response->describe() + "); restarting its window at " +
                                         state.window_start);
          host_.counterAdd("fhir_search_windows_restarted", 1);
          state.next_url.clear();
          continue;
        }
        if (!response->ok()) {
          const std::string outcome = outcomeText(response->body);
          return sdk::retryLater("the search " + url + " failed (" + response->describe() +
                                 (outcome.empty() ? "" : ": " + outcome) + ")");
        }
        SearchPage page;
        if (!parser_.searchPage(response->body, page)) {
          return sdk::retryLater("the search " + url + ": " + parser_.message());
        }
        for (size_t i = 0; i < page.resources.size(); ++i) {
          const std::string location = url + ":" + std::to_string(i + 1);
          if (const hearth_status status = resources_.resource(page.resources[i], location);
              status != HEARTH_OK) {
            return sdk::emitterRefused(status);
          }
        }
        state.next_url = page.next_url;
        if (state.next_url.empty()) break;
        if (const hearth_status saved = save(); saved != HEARTH_OK)
          return sdk::emitterRefused(saved);
      }
      window_start = window_end;
      state.window_start = isoInstant(window_start);
      if (const hearth_status saved = save(); saved != HEARTH_OK) return sdk::emitterRefused(saved);
    }
    return {};
  }

  hearth_status save() { return emitter_.checkpoint(checkpoint_.serialize()); }

  const FhirConfig& config_;
  const sdk::HostApi& host_;
  const sdk::Emitter& emitter_;
  Checkpoint checkpoint_;
  FhirSession session_;
  ResourceEmitter resources_;
  ResourceParser parser_;
};

}  // namespace

Result<void> runPagedSearch(const FhirConfig& config, const sdk::HostApi& host,
                            const sdk::Emitter& emitter, Checkpoint checkpoint,
                            const std::function<bool()>& stop_requested) {
  SearchPass pass(config, host, emitter, std::move(checkpoint), stop_requested);
  return pass.run();
}

}  // namespace hearth::connectors::fhir
