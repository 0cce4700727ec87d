#include "daemon/admin/status_page.hpp"

#include <gtest/gtest.h>

namespace hearth::admin {
namespace {

using nlohmann::json;

json sampleStatus() {
  return {{"version", "0.9.0"},
          {"generated_at", "2026-12-02T01:00:00.000Z"},
          {"ready", false},
          {"readiness", "kafka unavailable"},
          {"connectors", json::array({{{"name", "trust_903"},
                                       {"plugin", "ssda903"},
                                       {"state", "backoff"},
                                       {"records", 1200},
                                       {"rejects", 3},
                                       {"restarts", 2},
                                       {"last_success", "2026-12-02T00:59:00.000Z"},
                                       {"last_error", "cannot open <episodes.csv> & \"more\""},
                                       {"last_error_at", "2026-12-02T00:59:30.000Z"},
                                       {"last_checkpoint", "2026-12-02T00:58:00.000Z"},
                                       {"checkpoint_age_seconds", 120.25}}})},
          {"derive",
           {{"last_success", "2026-12-02T00:59:10.000Z"},
            {"duration_seconds", 4.5},
            {"persons", 812},
            {"review_pairs", 7},
            {"canonical_records", 5400}}},
          {"spool",
           {{"bytes", 3 * 1024 * 1024},
            {"limit_bytes", 1073741824},
            {"spooling", true},
            {"kafka_available", false}}},
          {"indicators_table", "cla_count  2024/25  E06000062  123\n"}};
}

TEST(StatusPage, ShowsReadinessConnectorsDeriveSpoolAndIndicators) {
  const std::string page = renderStatusPage(sampleStatus());
  for (const char* expected :
       {"Not ready: kafka unavailable", "trust_903", "backoff", "1200", "2026-12-02T00:59:00.000Z",
        "120.2 s ago", "4.5 s", "812", "3.0 MiB of 1.0 GiB", "events are waiting there",
        "unreachable", "cla_count  2024/25  E06000062  123"}) {
    EXPECT_NE(page.find(expected), std::string::npos) << expected;
  }
}

TEST(StatusPage, EscapesEverythingItShowsAndNeedsNothingFromElsewhere) {
  const std::string page = renderStatusPage(sampleStatus());
  EXPECT_NE(page.find("cannot open &lt;episodes.csv&gt; &amp; &quot;more&quot;"),
            std::string::npos);
  EXPECT_EQ(page.find("<episodes.csv>"), std::string::npos);
  for (const char* forbidden : {"<script", "http://", "https://", "src=", "<link", "@import"}) {
    EXPECT_EQ(page.find(forbidden), std::string::npos) << forbidden;
  }
}

TEST(StatusPage, ShowsADashForWhatItDoesNotKnow) {
  const std::string page = renderStatusPage({{"ready", true}});
  EXPECT_NE(page.find("Ready: taking and publishing data"), std::string::npos);
  EXPECT_NE(page.find("No connector is running."), std::string::npos);
  EXPECT_NE(page.find("<dt>Persons</dt><dd>-</dd>"), std::string::npos);
  EXPECT_NE(page.find("No indicator values yet."), std::string::npos);
}

}  // namespace
}  // namespace hearth::admin
