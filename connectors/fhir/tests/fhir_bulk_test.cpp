// The Bulk Data export client against the FHIR test server, one fault at a time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "connectors/common/tests/connector_test_support.hpp"
#include "connectors/fhir/tests/fhir_test_keys.hpp"
#include "tests/tools/fhir_test_server.hpp"

namespace hearth::connectors::fhir {
namespace {

using connectors::testing::CollectingSink;
using connectors::testing::PluginHarness;
using hearth::testing::FhirFaults;
using hearth::testing::FhirServerOptions;
using hearth::testing::FhirTestServer;

std::string patient(int i, const std::string& updated = "2024-05-01T00:00:00Z") {
  return R"({"resourceType":"Patient","id":"p)" + std::to_string(i) +
         R"(","meta":{"lastUpdated":")" + updated + R"("},"gender":"female"})";
}
std::string encounter(int i) {
  return R"({"resourceType":"Encounter","id":"e)" + std::to_string(i) +
         R"(","meta":{"lastUpdated":"2024-05-02T00:00:00Z"},"status":"finished"})";
}

// A sink that asks the connector to stop once it has `limit` records.
class StoppingSink : public CollectingSink {
 public:
  explicit StoppingSink(size_t limit) : limit_(limit) {}
  hearth_status onRecord(const hearth_record& record) override {
    if (records.size() >= limit_) return HEARTH_CANCELLED;
    return CollectingSink::onRecord(record);
  }

 private:
  size_t limit_;
};

class FhirBulkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keys_ = new testing::KeyPair(testing::makeKeyPair("RSA")); }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    data_ = std::filesystem::path(::testing::TempDir()) /
            ("fhir_bulk_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(data_);
    std::filesystem::create_directories(data_);
    std::string patients, encounters;
    for (int i = 0; i < 300; ++i) patients += patient(i) + "\n";
    for (int i = 0; i < 500; ++i) encounters += encounter(i) + "\r\n";
    write("Patient.000.ndjson", patients);
    write("Encounter.000.ndjson", encounters);
    harness_.secrets["env:FHIR_KEY"] = keys_->private_pem;
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(data_);
  }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(data_ / name, std::ios::binary | std::ios::trunc) << content;
  }

  void serve(FhirFaults faults, std::filesystem::path data = {}) {
    FhirServerOptions options;
    options.data = data.empty() ? data_ : data;
    options.client_id = "hearth-test";
    options.public_key_pem = keys_->public_pem;
    options.faults = faults;
    server_ = std::make_unique<FhirTestServer>(options);
  }

  std::string config(
      const std::string& extra = "",
      const std::string& auth =
          R"({"type": "smart_backend", "client_id": "hearth-test", "private_key_secret": "env:FHIR_KEY"})")
      const {
    return R"({"mode": "bulk", "base_url": ")" + server_->baseUrl() + R"(", "auth": )" + auth +
           R"(, "bulk": {"poll_min_s": 0, "poll_max_s": 1, "transient_retries": 3)" +
           (extra.empty() ? "" : ", " + extra) + "}}";
  }

  // Reads with a fresh instance and returns the sink; `ok` says whether read() succeeded.
  CollectingSink read(const std::string& checkpoint, const std::string& config_json, bool* ok,
                      std::string* error = nullptr) {
    CollectingSink sink;
    auto instance = harness_.connect(config_json);
    if (instance == nullptr) return sink;
    auto outcome = instance->read(checkpoint, sink);
    *ok = outcome.ok();
    if (!outcome.ok() && error != nullptr) *error = outcome.error().message;
    return sink;
  }
  CollectingSink readAll(const std::string& checkpoint = "", const std::string& extra = "") {
    bool ok = false;
    std::string error;
    CollectingSink sink = read(checkpoint, config(extra), &ok, &error);
    EXPECT_TRUE(ok) << error;
    return sink;
  }

  static std::set<std::string> distinctKeys(const CollectingSink& sink) {
    std::set<std::string> keys;
    for (const auto& record : sink.records) keys.insert(record.key);
    return keys;
  }

  void expectEverything(const CollectingSink& sink) {
    EXPECT_EQ(sink.streamCounts(),
              (std::map<std::string, size_t>{{"Encounter", 500}, {"Patient", 300}}));
    EXPECT_EQ(distinctKeys(sink).size(), 800u) << "each resource exactly once";
  }

  static testing::KeyPair* keys_;
  std::filesystem::path data_;
  PluginHarness harness_{HEARTH_FHIR_PLUGIN};
  std::unique_ptr<FhirTestServer> server_;
};

testing::KeyPair* FhirBulkTest::keys_ = nullptr;

TEST_F(FhirBulkTest, ExportsEveryFileDeletesTheJobAndAsksForChangesSinceNextTime) {
  serve({});
  CollectingSink first = readAll();
  expectEverything(first);
  EXPECT_TRUE(first.rejects.empty());
  const auto stats = server_->stats();
  EXPECT_EQ(stats.kickoffs, 1);
  EXPECT_EQ(stats.deletes, 1);
  EXPECT_EQ(stats.tokens_issued, 1) << "one token serves the whole export";
  EXPECT_EQ(stats.kickoff_targets.front().find("_since"), std::string::npos);
  const auto last = nlohmann::json::parse(first.checkpoints.back());
  EXPECT_EQ(last["bulk"]["since"], "2024-06-01T12:00:00Z");
  EXPECT_EQ(last["bulk"]["status_url"], "");
  const auto* record = first.find("Patient", "Patient/p7");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->field("resource"), patient(7));
  EXPECT_EQ(record->field("last_updated"), "2024-05-01T00:00:00Z");
  EXPECT_TRUE(record->location.find("/files/Patient.000.ndjson:8") != std::string::npos)
      << record->location;

  readAll(first.checkpoints.back());
  const auto again = server_->stats();
  ASSERT_EQ(again.kickoffs, 2);
  EXPECT_NE(again.kickoff_targets[1].find("_since=2024-06-01T12%3A00%3A00Z"), std::string::npos)
      << again.kickoff_targets[1];
}

TEST_F(FhirBulkTest, KicksOffWithAPostedParametersResource) {
  serve({});
  readAll(
      "",
      R"("method": "POST", "types": ["Patient", "Encounter"], "since": "2024-01-01T00:00:00Z")");
  const auto stats = server_->stats();
  ASSERT_EQ(stats.kickoffs, 1);
  const auto body = nlohmann::json::parse(stats.kickoff_targets[0].substr(5));
  EXPECT_EQ(body["resourceType"], "Parameters");
  EXPECT_EQ(body["parameter"][1]["valueString"], "Patient,Encounter");
  EXPECT_EQ(body["parameter"][2]["valueInstant"], "2024-01-01T00:00:00Z");
}

TEST_F(FhirBulkTest, WaitsOutA429WithRetryAfterInSeconds) {
  FhirFaults faults;
  faults.kickoff_429 = 1;
  faults.status_429 = 1;
  faults.retry_after_s = 1;
  serve(faults);
  const auto start = std::chrono::steady_clock::now();
  expectEverything(readAll());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500))
      << "two 429s and one 202, each asking for a second";
  EXPECT_EQ(server_->stats().kickoffs, 1);
}

TEST_F(FhirBulkTest, WaitsOutARetryAfterGivenAsAnHttpDate) {
  FhirFaults faults;
  faults.status_429 = 1;
  faults.retry_after_date = true;
  faults.retry_after_s = 1;
  serve(faults);
  const auto start = std::chrono::steady_clock::now();
  expectEverything(readAll());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST_F(FhirBulkTest, RetriesATransientOperationOutcomeAndA503WithinTheBudget) {
  FhirFaults faults;
  faults.status_transient_outcome = 2;
  faults.status_503 = 1;
  serve(faults);
  expectEverything(readAll());
  EXPECT_GE(harness_.counters["fhir_request_retries"], 3);
}

TEST_F(FhirBulkTest, AFatalOperationOutcomeFailsTheExportWithOneClearErrorAndDeletesIt) {
  FhirFaults faults;
  faults.status_fatal_outcome = true;
  serve(faults);
  bool ok = true;
  std::string error;
  CollectingSink sink = read("", config(), &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("the export failed"), std::string::npos) << error;
  EXPECT_EQ(server_->stats().deletes, 1);
  EXPECT_TRUE(sink.records.empty());
}

TEST_F(FhirBulkTest, RetriesFilesThatFailOrAreCutShortWithoutEmittingALineTwice) {
  FhirFaults faults;
  faults.file_503 = 1;
  faults.truncate_files = 2;
  serve(faults);
  CollectingSink sink = readAll();
  EXPECT_EQ(sink.records.size(), 800u) << "lines before a cut are not emitted again";
  expectEverything(sink);
  EXPECT_GE(harness_.counters["fhir_download_retries"], 3);
}

TEST_F(FhirBulkTest, DecodesGzipBodiesAndToleratesASlowServer) {
  FhirFaults faults;
  faults.gzip = true;
  faults.slow_body_ms = 2;
  serve(faults);
  expectEverything(readAll());
}

TEST_F(FhirBulkTest, FollowsARedirectToTheFileHostWithoutTheAuthorizationHeader) {
  FhirFaults faults;
  faults.redirect_files = true;
  serve(faults);
  expectEverything(readAll());
  const auto stats = server_->stats();
  EXPECT_EQ(stats.authorization_sent_to_file_host, 0);
  EXPECT_EQ(stats.file_requests.at("Patient.000.ndjson"), 2) << "once at /files, once at the host";
}

TEST_F(FhirBulkTest, SendsNoTokenForFilesWhenTheManifestDoesNotRequireOne) {
  FhirFaults faults;
  faults.requires_access_token = false;
  faults.redirect_files = true;
  serve(faults);
  expectEverything(readAll());
  EXPECT_EQ(server_->stats().authorization_sent_to_file_host, 0);
}

TEST_F(FhirBulkTest, AnExpiredFileLinkFetchesTheManifestAgain) {
  FhirFaults faults;
  faults.expire_links = 1;
  serve(faults);
  expectEverything(readAll("", R"("parallel_downloads": 1)"));
  EXPECT_EQ(harness_.counters["fhir_manifest_refreshes"], 1);
}

TEST_F(FhirBulkTest, AnExpiresHeaderInThePastRenewsTheLinksBeforeDownloading) {
  FhirFaults faults;
  faults.manifest_expires_s = -10;
  faults.polls_before_ready = 0;
  serve(faults);
  expectEverything(readAll());
  EXPECT_GE(harness_.counters["fhir_manifest_refreshes"], 1);
}

TEST_F(FhirBulkTest, ATokenRevokedMidDownloadIsRenewedOnce) {
  FhirFaults faults;
  faults.revoke_tokens_after_files = 1;
  serve(faults);
  expectEverything(readAll("", R"("parallel_downloads": 1)"));
  const auto stats = server_->stats();
  EXPECT_EQ(stats.tokens_issued, 2);
  EXPECT_GE(stats.unauthorised, 1);
}

TEST_F(FhirBulkTest, ATokenAboutToExpireIsRenewedBeforeTheNextRequest) {
  FhirFaults faults;
  faults.token_lifetime_s = 30;  // under renew_before_s (60): every request wants a new one
  serve(faults);
  expectEverything(readAll());
  EXPECT_GE(server_->stats().tokens_issued, 3);
  EXPECT_EQ(server_->stats().unauthorised, 0);
}

TEST_F(FhirBulkTest, AMalformedManifestIsOneClearErrorAndTheStatusUrlIsKept) {
  FhirFaults faults;
  faults.malformed_manifest = true;
  serve(faults);
  bool ok = true;
  std::string error;
  CollectingSink sink = read("", config(), &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("manifest is not JSON"), std::string::npos) << error;
  ASSERT_FALSE(sink.checkpoints.empty());
  EXPECT_NE(nlohmann::json::parse(sink.checkpoints.back())["bulk"]["status_url"], "");
  faults.malformed_manifest = false;
  server_->setFaults(faults);
  expectEverything(readAll(sink.checkpoints.back()));
  EXPECT_EQ(server_->stats().kickoffs, 1) << "the same export, resumed";
}

TEST_F(FhirBulkTest, AManifestSplitByLinkNextIsFollowed) {
  FhirFaults faults;
  faults.split_manifest = true;
  faults.stu3_manifest = true;
  serve(faults);
  expectEverything(readAll());
}

TEST_F(FhirBulkTest, FilesOfAPartialManifestAreDownloadedWhileTheExportRuns) {
  write("Condition.000.ndjson", R"({"resourceType":"Condition","id":"c1"})"
                                "\n");
  for (const std::string method : {"GET", "POST"}) {
    FhirFaults faults;
    faults.partial_manifests = true;
    faults.polls_before_ready = 3;
    serve(faults);
    CollectingSink sink =
        readAll("", R"("allow_partial_manifests": true, "parallel_downloads": 1, "method": ")" +
                        method + "\"");
    EXPECT_EQ(sink.streamCounts(), (std::map<std::string, size_t>{
                                       {"Condition", 1}, {"Encounter", 500}, {"Patient", 300}}));
    EXPECT_EQ(distinctKeys(sink).size(), 801u);
    const auto stats = server_->stats();
    ASSERT_EQ(stats.kickoffs, 1);
    EXPECT_NE(stats.kickoff_targets[0].find("allowPartialManifests"), std::string::npos);
    // Two of the three files were listed by 202 answers and fetched before the export was done;
    // the final manifest lists them again and they are not fetched twice.
    EXPECT_EQ(stats.file_requests_while_running, 2) << method;
    for (const auto& [file, requests] : stats.file_requests) EXPECT_EQ(requests, 1) << file;
    EXPECT_EQ(stats.deletes, 1);
  }
}

TEST_F(FhirBulkTest, WithoutAllowPartialManifestsNothingIsFetchedBeforeTheExportIsDone) {
  FhirFaults faults;
  faults.partial_manifests = true;
  faults.polls_before_ready = 2;
  serve(faults);
  expectEverything(readAll());
  EXPECT_EQ(server_->stats().kickoff_targets[0].find("allowPartialManifests"), std::string::npos);
  EXPECT_EQ(server_->stats().file_requests_while_running, 0);
}

TEST_F(FhirBulkTest, ChecksLinesAgainstTheManifestCountAndType) {
  write("Condition.000.ndjson",
        patient(999) + "\n" + R"({"resourceType":"Condition","id":"c1"})" + "\n");
  FhirFaults faults;
  faults.wrong_count = true;
  faults.missing_file = "Observation.000.ndjson";
  serve(faults);
  CollectingSink sink = readAll();
  EXPECT_EQ(sink.streamCounts(), (std::map<std::string, size_t>{
                                     {"Condition", 1}, {"Encounter", 500}, {"Patient", 300}}));
  const auto reasons = sink.rejectCounts();
  EXPECT_EQ(reasons.at("fhir.unexpected_type"), 1u);
  EXPECT_EQ(reasons.at("fhir.count_mismatch"), 3u);
  EXPECT_EQ(reasons.at("fhir.file_unavailable"), 1u);
  for (const auto& reject : sink.rejects) {
    if (reject.reason == "fhir.unexpected_type") {
      EXPECT_TRUE(reject.location.ends_with("Condition.000.ndjson:1")) << reject.location;
    }
  }
}

TEST_F(FhirBulkTest, AppliesDeletedFilesAndKeepsTheNewestOfDuplicates) {
  write("Patient.001.ndjson",
        patient(5, "2024-05-09T00:00:00Z") + "\n" + patient(6, "2024-04-01T00:00:00Z") + "\n");
  write(
      "deleted.000.ndjson",
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient/p9"}},{"request":{"method":"DELETE","url":"Encounter/e3"}}]})"
      "\n");
  serve({});
  CollectingSink sink = readAll("", R"("parallel_downloads": 1)");
  std::vector<std::string> p5_updates;
  size_t p6 = 0;
  for (const auto& record : sink.records) {
    if (record.key == "Patient/p5") p5_updates.push_back(*record.field("last_updated"));
    if (record.key == "Patient/p6") ++p6;
  }
  EXPECT_EQ(p5_updates, (std::vector<std::string>{"2024-05-01T00:00:00Z", "2024-05-09T00:00:00Z"}))
      << "the newer copy is emitted after the older one";
  EXPECT_EQ(p6, 1u) << "an older copy after a newer one is dropped";
  EXPECT_EQ(harness_.counters["fhir_duplicates_dropped"], 1);
  const auto* gone = sink.find("Encounter", "Encounter/e3");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(sink.records.back().field("deleted"), "true");
  ASSERT_NE(sink.find("Patient", "Patient/p9"), nullptr);
}

TEST_F(FhirBulkTest, AKilledReadResumesPollingTheSameExport) {
  FhirFaults faults;
  faults.never_finish = true;
  serve(faults);
  std::string checkpoint;
  {
    CollectingSink sink;
    auto instance = harness_.connect(config());
    std::thread stopper([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      instance->stop();
    });
    auto outcome = instance->read("", sink);
    stopper.join();
    ASSERT_FALSE(sink.checkpoints.empty());
    checkpoint = sink.checkpoints.back();
  }
  EXPECT_GE(server_->stats().status_polls, 1);
  faults.never_finish = false;
  server_->setFaults(faults);
  expectEverything(readAll(checkpoint));
  EXPECT_EQ(server_->stats().kickoffs, 1) << "the status URL came from the checkpoint";
}

TEST_F(FhirBulkTest, AStoppedDownloadFetchesOnlyTheUnfinishedFilesAgain) {
  write("Condition.000.ndjson", R"({"resourceType":"Condition","id":"c1"})"
                                "\n");
  serve({});
  StoppingSink stopped(350);
  {
    auto instance = harness_.connect(config(R"("parallel_downloads": 1)"));
    auto outcome = instance->read("", stopped);
  }
  // Condition (1 line) then Encounter (500) are taken in manifest order; the stop comes inside
  // Encounter, after Condition is done.
  ASSERT_FALSE(stopped.checkpoints.empty());
  const std::string checkpoint = stopped.checkpoints.back();
  CollectingSink rest = readAll(checkpoint, R"("parallel_downloads": 1)");
  const auto stats = server_->stats();
  EXPECT_EQ(stats.kickoffs, 1);
  EXPECT_EQ(stats.file_requests.at("Condition.000.ndjson"), 1)
      << "a finished file is not fetched again";
  std::set<std::string> keys = distinctKeys(stopped);
  for (const auto& key : distinctKeys(rest)) keys.insert(key);
  EXPECT_EQ(keys.size(), 801u);
  EXPECT_LE(stopped.records.size() + rest.records.size(), 801u + 1000u)
      << "at most checkpoint_every lines are read twice";
}

TEST_F(FhirBulkTest, AnExportThatNeverFinishesIsAbandonedAtItsDeadlineAndDeleted) {
  FhirFaults faults;
  faults.never_finish = true;
  serve(faults);
  bool ok = true;
  std::string error;
  read("", config(R"("deadline_days": 0.00002)"), &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("did not complete within"), std::string::npos) << error;
  EXPECT_EQ(server_->stats().deletes, 1);
}

TEST_F(FhirBulkTest, WrongCredentialsAreOneClearErrorWithoutATightLoop) {
  serve({});
  harness_.secrets["env:FHIR_KEY"] =
      testing::makeKeyPair("RSA").private_pem;  // not the registered key
  bool ok = true;
  std::string error;
  read("", config(), &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("refused the client credentials of hearth-test"), std::string::npos)
      << error;
  EXPECT_NE(error.find("invalid_client"), std::string::npos);
  EXPECT_EQ(server_->stats().token_refusals, 1);
  EXPECT_EQ(server_->stats().kickoffs, 0);
  for (const auto& line : harness_.log) {
    EXPECT_EQ(line.find("PRIVATE KEY"), std::string::npos) << "no secret in the log";
  }
}

TEST_F(FhirBulkTest, AnUnreachableServerIsOneClearErrorAfterBackingOff) {
  serve({});
  const std::string base = server_->baseUrl();
  server_.reset();  // nothing listens there now
  const std::string config_json =
      R"({"mode": "bulk", "base_url": ")" + base +
      R"(", "bulk": {"poll_min_s": 0, "poll_max_s": 1, "transient_retries": 2}})";
  bool ok = true;
  std::string error;
  const auto start = std::chrono::steady_clock::now();
  read("", config_json, &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("cannot reach " + base), std::string::npos) << error;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100))
      << "two retries with backoff, not a tight loop";
  EXPECT_EQ(harness_.counters["fhir_request_retries"], 2);
}

TEST_F(FhirBulkTest, ATlsFailureIsOneClearError) {
  serve({});
  std::string base = server_->baseUrl();
  base.replace(0, 4, "https");  // TLS to a plain HTTP server: the handshake fails
  const std::string config_json =
      R"({"mode": "bulk", "base_url": ")" + base +
      R"(", "bulk": {"poll_min_s": 0, "poll_max_s": 1, "transient_retries": 0}})";
  bool ok = true;
  std::string error;
  read("", config_json, &ok, &error);
  EXPECT_FALSE(ok);
  EXPECT_NE(error.find("SSL"), std::string::npos) << error;
}

TEST_F(FhirBulkTest, SignsWithEs384AndRs512Too) {
  for (const auto& [algorithm, kind] : {std::pair{"ES384", "EC"}, std::pair{"RS512", "RSA"}}) {
    const testing::KeyPair keys = testing::makeKeyPair(kind);
    FhirServerOptions options;
    options.data = data_;
    options.client_id = "hearth-test";
    options.public_key_pem = keys.public_pem;
    server_ = std::make_unique<FhirTestServer>(options);
    harness_.secrets["env:FHIR_KEY"] = keys.private_pem;
    const std::string auth =
        std::string(
            R"({"type": "smart_backend", "client_id": "hearth-test", "private_key_secret": "env:FHIR_KEY", "kid": "k1", "algorithm": ")") +
        algorithm + "\"}";
    bool ok = false;
    std::string error;
    CollectingSink sink = read("", config("", auth), &ok, &error);
    EXPECT_TRUE(ok) << algorithm << ": " << error;
    EXPECT_EQ(sink.records.size(), 800u) << algorithm;
  }
}

TEST_F(FhirBulkTest, AcceptsAStaticBearerTokenFromASecret) {
  FhirServerOptions options;
  options.data = data_;
  options.static_token = "s3cret-token";
  server_ = std::make_unique<FhirTestServer>(options);
  harness_.secrets["env:FHIR_TOKEN"] = "s3cret-token";
  bool ok = true;
  std::string error;
  read("", config("", R"({"type": "none"})"), &ok, &error);
  EXPECT_FALSE(ok) << "without the token the server refuses";
  EXPECT_NE(error.find("HTTP 401"), std::string::npos) << error;
  CollectingSink with_token =
      read("", config("", R"({"type": "bearer", "token_secret": "env:FHIR_TOKEN"})"), &ok, &error);
  EXPECT_TRUE(ok) << error;
  EXPECT_EQ(with_token.records.size(), 800u);
}

std::string searchConfig(const std::string& base, const std::string& page_size = "70") {
  return R"({"mode": "search", "base_url": ")" + base +
         R"(", "auth": {"type": "smart_backend", "client_id": "hearth-test", "private_key_secret": "env:FHIR_KEY"},)"
         R"( "search": {"types": ["Patient", "Encounter"], "start": "2024-04-01T00:00:00Z", "window_days": 30, "page_size": )" +
         page_size + "}}";
}

TEST_F(FhirBulkTest, SearchesInLastUpdatedWindowsFollowingNextLinksVerbatim) {
  serve({});
  bool ok = false;
  std::string error;
  CollectingSink sink = read("", searchConfig(server_->baseUrl()), &ok, &error);
  ASSERT_TRUE(ok) << error;
  expectEverything(sink);
  const auto targets = server_->stats().search_targets;
  ASSERT_FALSE(targets.empty());
  EXPECT_NE(targets.front().find(
                "_lastUpdated=ge2024-04-01T00%3A00%3A00Z&_lastUpdated=lt2024-05-01T00%3A00%3A00Z"),
            std::string::npos)
      << targets.front();
  size_t next_pages = 0;
  for (const auto& target : targets) {
    if (target.find("_page=") != std::string::npos) {
      ++next_pages;
      EXPECT_NE(target.find("&_format=json"), std::string::npos) << "the link, verbatim";
    }
  }
  EXPECT_EQ(next_pages, 4u + 7u) << "300 patients and 500 encounters in pages of 70";
  const auto* record = sink.find("Patient", "Patient/p3");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->field("resource"), patient(3)) << "the resource's own text";

  // Every window up to the first read's start is done: nothing comes again.
  CollectingSink again =
      read(sink.checkpoints.back(), searchConfig(server_->baseUrl()), &ok, &error);
  ASSERT_TRUE(ok) << error;
  EXPECT_TRUE(again.records.empty());
}

TEST_F(FhirBulkTest, AnExpiredPagingLinkRestartsItsWindow) {
  FhirFaults faults;
  faults.expire_search_pages = 1;
  serve(faults);
  bool ok = false;
  std::string error;
  CollectingSink sink = read("", searchConfig(server_->baseUrl()), &ok, &error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(distinctKeys(sink).size(), 800u);
  EXPECT_EQ(harness_.counters["fhir_search_windows_restarted"], 1);
}

TEST_F(FhirBulkTest, LoadsTheSyntheaSampleWithExactPerTypeCounts) {
  serve({}, std::filesystem::path(HEARTH_SHARED_DATA) / "fhir-bulk");
  CollectingSink sink = readAll();
  std::map<std::string, size_t> expected;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(HEARTH_SHARED_DATA) / "fhir-bulk")) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".ndjson") || !std::isupper(name[0])) continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) ++expected[name.substr(0, name.find('.'))];
  }
  EXPECT_EQ(sink.streamCounts(), expected);
  EXPECT_TRUE(sink.rejects.empty());
}

}  // namespace
}  // namespace hearth::connectors::fhir
