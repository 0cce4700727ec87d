// The fhir connector in directory mode, through the real plugin loaded by the host.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "connectors/common/tests/connector_test_support.hpp"

namespace hearth::connectors::fhir {
namespace {

using testing::CollectingSink;
using testing::PluginHarness;

std::string directoryConfig(const std::filesystem::path& directory, const std::string& extra = "") {
  return R"({"mode": "directory", "directory": ")" + directory.string() + "\"" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

// Resources per resourceType in the NDJSON files of a directory, counted here independently of
// the connector: the text between "resourceType":" and the next quote on each line.
std::map<std::string, size_t> countTypes(const std::filesystem::path& directory,
                                         size_t* lines_without_type) {
  std::map<std::string, size_t> counts;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".ndjson") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      const std::string marker = "\"resourceType\":\"";
      const size_t at = line.find(marker);
      if (at == std::string::npos) {
        ++*lines_without_type;
        continue;
      }
      const size_t start = at + marker.size();
      ++counts[line.substr(start, line.find('"', start) - start)];
    }
  }
  return counts;
}

class FhirDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("fhir_directory_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(directory_ / name, std::ios::binary | std::ios::trunc) << content;
  }

  PluginHarness harness_{HEARTH_FHIR_PLUGIN};
  std::filesystem::path directory_;
};

TEST_F(FhirDirectoryTest, LoadsTheSyntheaSampleWithExactPerTypeCounts) {
  const std::filesystem::path sample = std::filesystem::path(HEARTH_SHARED_DATA) / "fhir-bulk";
  size_t lines_without_type = 0;
  const std::map<std::string, size_t> expected = countTypes(sample, &lines_without_type);
  ASSERT_GT(expected.at("Patient"), 0u);
  ASSERT_GT(expected.at("Encounter"), 0u);
  ASSERT_GT(expected.at("Condition"), 0u);

  CollectingSink sink = harness_.readAfter("", directoryConfig(sample));

  EXPECT_EQ(sink.streamCounts(), expected);
  // log.ndjson is the exporting server's own log: JSON lines, but no FHIR resources.
  EXPECT_EQ(sink.rejects.size(), lines_without_type);
  for (const auto& reject : sink.rejects) {
    EXPECT_EQ(reject.reason, "fhir.no_resource_type");
    EXPECT_TRUE(reject.location.starts_with("log.ndjson:")) << reject.location;
  }
  const testing::Record& first = sink.records.front();
  EXPECT_EQ(first.location, "Condition.000.ndjson:1");
  EXPECT_TRUE(first.key.starts_with("Condition/"));
  EXPECT_TRUE(first.field("resource")->starts_with("{\"resourceType\":\"Condition\""));
  for (const auto& record : sink.records) {
    EXPECT_EQ(record.key.substr(0, record.key.find('/')), record.stream);
  }
}

TEST_F(FhirDirectoryTest, ABadLineIsARejectWithItsFileAndLineAndTheRestCarriesOn) {
  write("a.ndjson",
        "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"lastUpdated\":\"2024-01-02T03:04:"
        "05Z\"}}\r\n"
        "{\"resourceType\":\"Patient\",\"id\":\n"
        "\n"
        "[1]\n"
        "{\"resourceType\":\"Patient\"}\n"
        "{\"resourceType\":\"Encounter\",\"id\":\"e1\"}");
  write("b.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"" + std::string(3000, 'z') + "\"}\n");

  CollectingSink sink =
      harness_.readAfter("", directoryConfig(directory_, R"("max_line_bytes": 1024)"));

  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.records[0].key, "Patient/p1");
  EXPECT_EQ(sink.records[0].location, "a.ndjson:1");
  EXPECT_EQ(sink.records[0].field("last_updated"), "2024-01-02T03:04:05Z");
  EXPECT_EQ(sink.records[1].key, "Encounter/e1") << "a last line without a line break is read";
  EXPECT_EQ(sink.records[1].location, "a.ndjson:6");
  ASSERT_EQ(sink.rejects.size(), 4u);
  EXPECT_EQ(sink.rejects[0].reason, "fhir.invalid_json");
  EXPECT_EQ(sink.rejects[0].location, "a.ndjson:2");
  EXPECT_EQ(sink.rejects[1].reason, "fhir.not_an_object");
  EXPECT_EQ(sink.rejects[1].location, "a.ndjson:4");
  EXPECT_EQ(sink.rejects[2].reason, "fhir.no_id");
  EXPECT_EQ(sink.rejects[3].reason, "fhir.line_too_long");
  EXPECT_EQ(sink.rejects[3].location, "b.ndjson:1");
}

// Counts what it is given and keeps nothing, so that the process's memory is the connector's.
class CountingSink : public host::RecordSink {
 public:
  hearth_status onRecord(const hearth_record& record) override {
    ++records;
    last_key = testing::text(record.source_key);
    return HEARTH_OK;
  }
  hearth_status onReject(const hearth_reject& reject) override {
    rejects.push_back({testing::text(reject.stream), testing::text(reject.source_key),
                       testing::text(reject.reason_code), testing::text(reject.location),
                       testing::text(reject.message)});
    return HEARTH_OK;
  }
  hearth_status onCheckpoint(std::string_view) override { return HEARTH_OK; }

  uint64_t records = 0;
  std::string last_key;
  std::vector<testing::Reject> rejects;
};

// The process's peak resident memory (VmHWM) in bytes; resetPeakMemory() starts it afresh.
uint64_t peakMemoryBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}
void resetPeakMemory() { std::ofstream("/proc/self/clear_refs") << "5"; }

// A 2 GiB export of large Patient resources (half a MiB each) with one 50 MB line in the middle:
// the long line is one reject with its file and line, every other resource is read, and the
// connector's memory stays flat (a fixed block and one capped line), whatever the file's size.
TEST_F(FhirDirectoryTest, ATwoGibFileWithAFiftyMegabyteLineIsReadInFlatMemory) {
  constexpr uint64_t kFileBytes = uint64_t{2} << 30;
  constexpr size_t kLineBytes = 512 * 1024;
  const std::string head = R"({"resourceType":"Patient","id":"p)";
  const std::string tail_start =
      R"(","meta":{"lastUpdated":"2024-01-02T03:04:05Z"},"text":{"div":")";
  const std::string tail_end = "\"}}\n";
  uint64_t written = 0;
  uint64_t lines = 0;
  {
    std::ofstream out(directory_ / "huge.ndjson", std::ios::binary);
    const std::string padding(kLineBytes - head.size() - tail_start.size() - tail_end.size() - 8,
                              'x');
    char id[16];
    while (written < kFileBytes) {
      ++lines;
      if (lines == 2000) {
        const std::string long_line =
            head + "long" + tail_start + std::string(50'000'000, 'y') + tail_end;
        out << long_line;
        written += long_line.size();
        continue;
      }
      std::snprintf(id, sizeof id, "%08llu", static_cast<unsigned long long>(lines));
      out << head << id << tail_start << padding << tail_end;
      written += head.size() + 8 + tail_start.size() + padding.size() + tail_end.size();
    }
    ASSERT_TRUE(out.good());
  }
  ASSERT_GE(std::filesystem::file_size(directory_ / "huge.ndjson"), kFileBytes);

  auto instance = harness_.connect(directoryConfig(directory_));
  ASSERT_NE(instance, nullptr);
  CountingSink sink;
  resetPeakMemory();
  const uint64_t before = peakMemoryBytes();
  auto outcome = instance->read("", sink);
  const uint64_t growth = peakMemoryBytes() - before;
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;

  EXPECT_EQ(sink.records, lines - 1);
  EXPECT_EQ(sink.last_key, "Patient/p" + std::to_string(100'000'000 + lines).substr(1));
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].reason, "fhir.line_too_long");
  EXPECT_EQ(sink.rejects[0].location, "huge.ndjson:2000");
  EXPECT_LT(growth, uint64_t{20} << 20)
      << "reading grew the process by " << (growth >> 20) << " MiB";
}

TEST_F(FhirDirectoryTest, ContinuesFromTheCheckpointAndReadsAReplacedFileAgain) {
  std::string lines;
  for (int i = 0; i < 10; ++i) {
    lines += "{\"resourceType\":\"Patient\",\"id\":\"p" + std::to_string(i) + "\"}\n";
  }
  write("a.ndjson", lines);
  const std::string config = directoryConfig(directory_, R"("checkpoint_every": 4)");
  CollectingSink first = harness_.readAfter("", config);
  ASSERT_EQ(first.records.size(), 10u);
  ASSERT_EQ(first.checkpoints.size(), 3u) << "after lines 4 and 8, and at the end of the file";

  // Resuming from the middle checkpoint re-reads only lines 9 and 10.
  CollectingSink resumed = harness_.readAfter(first.checkpoints[1], config);
  ASSERT_EQ(resumed.records.size(), 2u);
  EXPECT_EQ(resumed.records[0].key, "Patient/p8");
  EXPECT_EQ(resumed.records[0].location, "a.ndjson:9");

  // Appended lines are read on the next pass; nothing else is.
  std::ofstream(directory_ / "a.ndjson", std::ios::app)
      << "{\"resourceType\":\"Patient\",\"id\":\"p10\"}\n";
  CollectingSink appended = harness_.readAfter(first.checkpoints.back(), config);
  ASSERT_EQ(appended.records.size(), 1u);
  EXPECT_EQ(appended.records[0].location, "a.ndjson:11");

  // A new file under the same name (a new inode) is read from its start.
  std::filesystem::remove(directory_ / "a.ndjson");
  write("a.ndjson", "{\"resourceType\":\"Patient\",\"id\":\"q\"}\n");
  CollectingSink replaced = harness_.readAfter(appended.checkpoints.back(), config);
  ASSERT_EQ(replaced.records.size(), 1u);
  EXPECT_EQ(replaced.records[0].key, "Patient/q");
}

}  // namespace
}  // namespace hearth::connectors::fhir
