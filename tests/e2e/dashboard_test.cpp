// The shipped Grafana dashboard works against a real hearthd: every panel's PromQL parses (as
// promtool reads it), and every metric it names is on the daemon's live /metrics, so no panel
// stays empty for a misspelt or renamed metric.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct PanelQuery {
  std::string panel;
  std::string expr;
};

void collectQueries(const json& panels, std::vector<PanelQuery>& out) {
  for (const json& panel : panels) {
    for (const json& target : panel.value("targets", json::array())) {
      if (target.contains("expr")) out.push_back({panel.value("title", ""), target.at("expr")});
    }
    if (panel.contains("panels")) collectQueries(panel.at("panels"), out);  // inside rows
  }
}

// Grafana's template variables, as a single-instance Prometheus would see them.
std::string withVariables(std::string expr) {
  expr = replaceAll(expr, "$job", "hearthd");
  return replaceAll(expr, "$instance", ".*");
}

// The metric names a PromQL expression selects: identifiers outside label matchers, ranges,
// strings and grouping clauses that are neither functions nor keywords.
std::set<std::string> metricNames(std::string expr) {
  static const std::regex kStrings(R"("(?:[^"\\]|\\.)*")");
  static const std::regex kMatchers(R"(\{[^}]*\})");
  static const std::regex kRanges(R"(\[[^\]]*\])");
  static const std::regex kGrouping(
      R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))");
  static const std::regex kIdentifier(R"([A-Za-z_:][A-Za-z0-9_:]*)");
  static const std::set<std::string> kKeywords = {"and", "or", "unless", "bool", "offset"};
  expr = std::regex_replace(expr, kStrings, " ");
  expr = std::regex_replace(expr, kMatchers, " ");
  expr = std::regex_replace(expr, kRanges, " ");
  expr = std::regex_replace(expr, kGrouping, " ");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kIdentifier);
       it != std::sregex_iterator(); ++it) {
    const size_t after = static_cast<size_t>(it->position() + it->length());
    const size_t next = expr.find_first_not_of(' ', after);
    if (next != std::string::npos && expr[next] == '(') continue;  // a function
    if (it->position() > 0 && std::isdigit(static_cast<unsigned char>(expr[it->position() - 1]))) {
      continue;  // the exponent or unit of a number
    }
    if (!kKeywords.contains(it->str())) names.insert(it->str());
  }
  return names;
}

TEST(Dashboard, MetricNamesAreFoundInPromQl) {
  EXPECT_EQ(metricNames(R"(histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="y"}[5m]))))"),
            std::set<std::string>{"a_bucket"});
  EXPECT_EQ(metricNames(R"((time() - b{i=~"$instance"} > 3600) and on (job) c_total > 0)"),
            (std::set<std::string>{"b", "c_total"}));
}

TEST(Dashboard, EveryPanelQueryParsesAndNamesOnlyMetricsTheDaemonExposes) {
  const json dashboard =
      json::parse(readFile(std::filesystem::path(HEARTH_SOURCE_DIR) / "ops/grafana/hearth.json"));
  std::vector<PanelQuery> queries;
  collectQueries(dashboard.at("panels"), queries);
  ASSERT_GE(queries.size(), 20u);

  // promtool parses each query as a recording rule's expression.
  TempDir dir;
  const auto rules = dir.path() / "dashboard-rules.yml";
  {
    std::ofstream out(rules);
    out << "groups:\n  - name: dashboard\n    rules:\n";
    for (size_t i = 0; i < queries.size(); ++i) {
      out << "      - record: dashboard:query_" << i
          << "\n        expr: " << json(withVariables(queries[i].expr)).dump() << "\n";
    }
  }
  ChildProcess check(HEARTH_PROMTOOL_PATH, {"check", "rules", rules.string()}, dir.path(),
                     "promtool");
  ASSERT_EQ(check.wait(60s), 0) << check.stdoutText() << check.stderrText();

  // A daemon that has read, rejected, restarted a connector and reported Kafka statistics.
  const auto data = dir.path() / "data";
  std::filesystem::create_directories(data);
  writeReferralsCsv(data / "referrals_1.csv", 0, 20);
  std::ofstream(data / "referrals_1.csv", std::ios::app) << "a row,with too few columns\n";
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("front_door", data);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  ASSERT_TRUE(daemon.waitCaughtUp(60s));
  ASSERT_EQ(httpRequest(daemon.adminPort(), "POST", "/api/v1/connectors/front_door/restart",
                        "test-admin-token")
                .status,
            200);
  ASSERT_TRUE(daemon.waitCaughtUp(60s));

  std::set<std::string> missing;
  std::string metrics;
  for (int attempt = 0; attempt < 40; ++attempt) {  // librdkafka's statistics come every 5 s
    metrics = httpGet(daemon.adminPort(), "/metrics").body;
    std::set<std::string> exposed;
    std::istringstream lines(metrics);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] == '#') continue;
      exposed.insert(line.substr(0, line.find_first_of("{ ")));
    }
    missing.clear();
    for (const PanelQuery& query : queries) {
      const auto names = metricNames(query.expr);
      EXPECT_FALSE(names.empty()) << query.panel << ": " << query.expr;
      for (const std::string& name : names) {
        if (!exposed.contains(name)) missing.insert(name + " (panel " + query.panel + ")");
      }
    }
    if (missing.empty()) break;
    std::this_thread::sleep_for(500ms);
  }
  for (const std::string& name : missing) ADD_FAILURE() << "not on /metrics: " << name;
  if (!missing.empty()) std::cout << metrics;
}

}  // namespace
}  // namespace hearth::testing
