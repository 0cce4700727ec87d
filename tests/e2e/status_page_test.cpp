// What staff and consumers reach on the admin server without Grafana or Hearth's code: the status
// page at / as a real browser (headless Chromium) renders it, and the event schemas that every
// event's dataschema names.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/common/csv_fixture.hpp"
#include "tests/common/http_get.hpp"
#include "tests/e2e/daemon_harness.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kRows = 30;

// Chromium as a council's staff would open the page, headless. The page holds no script (the
// unit tests check that), so what Chromium renders is what a browser without JavaScript shows.
int chromium(const std::vector<std::string>& extra, const std::filesystem::path& dir,
             const std::string& name, std::string* dom = nullptr) {
  std::vector<std::string> args = {"--headless", "--no-sandbox", "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--user-data-dir=" + (dir / ("profile-" + name)).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  ChildProcess browser(HEARTH_CHROMIUM_PATH, args, dir, name);
  const auto status = browser.wait(120s);
  if (dom != nullptr) *dom = browser.stdoutText();
  return status.value_or(-1);
}

TEST(StatusPage, ChromiumShowsReadinessConnectorsAndIndicatorsWithoutPersonalData) {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::filesystem::create_directories(data);
  writeReferralsCsv(data / "referrals_1.csv", 0, kRows);
  DaemonOptions options;
  options.connectors_yaml = referralsConnectorYaml("front_door", data);
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  ASSERT_TRUE(daemon.waitCaughtUp(60s));
  const std::string url = "http://127.0.0.1:" + std::to_string(daemon.adminPort()) + "/";

  const auto page = httpGet(daemon.adminPort(), "/");
  ASSERT_EQ(page.status, 200);

  std::string dom;
  ASSERT_EQ(chromium({"--dump-dom", url}, dir.path(), "dom", &dom), 0);
  for (const char* expected : {"<title>Hearth status</title>", "Ready: taking and publishing data",
                               "front_door", "csv", "Connectors", "Identity and indicators",
                               "Kafka and the disk spool", "reachable", "Indicators"}) {
    EXPECT_NE(dom.find(expected), std::string::npos) << expected << " not in:\n" << dom;
  }
  EXPECT_NE(dom.find(">" + std::to_string(kRows) + "<"), std::string::npos) << "the records read:\n"
                                                                            << dom;
  for (uint64_t row = 0; row < kRows; ++row) {
    ASSERT_EQ(dom.find(nhsNumberForRow(row)), std::string::npos) << "an NHS number on the page";
  }
  for (const char* name : {"Olivia", "Smith", "referral_id"}) {
    EXPECT_EQ(dom.find(name), std::string::npos) << name << " on the page";
  }

  // The screenshot is kept with the build's test artefacts for a person to look at.
  const auto artefacts = std::filesystem::path(HEARTH_TEST_ARTEFACT_DIR);
  std::filesystem::create_directories(artefacts);
  const auto screenshot = artefacts / "status_page.png";
  std::filesystem::remove(screenshot);
  ASSERT_EQ(chromium({"--window-size=1280,900", "--screenshot=" + screenshot.string(), url},
                     dir.path(), "screenshot"),
            0);
  ASSERT_TRUE(std::filesystem::exists(screenshot));
  EXPECT_GT(std::filesystem::file_size(screenshot), 10'000u) << "a page, not a blank";
  EXPECT_EQ(readFile(screenshot).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(StatusPage, ServesTheEventSchemasThatDataschemaNames) {
  TempDir dir;
  DaemonOptions options;
  options.connectors_yaml = "  []\n";
  Daemon daemon(writeDaemonConfig(dir.path(), options), dir.path(), "daemon");
  ASSERT_TRUE(daemon.waitReady(30s));
  const auto index = httpGet(daemon.adminPort(), "/schemas/");
  ASSERT_EQ(index.status, 200);
  const auto names = nlohmann::json::parse(index.body).at("schemas");
  EXPECT_GE(names.size(), 8u) << index.body;
  for (const auto& name : names) {
    const auto schema = httpGet(daemon.adminPort(), "/schemas/" + name.get<std::string>());
    ASSERT_EQ(schema.status, 200) << name;
    EXPECT_EQ(schema.body, readFile(std::filesystem::path(HEARTH_SOURCE_DIR) / "config/schemas" /
                                    name.get<std::string>()))
        << name;
  }
  EXPECT_FALSE(names.dump().find("hearthd.config") != std::string::npos)
      << "the config schema is not an event schema";
  EXPECT_EQ(httpGet(daemon.adminPort(), "/schemas/hearth.nothing.v9.json").status, 404);
  EXPECT_EQ(httpGet(daemon.adminPort(), "/nothing-here").status, 404);
}

}  // namespace
}  // namespace hearth::testing
