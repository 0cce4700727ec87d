#include "daemon/log/logger.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace hearth::log {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

// An unlinked temporary file standing in for stderr, read back after logging.
class CapturedFd {
 public:
  CapturedFd() : file_(std::tmpfile(), &std::fclose) {}
  int fd() const { return fileno(file_.get()); }

  std::vector<std::string> lines() const {
    std::string content;
    std::array<char, 4096> buffer{};
    ::lseek(fd(), 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd(), buffer.data(), buffer.size())) > 0;) {
      content.append(buffer.data(), static_cast<size_t>(n));
    }
    std::vector<std::string> result;
    std::istringstream stream(content);
    for (std::string line; std::getline(stream, line);) result.push_back(line);
    EXPECT_TRUE(content.empty() || content.back() == '\n') << "last line is not terminated";
    return result;
  }

 private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
};

json parseLine(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "a record spans more than one line";
  return json::parse(line);
}

TEST(LogLine, IsOneJsonObjectWithFixedKeysAndTypedFields) {
  const std::string name = "demo_csv";
  const size_t records = 12;
  const json line =
      parseLine(formatLine(system_clock::now(), Level::kInfo, "scheduler", "connector started",
                           {{"connector", name},
                            {"records", records},
                            {"offset", -3},
                            {"ratio", 0.25},
                            {"paused", false},
                            {"stream", "people"}}));

  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["component"], "scheduler");
  EXPECT_EQ(line["msg"], "connector started");
  EXPECT_EQ(line["connector"], "demo_csv");
  EXPECT_EQ(line["records"], 12);
  EXPECT_EQ(line["offset"], -3);
  EXPECT_DOUBLE_EQ(line["ratio"].get<double>(), 0.25);
  EXPECT_EQ(line["paused"], false);
  EXPECT_EQ(line["stream"], "people");
  EXPECT_TRUE(std::regex_match(line["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST(LogLine, TimestampIsRfc3339InUtcWithMilliseconds) {
  // 2024-03-31T23:59:58.007Z
  const system_clock::time_point ts{std::chrono::milliseconds(1711929598007)};
  const json line = parseLine(formatLine(ts, Level::kWarn, "c", "m", {}));
  EXPECT_EQ(line["ts"], "2024-03-31T23:59:58.007Z");
  EXPECT_EQ(line["level"], "warn");
}

TEST(LogLine, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string tricky = "a \"quoted\" \\path\\ \n\t\r\x01\x1f end";
  const json line = parseLine(formatLine(system_clock::now(), Level::kError, "c", tricky,
                                         {{"detail", tricky}, {"key \"odd\"", 1}}));
  EXPECT_EQ(line["msg"], tricky);
  EXPECT_EQ(line["detail"], tricky);
  EXPECT_EQ(line["key \"odd\""], 1);
}

TEST(LogLine, KeepsValidUtf8AndReplacesInvalidBytes) {
  const std::string valid = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8f\xa0";
  const std::string invalid = "bad \xff byte, cut \xe2\x82";
  const json line =
      parseLine(formatLine(system_clock::now(), Level::kInfo, "c", valid, {{"raw", invalid}}));
  EXPECT_EQ(line["msg"], valid);
  EXPECT_EQ(line["raw"], "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd\xef\xbf\xbd");
}

TEST(LogLine, NonFiniteNumbersBecomeNull) {
  const json line = parseLine(formatLine(system_clock::now(), Level::kInfo, "c", "m",
                                         {{"nan", std::numeric_limits<double>::quiet_NaN()},
                                          {"inf", std::numeric_limits<double>::infinity()}}));
  EXPECT_TRUE(line["nan"].is_null());
  EXPECT_TRUE(line["inf"].is_null());
}

TEST(LogLine, FieldsCannotShadowTheFixedKeys) {
  const json line = parseLine(formatLine(system_clock::now(), Level::kInfo, "admin", "real",
                                         {{"msg", "fake"}, {"level", "error"}}));
  EXPECT_EQ(line["msg"], "real");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["msg_"], "fake");
  EXPECT_EQ(line["level_"], "error");
}

TEST(LogLevel, NamesRoundTripAndUnknownNamesAreRejected) {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    EXPECT_EQ(parseLevel(levelName(level)), level);
  }
  EXPECT_EQ(parseLevel("warning"), std::nullopt);
  EXPECT_EQ(parseLevel("INFO"), std::nullopt);
}

TEST(LogSink, DropsLinesBelowItsLevel) {
  CapturedFd out;
  Sink sink(out.fd(), Level::kWarn);
  Logger logger("kafka", sink);
  logger.debug("hidden");
  logger.info("hidden");
  logger.warn("broker down", {{"brokers", 3}});
  logger.error("spool full");
  sink.setLevel(Level::kDebug);
  logger.debug("now visible");

  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[0])["msg"], "broker down");
  EXPECT_EQ(json::parse(lines[0])["component"], "kafka");
  EXPECT_EQ(json::parse(lines[1])["level"], "error");
  EXPECT_EQ(json::parse(lines[2])["msg"], "now visible");
}

TEST(LogSink, ConcurrentWritersNeverInterleaveLines) {
  CapturedFd out;
  Sink sink(out.fd(), Level::kInfo);
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 400;
  const std::string padding(300, 'x');  // long lines make interleaving visible if it happened
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Logger logger("worker", sink);
      for (int i = 0; i < kLinesEach; ++i) {
        logger.info("tick", {{"thread", t}, {"i", i}, {"padding", padding}});
      }
    });
  }
  for (auto& thread : threads) thread.join();

  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLinesEach));
  std::vector<int> per_thread(kThreads, 0);
  for (const auto& line : lines) {
    const json parsed = json::parse(line);
    EXPECT_EQ(parsed["padding"], padding);
    ++per_thread.at(parsed["thread"].get<size_t>());
  }
  for (int count : per_thread) EXPECT_EQ(count, kLinesEach);
}

TEST(Journal, StderrIsTheJournalOnlyWhenJournalStreamNamesItsDeviceAndInode) {
  CapturedFd out;
  struct stat st {};
  ASSERT_EQ(::fstat(out.fd(), &st), 0);
  const std::string same = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  EXPECT_TRUE(isJournalStream(out.fd(), same.c_str()));
  EXPECT_FALSE(isJournalStream(out.fd(), other.c_str()));
  EXPECT_FALSE(isJournalStream(out.fd(), nullptr));
  EXPECT_FALSE(isJournalStream(out.fd(), "garbage"));
  EXPECT_FALSE(isJournalStream(out.fd(), (same + "x").c_str()));
}

TEST(Journal, EachLineStartsWithItsSyslogPriorityForTheJournal) {
  CapturedFd out;
  Sink sink(out.fd(), Level::kDebug, /*syslog_prefix=*/true);
  Logger logger("test", sink);
  logger.error("failed");
  logger.warn("careful");
  logger.info("fine");
  logger.debug("detail");
  const auto lines = out.lines();
  ASSERT_EQ(lines.size(), 4u);
  const std::array<std::string, 4> prefixes = {"<3>{", "<4>{", "<6>{", "<7>{"};
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].substr(0, 4), prefixes[i]) << lines[i];
    EXPECT_TRUE(json::accept(lines[i].substr(3))) << lines[i];
  }
}

}  // namespace
}  // namespace hearth::log
